#!/usr/bin/env bash
# Installs what is missing and runs every test tier:
#   1. rustfmt check   2. ui: type check, unit tests (vitest), build
#   3. clippy, warnings are errors   4. Rust unit and pure tests
#   5. real-engine tests: private dockerds and registries, Berth's own engine rootful and
#      rootless, the app under Xvfb (these need root)   6. macOS and Windows builds type-check
#   7. generated UI types are current
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ $(id -u) -ne 0 ]]; then
  echo "test.sh: the real-engine tests start their own dockerd and users: run as root (sudo scripts/test.sh)" >&2
  exit 1
fi
export CARGO_TERM_COLOR=never NO_COLOR=1
# How much disk is left, at each step and on a failure (a full disk fails builds confusingly).
free_disk() { df -h . | tail -1 | awk '{print $4}'; }
trap 'echo "test.sh: $(free_disk) free on the disk" >&2' ERR
step() { printf '\n=== %s (%s free on the disk)\n' "$*" "$(free_disk)"; }

step "install what is missing"
scripts/install-deps.sh --test

step "1. rustfmt"
cargo fmt --all -- --check

step "2. ui: svelte-check, vitest, build"
npm --prefix ui run check
npm --prefix ui test
npm --prefix ui run build

step "3. clippy (warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "4+5. Rust tests, including the real-engine ones"
cargo test --workspace --locked -- --include-ignored

step "6. macOS and Windows builds type-check (cfg-gated code paths)"
scripts/check-platforms.sh

step "7. generated TypeScript types are current"
if git rev-parse --git-dir >/dev/null 2>&1; then
  changed=$(git status --porcelain -- ui/src/lib/ipc/types)
  if [[ -n "$changed" ]]; then
    echo "ui/src/lib/ipc/types differs from the Rust wire types; commit what cargo test generated:" >&2
    echo "$changed" >&2
    exit 1
  fi
fi
echo "all test tiers passed"

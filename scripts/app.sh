#!/usr/bin/env bash
# Installs what is missing, builds Berth and launches the desktop app as its desktop entry does:
# the tray (berth-tray), which opens the window (berth-app, beside it) and, with no engine
# reachable, starts Berth's own engine (rootful as root, rootless for a normal user).
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ -z "${DISPLAY:-}" && -z "${WAYLAND_DISPLAY:-}" ]]; then
  echo "app.sh: no desktop session (DISPLAY or WAYLAND_DISPLAY): run it from a desktop, or under xvfb-run" >&2
  exit 1
fi
scripts/install-deps.sh
npm --prefix ui run build --silent
cargo build --release -p berth-app -p berth-tray -p berth-cli
echo "app.sh: the CLI is target/release/berth; starting the app"
exec target/release/berth-tray --open

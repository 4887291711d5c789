#!/usr/bin/env bash
# Type-checks the CLI and everything under it (the facade, the compose manager, the engine
# supervisor with its per-OS backend, the client) for macOS and Windows, so the cfg-gated code
# paths there keep compiling, without warnings. Nothing is linked or run: no macOS SDK or Windows is needed.
#   scripts/check-platforms.sh        (scripts/install-deps.sh --test installs what it needs)
#
# ring (under rustls) compiles C in its build script. For Windows, Debian's mingw-w64 compiler
# does it; for macOS, clang with musl's portable libc headers and a two-line
# TargetConditionals.h stand in for the SDK's headers (the objects are type-checking by-products).
set -euo pipefail
cd "$(dirname "$0")/.."
targets=(x86_64-apple-darwin x86_64-pc-windows-gnu)
installed=$(rustup target list --installed)
for t in "${targets[@]}"; do
  if ! grep -qx "$t" <<<"$installed"; then
    echo "check-platforms: installing the Rust standard library for $t"
    rustup target add "$t"
  fi
done
shim=target/platform-check/include
mkdir -p "$shim"
printf '#define TARGET_OS_MAC 1\n#define TARGET_OS_OSX 1\n#define TARGET_OS_IPHONE 0\n' \
  >"$shim/TargetConditionals.h"
export CC_x86_64_apple_darwin=clang
export CFLAGS_x86_64_apple_darwin="-isystem $PWD/$shim -isystem /usr/include/x86_64-linux-musl"
export CC_x86_64_pc_windows_gnu=x86_64-w64-mingw32-gcc
for t in "${targets[@]}"; do
  echo "check-platforms: $t"
  RUSTFLAGS="-D warnings" cargo check --locked -p berth-cli --target "$t"
done

#!/usr/bin/env bash
# Installs what Berth needs on Debian/Ubuntu and is missing: system packages with apt, and the
# ui/ node packages with npm. `--test` adds what the test tiers need. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

# The engine and its rootless helpers, and the libraries the desktop app links against.
RUNTIME=(docker.io iptables iproute2 uidmap rootlesskit slirp4netns dbus dbus-user-session
  libwebkit2gtk-4.1-0 libgtk-3-0 libayatana-appindicator3-1 librsvg2-2)
# What building the app needs (Tauri 2 on Linux).
BUILD=(build-essential pkg-config libwebkit2gtk-4.1-dev libgtk-3-dev libayatana-appindicator3-dev
  librsvg2-dev libsoup-3.0-dev libssl-dev libxdo-dev)
# What the tests and benchmarks need: a registry, busybox for images, htpasswd, openssl for TLS,
# an X server and window tools for the app, hyperfine for the benchmarks, docker-compose 1.29
# (the compose interoperability tests and the compose benchmark's peer), gnome-keyring and
# secret-tool (a Secret Service for the OS-keychain login test), WebKitWebDriver (the app's
# end-to-end tests, behind tauri-driver, which cargo installs below), debootstrap and
# desktop-file-validate (the package test installs the .deb into a clean Debian root), the C
# compilers scripts/check-platforms.sh needs to type-check the macOS and Windows builds, and
# OpenSSH's agent and tools (a build's forwarded SSH agent), and git (its daemon serves the
# repository a build from a Git URL fetches; the engine clones it with the host's git).
TEST=(docker-registry busybox-static apache2-utils openssl xvfb xauth x11-utils imagemagick hyperfine
  docker-compose gnome-keyring libsecret-tools webkit2gtk-driver debootstrap desktop-file-utils
  clang musl-dev gcc-mingw-w64-x86-64 openssh-client git)

want=("${RUNTIME[@]}" "${BUILD[@]}")
if [[ "${1:-}" == "--test" ]]; then want+=("${TEST[@]}"); fi

missing=()
for pkg in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done
if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  sudo=""
  if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

for tool in cargo node npm; do
  if ! command -v "$tool" >/dev/null; then
    case "$tool" in
      cargo) echo "install-deps: cargo is missing: install Rust 1.89 or newer with rustup (https://rustup.rs)" >&2 ;;
      *) echo "install-deps: $tool is missing: install Node.js 20.19 or newer (with npm)" >&2 ;;
    esac
    exit 1
  fi
done

# The ui's node packages, exactly as locked.
if [[ ! -d ui/node_modules ]] || [[ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]]; then
  echo "install-deps: installing ui/ node packages"
  npm --prefix ui ci --no-audit --no-fund --loglevel=error
fi

# tauri-driver for the app's end-to-end tests; major 2 (crates.io's newest is a 3.0 alpha).
if [[ "${1:-}" == "--test" ]] && ! command -v tauri-driver >/dev/null \
  && [[ ! -x "${CARGO_HOME:-$HOME/.cargo}/bin/tauri-driver" ]]; then
  echo "install-deps: installing tauri-driver 2"
  cargo install tauri-driver --locked --version '^2' --quiet
fi

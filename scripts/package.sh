#!/usr/bin/env bash
# Builds Berth's Debian package offline with Tauri's bundler: the app (its window, berth-app,
# and its tray, berth-tray), the `berth` CLI in /usr/bin, a desktop entry, the icons at every size, and the engine's packages as dependencies.
# AppImage is not built: its bundler downloads linuxdeploy, which an offline machine cannot.
#   scripts/package.sh           release build: target/release/bundle/deb/Berth_*.deb
#   scripts/package.sh --debug   debug build (quicker; what the package test uses)
set -euo pipefail
cd "$(dirname "$0")/.."
profile=release
flags=()
if [[ "${1:-}" == "--debug" ]]; then
  profile=debug
  flags=(--debug)
fi
scripts/install-deps.sh
if [[ $profile == release ]]; then
  cargo build --locked --release -p berth-cli -p berth-tray
else
  cargo build --locked -p berth-cli -p berth-tray
fi
mkdir -p target/package
cp "target/$profile/berth" "target/$profile/berth-tray" target/package/
(cd src-tauri && ../ui/node_modules/.bin/tauri build "${flags[@]}" --bundles deb --ci)
ls "target/$profile/bundle/deb/"*.deb

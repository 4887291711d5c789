#!/usr/bin/env bash
# Installed size: Berth's release .deb (built by scripts/package.sh) beside the peer Berth stands
# on, Debian's engine packages (docker.io, containerd, runc), read in the same run. Prints a
# Markdown table's rows: download size, installed size, and the three binaries.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
bash scripts/package.sh >/dev/null 2>&1 || { echo "package.sh failed: run it alone to see why" >&2; exit 1; }
deb=$(ls -t target/release/bundle/deb/Berth_*_amd64.deb | head -1)

mb() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
berth_download=$(($(stat -c %s "$deb") / 1024))
berth_installed=$(dpkg-deb -f "$deb" Installed-Size)

# The peer: what apt says of Debian's engine packages (download Size in bytes, Installed-Size in KiB).
peer_download=0
peer_installed=0
for pkg in docker.io containerd runc; do
  size=$(apt-cache show --no-all-versions "$pkg" | awk '/^Size:/ { print $2; exit }')
  inst=$(apt-cache show --no-all-versions "$pkg" | awk '/^Installed-Size:/ { print $2; exit }')
  peer_download=$((peer_download + size / 1024))
  peer_installed=$((peer_installed + inst))
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
echo "| .deb download | $(mb "$berth_download") MB | $(mb "$peer_download") MB | $(ratio "$berth_download" "$peer_download") |"
echo "| installed (dpkg Installed-Size) | $(mb "$berth_installed") MB | $(mb "$peer_installed") MB | $(ratio "$berth_installed" "$peer_installed") |"
echo "| of which the app, /usr/bin/berth-app | $(mb $(($(stat -c %s target/release/berth-app) / 1024))) MB | | |"
echo "| of which the tray, /usr/bin/berth-tray | $(mb $(($(stat -c %s target/package/berth-tray) / 1024))) MB | | |"
echo "| of which the CLI, /usr/bin/berth | $(mb $(($(stat -c %s target/package/berth) / 1024))) MB | | |"

#!/usr/bin/env bash
# Makes every icon of the app from icons/source.svg: a 1024 px rendering, then Tauri's icon set
# (PNG sizes, .icns, .ico) from it. The tray's state icons are drawn separately.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
convert -background none -density 384 icons/source.svg -resize 1024x1024 "$tmp/icon-1024.png"
(cd src-tauri && ../ui/node_modules/.bin/tauri icon "$tmp/icon-1024.png" --output ../icons)

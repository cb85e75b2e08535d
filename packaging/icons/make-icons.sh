#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Regenerates the committed application icons from resources/icons/tarn.svg: the hicolor PNG sizes
# installed on Linux, tarn.ico (Windows executable and installer) and tarn.icns (macOS bundle).
# Committed rather than built so a build needs neither librsvg nor ImageMagick nor icnsutils.
# Debian: apt-get install librsvg2-bin imagemagick icnsutils
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
svg="$here/../../resources/icons/tarn.svg"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

for size in 16 22 24 32 48 64 128 256 512; do
    mkdir -p "$here/hicolor/${size}x${size}"
    rsvg-convert -w "$size" -h "$size" "$svg" -o "$tmp/tarn-$size.png"
    # Strip timestamps and text chunks so regenerating gives identical bytes.
    convert "$tmp/tarn-$size.png" -strip -define png:exclude-chunks=date,time "$here/hicolor/${size}x${size}/tarn.png"
done
# Windows picks the closest of these for the taskbar, Explorer and the title bar.
rsvg-convert -w 1024 -h 1024 "$svg" -o "$tmp/tarn-1024.png"
convert "$here"/hicolor/{16x16,24x24,32x32,48x48,64x64,128x128,256x256}/tarn.png "$here/tarn.ico"
# png2icns takes the sizes Apple's icon types exist for (16, 32, 48, 128, 256, 512, 1024).
png2icns "$here/tarn.icns" "$here"/hicolor/{16x16,32x32,48x48,128x128,256x256,512x512}/tarn.png "$tmp/tarn-1024.png" >/dev/null
echo "icons written under $here"

#!/bin/sh
# Regenerates the application icons from shapes (no source artwork to keep in sync):
#   icon.png  512×512 (Linux AppImage/deb, and electron-builder's source for other sizes)
#   icon.ico  16–256 px (Windows installer, portable exe, taskbar)
# A calm grey tile with a gold gauge ring and needle: readable at 16 px, no text.
# Needs ImageMagick 6 (Debian: apt-get install imagemagick). Run from anywhere.
set -eu
cd "$(dirname "$0")"
# Debian's versioned name first: it is the real ImageMagick even where another "convert" shadows it.
CONVERT=$(command -v convert-im6 || command -v magick || command -v convert)
"$CONVERT" -size 512x512 xc:none \
  -fill '#2f3438' -draw 'roundrectangle 16,16 495,495 96,96' \
  -fill none -stroke '#d4a72c' -strokewidth 44 -draw 'circle 256,256 256,106' \
  -stroke none -fill '#2f3438' -draw 'polygon 256,256 60,452 452,452' \
  -stroke '#e8eaec' -strokewidth 30 -draw 'line 256,256 354,170' \
  -stroke none -fill '#e8eaec' -draw 'circle 256,256 256,286' \
  -define png:exclude-chunks=date,time \
  PNG32:icon.png
"$CONVERT" icon.png -define icon:auto-resize=256,128,64,48,32,24,16 icon.ico

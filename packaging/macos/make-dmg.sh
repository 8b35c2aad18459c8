#!/usr/bin/env bash
# Put "dist/Ouro Desktop.app" into a compressed disk image with a link to /Applications,
# so a user drags the app across: dist/Ouro-Desktop-VERSION-macos-ARCH.dmg. On a Mac, after
# `python3 packaging/build.py`. NEVER RUN YET (no Mac in CI): see packaging/README.md.
# Sign the image too when OURO_CODESIGN_IDENTITY is set ("Developer ID Application: ...").
set -euo pipefail
cd "$(dirname "$0")/../.."
app="dist/Ouro Desktop.app"
[ -d "$app" ] || { echo "make-dmg: $app is missing; run python3 packaging/build.py" >&2; exit 1; }
version=$(/usr/libexec/PlistBuddy -c "Print :CFBundleShortVersionString" "$app/Contents/Info.plist")
dmg="dist/Ouro-Desktop-$version-macos-$(uname -m).dmg"
staging=$(mktemp -d)
trap 'rm -rf "$staging"' EXIT
# ditto keeps the signatures, extended attributes and symlinks inside the .app intact.
ditto "$app" "$staging/Ouro Desktop.app"
ln -s /Applications "$staging/Applications"
rm -f "$dmg"
hdiutil create -volname "Ouro Desktop" -srcfolder "$staging" -fs HFS+ -format UDZO -ov "$dmg"
if [ -n "${OURO_CODESIGN_IDENTITY:-}" ]; then
  codesign --force --timestamp --sign "$OURO_CODESIGN_IDENTITY" "$dmg"
fi
hdiutil verify "$dmg"
echo "$dmg"

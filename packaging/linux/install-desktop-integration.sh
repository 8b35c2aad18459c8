#!/bin/sh
# Add Ouro Desktop to this user's application menu: the menu entry (pointing at this
# folder), the icon, "Open with Ouro Desktop" for .cif files, and `ouro-desktop` on the
# PATH via ~/.local/bin. Nothing outside your home folder is touched, no root needed.
#
#   ./install-desktop-integration.sh             # install (run it again after moving the folder)
#   ./install-desktop-integration.sh --uninstall # remove what it installed
set -eu

APP_ID=foundation.ouro.OuroDesktop
here=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
data=${XDG_DATA_HOME:-$HOME/.local/share}
bin=$HOME/.local/bin
exe=$here/ouro-desktop

refresh() {
  # The desktop picks the changes up by itself eventually; these make it immediate.
  command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database "$data/applications" >/dev/null 2>&1 || true
  command -v update-mime-database >/dev/null 2>&1 && update-mime-database "$data/mime" >/dev/null 2>&1 || true
  command -v gtk-update-icon-cache >/dev/null 2>&1 && gtk-update-icon-cache -q -t "$data/icons/hicolor" >/dev/null 2>&1 || true
}

if [ "${1:-}" = "--uninstall" ]; then
  rm -f "$data/applications/$APP_ID.desktop" "$data/metainfo/$APP_ID.metainfo.xml" \
    "$data/mime/packages/$APP_ID.xml"
  find "$data/icons/hicolor" -name "$APP_ID.*" -type f -delete 2>/dev/null || true
  if [ -L "$bin/ouro-desktop" ] && [ "$(readlink "$bin/ouro-desktop")" = "$exe" ]; then
    rm -f "$bin/ouro-desktop"
  fi
  refresh
  echo "Ouro Desktop removed from the application menu (the program folder is untouched)."
  exit 0
fi

[ -x "$exe" ] || { echo "install-desktop-integration: $exe is missing" >&2; exit 1; }
mkdir -p "$data/applications" "$data/metainfo" "$data/mime/packages" "$data/icons" "$bin"

# The menu entry runs this folder's program by its full path, so it works whether or
# not ~/.local/bin is on the PATH of the desktop session. In Exec the path is quoted,
# with " ` $ written as \\X and a backslash as four (the Desktop Entry quoting rules).
quoted=$(printf '%s' "$exe" | sed -e 's/\\/\\\\\\\\/g' -e 's/[$`"]/\\\\&/g')
plain=$(printf '%s' "$exe" | sed -e 's/\\/\\\\/g')
src=$here/share/applications/$APP_ID.desktop
dst=$data/applications/$APP_ID.desktop
while IFS= read -r line || [ -n "$line" ]; do
  case $line in
    Exec=ouro-desktop*) printf 'Exec="%s"%s\n' "$quoted" "${line#Exec=ouro-desktop}" ;;
    TryExec=ouro-desktop) printf 'TryExec=%s\n' "$plain" ;;
    *) printf '%s\n' "$line" ;;
  esac
done <"$src" >"$dst.tmp"
mv "$dst.tmp" "$dst"
cp "$here/share/metainfo/$APP_ID.metainfo.xml" "$data/metainfo/"
cp "$here/share/mime/packages/$APP_ID.xml" "$data/mime/packages/"
cp -R "$here/share/icons/hicolor" "$data/icons/"
ln -sfn "$exe" "$bin/ouro-desktop"
refresh
echo "Ouro Desktop is in your application menu, and .cif files offer \"Open with Ouro Desktop\"."
echo "Moved this folder? Run this script again. To remove: $0 --uninstall"

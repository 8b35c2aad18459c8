#!/usr/bin/env bash
# Install dist/ouro-desktop_*.deb on this machine as a user would, prove the installed app
# works, and remove it again. Run as root after `python3 packaging/build.py` (.ci/run does):
#
#   1. `apt-get install ./dist/ouro-desktop_*.deb` (its dependencies come from the distribution);
#   2. the installed `ouro-desktop --self-test --require-keyring` under a real Secret
#      Service (a fresh, unlocked GNOME Keyring in its own D-Bus session);
#   3. desktop-file-validate and appstreamcli validate on the installed menu entry and
#      metainfo; the MIME database knows .cif files and offers the app for them;
#   4. a .cif opened through the installed menu entry (its Exec line with %f replaced
#      by the file, as a file manager does) lands in the app: the window lists the routes
#      that take the file (read from a screenshot with OCR);
#   5. `apt-get remove`, then `purge`: no file of the package is left, and the file
#      lists of /opt, /usr, /etc and /var/lib are as they were before the install.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS
APP_ID=foundation.ouro.OuroDesktop
export DEBIAN_FRONTEND=noninteractive

debs=(dist/ouro-desktop_*.deb)
[ "${#debs[@]}" = 1 ] && [ -f "${debs[0]}" ] || {
  echo "deb-check: expected one dist/ouro-desktop_*.deb, found: ${debs[*]}" >&2
  exit 1
}
deb=$PWD/${debs[0]}

# The tools of the check itself (not the app's dependencies: those come with the .deb).
tools=(appstream desktop-file-utils shared-mime-info dbus dbus-x11 gnome-keyring xvfb xauth
  tesseract-ocr tesseract-ocr-eng)
missing=()
for pkg in "${tools[@]}"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
if [ "${#missing[@]}" -gt 0 ]; then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# A copy left by an earlier run would be in the "before" list.
if dpkg -s ouro-desktop >/dev/null 2>&1; then apt-get purge -y -qq ouro-desktop >/dev/null; fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The app runs as root here: it gets a home of its own, so that nothing it writes there
# (settings, keyring, caches) counts against the package.
mkdir -p "$tmp/home"
export HOME=$tmp/home XDG_CONFIG_HOME=$tmp/home/.config XDG_DATA_HOME=$tmp/home/.local/share \
  XDG_CACHE_HOME=$tmp/home/.cache XDG_STATE_HOME=$tmp/home/.local/state

snapshot() {
  # Everything a package or its scripts could leave, less the records dpkg, apt and ucf
  # keep about packages. /var/cache and /var/log are not looked at: apt's caches and logs,
  # and fontconfig's cache, which the app (running as root here) may write.
  find /opt /usr /etc /var/lib -xdev \( -path /var/lib/dpkg -o -path /var/lib/apt \
    -o -path /var/lib/ucf \) -prune -o -print 2>/dev/null | LC_ALL=C sort
}
snapshot >"$tmp/before.txt"
dpkg-query -W -f '${Package}\n' | LC_ALL=C sort >"$tmp/packages-before.txt"

echo "== apt-get install $(basename "$deb")"
# (Package lists older than the machine's packages would miss a dependency: refresh once.)
if ! apt-get install -y -qq "$deb" >"$tmp/apt-install.log" 2>&1; then
  apt-get update -qq
  apt-get install -y -qq "$deb" >"$tmp/apt-install.log" 2>&1 || {
    cat "$tmp/apt-install.log" >&2
    exit 1
  }
fi
dpkg-query -W -f '${Package}\n' | LC_ALL=C sort >"$tmp/packages-after.txt"
# From here on the PATH of a desktop session: a copy of the app installed with pip (as
# on a developer's machine) must not stand in for the packaged one.
desktop_path=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
pulled=$(comm -13 "$tmp/packages-before.txt" "$tmp/packages-after.txt" | grep -vx ouro-desktop || true)
echo "installed $(dpkg-query -W -f '${Package} ${Version}' ouro-desktop); packages it pulled in: ${pulled:-none}"
echo "Depends: $(dpkg-query -W -f '${Depends}' ouro-desktop)"
found=$(PATH=$desktop_path command -v ouro-desktop || echo nothing)
[ "$found" = /usr/bin/ouro-desktop ] || { echo "deb-check: ouro-desktop on the PATH is $found" >&2; exit 1; }
/usr/bin/ouro-desktop --version

echo "== installed --self-test (fresh keyring, dbus-run-session)"
mkdir -p "$tmp/keyring"
export tmp desktop_path
dbus-run-session -- sh -c '
  echo -n deb-check-pw | XDG_DATA_HOME="$tmp/keyring" \
    gnome-keyring-daemon --unlock --components=secrets >/dev/null
  XDG_DATA_HOME="$tmp/keyring" QT_QPA_PLATFORM=offscreen PATH="$desktop_path" \
    ouro-desktop --self-test --require-keyring
'

echo "== installed desktop files"
entry=/usr/share/applications/$APP_ID.desktop
desktop-file-validate "$entry"
appstreamcli validate --no-net "/usr/share/metainfo/$APP_ID.metainfo.xml"
# What a file manager reads to offer "Open with Ouro Desktop" for a .cif: the file type
# from the MIME database, and the applications for it from the desktop database.
[ -s /usr/share/mime/chemical/x-cif.xml ] || { echo "deb-check: no chemical/x-cif in the MIME database" >&2; exit 1; }
grep -q "^chemical/x-cif=.*$APP_ID.desktop" /usr/share/applications/mimeinfo.cache || {
  echo "deb-check: the desktop database offers nothing for chemical/x-cif" >&2
  exit 1
}
for icon in scalable/apps/$APP_ID.svg 48x48/apps/$APP_ID.png 256x256/apps/$APP_ID.png; do
  [ -s "/usr/share/icons/hicolor/$icon" ] || { echo "deb-check: no icon $icon" >&2; exit 1; }
done
echo "menu entry, metainfo, CIF type and icons ok"

echo "== a .cif opened through the menu entry"
# A name with a space: the launcher must pass it as one argument.
cif="$tmp/files/Cu sample.cif"
mkdir -p "$tmp/files"
cp ouro_desktop/demo/examples/Cu.cif "$cif"
mapfile -d '' -t command < <(python3 packaging/desktop_exec.py -0 "$entry" "$cif")
printf 'Exec gives:'; printf ' [%s]' "${command[@]}"; echo
# What the launcher runs, plus: the offline demo (no account here), a profile folder of
# its own, and a screenshot once the window has its data. No QT_QPA_PLATFORM: Qt picks
# the X11 display xvfb-run provides, as on a desktop.
shot=$tmp/open-cif.png
env -u QT_QPA_PLATFORM PATH="$desktop_path" xvfb-run -a -s "-screen 0 1400x900x24" \
  "${command[@]}" --demo --profile-dir "$tmp/profile" --screenshot "$shot"
[ -s "$shot" ] || { echo "deb-check: no screenshot" >&2; exit 1; }
[ -n "${OURO_DEB_CHECK_KEEP_SCREENSHOT:-}" ] && cp "$shot" "$OURO_DEB_CHECK_KEEP_SCREENSHOT"
# Today a file given at start makes the app list the routes that take it (issue 12 will
# put it into the form of the route named with --route: then this check reads the form).
tesseract "$shot" "$tmp/ocr" >/dev/null 2>&1
# (OCR may read the curly quotes as other marks, or put a space around the dot.)
expected='Routes that accept .{1,2}Cu sample ?\. ?cif.{1,2} \([1-9][0-9]*\)'
if ! caption=$(tr '\n' ' ' <"$tmp/ocr.txt" | grep -oE "$expected"); then
  echo "deb-check: the window does not show the routes for the file; it reads:" >&2
  cat "$tmp/ocr.txt" >&2
  exit 1
fi
echo "the window says: $caption"

echo "== apt-get remove, then purge"
apt-get remove -y -qq ouro-desktop >/dev/null
for path in /opt/ouro-desktop /usr/bin/ouro-desktop "$entry" "/usr/share/metainfo/$APP_ID.metainfo.xml" \
  "/usr/share/mime/packages/$APP_ID.xml" /usr/share/mime/chemical/x-cif.xml; do
  [ ! -e "$path" ] && [ ! -L "$path" ] || { echo "deb-check: $path is still there after remove" >&2; exit 1; }
done
if grep -q "$APP_ID" /usr/share/applications/mimeinfo.cache 2>/dev/null; then
  echo "deb-check: the desktop database still offers the app after remove" >&2
  exit 1
fi
apt-get purge -y -qq ouro-desktop >/dev/null
# Packages the install brought in as dependencies go too, so the system is as before.
if [ -n "$pulled" ]; then
  # shellcheck disable=SC2086
  apt-get purge -y -qq $pulled >/dev/null
fi
dpkg -s ouro-desktop >/dev/null 2>&1 && { echo "deb-check: ouro-desktop is still known to dpkg" >&2; exit 1; }
snapshot >"$tmp/after.txt"
if ! diff -u "$tmp/before.txt" "$tmp/after.txt" >"$tmp/diff.txt"; then
  echo "deb-check: the file lists before the install and after the purge differ:" >&2
  head -50 "$tmp/diff.txt" >&2
  exit 1
fi
echo "removed: no file left behind ($(wc -l <"$tmp/before.txt") paths compared)"
echo "deb check passed ($(du -h "$deb" | cut -f1) .deb, $((SECONDS - started)) s)"

#!/usr/bin/env bash
# Build the one-folder bundle (and the .deb and portable archive: packaging/build.py) and
# prove it starts: the frozen app's --self-test (with a real, unlocked GNOME Keyring in a
# fresh D-Bus session) and a --demo screenshot under Xvfb; then unpack the portable
# archive and install its desktop integration into a throwaway home. Prints the bundle
# size. Run from anywhere: bash packaging/smoke.sh. The .deb is checked by deb-check.sh.
# Set OURO_SMOKE_SKIP_BUILD=1 to test an existing dist/ (bundle and archive).
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS

# Runtime libraries the xcb platform plugin links against (the frozen app uses the host's
# X libraries) plus the session tools; the same list as .ci/run, plus libxcb-icccm4 and
# libxcb-keysyms1 which libqxcb.so needs, and the Wayland client libraries: the .deb's
# Depends are read from the packages that provide the libraries here (build.py).
export DEBIAN_FRONTEND=noninteractive
runtime=(gnome-keyring dbus dbus-x11 xvfb xauth libxcb-cursor0 libxkbcommon-x11-0 libegl1 libgl1
  libfontconfig1 libdbus-1-3 libxcb-icccm4 libxcb-keysyms1 libwayland-client0
  libwayland-cursor0 libwayland-egl1)
need_apt=0
for pkg in "${runtime[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need_apt=1
done
if [ "$need_apt" = 1 ] && command -v apt-get >/dev/null; then
  apt-get update -qq
  apt-get install -y -qq "${runtime[@]}" >/dev/null
fi

bundle=dist/ouro-desktop
if [ "${OURO_SMOKE_SKIP_BUILD:-0}" != 1 ]; then
  echo "== build"
  python3 packaging/build.py --log-level WARN
fi
exe="$PWD/$bundle/ouro-desktop"
[ -x "$exe" ] || { echo "smoke: $exe is missing" >&2; exit 1; }
built=$SECONDS

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export tmp exe

echo "== frozen self-test (fresh keyring, dbus-run-session)"
# A fresh XDG_DATA_HOME: a keyring left by an earlier run (other password) stays locked.
mkdir -p "$tmp/keyring"
dbus-run-session -- sh -c '
  echo -n smoke-keyring-pw | XDG_DATA_HOME="$tmp/keyring" \
    gnome-keyring-daemon --unlock --components=secrets >/dev/null
  XDG_DATA_HOME="$tmp/keyring" QT_QPA_PLATFORM=offscreen "$exe" --self-test --require-keyring
'

echo "== frozen --demo --screenshot (Xvfb, xcb)"
shot="$tmp/s.png"
QT_QPA_PLATFORM=xcb xvfb-run -a -s "-screen 0 1400x900x24" \
  "$exe" --demo --profile-dir "$tmp/profile" --screenshot "$shot"
[ -s "$shot" ] || { echo "smoke: no screenshot at $shot" >&2; exit 1; }
if [ -n "${OURO_SMOKE_KEEP_SCREENSHOT:-}" ]; then
  cp "$shot" "$OURO_SMOKE_KEEP_SCREENSHOT"
  echo "screenshot kept at $OURO_SMOKE_KEEP_SCREENSHOT"
fi
python3 - "$shot" <<'PY'
import struct, sys
data = open(sys.argv[1], "rb").read(24)
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
w, h = struct.unpack(">II", data[16:24])
print(f"screenshot ok: {w}x{h} px")
PY

echo "== portable archive: unpack, desktop integration (a throwaway home folder)"
archives=(dist/ouro-desktop-*-linux-*.tar.gz)
[ "${#archives[@]}" = 1 ] && [ -f "${archives[0]}" ] || { echo "smoke: expected one portable archive in dist/" >&2; exit 1; }
# Unpacked where a user might (a name with a space), as an ordinary tar does it.
unpacked="$tmp/Downloads folder"
mkdir -p "$unpacked"
tar -xzf "${archives[0]}" -C "$unpacked"
du -sh "${archives[0]}"
exe="$unpacked/ouro-desktop/ouro-desktop"
"$exe" --version
home="$tmp/home"
mkdir -p "$home"
HOME="$home" XDG_DATA_HOME="$home/share" "$unpacked/ouro-desktop/install-desktop-integration.sh"
entry="$home/share/applications/foundation.ouro.OuroDesktop.desktop"
grep -qx "Exec=\"$exe\" %f" "$entry" || { echo "smoke: Exec does not point at the bundle" >&2; exit 1; }
if command -v desktop-file-validate >/dev/null; then desktop-file-validate "$entry"; fi
[ -s "$home/share/icons/hicolor/scalable/apps/foundation.ouro.OuroDesktop.svg" ]
[ -s "$home/share/mime/packages/foundation.ouro.OuroDesktop.xml" ]
[ "$(readlink "$home/.local/bin/ouro-desktop")" = "$exe" ]
"$home/.local/bin/ouro-desktop" --version
# The menu entry's command, as a launcher builds it, starts the unpacked program.
mapfile -d '' -t command < <(python3 packaging/desktop_exec.py -0 "$entry")
[ "${command[0]}" = "$exe" ] || { echo "smoke: the menu entry runs ${command[0]}" >&2; exit 1; }
"${command[@]}" --version
HOME="$home" XDG_DATA_HOME="$home/share" "$unpacked/ouro-desktop/install-desktop-integration.sh" --uninstall
[ ! -e "$entry" ] && [ ! -e "$home/.local/bin/ouro-desktop" ]
echo "desktop integration ok"

echo "== bundle"
du -sh "$bundle"
# The size target for the unpacked one-folder bundle (issue 7): a new dependency that
# pushes it over must be a decision, not an accident.
size_mb=$(du -sm "$bundle" | cut -f1)
if [ "$size_mb" -ge 150 ]; then
  echo "smoke: the bundle is $size_mb MB unpacked; the target is under 150 MB" >&2
  exit 1
fi
echo "smoke passed (build $((built - started)) s, checks $((SECONDS - built)) s)"

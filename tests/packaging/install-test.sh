#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Checks the Linux packages scripts/package made, then installs the .deb on this machine and takes
# it out again:
#   1. lintian (.deb) and rpmlint (.rpm) report no errors; the desktop file passes
#      desktop-file-validate, the metainfo `appstreamcli validate`, the user unit
#      `systemd-analyze verify`;
#   2. dpkg -i; the installed `tarn --version` says the CMake project version; a headless start
#      with a fresh HOME answers GET /health with 200;
#   3. with Xvfb and a tray host, the desktop entry's command shows the tray icon and the window
#      (tests/packaging/desktop-check.sh, screenshots in TARN_PKGSHOTS_DIR, /tmp/pkgshots);
#   4. dpkg --purge leaves no file behind (file lists before and after compared); the data
#      directory, in the temporary HOME here, is the user's and stays.
# Needs root and dpkg (CI runs as root on a fresh Debian/Ubuntu): otherwise it says why and
# skips the install (steps 2-4) with exit 0.
#   tests/packaging/install-test.sh [PACKAGE_DIR]     (default build/package)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
pkgdir="${1:-$root/build/package}"
log() { printf '\033[1m--> %s\033[0m\n' "$*" >&2; }
fail() { printf 'install-test: FAIL: %s\n' "$*" >&2; exit 1; }

version="$(sed -nE 's/^project\(Tarn VERSION ([0-9.]+).*/\1/p' "$root/CMakeLists.txt")"
[ -n "$version" ] || fail "no project(Tarn VERSION …) in CMakeLists.txt"
deb="$(ls "$pkgdir"/tarn_"$version"_*.deb 2>/dev/null | head -n1 || true)"
rpm="$(ls "$pkgdir"/tarn-"$version"-*.rpm 2>/dev/null | head -n1 || true)"
[ -f "$deb" ] || fail "no tarn_${version}_*.deb in $pkgdir (run scripts/package)"
tmp="$(mktemp -d)"
cleanup() {
    [ -n "${tarn_pid:-}" ] && kill "$tarn_pid" 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT

# --- 1. Linters ----------------------------------------------------------------------------------
log "Package metadata"
dpkg-deb --info "$deb" | sed -n '/Package:/,$p'
[ "$(dpkg-deb -f "$deb" Version)" = "$version" ] || fail "the .deb's version is not $version"

log "lintian $(basename "$deb")"
# --fail-on error: warnings are reported (and explained in packaging/linux/lintian-overrides when
# inherent), errors fail.
lintian --fail-on error --display-info --pedantic --tag-display-limit 0 "$deb" || fail "lintian reported errors"

if [ -f "$rpm" ]; then
    log "rpmlint $(basename "$rpm")"
    rpm -qp --qf '%{NAME} %{VERSION}-%{RELEASE} %{LICENSE}\n' "$rpm"
    rpm -qp --requires "$rpm" | grep -v '^rpmlib(' | tr '\n' ' '
    echo
    # rpmlint exits non-zero when it found errors (64) or badness over the threshold (66).
    rpmlint --config "$root/packaging/linux/rpmlint.toml" "$rpm" || fail "rpmlint reported errors"
else
    log "no .rpm in $pkgdir: rpmlint skipped"
fi

log "desktop-file-validate, appstreamcli validate, systemd-analyze verify"
mkdir -p "$tmp/deb"
dpkg-deb -x "$deb" "$tmp/deb"
desktop-file-validate --no-hints "$tmp/deb/usr/share/applications/io.github.tarn.Tarn.desktop" \
    || fail "desktop-file-validate"
appstreamcli validate --no-net "$tmp/deb/usr/share/metainfo/io.github.tarn.Tarn.metainfo.xml" \
    || fail "appstreamcli validate"
unit="$tmp/deb/usr/lib/systemd/user/tarn.service"
grep -qx 'ExecStart=/usr/bin/tarn --headless' "$unit" || fail "tarn.service does not start /usr/bin/tarn --headless"
if command -v systemd-analyze >/dev/null 2>&1; then
    # The unit names /usr/bin/tarn, which is not installed yet: verify against the unpacked tree.
    # A user manager's verify needs a runtime dir; where none can start (containers without
    # systemd), the system manager's verify checks the same directives.
    sed "s|/usr/bin/tarn|$tmp/deb/usr/bin/tarn|" "$unit" >"$tmp/tarn.service"
    mkdir -m 700 "$tmp/runtime"
    if ! XDG_RUNTIME_DIR="$tmp/runtime" systemd-analyze --user --man=no verify "$tmp/tarn.service" 2>"$tmp/verify.err"; then
        if grep -q 'Failed to initialize manager' "$tmp/verify.err"; then
            systemd-analyze --man=no verify "$tmp/tarn.service" || fail "systemd-analyze verify tarn.service"
        else
            cat "$tmp/verify.err" >&2
            fail "systemd-analyze --user verify tarn.service"
        fi
    fi
fi
for icon in 16 22 24 32 48 64 128 256 512; do
    [ -f "$tmp/deb/usr/share/icons/hicolor/${icon}x${icon}/apps/tarn.png" ] || fail "no ${icon}x${icon} icon"
done
grep -qx 'Icon=tarn' "$tmp/deb/usr/share/applications/io.github.tarn.Tarn.desktop" || fail "desktop file's Icon is not tarn"

# --- 2. Install ----------------------------------------------------------------------------------
if [ "$(id -u)" -ne 0 ] || ! command -v dpkg >/dev/null 2>&1; then
    log "SKIP install test: needs root and dpkg (CI runs it as root)"
    exit 0
fi
if dpkg-query -W -f='${Status}' tarn 2>/dev/null | grep -q 'install ok installed'; then
    fail "a tarn package is installed already: remove it first (dpkg --purge tarn)"
fi

snapshot() {
    # Everything on the root file system except what changes on its own (logs, caches, temp,
    # the build trees, homes) and dpkg's journal.
    find / -xdev \( -path /proc -o -path /sys -o -path /dev -o -path /run -o -path /tmp \
        -o -path /var/tmp -o -path /var/log -o -path /var/cache -o -path /var/lib/apt \
        -o -path /var/lib/dpkg/updates -o -path /var/backups -o -path "$root" -o -path /work \
        -o -path /root -o -path /home \) -prune -o -print 2>/dev/null | LC_ALL=C sort
}
log "File list before install"
snapshot >"$tmp/before.txt"

log "dpkg -i $(basename "$deb")"
DEBIAN_FRONTEND=noninteractive dpkg -i "$deb" || fail "dpkg -i failed (missing dependencies?)"
installed=1
purge() {
    if [ -n "${installed:-}" ]; then
        DEBIAN_FRONTEND=noninteractive dpkg --purge tarn >/dev/null || true
        installed=
    fi
}
trap 'purge; cleanup' EXIT

[ "$(command -v tarn)" = /usr/bin/tarn ] || fail "tarn is not /usr/bin/tarn"
first="$(/usr/bin/tarn --version | head -n1)"
log "tarn --version: $first"
[ "$first" = "tarn $version" ] || fail "tarn --version says '$first', want 'tarn $version'"

log "Headless start with a fresh HOME"
home="$tmp/home"
mkdir -p "$home"
env -i PATH=/usr/bin:/bin HOME="$home" TARN_SECRET_BACKEND=file LANG=C.UTF-8 \
    /usr/bin/tarn --headless --listen 127.0.0.1:0 >"$tmp/headless.out" 2>"$tmp/headless.err" &
tarn_pid=$!
url=""
for _ in $(seq 1 100); do # 10 s
    url="$(sed -nE 's/^listening on (http:\/\/127\.0\.0\.1:[0-9]+).*/\1/p' "$tmp/headless.out" | head -n1)"
    [ -n "$url" ] && break
    kill -0 "$tarn_pid" 2>/dev/null || { cat "$tmp/headless.err" >&2; fail "tarn --headless exited"; }
    sleep 0.1
done
[ -n "$url" ] || { cat "$tmp/headless.err" >&2; fail "tarn --headless announced no address"; }
status=""
for _ in $(seq 1 100); do # 10 s
    status="$(curl -s -o "$tmp/health.json" -w '%{http_code}' "$url/health" || true)"
    [ "$status" = 200 ] && break
    sleep 0.1
done
[ "$status" = 200 ] || fail "GET $url/health answered '$status'"
log "GET $url/health: 200 $(head -c 200 "$tmp/health.json")"
[ -f "$home/.local/share/Tarn/tarn.sqlite3" ] || fail "no database in the default data dir ~/.local/share/Tarn"
kill -TERM "$tarn_pid"
for _ in $(seq 1 100); do
    kill -0 "$tarn_pid" 2>/dev/null || break
    sleep 0.1
done
if kill -0 "$tarn_pid" 2>/dev/null; then
    fail "tarn --headless did not stop within 10 s of SIGTERM"
fi
wait "$tarn_pid" || fail "tarn --headless exited with $? after SIGTERM"
tarn_pid=""

# --- 3. Desktop under Xvfb -----------------------------------------------------------------------
if [ "${TARN_PACKAGE_DESKTOP_CHECK:-1}" = 1 ] && command -v Xvfb >/dev/null 2>&1; then
    "$here/desktop-check.sh" /usr/share/applications/io.github.tarn.Tarn.desktop \
        "${TARN_PKGSHOTS_DIR:-/tmp/pkgshots}" || fail "desktop check"
else
    log "No Xvfb (or TARN_PACKAGE_DESKTOP_CHECK=0): desktop check skipped"
fi

# --- 4. Purge ------------------------------------------------------------------------------------
log "dpkg --purge tarn"
DEBIAN_FRONTEND=noninteractive dpkg --purge tarn
installed=
snapshot >"$tmp/after.txt"
if ! diff -u "$tmp/before.txt" "$tmp/after.txt" >"$tmp/diff.txt"; then
    cat "$tmp/diff.txt" >&2
    fail "the file lists before install and after purge differ"
fi
[ -d "$home/.local/share/Tarn" ] || fail "the purge removed the user's data directory"
log "install test passed: version $version, /health 200, nothing left after purge but the data dir"

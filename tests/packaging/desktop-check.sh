#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Starts the installed Tarn the way a new user's desktop does, from its desktop entry's Exec line,
# with an empty HOME, on Xvfb with a tray host (trayer), and checks that the tray icon and the
# window appear; opens the tray menu and the About box. Saves screenshots into OUT_DIR.
#   tests/packaging/desktop-check.sh DESKTOP_FILE OUT_DIR
set -euo pipefail
desktop_file="$1"
out="$2"
log() { printf '\033[1m--> %s\033[0m\n' "$*" >&2; }
fail() { printf 'desktop-check: FAIL: %s\n' "$*" >&2; exit 1; }
for tool in Xvfb trayer xdotool xwininfo import; do
    command -v "$tool" >/dev/null 2>&1 || { log "no $tool: desktop check skipped"; exit 0; }
done

work="$(mktemp -d)"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$out" "$work/home" "$work/runtime"
chmod 700 "$work/runtime"

# poll SECONDS COMMAND...: runs COMMAND every 0.2 s until it succeeds or SECONDS pass.
poll() {
    local tries=$(($1 * 5))
    shift
    for _ in $(seq "$tries"); do
        "$@" >/dev/null 2>&1 && return 0
        sleep 0.2
    done
    return 1
}

display=120
while [ -e "/tmp/.X11-unix/X$display" ] || [ -e "/tmp/.X$display-lock" ]; do display=$((display + 1)); done
export DISPLAY=":$display"
Xvfb "$DISPLAY" -screen 0 1280x800x24 -nolisten tcp >"$work/xvfb.log" 2>&1 &
pids+=($!)
poll 10 xwininfo -root || fail "Xvfb did not start"
trayer --edge top --align right --widthtype request --height 28 --transparent false --tint 0x303030 \
    >"$work/trayer.log" 2>&1 &
pids+=($!)
poll 10 xdotool search --class trayer || fail "trayer did not start"

# The desktop entry's command, as the launcher runs it. A Tarn already serving on the default port
# (another session on this machine) would make this one stop there: then take any free port.
read -r -a command <<<"$(sed -n 's/^Exec=//p' "$desktop_file" | head -n1 | sed 's/ %[fFuUdDnNickvm]//g')"
[ ${#command[@]} -gt 0 ] || fail "no Exec line in $desktop_file"
if (exec 3<>/dev/tcp/127.0.0.1/8276) 2>/dev/null; then
    log "127.0.0.1:8276 is taken on this machine: the check's Tarn listens on a free port"
    command+=(--listen 127.0.0.1:0)
fi
log "Starting '${command[*]}' from $(basename "$desktop_file") with an empty HOME on $DISPLAY"
env -i PATH=/usr/bin:/bin HOME="$work/home" DISPLAY="$DISPLAY" XDG_RUNTIME_DIR="$work/runtime" \
    LANG=C.UTF-8 TARN_SECRET_BACKEND=file "${command[@]}" >"$work/tarn.out" 2>"$work/tarn.err" &
tarn_pid=$!
pids+=("$tarn_pid")

window_shown() { xdotool search --onlyvisible --name '^Tarn' | head -n1 | grep -q .; }
# The tray icon is Tarn's window (class "tarn") that trayer has embedded in its panel.
tray_icon_id() {
    local panel
    for panel in $(xdotool search --class trayer); do
        xwininfo -tree -id "$panel" | sed -nE 's/^ +(0x[0-9a-f]+) .*\("tarn" "Tarn"\).*/\1/p'
    done | head -n1
}
tray_icon_shown() { [ -n "$(tray_icon_id)" ]; }
poll 30 window_shown || { cat "$work/tarn.err" >&2; fail "no Tarn window within 30 s"; }
poll 30 tray_icon_shown || { cat "$work/tarn.err" >&2; fail "no tray icon in trayer within 30 s"; }
kill -0 "$tarn_pid" 2>/dev/null || fail "tarn exited"
sleep 1 # let the first frame paint before the screenshot
import -window root "$out/desktop-window-and-tray.png"
log "Window and tray icon shown: $out/desktop-window-and-tray.png"

# The tray menu (right click on the icon), then its About entry chosen with the keyboard (Up from
# no selection is Quit, once more About Tarn).
icon_id="$(tray_icon_id)"
visible_windows() { xdotool search --onlyvisible --pid "$tarn_pid" 2>/dev/null | wc -l; }
more_windows_than() { [ "$(visible_windows)" -gt "$1" ]; }
if [ -n "$icon_id" ]; then
    eval "$(xdotool getwindowgeometry --shell "$icon_id")"
    before="$(visible_windows)"
    xdotool mousemove "$((X + WIDTH / 2))" "$((Y + HEIGHT / 2))" click 3
    if poll 10 more_windows_than "$before"; then
        sleep 0.5
        import -window root "$out/tray-menu.png"
        log "Tray menu: $out/tray-menu.png"
        xdotool key Up Up Return
        if poll 10 xdotool search --onlyvisible --name '^About Tarn$'; then
            sleep 0.5
            import -window root "$out/about-box.png"
            log "About box: $out/about-box.png"
        else
            log "the About box did not open from the tray menu (no screenshot)"
        fi
    else
        log "the tray menu did not open on a right click (no screenshot)"
    fi
fi
log "tarn's log:"
sed 's/^/    /' "$work/tarn.out" "$work/tarn.err" | head -n 20 >&2
kill -TERM "$tarn_pid"
poll 10 bash -c "! kill -0 $tarn_pid" || fail "tarn did not stop within 10 s of SIGTERM"

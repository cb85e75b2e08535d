#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs the keychain tests against a real Secret Service: a private D-Bus session with GNOME Keyring
# unlocked in it (CI has no session bus). Exits 77 (ctest: skipped) when either cannot start.
# Usage: run-keychain-tests.sh <tarn_secrets_tests binary>
set -u
binary="$1"
for tool in dbus-run-session gnome-keyring-daemon; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "SKIP: $tool is not installed (Debian: dbus, gnome-keyring)"
        exit 77
    fi
done
# A home of our own: the keyring files of whoever runs the tests are never touched.
home=$(mktemp -d "${TMPDIR:-/tmp}/tarn-keyring-XXXXXX") || exit 1
trap 'rm -rf "$home"' EXIT
export HOME="$home" XDG_DATA_HOME="$home/.local/share" XDG_RUNTIME_DIR="$home/run" XDG_CONFIG_HOME="$home/.config"
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
unset TARN_SECRET_BACKEND DISPLAY
log="$home/log"
dbus-run-session -- sh -c '
    if ! printf pass | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1; then
        echo "SKIP: gnome-keyring-daemon could not start"
        exit 77
    fi
    TARN_KEYCHAIN_TEST=1 exec "$0" --gtest_filter="KeychainSecretService.*"
' "$binary" >"$log" 2>&1
status=$?
# dbus-daemon cannot raise its fd limit in a container: harmless, and only noise here.
grep -v "Failed to set fd limit" "$log"
exit $status

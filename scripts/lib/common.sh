# SPDX-License-Identifier: GPL-3.0-or-later
# Shared by scripts/run and scripts/test: install what is missing, configure, build.

TARN_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

# Debian 12 / Ubuntu 24.04 packages. Two traps found only at find_package time:
# Qt6Charts needs libqt6opengl6-dev, Qt6HttpServer needs qt6-websockets-dev.
TARN_APT_PACKAGES=(
    cmake ninja-build g++ ccache pkg-config
    qt6-base-dev qt6-charts-dev qt6-httpserver-dev qt6-websockets-dev libqt6opengl6-dev
    libxkbcommon-dev libqt6sql6-sqlite qt6-tools-dev qt6-l10n-tools qt6-svg-dev libqt6svg6
    qt6-qpa-plugins libgl-dev
    libgtest-dev libgmock-dev googletest
    libboost-dev libcurl4-openssl-dev libsimdjson-dev libmimalloc-dev libsqlite3-dev libtomlplusplus-dev
    iproute2 libqrencode-dev zbar-tools
    qtkeychain-qt6-dev libssl-dev dbus gnome-keyring libsecret-tools
)

# Only scripts/package (and its CI stage) needs these: rpmbuild, the linters, the NSIS compiler
# for the Windows installer's dry run, Xvfb and a tray host for the desktop check.
TARN_APT_PACKAGING=(
    dpkg-dev fakeroot file rpm lintian rpmlint nsis desktop-file-utils appstream
    xvfb trayer imagemagick x11-utils systemd curl
)

tarn_log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

tarn_install_deps() {
    if ! command -v dpkg-query >/dev/null 2>&1; then
        tarn_log "Not a Debian/Ubuntu system: install Qt 6.4+, CMake, Ninja, GoogleTest, Boost, libcurl and simdjson yourself (see README)."
        return 0
    fi
    tarn_install_packages "${TARN_APT_PACKAGES[@]}"
}

# tarn_install_packages PKG...: apt-get installs those of them that are missing.
tarn_install_packages() {
    command -v dpkg-query >/dev/null 2>&1 || return 0
    local missing=()
    for pkg in "$@"; do
        if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
            missing+=("$pkg")
        fi
    done
    if [ ${#missing[@]} -eq 0 ]; then
        return 0
    fi
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        sudo="sudo"
    fi
    tarn_log "Installing ${#missing[@]} missing packages: ${missing[*]}"
    # A fresh machine's package lists are empty or stale: update first.
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "${missing[@]}"
}

# tarn_build BUILD_DIR BUILD_TYPE [extra cmake args...]
tarn_build() {
    local dir="$1" type="$2"
    shift 2
    local jobs
    jobs="$(nproc 2>/dev/null || echo 2)"
    tarn_log "Configuring ($type) in $dir"
    cmake -S "$TARN_ROOT" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE="$type" "$@" >/dev/null
    tarn_log "Building with $jobs jobs"
    tarn_cmake_build "$dir" --parallel "$jobs"
}

# tarn_build_preset PRESET [extra cmake configure args...]: configure and build a preset of
# CMakePresets.json (its build preset names the targets it needs).
tarn_build_preset() {
    local preset="$1"
    shift
    local jobs
    jobs="$(nproc 2>/dev/null || echo 2)"
    tarn_log "Configuring preset $preset"
    (cd "$TARN_ROOT" && cmake --preset "$preset" "$@" >/dev/null)
    tarn_log "Building preset $preset with $jobs jobs"
    (cd "$TARN_ROOT" && tarn_cmake_build --preset "$preset" --parallel "$jobs")
}

# cmake --build, serialised through flock when TARN_BUILD_LOCK names a lock file (several
# checkouts or agents sharing one small machine).
tarn_cmake_build() {
    if [ -n "${TARN_BUILD_LOCK:-}" ]; then
        flock "$TARN_BUILD_LOCK" cmake --build "$@"
    else
        cmake --build "$@"
    fi
}

#!/usr/bin/env bash
# Installs whatever a fresh Debian/Ubuntu machine lacks to build, run and
# test Shopcast Studio: system packages (apt), the Rust toolchain check,
# and the UI's npm packages. Safe to run again: it only installs what is
# missing.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

PACKAGES=(
  # build
  pkg-config build-essential
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev libgstreamer-plugins-bad1.0-dev
  # GStreamer runtime: capture, encoders, muxers, RTMP/SRT
  gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good
  gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly gstreamer1.0-libav
  gstreamer1.0-x gstreamer1.0-alsa gstreamer1.0-pulseaudio
  # the real RTMP server the tests push to, and ffprobe to check it
  nginx-light libnginx-mod-rtmp ffmpeg
  # wgpu without a GPU: Mesa's lavapipe
  mesa-vulkan-drivers libvulkan1
  # screen capture and UI tests
  xvfb xauth x11-xserver-utils dbus dbus-x11
  # the ear-return and desktop audio tests: a private PulseAudio server
  # with null sinks as speakers, read back with parec
  pulseaudio pulseaudio-utils
  # the room service across processes: tests start their own
  # redis-server on a free loopback port
  redis-server
  # audience page test
  chromium chromium-driver
  python3
  # the desktop window (Tauri 2 on WebKitGTK) and its end-to-end driver
  libwebkit2gtk-4.1-dev libgtk-3-dev libsoup-3.0-dev librsvg2-dev
  libayatana-appindicator3-dev libssl-dev webkit2gtk-driver
  # Chinese and Korean text in the window (barrage, product names)
  fonts-noto-cjk fonts-noto-color-emoji
  # the product card's Latin fallback (its tests require it)
  fonts-dejavu-core
  # the installers' test: dpkg-shlibdeps, rpm -qp, the desktop entry check
  dpkg-dev rpm desktop-file-utils
  # the Windows compile check of the non-GUI crates (their C parts:
  # SQLite, ring)
  gcc-mingw-w64-x86-64
)
# Node.js for the UI: only when no node is on the PATH (a newer one
# installed by other means is kept).
if [ -d ui ] && ! command -v node >/dev/null 2>&1; then
  PACKAGES+=(nodejs npm)
fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The ear-return and desktop-audio tests start a private pulseaudio by
# hand. Where PipeWire is this machine's sound server, it stays the one
# that starts at login: the pulseaudio package would otherwise enable
# its own user socket beside pipewire-pulse's, and the two would race
# for it.
if dpkg-query -W -f='${Status}' pipewire-pulse 2>/dev/null | grep -q "install ok installed" \
  && command -v systemctl >/dev/null 2>&1; then
  for unit in pulseaudio.socket pulseaudio.service; do
    if [ ! -L "/etc/systemd/user/$unit" ]; then
      $SUDO systemctl --global mask "$unit" >/dev/null 2>&1 || true
    fi
  done
fi

# nginx's and redis's Debian packages may start a system instance; the
# tests start their own on a free loopback port and need nothing else.

if ! command -v cargo >/dev/null 2>&1; then
  if [ -x "$HOME/.cargo/bin/cargo" ]; then
    export PATH="$HOME/.cargo/bin:$PATH"
  else
    echo "setup: installing Rust with rustup"
    curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --default-toolchain 1.95.0
    export PATH="$HOME/.cargo/bin:$PATH"
  fi
fi

# npm packages: the UI's, and the end-to-end runner's. Reinstalled when
# the lockfile is newer than what is installed.
for dir in ui tests/e2e; do
  if [ -f "$dir/package-lock.json" ] && { [ ! -f "$dir/node_modules/.package-lock.json" ] ||
      [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; }; then
    echo "setup: installing npm packages in $dir"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
done

# tauri-driver: the WebDriver front for the desktop app (from crates.io,
# at a pinned version).
TAURI_DRIVER_VERSION=2.1.0
if ! "$HOME/.cargo/bin/tauri-driver" --help >/dev/null 2>&1; then
  echo "setup: installing tauri-driver $TAURI_DRIVER_VERSION"
  cargo install --locked --quiet tauri-driver --version "$TAURI_DRIVER_VERSION"
fi

# The Windows target for the compile check of the non-GUI crates (CI's
# guard against Linux-only code); rustup fetches it from static.rust-lang.org.
rustup="$(command -v rustup || echo "$HOME/.cargo/bin/rustup")"
if ! "$rustup" target list --installed 2>/dev/null | grep -qx x86_64-pc-windows-gnu; then
  echo "setup: adding the x86_64-pc-windows-gnu target"
  "$rustup" target add x86_64-pc-windows-gnu
fi

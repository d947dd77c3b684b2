#!/usr/bin/env bash
# The desktop app in rehearsal, measured and profiled: CPU of each
# process (app, WebKit's web and network processes) over a window, their
# PSS, and a system-wide perf profile of the same window.
#
# The app opens straight into rehearsal (`shopcast-studio --rehearsal`)
# under its own Xvfb with the test pattern at 640x360, the test tone, and
# a simulated audience of 30 viewers sending 3 barrage messages and 0.5
# gifts a second, as in issue 18. Nothing drives the page: no
# WebDriver, no polling.
#
# Usage: benches/app_profile.sh [WARM_S] [WINDOW_S] [MINUTES]
#   APP=…/release/shopcast-studio (default), OUT=folder for app.perf
#   MINUTES: first sample every process's PSS once a minute for that
#   long (the memory curve), then measure the window.
# Needs: Xvfb, dbus-run-session, perf (linux-perf), ffmpeg, a release build:
#   cargo build --release -p shopcast-desktop
set -euo pipefail
warm=${1:-20}
window=${2:-30}
minutes=${3:-0}
app=${APP:-${CARGO_TARGET_DIR:-$HOME/.cache/shopcast/target}/release/shopcast-studio}
out=${OUT:-$(mktemp -d)}
mkdir -p "$out"
home=$(mktemp -d)
mkdir -p "$home/config" "$home/data"
# The issue's scenario, shared with first_paint.py; what it leaves out
# takes the app's defaults (beauty off, no LUT, no monitor).
cp "$(dirname "$0")/rehearsal_settings.json" "$home/config/studio.json"
display=":$((160 + $$ % 40))"
Xvfb "$display" -screen 0 1600x1000x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
trap 'kill $xvfb 2>/dev/null || true; [ -n "${run:-}" ] && kill -- -$run 2>/dev/null || true' EXIT
sleep 1
export DISPLAY=$display NO_AT_BRIDGE=1 WEBKIT_DISABLE_COMPOSITING_MODE=1 LIBGL_ALWAYS_SOFTWARE=1
export SHOPCAST_CONFIG_DIR=$home/config SHOPCAST_DATA_DIR=$home/data SHOPCAST_SECRET_BACKEND=file
setsid dbus-run-session -- ${WRAP:-} "$app" --rehearsal >"$out/app.log" 2>&1 &
run=$!
sleep "$warm"
# This run's processes only (its session), by their names as the kernel
# keeps them (15 characters).
pid_of() { pgrep -s "$run" -x "$1" | head -1; }
app_pid=$(pid_of shopcast-studio)
web=$(pid_of WebKitWebProces)
net=$(pid_of WebKitNetworkPr)
[ -n "$app_pid" ] && [ -n "$web" ] && [ -n "$net" ] || {
  echo "app_profile: the app or a WebKit process is missing (see $out/app.log)" >&2
  exit 1
}
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
pss_mib() { awk '/^Pss:/ {printf "%.1f", $2 / 1024}' "/proc/$1/smaps_rollup"; }
for m in $(seq 1 "$minutes"); do
  sleep 60
  echo "minute $m  PSS app $(pss_mib "$app_pid")  web $(pss_mib "$web")  network $(pss_mib "$net") MiB"
done
declare -A before
for p in "$app_pid" "$web" "$net"; do before[$p]=$(ticks "$p"); done
perf record -a -g -F 199 -o "$out/app.perf" -- sleep "$window" 2>/dev/null
hz=$(getconf CLK_TCK)
for name in app:"$app_pid" web:"$web" network:"$net"; do
  p=${name#*:}
  used=$(( $(ticks "$p") - ${before[$p]} ))
  pss=$(awk '/^Pss:/ {print $2}' "/proc/$p/smaps_rollup")
  awk -v n="${name%%:*}" -v u="$used" -v hz="$hz" -v w="$window" -v pss="$pss" \
    'BEGIN { printf "%-8s cpu %5.1f %% of a core   PSS %6.1f MiB\n", n, 100 * u / hz / w, pss / 1024 }'
done
for name in app:"$app_pid" web:"$web" network:"$net"; do
  echo "${name%%:*} PSS by kind:"
  python3 "$(dirname "$0")/pss_kinds.py" "${name#*:}"
done
# What the window showed at the end, to look at: the preview must be
# running for the figures to mean anything.
ffmpeg -v error -y -f x11grab -video_size 1600x1000 -i "$display" -frames:v 1 "$out/screen.png" || true
echo "profile: perf report -i $out/app.perf --sort comm,dso,sym --no-children"
echo "screen:  $out/screen.png"

#!/usr/bin/env bash
# Runs the desktop end-to-end tests: the built app ($SHOPCAST_APP, by
# default the debug build) in WebKitGTK on a private Xvfb display, in its
# own D-Bus session. NO_AT_BRIDGE=1 keeps WebKitGTK from waiting on an
# accessibility bus that is not there. The lineup test also needs the CLI
# ($SHOPCAST_CLI, by default the `shopcast` beside the app) for its room
# server, tokens and catalogue.
#
#   bash tests/e2e/run.sh                    every test (npm test)
#   bash tests/e2e/run.sh lineup.test.mjs    only the files named
#   bash tests/e2e/run.sh bench|bench-room   a benchmark
set -euo pipefail
cd "$(dirname "$0")"
export SHOPCAST_APP="${SHOPCAST_APP:-${CARGO_TARGET_DIR:-$HOME/.cache/shopcast/target}/debug/shopcast-studio}"
export SHOPCAST_CLI="${SHOPCAST_CLI:-$(dirname "$SHOPCAST_APP")/shopcast}"
export E2E_ARTIFACTS="${E2E_ARTIFACTS:-$PWD/artifacts}"
export NO_AT_BRIDGE=1
export WEBKIT_DISABLE_COMPOSITING_MODE=1
export LIBGL_ALWAYS_SOFTWARE=1
export WGPU_BACKEND="${WGPU_BACKEND:-vulkan}"
rm -rf "$E2E_ARTIFACTS"
mkdir -p "$E2E_ARTIFACTS"

display=""
for n in $(seq 90 140); do
  if [ ! -e "/tmp/.X11-unix/X$n" ] && [ ! -e "/tmp/.X$n-lock" ]; then display=":$n"; break; fi
done
[ -n "$display" ] || { echo "e2e: no free X display" >&2; exit 1; }
Xvfb "$display" -screen 0 1600x1000x24 -nolisten tcp >"$E2E_ARTIFACTS/xvfb.log" 2>&1 &
xvfb=$!
trap 'kill $xvfb 2>/dev/null || true' EXIT
for _ in $(seq 50); do [ -e "/tmp/.X11-unix/X${display#:}" ] && break; sleep 0.1; done
export DISPLAY="$display"
if [ "${1:-}" = "bench" ]; then
  dbus-run-session -- node bench.mjs
elif [ "${1:-}" = "bench-room" ]; then
  dbus-run-session -- node bench_room.mjs
elif [ $# -gt 0 ]; then
  dbus-run-session -- node --test --test-concurrency=1 "$@"
else
  dbus-run-session -- npm test --silent
fi

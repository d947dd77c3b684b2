#!/usr/bin/env bash
# Runs Shopcast Studio, the desktop app. Installs what is missing first
# (scripts/setup.sh), builds the UI and the app, and starts it. Set
# SHOPCAST_PROFILE=release for an optimised build (slower to build).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/shopcast/target}"
profile="${SHOPCAST_PROFILE:-dev}"
(cd ui && npm run build --silent)
cargo build --locked -p shopcast-desktop --profile "$profile"
dir="debug"; [ "$profile" = "dev" ] || dir="$profile"
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "error: Shopcast Studio is a desktop app and needs a display (DISPLAY or WAYLAND_DISPLAY)." >&2
  echo "       For a headless rehearsal use: $CARGO_TARGET_DIR/$dir/shopcast broadcast --help" >&2
  exit 1
fi
exec "$CARGO_TARGET_DIR/$dir/shopcast-studio" "$@"

#!/usr/bin/env bash
# Runs the studio. Until the desktop app lands this is a headless
# rehearsal: the test pattern and tone, recorded to rehearsal.mkv, with
# stats printed once a second. Extra arguments go to `shopcast broadcast`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/shopcast/target}"
cargo build --release --locked -p shopcast-studio
exec "$CARGO_TARGET_DIR/release/shopcast" broadcast --video test --audio test \
  --record "${SHOPCAST_RECORD:-rehearsal.mkv}" --stats-json - "$@"

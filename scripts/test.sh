#!/usr/bin/env bash
# Runs every test: formatting, lints, the Rust workspace's unit and
# integration tests (real GStreamer, nginx-rtmp, lavapipe, SQLite,
# Chromium), the UI's component tests (Vitest), and the desktop app end
# to end (tauri-driver + WebKitWebDriver under Xvfb).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"
# A target folder outside the clone keeps warm CI runs fast.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/shopcast/target}"
export CARGO_TERM_COLOR=never
# wgpu finds Mesa's lavapipe through Vulkan when there is no GPU.
export WGPU_BACKEND="${WGPU_BACKEND:-vulkan}"

# The desktop shell embeds the built UI, so it is built first.
echo "== ui build"
(cd ui && npm run build --silent)
echo "== cargo fmt"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings
echo "== cargo check, Windows target"
# Every crate but the window compiles for Windows: cfg-gated paths,
# libc calls and shell-outs stay portable. gstreamer-sys only probes
# pkg-config here (nothing is linked), so the host's .pc files do.
PKG_CONFIG_ALLOW_CROSS=1 cargo check --locked --target x86_64-pc-windows-gnu \
  -p shopcast-push -p shopcast-room -p shopcast-commerce -p shopcast-gpu \
  -p shopcast-media -p shopcast-studio -p shopcast-cli
echo "== cargo test"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
status=0
cargo test --workspace --locked --no-fail-fast 2>&1 | tee "$log" || status=$?
# One closing line for the whole workspace: cargo prints a result line per
# test binary, and the last of those is often a crate with no tests.
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($i ~ /^passed;?$/) p += $(i-1); if ($i ~ /^failed;?$/) f += $(i-1) } }
     END { printf "%d passed, %d failed\n", p, f }' "$log"
[ "$status" -eq 0 ] || exit "$status"
echo "== ui tests"
(cd ui && npm test --silent)
echo "== desktop end to end"
cargo build --locked -p shopcast-desktop -p shopcast-cli
bash tests/e2e/run.sh
echo "== release workflow lint"
bash scripts/lint_workflows.sh
echo "== installers"
# A debug build of the bundles: the install test checks packaging, not
# the optimiser, and reuses the build above (docs/packaging.md).
bash scripts/package.sh --debug --bundles deb,rpm
bundle="$CARGO_TARGET_DIR/debug/bundle"
bash tests/package/install_test.sh "$(ls -t "$bundle"/deb/*.deb | head -1)" "$(ls -t "$bundle"/rpm/*.rpm | head -1)"

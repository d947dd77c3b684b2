#!/usr/bin/env bash
# Builds Shopcast Studio's installers: cargo builds the app and the
# `shopcast` CLI, and the Tauri CLI (@tauri-apps/cli from npm, pinned in
# ui/package.json) bundles them. The CLI ships beside the app as a
# sidecar, so installing the app puts `shopcast` on the PATH. See
# docs/packaging.md.
#
#   bash scripts/package.sh                  release .deb and .rpm (Linux)
#   bash scripts/package.sh --debug          the same from a debug build
#                                            (CI's install test: minutes,
#                                            not a release compile)
#   bash scripts/package.sh --bundles deb    only the bundles named
#   bash scripts/package.sh --target T --config FILE ...
#                                            another target triple (or
#                                            universal-apple-darwin) and
#                                            extra Tauri config (the
#                                            release workflow)
#
# Prints the path of each bundle it made, one per line, last.
set -euo pipefail
cd "$(dirname "$0")/.."

profile=release
bundles=""
target=""
configs=()
while [ $# -gt 0 ]; do
  case "$1" in
    --debug) profile=debug ;;
    --bundles) bundles="$2"; shift ;;
    --target) target="$2"; shift ;;
    --config) configs+=(--config "$2"); shift ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    *) echo "package: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

if [ "$(uname -s)" = Linux ]; then
  bash scripts/setup.sh
fi
export PATH="$HOME/.cargo/bin:$PATH"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/shopcast/target}"
[ -x ui/node_modules/.bin/tauri ] || (cd ui && npm ci --no-audit --no-fund --loglevel=error)

host="$(rustc -vV | sed -n 's/^host: //p')"
triple="${target:-$host}"
if [ -z "$bundles" ]; then
  case "$triple" in
    *linux*) bundles="deb,rpm" ;;
    *windows*) bundles="nsis,msi" ;;
    *apple*) bundles="app,dmg" ;;
  esac
fi
profile_flag=()
if [ "$profile" = release ]; then
  profile_flag=(--release)
  # The workspace's release profile keeps line tables for profiling;
  # installers ship without them (about half the size).
  export CARGO_PROFILE_RELEASE_DEBUG=false CARGO_PROFILE_RELEASE_STRIP=debuginfo
fi
ext=""
case "$triple" in *windows*) ext=".exe" ;; esac

echo "== ui build"
(cd ui && npm run build --silent)

echo "== cargo build ($triple, $profile)"
# The app and the CLI in one build, as scripts/test.sh builds them: the
# same feature set, so a build the tests already made is reused, and
# `tauri bundle` packages these binaries rather than compiling its own.
bins=(shopcast-studio shopcast)
if [ "$triple" = universal-apple-darwin ]; then
  for arch in aarch64-apple-darwin x86_64-apple-darwin; do
    cargo build --locked -p shopcast-desktop -p shopcast-cli "${profile_flag[@]}" --target "$arch"
  done
  mkdir -p "$CARGO_TARGET_DIR/$triple/$profile"
  for bin in "${bins[@]}"; do
    lipo -create -output "$CARGO_TARGET_DIR/$triple/$profile/$bin" \
      "$CARGO_TARGET_DIR/aarch64-apple-darwin/$profile/$bin" \
      "$CARGO_TARGET_DIR/x86_64-apple-darwin/$profile/$bin"
  done
else
  cargo build --locked -p shopcast-desktop -p shopcast-cli "${profile_flag[@]}" ${target:+--target "$target"}
fi
mkdir -p src-tauri/binaries
sidecar="src-tauri/binaries/shopcast-$triple$ext"
cp "$CARGO_TARGET_DIR/${target:+$target/}$profile/shopcast$ext" "$sidecar"

echo "== tauri bundle ($bundles)"
tauri_flags=(--ci --config src-tauri/bundle/package.json "${configs[@]}" --bundles "$bundles")
[ "$profile" = debug ] && tauri_flags+=(--debug)
[ -n "$target" ] && tauri_flags+=(--target "$target")
ui/node_modules/.bin/tauri bundle "${tauri_flags[@]}"

out="$CARGO_TARGET_DIR/${target:+$target/}$profile/bundle"
find "$out" -maxdepth 2 -type f \( -name '*.deb' -o -name '*.rpm' -o -name '*.AppImage' \
  -o -name '*.dmg' -o -name '*.msi' -o -name '*.exe' \) -newer "$sidecar" | sort

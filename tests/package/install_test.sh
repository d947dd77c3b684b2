#!/usr/bin/env bash
# Installs a built Shopcast Studio .deb on this machine, checks what it
# installed and that it runs, and removes it again. Needs root (or sudo),
# Xvfb and ffmpeg (scripts/setup.sh installs them). Fails, never skips.
#
#   bash tests/package/install_test.sh DEB [RPM]
#
# 1. The .deb's Depends against what its binaries link (dpkg-shlibdeps):
#    every linked library's package is declared, and every declared
#    package is either linked or a runtime part named in RUNTIME below.
#    The .rpm (when given) declares the same runtime parts and the same
#    files.
# 2. apt-get install ./DEB, then the files: both binaries on PATH, the
#    desktop entry, an icon at every hicolor size, the LUTs.
# 3. The installed CLI: --version is the workspace's, doctor passes and
#    finds the installed assets, and a 2 s test-pattern recording with a
#    LUT probes as H.264 + AAC.
# 4. The installed app under Xvfb: two screenshots a second apart; the
#    window is not blank and the start screen's preview moves.
# 5. apt-get purge: nothing of the package is left outside the test's
#    own data folders.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo="$PWD"
deb="$(realpath "${1:?usage: install_test.sh DEB [RPM]}")"
rpm="${2:+$(realpath "$2")}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
art="$PWD/tests/package/artifacts"
rm -rf "$art"
mkdir -p "$art"
work="$(mktemp -d)"
app_pid=""
xvfb_pid=""
cleanup() {
  [ -n "$app_pid" ] && kill "$app_pid" 2>/dev/null || true
  [ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "install test: FAIL: $*" >&2; exit 1; }
step() { echo "== package: $*"; }

pkg="$(dpkg-deb -f "$deb" Package)"
version="$(dpkg-deb -f "$deb" Version)"
workspace_version="$(sed -n '/^\[workspace.package\]/,/^\[/s/^version = "\(.*\)"/\1/p' Cargo.toml)"
[ "$pkg" = shopcast-studio ] || fail "package name is $pkg"
[ "$version" = "$workspace_version" ] || fail "package version $version, workspace $workspace_version"

# Runtime parts the binaries load at run time rather than link: GStreamer
# plugins (and the audio and X11 ones the device monitor and screen
# capture use), the Vulkan loader and drivers wgpu dlopens, and the fonts
# the stream's product card draws with.
RUNTIME=(
  gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad
  gstreamer1.0-plugins-ugly gstreamer1.0-libav gstreamer1.0-x
  gstreamer1.0-pulseaudio gstreamer1.0-alsa
  libvulkan1 mesa-vulkan-drivers fonts-noto-cjk fonts-dejavu-core
)

step "dependencies of $(basename "$deb")"
dpkg-deb -x "$deb" "$work/root"
bins=("$work/root/usr/bin/shopcast-studio" "$work/root/usr/bin/shopcast")
# "name minversion" per package (alternatives split, minversion empty
# when none), one per line.
entries() {
  tr ',|' '\n\n' | sed 's/^ *//; s/ *$//; /^$/d' |
    sed -E 's/^([^ (]+) *(\(>= *([^)]*)\))?.*$/\1 \3/; s/ *$//' | sort -u
}
declared="$(dpkg-deb -f "$deb" Depends | entries)"
mkdir -p "$work/shlib/debian"
printf 'Source: x\n\nPackage: x\nArchitecture: any\n' >"$work/shlib/debian/control"
linked="$(cd "$work/shlib" && dpkg-shlibdeps -O "${bins[@]}" 2>/dev/null | sed 's/^shlibs:Depends=//' | entries)"
[ -n "$linked" ] || fail "dpkg-shlibdeps found no linked packages"
printf '%s\n' "$linked" >"$art/linked.txt"
printf '%s\n' "$declared" >"$art/declared.txt"
while read -r name min; do
  # Ubuntu's 64-bit time packages (libasound2t64) provide the old names.
  base="${name%t64}"
  # Tauri adds its own unversioned webkit and gtk entries beside ours:
  # the versioned one counts.
  have="$(awk -v n="$base" '$1 == n { found = 1; if ($2 != "") v = $2 } END { print v; exit !found }' <<<"$declared")" ||
    fail "$name is linked but not declared in Depends"
  if [ -n "$min" ]; then
    [ -n "$have" ] && dpkg --compare-versions "$have" ge "$min" ||
      fail "$base is declared as (>= ${have:-any}) but the binaries need (>= $min)"
  fi
done <<<"$linked"
allowed="$(printf '%s\n' "$(cut -d' ' -f1 <<<"$linked" | sed 's/t64$//')" "${RUNTIME[@]}" | sort -u)"
extra="$(comm -13 <(printf '%s\n' "$allowed") <(cut -d' ' -f1 <<<"$declared" | sort -u))"
[ -z "$extra" ] || fail "declared but neither linked nor a runtime part: $(echo $extra)"
echo "   $(wc -l <<<"$linked") linked packages (with their minimum versions) and ${#RUNTIME[@]} runtime parts declared, nothing more"

if [ -n "$rpm" ]; then
  step "$(basename "$rpm")"
  rpm_requires="$(rpm -qpR "$rpm" 2>/dev/null | sed 's/ .*//' | sort -u)"
  printf '%s\n' "$rpm_requires" >"$art/rpm-requires.txt"
  # RPM names linked libraries by soname, as rpmbuild's own scan does.
  for soname in $(objdump -p "${bins[@]}" | awk '/NEEDED/ { print $2 }' | sort -u); do
    grep -qxF "$soname()(64bit)" <<<"$rpm_requires" || fail "the rpm does not require $soname()(64bit)"
  done
  for want in gstreamer1-plugins-base gstreamer1-plugins-good gstreamer1-plugins-bad-free \
    gstreamer1-plugins-ugly gstreamer1-plugin-libav vulkan-loader mesa-vulkan-drivers \
    google-noto-sans-cjk-fonts dejavu-sans-fonts; do
    grep -qxF "$want" <<<"$rpm_requires" || fail "the rpm does not require $want"
  done
  # The same files as the .deb.
  diff <(rpm -qpl "$rpm" 2>/dev/null | while IFS= read -r f; do
    [ -d "$work/root$f" ] || printf '%s\n' "$f"
  done | sort) <(cd "$work/root" && find . -type f -o -type l | sed 's/^\.//' | sort) >"$art/rpm-vs-deb.diff" ||
    fail "the rpm's files differ from the deb's: $(head -5 "$art/rpm-vs-deb.diff")"
  echo "   every linked soname and runtime part required; the same files as the deb"
fi

step "apt-get install ./$(basename "$deb")"
if dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
  $SUDO apt-get purge -y -qq "$pkg" >/dev/null
fi
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$deb" >"$art/apt-install.log" 2>&1 ||
  fail "apt-get install: $(tail -5 "$art/apt-install.log")"
dpkg -L "$pkg" >"$art/files.txt"

step "installed files"
for f in /usr/bin/shopcast-studio /usr/bin/shopcast; do
  [ -x "$f" ] || fail "$f is not installed"
done
[ "$(command -v shopcast)" = /usr/bin/shopcast ] || fail "shopcast is not on PATH"
desktop="$(grep -E '^/usr/share/applications/.*\.desktop$' "$art/files.txt" || true)"
[ -n "$desktop" ] || fail "no desktop entry"
grep -q '^Exec=shopcast-studio' "$desktop" || fail "the desktop entry does not run shopcast-studio: $(cat "$desktop")"
grep -q '^Icon=shopcast-studio' "$desktop" || fail "the desktop entry has no icon"
desktop-file-validate "$desktop" || fail "the desktop entry does not validate"
for size in 16 22 24 32 48 64 96 128 256 512; do
  icon="/usr/share/icons/hicolor/${size}x${size}/apps/shopcast-studio.png"
  [ -f "$icon" ] || fail "no ${size}x${size} icon"
done
assets="/usr/lib/Shopcast Studio/assets"
luts="$(find "$assets/luts" -name '*.png' | wc -l)"
[ "$luts" -ge 9 ] || fail "$luts LUTs installed in $assets/luts"
echo "   binaries, desktop entry, 10 icon sizes and $luts LUTs"

step "installed CLI"
cd "$work"
# Nothing may come from the source tree: no SHOPCAST_ASSETS, and run
# from elsewhere.
unset SHOPCAST_ASSETS
[ "$(shopcast --version)" = "shopcast $workspace_version" ] || fail "shopcast --version: $(shopcast --version)"
shopcast doctor --json >"$art/doctor.json" || fail "shopcast doctor: $(shopcast doctor || true)"
python3 - "$art/doctor.json" "$assets" <<'EOF' || fail "doctor does not use the installed assets"
import json, sys
report = json.load(open(sys.argv[1]))
found = [c["state"].get("found") for c in report["checks"] if c["requirement"] == "assets"]
assert found == [sys.argv[2]], found
EOF
shopcast broadcast --video test --audio test --size 640x360 --lut warm --duration 2 --record x.mkv \
  >"$art/broadcast.log" 2>&1 || fail "shopcast broadcast: $(tail -5 "$art/broadcast.log")"
codecs="$(ffprobe -v error -show_entries stream=codec_name -of csv=p=0 x.mkv | sort | tr '\n' ' ')"
[ "$codecs" = "aac h264 " ] || fail "the recording has streams: $codecs"
duration="$(ffprobe -v error -show_entries format=duration -of csv=p=0 x.mkv)"
python3 -c "import sys; d=float(sys.argv[1]); sys.exit(0 if 1.5 <= d <= 3.5 else 1)" "$duration" ||
  fail "the recording lasts $duration s"
echo "   --version, doctor, and a ${duration}s H.264/AAC recording with the installed LUT"

step "installed app under Xvfb"
display=""
for n in $(seq 150 199); do
  if [ ! -e "/tmp/.X11-unix/X$n" ] && [ ! -e "/tmp/.X$n-lock" ]; then display=":$n"; break; fi
done
[ -n "$display" ] || fail "no free X display"
Xvfb "$display" -screen 0 1440x900x24 -nolisten tcp >"$art/xvfb.log" 2>&1 &
xvfb_pid=$!
for _ in $(seq 50); do [ -e "/tmp/.X11-unix/X${display#:}" ] && break; sleep 0.1; done
mkdir -p "$work/data" "$work/config"
DISPLAY="$display" NO_AT_BRIDGE=1 WEBKIT_DISABLE_COMPOSITING_MODE=1 LIBGL_ALWAYS_SOFTWARE=1 \
  SHOPCAST_DATA_DIR="$work/data" SHOPCAST_CONFIG_DIR="$work/config" SHOPCAST_SECRET_BACKEND=file \
  dbus-run-session -- /usr/bin/shopcast-studio >"$art/app.log" 2>&1 &
app_pid=$!
grab() { ffmpeg -v error -y -f x11grab -video_size 1440x900 -i "$display" -frames:v 1 "$@"; }
# Two grabs a second apart, retried until the page and its preview are up
# (a cold start under software rendering takes a few seconds).
verdict=""
for attempt in $(seq 30); do
  sleep 1
  kill -0 "$app_pid" 2>/dev/null || fail "the app exited: $(tail -20 "$art/app.log")"
  grab -f rawvideo -pix_fmt rgb24 "$work/a.rgb" && sleep 1 && grab -f rawvideo -pix_fmt rgb24 "$work/b.rgb" || continue
  if verdict="$(python3 "$repo/tests/package/screen_check.py" "$work/a.rgb" "$work/b.rgb" 1440 900)"; then
    break
  fi
  verdict="FAIL $verdict"
done
grab "$art/app-1.png"
sleep 1
grab "$art/app-2.png"
case "$verdict" in
  FAIL*|"") fail "the window after 30 tries: ${verdict:-no grab} (screenshots in $art)" ;;
esac
echo "   $verdict"
kill "$app_pid"
wait "$app_pid" 2>/dev/null || true
app_pid=""

step "apt-get purge $pkg"
$SUDO apt-get purge -y -qq "$pkg" >"$art/apt-purge.log" 2>&1 || fail "apt-get purge: $(tail -5 "$art/apt-purge.log")"
left=""
while IFS= read -r f; do
  # Directories such as /usr/bin are shared; what the package owned is gone.
  if [ -e "$f" ] && [ ! -d "$f" ]; then left="$left $f"; fi
done <"$art/files.txt"
[ -z "$left" ] || fail "left behind:$left"
[ ! -e "$assets" ] || fail "$assets is left behind"
strays="$(find /usr /etc /opt /var/lib/dpkg/info -iname '*shopcast*' 2>/dev/null || true)"
[ -z "$strays" ] || fail "left behind: $strays"
echo "   nothing left outside the user's data folders"
echo "install test: ok"

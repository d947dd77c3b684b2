#!/usr/bin/env python3
"""Launch to the first *painted* preview frame, read off the screen.

Each run starts a fresh Xvfb, records it with ffmpeg's x11grab (30 fps,
scaled down, each frame stamped with the wall clock), launches the app
and looks for the first recorded frame in which the test pattern's
saturated green and magenta bars are on screen: that is when the host
would see the picture, after WebKit painted it and X showed it. Nothing
drives the page (no WebDriver), so nothing else is counted.

It also reports when the window first showed anything (the first frame
that is not all black).

Usage:
  benches/first_paint.py [--runs 5] [--rehearsal] APP [APP ...]
Several APPs are run alternately (A, B, A, B, ...), for A/B figures.
Needs: Xvfb, ffmpeg, dbus-run-session.
"""

import argparse
import os
import re
import shutil
import signal
import statistics
import subprocess
import tempfile
import time
import zlib
import struct

W, H = 160, 100  # the recorded frames, scaled from 1600x1000
FPS = 30

# The rehearsal scenario of issue 18, shared with app_profile.sh.
SETTINGS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "rehearsal_settings.json")

def write_png(path: str, frame: bytes) -> None:
    """The recorded (scaled-down) frame, to look at."""
    rows = b"".join(b"\0" + frame[y * W * 3:(y + 1) * W * 3] for y in range(H))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
        f.write(chunk(b"IHDR", struct.pack(">IIBBBBB", W, H, 8, 2, 0, 0, 0)))
        f.write(chunk(b"IDAT", zlib.compress(rows)))
        f.write(chunk(b"IEND", b""))


def bars_visible(frame: bytes) -> bool:
    green = magenta = 0
    for i in range(0, len(frame), 3):
        r, g, b = frame[i], frame[i + 1], frame[i + 2]
        if g > 180 and r < 70 and b < 70:
            green += 1
        elif r > 180 and b > 180 and g < 70:
            magenta += 1
    # The 640x360 preview is at least 60x30 of these pixels; one bar is
    # an eighth of it. The UI has no saturated green or magenta.
    return green >= 6 and magenta >= 6


def one_run(app: str, rehearsal: bool, display: int, wait_s: float, keep: str | None,
            compositing: bool = False) -> dict:
    home = tempfile.mkdtemp(prefix="shopcast-paint-")
    os.makedirs(f"{home}/config")
    os.makedirs(f"{home}/data")
    shutil.copy(SETTINGS, f"{home}/config/studio.json")
    xvfb = subprocess.Popen(
        ["Xvfb", f":{display}", "-screen", "0", "1600x1000x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(1.0)
    grab = subprocess.Popen(
        ["ffmpeg", "-v", "info", "-nostats", "-f", "x11grab", "-draw_mouse", "0",
         "-framerate", str(FPS), "-video_size", "1600x1000", "-i", f":{display}",
         "-vf", f"scale={W}:{H}:flags=neighbor,showinfo",
         "-f", "rawvideo", "-pix_fmt", "rgb24", "-y", f"{home}/screen.rgb"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        # A file, not a pipe: an unread pipe would stall the recording.
        stderr=open(f"{home}/grab.log", "wb"),
    )
    time.sleep(0.5)
    env = dict(os.environ)
    env.update(
        DISPLAY=f":{display}",
        NO_AT_BRIDGE="1",
        LIBGL_ALWAYS_SOFTWARE="1",
        SHOPCAST_CONFIG_DIR=f"{home}/config",
        SHOPCAST_DATA_DIR=f"{home}/data",
        SHOPCAST_SECRET_BACKEND="file",
    )
    if not compositing:
        # As the e2e tests run WebKit under Xvfb.
        env["WEBKIT_DISABLE_COMPOSITING_MODE"] = "1"
    # A fresh D-Bus session per run, with its accessibility bus started
    # before the app, as on a desktop: WebKit's web process asks for it
    # at start-up, and activating it from cold stalled the first paint by
    # about 450 ms in some runs. The clock starts at the app's exec.
    stamp = f"{home}/launched"
    script = (
        "dbus-send --session --print-reply --dest=org.a11y.Bus /org/a11y/bus "
        "org.a11y.Bus.GetAddress >/dev/null 2>&1; "
        f"date +%s.%N > {stamp}; exec \"$0\" \"$@\""
    )
    args = ["dbus-run-session", "--", "sh", "-c", script, app]
    args += ["--rehearsal"] if rehearsal else []
    proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    time.sleep(wait_s)
    os.killpg(proc.pid, signal.SIGTERM)
    grab.send_signal(signal.SIGINT)
    grab.wait(timeout=30)
    with open(stamp) as f:
        launched = float(f.read())
    with open(f"{home}/screen.rgb", "rb") as f:
        raw = f.read()
    with open(f"{home}/grab.log", "rb") as f:
        err = f.read()
    proc.wait(timeout=30)
    xvfb.terminate()
    xvfb.wait()
    # x11grab stamps frames with the wall clock; ffmpeg shifts them to
    # start at 0 and prints the first one as the input's start.
    start = re.search(rb"start: ([0-9.]+)", err)
    base = float(start.group(1)) if start else 0.0
    stamps = [base + float(m) for m in re.findall(rb"pts_time:([0-9.]+)", err)]
    size = W * H * 3
    frames = [raw[i:i + size] for i in range(0, len(raw) - size + 1, size)]
    out = {"window_ms": None, "preview_ms": None}
    for n, frame in enumerate(frames[: len(stamps)]):
        at = (stamps[n] - launched) * 1000
        if out["window_ms"] is None and max(frame) > 40:
            out["window_ms"] = round(at)
        if bars_visible(frame):
            out["preview_ms"] = round(at)
            if keep:
                # The first frame with the picture, and the one before.
                write_png(f"{keep}-painted.png", frame)
                if n > 0:
                    write_png(f"{keep}-before.png", frames[n - 1])
            break
    # The recording is 1.4 MB a second.
    shutil.rmtree(home, ignore_errors=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("apps", nargs="+")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--rehearsal", action="store_true")
    ap.add_argument("--wait", type=float, default=6.0)
    ap.add_argument("--keep", help="folder for each run's first painted frame (PNG)")
    ap.add_argument("--compositing", action="store_true",
                    help="leave WebKit's accelerated compositing on (GL on llvmpipe here)")
    a = ap.parse_args()
    results = {app: [] for app in a.apps}
    for run in range(a.runs):
        for app in a.apps:
            keep = None
            if a.keep:
                os.makedirs(a.keep, exist_ok=True)
                keep = os.path.join(a.keep, f"run{run + 1}-{len(results[app])}-{os.path.basename(os.path.dirname(app))}")
            r = one_run(app, a.rehearsal, 150 + os.getpid() % 50, a.wait, keep, a.compositing)
            results[app].append(r)
            print(f"run {run + 1} {app}: window {r['window_ms']} ms, "
                  f"preview painted {r['preview_ms']} ms", flush=True)
    for app, rs in results.items():
        got = [r["preview_ms"] for r in rs if r["preview_ms"] is not None]
        win = [r["window_ms"] for r in rs if r["window_ms"] is not None]
        print(f"{app}: preview painted, median {statistics.median(got) if got else None} ms "
              f"({len(got)}/{len(rs)} runs; all: {got}); window median "
              f"{statistics.median(win) if win else None} ms")


if __name__ == "__main__":
    main()

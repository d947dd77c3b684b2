#!/usr/bin/env python3
"""Capture-to-server latency of `shopcast broadcast`, measured on loopback.

shopcast captures an Xvfb screen and pushes it with x264 (zerolatency,
as it always does) to a local nginx-rtmp. A painter flips the screen's
background between black and white every 700 ms with `xsetroot` and
notes when each flip returned; a reader (ffmpeg, no buffering, low
delay) pulls the stream back from the server, decodes it, and this
script notes when each decoded frame's brightness crosses the middle.
The latency of a flip is the time from the painter's note to the
reader's. It counts the screen capture's frame interval, the program,
the encoder, the FLV mux and RTMP, nginx, and the reader's own demux
and decode, so it is an upper bound of capture to server.

Needs Xvfb, xsetroot (x11-xserver-utils), nginx with the RTMP module
and ffmpeg, and a release build (cargo build --release -p shopcast-cli).

Usage: benches/latency.py [--seconds S] [--shopcast PATH]
"""
import argparse, os, socket, statistics, subprocess, tempfile, threading, time

from measure import release_binary
from side_by_side import free_port, start_nginx


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=30)
    ap.add_argument("--shopcast", default=release_binary())
    a = ap.parse_args()
    d = tempfile.mkdtemp(prefix="shopcast-latency")
    display = ":%d" % (150 + os.getpid() % 50)
    xvfb = subprocess.Popen(["Xvfb", display, "-screen", "0", "640x360x24", "-nolisten", "tcp"],
                            stderr=subprocess.DEVNULL)
    time.sleep(1.0)
    env = dict(os.environ, DISPLAY=display)
    subprocess.run(["xsetroot", "-solid", "black"], env=env, check=True)
    port = free_port()
    ng = start_nginx(d, port)
    url = f"rtmp://127.0.0.1:{port}/live/lat"
    shop = subprocess.Popen([a.shopcast, "broadcast", "--video", f"screen:{display}", "--audio", "none",
                             "--size", "640x360", "--fps", "30", "--bitrate", "1500", "--encoder", "x264",
                             "--duration", str(a.seconds + 20), "--push", url],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(3.0)
    reader = subprocess.Popen(["ffmpeg", "-v", "error", "-fflags", "nobuffer", "-flags", "low_delay",
                               "-probesize", "32768", "-analyzeduration", "0", "-i", url,
                               "-vf", "crop=64:64:288:148,scale=1:1", "-pix_fmt", "gray",
                               "-f", "rawvideo", "-"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    seen = []  # (arrival, luma)
    def read():
        while True:
            b = reader.stdout.read(1)
            if not b:
                return
            seen.append((time.time(), b[0]))
    t = threading.Thread(target=read, daemon=True)
    t.start()
    # The reader joins mid-GOP and decodes nothing until a keyframe
    # (up to 2 s): flips before its first frame would count that wait.
    deadline = time.time() + 10
    while not seen and time.time() < deadline:
        time.sleep(0.05)
    time.sleep(1.0)
    flips = []  # (time, white)
    white = False
    end = time.time() + a.seconds
    while time.time() < end:
        white = not white
        subprocess.run(["xsetroot", "-solid", "white" if white else "black"], env=env, check=True)
        flips.append((time.time(), white))
        time.sleep(0.7)
    time.sleep(1.5)
    for p in (reader, shop, ng, xvfb):
        p.terminate()
    for p in (reader, shop, ng, xvfb):
        p.wait()
    latencies = []
    for at, to_white in flips:
        hit = next((t for t, l in seen if t > at and (l > 128) == to_white), None)
        if hit is not None and hit - at < 5.0:
            latencies.append((hit - at) * 1000.0)
    if not latencies:
        raise SystemExit("no flip came back from the server")
    print("latencies (ms):", " ".join(f"{x:.0f}" for x in latencies))
    latencies.sort()
    p90 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.9))]
    print(f"{len(latencies)} of {len(flips)} flips seen; latency median {statistics.median(latencies):.0f} ms, "
          f"p90 {p90:.0f} ms, min {latencies[0]:.0f} ms, max {latencies[-1]:.0f} ms")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""shopcast, ffmpeg and gst-launch-1.0 on the same broadcast job, side by side.

The job: decode a 20 s 1280x720@30 H.264 file at its own pace, encode it
with x264 (veryfast, zerolatency, 2500 kbps CBR with a 1.5 s VBV buffer
as GStreamer's x264enc sets it, 60-frame GOP, no B-frames), generate a
440 Hz tone and encode it to AAC at 128 kbps, and push FLV over RTMP to
the same local nginx-rtmp, which records what it receives. Each tool
runs RUNS times, in alternation. Per run: CPU seconds (user+sys of the
tool's process, from wait4), peak RSS, wall time, and the SSIM of the
video the server recorded against the source file (ffmpeg's ssim
filter, frame by frame from the first), so a cheaper run that lost
quality or frames shows it. Prints medians and ratios to shopcast.

OBS Studio is not part of it: it is not installed on this machine and
its headless run needs a scene collection and a virtual display of its
own (see docs/benchmarks.md for the figures the issue quotes).

With --baseline PATH, a second shopcast binary (an older build, say)
runs the same job in the same alternation, for an A/B of a change.

Usage: benches/side_by_side.py [--runs N] [--seconds S] [--shopcast PATH]
                               [--baseline PATH] [--only TOOL,...]
"""
import argparse, glob, os, re, shutil, socket, statistics, subprocess, tempfile, time

from measure import release_binary, run_measured

KBPS = 2500
VBV_KBITS = 1500  # x264enc's pass=cbr: vbv-buf-capacity 600 ms of the bitrate
GOP = 60


def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p


def start_nginx(d, port):
    for sub in ("rec", "logs"):
        os.makedirs(f"{d}/{sub}", exist_ok=True)
    conf = f"""load_module /usr/lib/nginx/modules/ngx_rtmp_module.so;
daemon off; master_process off; worker_processes 1;
pid {d}/nginx.pid; error_log {d}/logs/error.log warn;
events {{ worker_connections 64; }}
rtmp {{ server {{ listen 127.0.0.1:{port}; application live {{
    live on; record all; record_path {d}/rec; record_unique on; }} }} }}
"""
    open(f"{d}/nginx.conf", "w").write(conf)
    p = subprocess.Popen(["nginx", "-p", d, "-c", f"{d}/nginx.conf"])
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return p
        except OSError:
            time.sleep(0.05)
    raise SystemExit("nginx did not start")


def ssim(recorded, source):
    """Mean SSIM (Y, U, V) of the recorded stream against the source,
    frame n against frame n; 0 when nothing was recorded."""
    out = subprocess.run(
        ["ffmpeg", "-v", "info", "-nostats", "-i", recorded, "-i", source,
         # FLV keeps milliseconds (33, 66, 100 ms): paired by timestamp,
         # a third of the frames would meet their neighbour (0.96 where
         # frame n against frame n gives 0.995). Frame numbers instead.
         "-lavfi", "[0:v]settb=1/30,setpts=N[a];[1:v]settb=1/30,setpts=N[b];[a][b]ssim",
         "-f", "null", "-"],
        capture_output=True, text=True)
    m = re.search(r"SSIM .* All:([0-9.]+)", out.stderr)
    return float(m.group(1)) if m else 0.0


def commands(tool, binary, src, url, seconds):
    if tool in ("shopcast", "baseline"):
        return [binary, "broadcast", "--video", f"file:{src}", "--audio", "test",
                "--size", "1280x720", "--fps", "30", "--bitrate", str(KBPS),
                "--duration", str(seconds), "--encoder", "x264", "--push", url]
    if tool == "ffmpeg":
        return ["ffmpeg", "-v", "error", "-re", "-i", src,
                "-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=48000:duration={seconds}",
                "-map", "0:v", "-map", "1:a", "-t", str(seconds),
                "-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency",
                "-b:v", f"{KBPS}k", "-maxrate", f"{KBPS}k", "-bufsize", f"{VBV_KBITS}k",
                "-g", str(GOP), "-bf", "0", "-c:a", "aac", "-b:a", "128k", "-f", "flv", url]
    if tool == "gst-launch":
        buffers = seconds * 48000 // 1024
        return ["gst-launch-1.0", "-q", "-e",
                "filesrc", f"location={src}", "!", "decodebin", "!", "videoconvert", "!",
                "x264enc", "tune=zerolatency", "speed-preset=veryfast", f"bitrate={KBPS}",
                f"key-int-max={GOP}", "bframes=0", "!", "h264parse", "!",
                "flvmux", "name=m", "streamable=true", "!", "rtmpsink", f"location={url}",
                "audiotestsrc", "freq=440", "samplesperbuffer=1024", f"num-buffers={buffers}", "!",
                "audio/x-raw,rate=48000,channels=2", "!", "audioconvert", "!",
                "avenc_aac", "bitrate=128000", "!", "aacparse", "!", "m."]
    raise ValueError(tool)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--seconds", type=int, default=20)
    ap.add_argument("--shopcast", default=release_binary())
    ap.add_argument("--baseline", help="another shopcast binary, run as 'baseline'")
    ap.add_argument("--only", help="comma-separated tools to run (shopcast,baseline,ffmpeg,gst-launch)")
    a = ap.parse_args()
    d = tempfile.mkdtemp(prefix="shopcast-sbs")
    src = f"{d}/clip.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi",
                    "-i", "testsrc2=size=1280x720:rate=30", "-t", str(a.seconds),
                    "-c:v", "libx264", "-preset", "veryfast", "-g", str(GOP), "-pix_fmt", "yuv420p",
                    src], check=True)
    port = free_port()
    ng = start_nginx(d, port)
    tools = ["shopcast"] + (["baseline"] if a.baseline else []) + ["ffmpeg", "gst-launch"]
    if a.only:
        tools = [t for t in tools if t in a.only.split(",")]
    binaries = {"shopcast": a.shopcast, "baseline": a.baseline}
    res = {t: [] for t in tools}
    try:
        for i in range(a.runs):
            for t in tools:
                url = f"rtmp://127.0.0.1:{port}/live/{t}{i}"
                cpu, rss, wall, _ = run_measured(commands(t, binaries.get(t), src, url, a.seconds))
                time.sleep(0.5)  # nginx closes the recording
                recs = sorted(glob.glob(f"{d}/rec/{t}{i}-*.flv"))
                q = ssim(recs[-1], src) if recs else 0.0
                res[t].append((cpu, rss, wall, q))
                print(f"run {i+1} {t:10s} cpu {cpu:6.2f} s  peak RSS {rss:7.1f} MiB  "
                      f"wall {wall:5.1f} s  SSIM {q:.4f}", flush=True)
    finally:
        ng.terminate(); ng.wait(); shutil.rmtree(d, ignore_errors=True)
    med = {t: statistics.median(r[0] for r in v) for t, v in res.items()}
    for t in tools:
        v = res[t]
        ratio = f"{med['shopcast']/med[t]:.3f}" if "shopcast" in med else "-"
        print(f"median {t:10s} cpu {med[t]:6.2f} s  shopcast/it {ratio}  "
              f"peak RSS {max(r[1] for r in v):6.1f} MiB  SSIM {statistics.median(r[3] for r in v):.4f}")


if __name__ == "__main__":
    main()

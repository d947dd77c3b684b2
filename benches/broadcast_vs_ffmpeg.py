#!/usr/bin/env python3
"""CPU cost of `shopcast broadcast` against ffmpeg on the same job.

Both push the same 20 s 720p30 file, re-encoded with x264 (veryfast,
zerolatency, 2500 kbps, 2 s GOP) plus AAC, to the same local nginx-rtmp,
in alternation, RUNS times each. Prints CPU seconds (user+sys, from
wait4) and peak RSS per run, and the ratio of the medians.

Usage: benches/broadcast_vs_ffmpeg.py [--runs N] [--shopcast PATH]
"""
import argparse, os, shutil, socket, statistics, subprocess, sys, tempfile, time

from measure import run_measured

def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p

def start_nginx(d, port):
    os.makedirs(f"{d}/rec", exist_ok=True); os.makedirs(f"{d}/logs", exist_ok=True)
    conf = f"""load_module /usr/lib/nginx/modules/ngx_rtmp_module.so;
daemon off; master_process off; worker_processes 1;
pid {d}/nginx.pid; error_log {d}/logs/error.log warn;
events {{ worker_connections 64; }}
rtmp {{ server {{ listen 127.0.0.1:{port}; application live {{ live on; record off; }} }} }}
"""
    open(f"{d}/nginx.conf", "w").write(conf)
    p = subprocess.Popen(["nginx", "-p", d, "-c", f"{d}/nginx.conf"])
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close(); return p
        except OSError:
            time.sleep(0.05)
    raise SystemExit("nginx did not start")

def timed(cmd):
    cpu, rss, wall, _ = run_measured(cmd)
    return cpu, rss, wall

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--shopcast", default=os.path.expanduser(
        os.environ.get("CARGO_TARGET_DIR", "~/.cache/shopcast/target")) + "/release/shopcast")
    a = ap.parse_args()
    d = tempfile.mkdtemp(prefix="shopcast-bench")
    src = f"{d}/clip.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30",
                    "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", "20",
                    "-c:v", "libx264", "-preset", "veryfast", "-g", "60", "-c:a", "aac", "-shortest", src], check=True)
    port = free_port()
    ng = start_nginx(d, port)
    url = f"rtmp://127.0.0.1:{port}/live/bench"
    shop = [a.shopcast, "broadcast", "--video", f"file:{src}", "--audio", "test", "--size", "1280x720",
            "--fps", "30", "--bitrate", "2500", "--duration", "20", "--encoder", "x264", "--push", url]
    ff = ["ffmpeg", "-v", "error", "-re", "-i", src, "-c:v", "libx264", "-preset", "veryfast", "-tune",
          "zerolatency", "-b:v", "2500k", "-g", "60", "-c:a", "aac", "-f", "flv", url]
    res = {"shopcast": [], "ffmpeg": []}
    try:
        for i in range(a.runs):
            for name, cmd in (("shopcast", shop), ("ffmpeg", ff)):
                cpu, rss, wall = timed(cmd)
                res[name].append((cpu, rss, wall))
                print(f"run {i+1} {name:8s} cpu {cpu:6.2f} s  peak RSS {rss:7.1f} MiB  wall {wall:5.1f} s", flush=True)
    finally:
        ng.terminate(); ng.wait(); shutil.rmtree(d, ignore_errors=True)
    med = {k: statistics.median(c for c, _, _ in v) for k, v in res.items()}
    rss = {k: max(r for _, r, _ in v) for k, v in res.items()}
    print(f"median cpu: shopcast {med['shopcast']:.2f} s, ffmpeg {med['ffmpeg']:.2f} s, "
          f"ratio {med['shopcast']/med['ffmpeg']:.3f}")
    print(f"peak RSS: shopcast {rss['shopcast']:.1f} MiB, ffmpeg {rss['ffmpeg']:.1f} MiB")

if __name__ == "__main__":
    main()

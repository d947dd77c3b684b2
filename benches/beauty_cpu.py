#!/usr/bin/env python3
"""End-to-end CPU cost of a broadcast with beauty on versus off.

Runs `shopcast broadcast --size 640x360 --fps 30 --duration SECONDS`
recording to a temporary file, once with the processor hook at identity
and once with the whole chain (--beauty 9,5,3 --lut natural), and
prints CPU seconds (user+sys, from wait4), wall time and frames.

Usage: benches/beauty_cpu.py [--seconds 60] [--shopcast PATH]
"""
import argparse, os, tempfile

from measure import release_binary, run_measured

def run(cmd):
    cpu, _, wall, err = run_measured(cmd, capture_stderr=True)
    frames = next((l.split()[2] for l in err.splitlines() if l.startswith("stopped after")), "?")
    return cpu, wall, frames

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--shopcast", default=release_binary())
    a = ap.parse_args()
    d = tempfile.mkdtemp(prefix="shopcast-beauty")
    base = [a.shopcast, "broadcast", "--size", "640x360", "--fps", "30",
            "--duration", str(a.seconds), "--encoder", "x264"]
    for name, extra in (("beauty off", []), ("beauty on", ["--beauty", "9,5,3", "--lut", "natural"])):
        cpu, wall, frames = run(base + extra + ["--record", f"{d}/{name.replace(' ', '_')}.mkv"])
        print(f"{name:10s} cpu {cpu:7.2f} s  wall {wall:6.1f} s  frames {frames}  "
              f"({cpu / a.seconds * 100:.0f} % of one core over the broadcast)", flush=True)

if __name__ == "__main__":
    main()

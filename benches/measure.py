"""Shared by the benchmark scripts: run a command and read its cost."""
import os, subprocess, time


def release_binary(name="shopcast"):
    """The release build of `name` in the workspace's target folder
    (CARGO_TARGET_DIR, or the one the README's commands use)."""
    target = os.environ.get("CARGO_TARGET_DIR", "~/.cache/shopcast/target")
    return os.path.join(os.path.expanduser(target), "release", name)


def run_measured(cmd, capture_stderr=False):
    """Runs `cmd` to completion; returns (cpu_seconds, peak_rss_mib,
    wall_seconds, stderr_text). CPU is user+system from wait4, so it
    counts only this child, whatever else the machine is doing."""
    t0 = time.time()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE if capture_stderr else subprocess.DEVNULL)
    err = p.stderr.read().decode(errors="replace") if capture_stderr else ""
    _, status, ru = os.wait4(p.pid, 0)
    if status != 0:
        raise SystemExit(f"failed ({status}): {' '.join(cmd)}\n{err}")
    return ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024.0, time.time() - t0, err

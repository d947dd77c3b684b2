#!/usr/bin/env python3
"""PSS of one process by kind, from /proc/PID/smaps.

PSS splits each shared page between the processes that map it, so the
figures of the app and of WebKit's processes add up. Kinds: malloc's main
heap, other anonymous memory (malloc's other arenas, the JavaScript heap,
mmap'ed buffers), shared memory, GPU mappings, stacks, the code and data
of libraries and of our own binary, and other files (fonts).

Usage: benches/pss_kinds.py PID
"""

import collections
import re
import sys

MAPPING = re.compile(r"^[0-9a-f]+-[0-9a-f]+ ")
OUR_BINARY = "shopcast-studio"
WEBKIT_BINARIES = ("WebKitWebProcess", "WebKitNetworkProcess")


def kind_of(path: str) -> str:
    if path == "[heap]":
        return "heap (brk)"
    if path.startswith("[stack"):
        return "stacks"
    if path.startswith(("/memfd:", "/dev/shm")) or "SYSV" in path:
        return "shared memory"
    if path.startswith("/dev/dri"):
        return "GPU"
    if path == "":
        return "anonymous (malloc arenas, JS heap, mmap)"
    if path.startswith("["):
        return "other " + path
    if path.endswith(OUR_BINARY):
        return "code and data of our binary"
    if ".so" in path or path.endswith(WEBKIT_BINARIES):
        return "code and data of libraries"
    return "files"


def kinds(pid: str) -> tuple[collections.Counter, collections.Counter]:
    by_kind: collections.Counter = collections.Counter()
    by_file: collections.Counter = collections.Counter()
    kind, path = "", ""
    with open(f"/proc/{pid}/smaps") as f:
        for line in f:
            if MAPPING.match(line):
                parts = line.split(None, 5)
                path = parts[5].strip() if len(parts) > 5 else ""
                kind = kind_of(path)
            elif line.startswith("Pss:"):
                kb = int(line.split()[1])
                by_kind[kind] += kb
                if kind.startswith("code"):
                    by_file[path.rsplit("/", 1)[-1]] += kb
    return by_kind, by_file


def main() -> None:
    by_kind, by_file = kinds(sys.argv[1])
    for kind, kb in by_kind.most_common():
        if kb >= 50:
            print(f"  {kind:45s} {kb / 1024:7.1f} MiB")
    top = ", ".join(f"{name} {kb / 1024:.1f}" for name, kb in by_file.most_common(6))
    print(f"  largest code and data: {top}")


if __name__ == "__main__":
    main()

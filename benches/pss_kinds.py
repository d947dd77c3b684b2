#!/usr/bin/env python3
"""PSS of one process by kind, from /proc/PID/smaps."""
import re, sys, collections
def kinds(pid):
    out = collections.Counter(); name = None; top = collections.Counter()
    for line in open(f"/proc/{pid}/smaps"):
        if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", line):
            parts = line.split(None, 5)
            path = parts[5].strip() if len(parts) > 5 else ""
            if path == "[heap]": name = "heap (brk)"
            elif path.startswith("[stack"): name = "stacks"
            elif path.startswith("/memfd:") or path.startswith("/dev/shm") or "SYSV" in path or path.startswith("/memfd"): name = "shared memory"
            elif path.startswith("/dev/dri"): name = "GPU"
            elif path == "" : name = "anonymous (malloc arenas, JS heap, mmap)"
            elif path.startswith("["): name = "other " + path
            elif ".so" in path or path.endswith(("shopcast-studio","WebKitWebProcess","WebKitNetworkProcess")): name = "code and data of " + ("our binary" if "shopcast" in path else "libraries")
            else: name = "files " ; 
            cur = path
        elif line.startswith("Pss:"):
            kb = int(line.split()[1]); out[name] += kb
            if name.startswith("code"): top[cur.rsplit('/',1)[-1]] += kb
    return out, top
pid = sys.argv[1]
out, top = kinds(pid)
for k, v in out.most_common():
    print(f"  {k:45s} {v/1024:7.1f} MiB")
print("  top libraries: " + ", ".join(f"{n} {v/1024:.1f}" for n, v in top.most_common(6)))

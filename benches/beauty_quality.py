#!/usr/bin/env python3
"""What beauty does to a real face, measured through the real broadcast path.

For each face photo in benches/faces (NAME.png with NAME.json beside it,
giving the skin, feature and non-skin boxes), this script:

1. makes a short clip of the photo with a little temporal noise (a still
   photo has none, a camera always has some, and the flicker figure
   needs it), encoded losslessly;
2. runs `shopcast broadcast --video file:CLIP --beauty ... --record` once
   with beauty off and once per setting, through x264 at 20 Mbps;
3. decodes the recordings and compares frame n with frame n (by index,
   not by time; the offset that best matches the noise is found and
   printed, in case one recording starts a frame later);
4. applies the anchors (OpenCV's bilateral filter d=9, 75, 75, and a
   Gaussian of sigma 3) to the beauty-off frames;
5. prints and writes the table: skin texture kept (RMS Laplacian in the
   skin boxes, on / off), edges kept (mean gradient on the strongest 10 %
   of the off frame's edges in the feature boxes, on / off), non-skin
   change (mean absolute RGB difference in the non-skin boxes, /255) and
   flicker (mean frame-to-frame luma change in the skin boxes, on / off);
6. draws the two main figures against the level (beauty-levels.png) and
   a side-by-side of off, level 5 and level 9 for each face
   (NAME-off-5-9.jpg).

Needs ffmpeg and `pip install -r benches/requirements.txt` (numpy,
opencv-python-headless). Not a test: it prints figures for
docs/benchmarks.md and docs/beauty.md.

Usage: benches/beauty_quality.py [--shopcast PATH] [--out DIR]
       [--levels 0,1,...,9] [--seconds 4] [--faces DIR]
"""
import argparse, json, os, subprocess, sys, tempfile

import cv2
import numpy as np

from measure import release_binary

HERE = os.path.dirname(os.path.abspath(__file__))


def boxes(spec, key):
    return [tuple(int(v) for v in b) for b in spec.get(key, [])]


def make_clip(photo, crop_box, seconds, noise, path):
    x, y, w, h = crop_box
    grain = f",noise=c0s={noise}:allf=t" if noise > 0 else ""
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-loop", "1", "-i", photo, "-t", str(seconds + 1),
         "-r", "30", "-vf", f"crop={w}:{h}:{x}:{y},format=yuv420p{grain}",
         "-c:v", "libx264", "-preset", "ultrafast", "-qp", "0", path],
        check=True)


def broadcast(shopcast, clip, size, seconds, beauty, path):
    cmd = [shopcast, "broadcast", "--video", f"file:{clip}", "--audio", "none",
           "--size", f"{size[0]}x{size[1]}", "--fps", "30", "--bitrate", "20000",
           "--encoder", "x264", "--duration", str(seconds), "--record", path]
    if beauty:
        cmd += ["--beauty", beauty]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"shopcast failed ({p.returncode}): {' '.join(cmd)}\n{p.stderr[-2000:]}")


def frames(path, size):
    w, h = size
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", path, "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
        check=True, capture_output=True).stdout
    n = len(raw) // (w * h * 3)
    return np.frombuffer(raw[: n * w * h * 3], np.uint8).reshape(n, h, w, 3)


def luma(rgb):
    f = rgb.astype(np.float32)
    return 0.299 * f[..., 0] + 0.587 * f[..., 1] + 0.114 * f[..., 2]


def crop(a, b):
    x, y, w, h = b
    return a[y:y + h, x:x + w]


def align(off, on, nonskin):
    """The offset o (frames) for which on[n + o] best matches off[n]: the
    temporal noise differs from frame to frame, so only the right pairing
    leaves just the encoder's error in the non-skin boxes."""
    best = None
    for o in range(-20, 21):
        idx = [n for n in range(22, min(len(off), len(on)) - 22) if 0 <= n + o < len(on)][:20]
        d = np.mean([np.mean(np.abs(crop(off[n], b).astype(np.int16)
                                    - crop(on[n + o], b).astype(np.int16)))
                     for n in idx for b in nonskin])
        if best is None or d < best[1]:
            best = (o, d)
    return best[0]


def figures(off, on, spec, offset):
    skin, feats, non = boxes(spec, "skin"), boxes(spec, "features"), boxes(spec, "nonskin")
    pairs = [(n, n + offset) for n in range(len(off)) if 0 <= n + offset < len(on)]
    pairs = pairs[2:-2]  # the encoder's first and last frames are not typical
    tex_on = tex_off = 0.0
    edge_on = edge_off = 0.0
    change = []
    for a, b in pairs:
        ya, yb = luma(off[a]), luma(on[b])
        for bx in skin:
            tex_off += np.sqrt(np.mean(cv2.Laplacian(crop(ya, bx), cv2.CV_32F) ** 2))
            tex_on += np.sqrt(np.mean(cv2.Laplacian(crop(yb, bx), cv2.CV_32F) ** 2))
        for bx in feats:
            ga = gradient(crop(ya, bx))
            gb = gradient(crop(yb, bx))
            strong = ga >= np.percentile(ga, 90)
            edge_off += ga[strong].mean()
            edge_on += gb[strong].mean()
        for bx in non:
            change.append(np.mean(np.abs(crop(off[a], bx).astype(np.float32)
                                         - crop(on[b], bx).astype(np.float32))))
    return {
        "skin": float(tex_on / tex_off),
        "edges": float(edge_on / edge_off),
        "nonskin": float(np.mean(change)) if change else float("nan"),
        "flicker": float(flicker([on[b] for _, b in pairs], skin)
                         / max(flicker([off[a] for a, _ in pairs], skin), 1e-9)),
    }


def gradient(y):
    gx = cv2.Sobel(y, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(y, cv2.CV_32F, 0, 1, ksize=3)
    return np.sqrt(gx * gx + gy * gy)


def flicker(seq, skin):
    ys = [luma(f) for f in seq]
    return np.mean([np.mean(np.abs(crop(ys[i + 1], b) - crop(ys[i], b)))
                    for i in range(len(ys) - 1) for b in skin])


def anchor(off, fn):
    return np.stack([fn(f) for f in off])


def bilateral(f):
    return cv2.cvtColor(cv2.bilateralFilter(cv2.cvtColor(f, cv2.COLOR_RGB2BGR), 9, 75, 75),
                        cv2.COLOR_BGR2RGB)


def gaussian(f):
    return cv2.GaussianBlur(f, (0, 0), 3)


def plot(rows, path):
    """Skin texture kept and edges kept against the smoothing level, one
    pair of lines per face, drawn with OpenCV (no plotting library)."""
    w, h, m = 720, 420, 60
    img = np.full((h, w, 3), 255, np.uint8)
    lv = sorted({r["level"] for r in rows})
    x = lambda l: int(m + (w - 2 * m) * l / 9)
    y = lambda v: int(h - m - (h - 2 * m) * v / 1.1)
    for v in (0.0, 0.2, 0.4, 0.6, 0.8, 1.0):
        cv2.line(img, (m, y(v)), (w - m, y(v)), (225, 225, 225), 1)
        cv2.putText(img, f"{v:.1f}", (10, y(v) + 5), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (0, 0, 0), 1)
    for l in lv:
        cv2.putText(img, str(l), (x(l) - 5, h - m + 20), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (0, 0, 0), 1)
    cv2.putText(img, "smoothing level", (w // 2 - 60, h - 12), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (0, 0, 0), 1)
    faces = sorted({r["face"] for r in rows})
    for key, colour, label in (("edges", (40, 120, 220), "edges kept (higher is sharper)"),
                               ("skin", (220, 90, 40), "skin texture kept (lower is smoother)")):
        for face in faces:
            pts = [(x(r["level"]), y(r[key])) for r in rows if r["face"] == face]
            pts.sort()
            for p, q in zip(pts, pts[1:]):
                cv2.line(img, p, q, colour, 2, cv2.LINE_AA)
            for p in pts:
                cv2.circle(img, p, 3, colour, -1, cv2.LINE_AA)
        ly = 24 if key == "edges" else 44
        cv2.line(img, (m, ly - 4), (m + 30, ly - 4), colour, 2)
        cv2.putText(img, label, (m + 40, ly), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (0, 0, 0), 1)
    cv2.imwrite(path, cv2.cvtColor(img, cv2.COLOR_RGB2BGR))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shopcast", default=release_binary())
    ap.add_argument("--faces", default=os.path.join(HERE, "faces"))
    ap.add_argument("--out", default=os.path.join(HERE, "..", "docs", "beauty"))
    ap.add_argument("--levels", default="0,1,2,3,4,5,6,7,8,9")
    ap.add_argument("--seconds", type=int, default=4)
    ap.add_argument("--noise", type=int, default=4,
                    help="temporal grain added to the clip (ffmpeg noise c0s); 0 for none")
    ap.add_argument("--label", default="shopcast",
                    help="what to call this binary in the table (e.g. 'shopcast today')")
    a = ap.parse_args()
    levels = [int(v) for v in a.levels.split(",")]
    os.makedirs(a.out, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="shopcast-beauty-quality")
    rows = []
    table = ["| face | filter | skin texture kept | edges kept | non-skin change (/255) | flicker (on / off) |",
             "|---|---|---|---|---|---|"]
    for name in sorted(f[:-5] for f in os.listdir(a.faces) if f.endswith(".json")):
        spec = json.load(open(os.path.join(a.faces, name + ".json")))
        photo = os.path.join(a.faces, spec["image"])
        size = tuple(spec["size"])
        clip = os.path.join(tmp, f"{name}.mkv")
        make_clip(photo, spec["crop"], a.seconds, a.noise, clip)
        rec = lambda tag: os.path.join(tmp, f"{name}-{tag}.mkv")
        broadcast(a.shopcast, clip, size, a.seconds, None, rec("off"))
        off = frames(rec("off"), size)
        shots = {"off": off[len(off) // 2]}
        # The second beauty-off run is the floor: what the encoder alone
        # changes between two runs of the same input.
        runs = [("beauty off, run again", None)]
        runs += [(f"{a.label} {l}", f"{l},0,0") for l in levels if l > 0]
        runs.append((f"{a.label} whitening 9", "0,9,0"))
        for label, beauty in runs:
            broadcast(a.shopcast, clip, size, a.seconds, beauty, rec(beauty or "off-again"))
            on = frames(rec(beauty or "off-again"), size)
            o = align(off, on, boxes(spec, "nonskin"))
            f = figures(off, on, spec, o)
            print(f"{name} {label}: {len(on)} frames (off {len(off)}), offset {o}: "
                  + ", ".join(f"{k} {v:.3f}" for k, v in f.items()), flush=True)
            table.append(f"| {name} | {label} | {f['skin']:.2f} | {f['edges']:.2f} | "
                         f"{f['nonskin']:.2f} | {f['flicker']:.2f} |")
            if beauty and beauty.endswith(",0,0"):
                lvl = int(beauty.split(",")[0])
                rows.append({"face": name, "level": lvl, **f})
                if lvl in (5, 9):
                    shots[f"level {lvl}"] = on[min(len(on) - 1, len(off) // 2 + o)]
        if 0 in levels:
            rows.append({"face": name, "level": 0, **figures(off, off, spec, 0)})
        for label, fn in (("OpenCV bilateral (9, 75, 75)", bilateral), ("Gaussian sigma 3", gaussian)):
            f = figures(off, anchor(off, fn), spec, 0)
            print(f"{name} {label}: " + ", ".join(f"{k} {v:.3f}" for k, v in f.items()), flush=True)
            table.append(f"| {name} | {label} | {f['skin']:.2f} | {f['edges']:.2f} | "
                         f"{f['nonskin']:.2f} | {f['flicker']:.2f} |")
        if len(shots) == 3:
            # The face (skin and feature boxes, with a margin), full size.
            bx = boxes(spec, "skin") + boxes(spec, "features")
            x0 = min(b[0] for b in bx); y0 = min(b[1] for b in bx)
            x1 = max(b[0] + b[2] for b in bx); y1 = max(b[1] + b[3] for b in bx)
            mx, my = (x1 - x0) // 4, (y1 - y0) // 4
            face = (max(0, x0 - mx), max(0, y0 - my), min(size[0], x1 + mx), min(size[1], y1 + my))
            parts = [np.ascontiguousarray(shots[k][face[1]:face[3], face[0]:face[2]])
                     for k in ("off", "level 5", "level 9")]
            for part, label in zip(parts, ("off", "level 5", "level 9")):
                # White on a black box: readable on any backdrop.
                cv2.rectangle(part, (0, 0), (110, 34), (0, 0, 0), -1)
                cv2.putText(part, label, (8, 24), cv2.FONT_HERSHEY_SIMPLEX, 0.7,
                            (255, 255, 255), 2, cv2.LINE_AA)
            strip = np.hstack(parts)
            # JPEG at quality 92: these are for reading the docs, and a
            # PNG of three faces is five times the size.
            cv2.imwrite(os.path.join(a.out, f"{name}-off-5-9.jpg"), cv2.cvtColor(strip, cv2.COLOR_RGB2BGR),
                        [cv2.IMWRITE_JPEG_QUALITY, 92])
    print("\n".join(table))
    with open(os.path.join(a.out, "figures.md"), "w") as fh:
        fh.write("\n".join(table) + "\n")
    if rows:
        plot(rows, os.path.join(a.out, "beauty-levels.png"))
        with open(os.path.join(a.out, "levels.json"), "w") as fh:
            json.dump(rows, fh, indent=1)


if __name__ == "__main__":
    main()

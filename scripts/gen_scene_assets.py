#!/usr/bin/env python3
"""Generates the starter scenes' pictures in assets/scenes/.

`be-right-back.png` is the "Be right back" scene's backdrop: a dark
vertical gradient (plum to wine) with a soft light in the middle and a
short accent rule where the caption's underline goes. The caption itself
is a text layer drawn by the studio, so the picture has no words and
suits every language. Made here by the project; run
`python3 scripts/gen_scene_assets.py` from the repository root to
regenerate it bit for bit. Only the Python standard library is used.
"""

import math
import os
import struct
import zlib

W, H = 1280, 720
TOP = (28, 22, 40)
BOTTOM = (64, 20, 44)
ACCENT = (255, 44, 85)


def png(width, height, rows):
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + bytes(r) for r in rows)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def backdrop():
    rows = []
    rule_y = range(int(H * 0.60), int(H * 0.60) + 6)
    rule_x = range(W // 2 - 80, W // 2 + 80)
    for y in range(H):
        t = y / (H - 1)
        base = [a + (b - a) * t for a, b in zip(TOP, BOTTOM)]
        row = []
        for x in range(W):
            # A soft light behind the caption.
            dx, dy = (x - W / 2) / (W * 0.45), (y - H * 0.47) / (H * 0.55)
            glow = 18 * math.exp(-(dx * dx + dy * dy) * 2.2)
            if y in rule_y and x in rule_x:
                px = ACCENT
            else:
                px = [min(255, round(c + glow)) for c in base]
            row.extend(px)
        rows.append(row)
    return rows


def main():
    out = os.path.join("assets", "scenes")
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "be-right-back.png"), "wb") as f:
        f.write(png(W, H, backdrop()))


if __name__ == "__main__":
    main()

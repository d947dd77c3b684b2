#!/usr/bin/env python3
"""Generates Shopcast's shipped colour-filter LUTs.

Every LUT in assets/luts/ is made here, from the formulas below, by the
project (no third-party LUTs): run `python3 scripts/gen_luts.py` from the
repository root to regenerate them bit for bit. Output format: 512x512
PNG, 8x8 tiles of 64x64; tile (tx, ty) holds blue = ty*8 + tx, and within
a tile x is red and y is green (the layout crates/gpu/src/lut.rs reads).
Only the Python standard library is used (zlib + struct for PNG).
"""

import math
import os
import struct
import sys
import zlib

N = 64


def clamp(v):
    return 0.0 if v < 0.0 else 1.0 if v > 1.0 else v


def luma(r, g, b):
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def saturate(r, g, b, s):
    y = luma(r, g, b)
    return y + (r - y) * s, y + (g - y) * s, y + (b - y) * s


def scurve(v, k):
    """Contrast S-curve through (0,0), (0.5,0.5), (1,1); k > 0 adds contrast."""
    return v + k * (v - 0.5) * v * (1.0 - v) * 4.0


def lift_gain(v, lift, gain):
    return lift + v * (gain - lift)


def identity(r, g, b):
    return r, g, b


def natural(r, g, b):
    r, g, b = (scurve(c, 0.12) for c in (r, g, b))
    return saturate(r, g, b, 1.08)


def warm(r, g, b):
    return r * 1.0 + 0.06 * (1 - r), g * 1.0 + 0.015 * (1 - g), b * 0.90


def cool(r, g, b):
    return r * 0.92, g * 0.99 + 0.01, b + 0.07 * (1 - b)


def vivid(r, g, b):
    r, g, b = saturate(r, g, b, 1.35)
    return tuple(scurve(clamp(c), 0.18) for c in (r, g, b))


def fresh(r, g, b):
    # Brighter, airy: lifted shadows, a touch of cyan-green, softer contrast.
    r, g, b = (lift_gain(c, 0.05, 1.0) for c in (r, g, b))
    r, g, b = (math.pow(clamp(c), 0.9) for c in (r, g, b))
    return r * 0.98, g * 1.02, b * 1.03


def film(r, g, b):
    # Faded blacks, rolled-off highlights, teal shadows / warm highlights.
    y = luma(r, g, b)
    r, g, b = (lift_gain(scurve(c, 0.25), 0.06, 0.95) for c in (r, g, b))
    t = 0.05 * (1 - y)  # shadow tint amount
    h = 0.04 * y        # highlight tint amount
    r, g, b = r - t + h, g + 0.3 * t + 0.4 * h, b + t - h
    return saturate(r, g, b, 0.9)


def mono(r, g, b):
    y = scurve(luma(r, g, b), 0.2)
    return y, y, y


def vintage(r, g, b):
    y = luma(r, g, b)
    # Sepia toning mixed with the desaturated original, faded.
    sr, sg, sb = y * 1.07 + 0.04, y * 0.95 + 0.02, y * 0.78
    r, g, b = saturate(r, g, b, 0.5)
    r, g, b = 0.5 * r + 0.5 * sr, 0.5 * g + 0.5 * sg, 0.5 * b + 0.5 * sb
    return tuple(lift_gain(c, 0.07, 0.93) for c in (r, g, b))


FILTERS = {
    "identity": identity,
    "natural": natural,
    "warm": warm,
    "cool": cool,
    "vivid": vivid,
    "fresh": fresh,
    "film": film,
    "mono": mono,
    "vintage": vintage,
}


def png(width, height, rows):
    def chunk(kind, data):
        c = struct.pack(">I", len(data)) + kind + data
        return c + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    # PNG "Sub" filter (type 1): LUT rows are smooth ramps, so the
    # left-neighbour differences are nearly constant and compress well.
    def sub(row):
        return b"\x01" + bytes((row[i] - (row[i - 3] if i >= 3 else 0)) & 0xFF for i in range(len(row)))

    raw = b"".join(sub(row) for row in rows)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def render(f):
    rows = []
    s = N - 1
    for y in range(512):
        ty, g = divmod(y, 64)
        row = []
        for x in range(512):
            tx, r = divmod(x, 64)
            b = ty * 8 + tx
            out = f(r / s, g / s, b / s)
            row.extend(int(round(clamp(c) * 255)) for c in out)
        rows.append(row)
    return png(512, 512, rows)


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out_dir = os.path.join(root, "assets", "luts")
    os.makedirs(out_dir, exist_ok=True)
    names = sys.argv[1:] or list(FILTERS)
    for name in names:
        path = os.path.join(out_dir, name + ".png")
        with open(path, "wb") as fh:
            fh.write(render(FILTERS[name]))
        print(path)


if __name__ == "__main__":
    main()

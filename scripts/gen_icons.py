#!/usr/bin/env python3
"""Draws the Shopcast Studio app icon and writes every size the Tauri
bundler wants (PNG, Windows .ico, macOS .icns) into src-tauri/icons/.

The icon is drawn here, from code, so its provenance is clear: a rounded
red square (the on-air light) with a white play triangle and a small
shopping-bag handle. Standard library only (zlib + struct)."""

import math
import os
import struct
import sys
import zlib

OUT = os.path.join(os.path.dirname(__file__), "..", "src-tauri", "icons")


def draw(size):
    px = bytearray(size * size * 4)
    s = size / 256.0
    r_corner = 56 * s
    for y in range(size):
        for x in range(size):
            fx, fy = x + 0.5, y + 0.5
            # Rounded square, anti-aliased by distance.
            cx = min(max(fx, r_corner), size - r_corner)
            cy = min(max(fy, r_corner), size - r_corner)
            d = math.hypot(fx - cx, fy - cy) - r_corner
            a = max(0.0, min(1.0, 0.5 - d))
            if a <= 0:
                continue
            t = fy / size
            col = (int(232 - 40 * t), int(48 - 20 * t), int(72 - 10 * t))
            # Play triangle.
            tx0, ty0, ty1, tx1 = 92 * s, 70 * s, 186 * s, 190 * s
            if tx0 <= fx <= tx1:
                half = (ty1 - ty0) / 2 * (1 - (fx - tx0) / (tx1 - tx0))
                mid = (ty0 + ty1) / 2
                if abs(fy - mid) <= half:
                    col = (255, 255, 255)
            # Bag handle arc above the triangle.
            hr = math.hypot(fx - 128 * s, fy - 70 * s)
            if fy < 70 * s and 30 * s <= hr <= 42 * s:
                col = (255, 255, 255)
            i = (y * size + x) * 4
            px[i:i + 4] = bytes((*col, int(255 * a)))
    return bytes(px)


def png(size):
    raw = draw(size)
    rows = b"".join(b"\x00" + raw[y * size * 4:(y + 1) * size * 4] for y in range(size))

    def chunk(tag, data):
        c = struct.pack(">I", len(data)) + tag + data
        return c + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))


def ico(pngs):
    header = struct.pack("<HHH", 0, 1, len(pngs))
    offset = 6 + 16 * len(pngs)
    entries, blobs = b"", b""
    for size, data in pngs:
        dim = 0 if size >= 256 else size
        entries += struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(data), offset)
        offset += len(data)
        blobs += data
    return header + entries + blobs


def icns(pngs):
    kinds = {32: b"ic11", 128: b"ic07", 256: b"ic08", 512: b"ic09"}
    body = b"".join(kinds[s] + struct.pack(">I", len(d) + 8) + d for s, d in pngs if s in kinds)
    return b"icns" + struct.pack(">I", len(body) + 8) + body


def main():
    os.makedirs(OUT, exist_ok=True)
    # Every size of the freedesktop hicolor theme: the Linux bundles
    # install each PNG under /usr/share/icons/hicolor/NxN/apps.
    hicolor = (16, 22, 24, 32, 48, 64, 96, 128, 256, 512)
    sizes = {s: png(s) for s in hicolor}
    files = {f"{s}x{s}.png": sizes[s] for s in hicolor}
    files.update({
        "128x128@2x.png": sizes[256],
        "icon.png": sizes[512],
        "icon.ico": ico([(s, sizes[s]) for s in (16, 24, 32, 48, 64, 256)]),
        "icon.icns": icns(sorted(sizes.items())),
    })
    for name, data in files.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
        print(f"wrote {name} ({len(data)} bytes)", file=sys.stderr)


if __name__ == "__main__":
    main()

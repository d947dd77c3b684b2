#!/usr/bin/env python3
"""Judges two screenshots of the installed app, taken a second apart
(raw RGB24, WIDTHxHEIGHT): the window is drawn (not blank) and the
start screen's preview moves (the test pattern scrolls), while the rest
of the page stays still. Prints what it measured; exits 1 when either
fails. Standard library only.

    screen_check.py A.rgb B.rgb WIDTH HEIGHT"""

import sys
from collections import Counter


def main():
    a_path, b_path, w, h = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    a = open(a_path, "rb").read()
    b = open(b_path, "rb").read()
    if len(a) != w * h * 3 or len(b) != w * h * 3:
        print(f"grabs are {len(a)} and {len(b)} bytes, not {w}x{h} RGB")
        return 1
    # Blank: one colour (a black or white screen, an empty webview).
    # Sampled every 4th pixel, colours quantised to 5 bits a channel.
    colours = Counter()
    for i in range(0, len(a), 12):
        colours[(a[i] >> 3, a[i + 1] >> 3, a[i + 2] >> 3)] += 1
    total = sum(colours.values())
    top_share = colours.most_common(1)[0][1] / total
    # Moving: pixels that changed by more than noise between the grabs.
    changed = 0
    x0, y0, x1, y1 = w, h, -1, -1
    for y in range(0, h, 2):
        row = y * w * 3
        for x in range(0, w, 2):
            i = row + x * 3
            if abs(a[i] - b[i]) + abs(a[i + 1] - b[i + 1]) + abs(a[i + 2] - b[i + 2]) > 48:
                changed += 1
                x0, y0, x1, y1 = min(x0, x), min(y0, y), max(x1, x), max(y1, y)
    changed *= 4
    box = (x1 - x0 + 1) * (y1 - y0 + 1) if changed else 0
    report = (f"window drawn with {len(colours)} colours (largest {top_share:.0%} of the screen); "
              f"{changed} pixels moved")
    if changed:
        report += f" inside {x1 - x0 + 1}x{y1 - y0 + 1} at ({x0},{y0})"
    print(report)
    drawn = len(colours) >= 24 and top_share < 0.9
    # The preview is a small part of the start screen; a whole screen
    # changing would be a flicker or a reload, not a moving preview.
    moving = changed >= 2000 and box < 0.4 * w * h
    return 0 if drawn and moving else 1


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Plot criterion's latest results as one SVG (standard library only).

Reads target/criterion/<group>/<bench>[/<param>]/new/estimates.json (the mean of the last run of
each benchmark) and writes benches/results.svg: one panel per group, one bar per engine or
variant, each panel on its own linear scale, labelled with the mean time and, for compute, the
ratio to native.

    python3 benches/plot.py [--criterion target/criterion] [--out benches/results.svg]
"""
import argparse
import json
import pathlib
import sys

COLORS = {
    # Matched in order: "redb_table" (the plain-table floor) before "redb".
    "redb_table": "#bab0ac",
    "native": "#4c78a8",
    "runtime": "#f58518",
    "wasmtime": "#54a24b",
    "wasmi": "#e45756",
    "redb": "#b279a2",
    "memory": "#72b7b2",
}


def color(name):
    for key, value in COLORS.items():
        if key in name:
            return value
    return "#9d9da1"


def human(ns):
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= scale:
            return f"{ns / scale:.3g} {unit}"
    return f"{ns:.3g} ns"


def collect(root):
    groups = {}
    for est in sorted(root.glob("**/new/estimates.json")):
        parts = est.relative_to(root).parts[:-2]
        if len(parts) < 2:
            continue
        group, bench = parts[0], "/".join(parts[1:])
        mean = json.loads(est.read_text())["mean"]["point_estimate"]
        groups.setdefault(group, []).append((bench, mean))
    return groups


def svg(groups):
    width, bar_h, gap, left = 900, 18, 4, 260
    y = 40
    out = []
    for group, benches in groups.items():
        native = dict(benches).get("native")
        top = max(m for _, m in benches)
        out.append(f'<text x="10" y="{y}" font-weight="bold">{group}</text>')
        y += 8
        for bench, mean in benches:
            w = max(1.0, (width - left - 170) * mean / top)
            label = human(mean)
            if native and bench != "native":
                label += f"  ({mean / native:.2f}× native)"
            out.append(f'<text x="{left - 6}" y="{y + 13}" text-anchor="end">{bench}</text>')
            out.append(f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{color(bench)}"/>')
            out.append(f'<text x="{left + w + 6:.1f}" y="{y + 13}">{label}</text>')
            y += bar_h + gap
        y += 24
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{y}" '
        'font-family="sans-serif" font-size="12">'
        f'<rect width="{width}" height="{y}" fill="white"/>'
        '<text x="10" y="20" font-size="14" font-weight="bold">'
        "Mean time per iteration, last criterion run (shorter is faster)</text>"
    )
    return head + "".join(out) + "</svg>\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--criterion", default="target/criterion")
    parser.add_argument("--out", default="benches/results.svg")
    args = parser.parse_args()
    root = pathlib.Path(args.criterion)
    groups = collect(root)
    if not groups:
        sys.exit(f"no criterion results under {root}: run `cargo bench -p benches` first")
    pathlib.Path(args.out).write_text(svg(groups))
    print(f"wrote {args.out}: {sum(len(b) for b in groups.values())} benchmarks in {len(groups)} groups")


if __name__ == "__main__":
    main()

"""Learning curve of the trained coder on bench/data/labelled_da.yaml.

For labelled shares of 10/20/30/50 %, draw that share of the passages at
random (seeded, several repeats), train the trained coder on them, and measure
on the rest: top-1 (the top theme is one of the passage's themes) and Cohen's
kappa (primary theme vs top theme). Prints a table and writes
docs/learning-curve.svg (plain SVG; no plotting library needed).

    .venv/bin/python bench/learning_curve.py [--repeats 5] [--no-prior]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path
from xml.sax.saxutils import escape

import yaml

from journeylab.coding.agreement import cohen_kappa
from journeylab.coding.codebook import load_preset
from journeylab.coding.model import Codebook, Role, Segment, SegmentKind
from journeylab.coding.scores import segment_lemmas
from journeylab.coding.trained import train

HERE = Path(__file__).resolve().parent
DATA = HERE / "data" / "labelled_da.yaml"
SVG = HERE.parent / "docs" / "learning-curve.svg"
SHARES = (0.10, 0.20, 0.30, 0.50)


def load_passages() -> tuple[list[Segment], dict[str, list[str]]]:
    raw = yaml.safe_load(DATA.read_text(encoding="utf-8"))["passages"]
    segments, themes = [], {}
    for i, p in enumerate(raw):
        kind = SegmentKind.NOTE if p.get("kind") == "note" else SegmentKind.TURN
        segments.append(
            Segment(
                id=p["id"],
                source="bench",
                kind=kind,
                position=i,
                start=0,
                end=len(p["text"]),
                text=p["text"],
                role=Role(p.get("role", "ung")),
            )
        )
        themes[p["id"]] = list(p["themes"])
    lemmas = segment_lemmas(segments)
    segments = [
        Segment(**{**s.__dict__, "lemmas": lem}) for s, lem in zip(segments, lemmas, strict=True)
    ]
    return segments, themes


def evaluate(
    segments: list[Segment],
    themes: dict[str, list[str]],
    codebook: Codebook,
    share: float,
    seed: int,
    prior: bool,
) -> tuple[float, float | None, float, float]:
    rng = random.Random(seed)
    ids = [s.id for s in segments]
    rng.shuffle(ids)
    n_train = round(share * len(ids))
    train_ids = set(ids[:n_train])
    labels = {sid: set(themes[sid]) for sid in train_ids}
    started = time.perf_counter()
    coder = train(segments, labels, codebook, prior=prior)
    rest = [s for s in segments if s.id not in train_ids]
    scores = coder.score(rest)
    elapsed = time.perf_counter() - started
    top = [scores.themes[int(j)] for j in scores.matrix.argmax(axis=1)]
    hits = sum(1 for s, t in zip(rest, top, strict=True) if t in themes[s.id])
    kappa = cohen_kappa([themes[s.id][0] for s in rest], top)
    # The codebook coders alone on the same passages: what the labels add.
    base = coder.prior_fn(rest).matrix if coder.prior_fn else None
    base_hits = (
        sum(
            1
            for s, j in zip(rest, base.argmax(axis=1), strict=True)
            if coder.themes[j] in themes[s.id]
        )
        if base is not None
        else 0
    )
    return hits / len(rest), kappa, elapsed, base_hits / len(rest)


def svg(rows: list[tuple[float, float, float, float, float]], title: str) -> str:
    """A small line chart: share labelled (x) against top-1 and kappa (y), with spread bars."""
    w, h, left, right, top, bottom = 560, 340, 60, 150, 40, 50
    pw, ph = w - left - right, h - top - bottom

    def x(share: float) -> float:
        return left + pw * share / 0.6

    def y(value: float) -> float:
        return top + ph * (1.0 - value)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
        f'viewBox="0 0 {w} {h}" font-family="sans-serif" font-size="12">',
        f'<rect width="{w}" height="{h}" fill="white"/>',
        f'<text x="{left}" y="22" font-size="14">{escape(title)}</text>',
    ]
    for v in (0.0, 0.25, 0.5, 0.75, 1.0):
        parts.append(
            f'<line x1="{left}" x2="{left + pw}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#ddd"/>'
            f'<text x="{left - 8}" y="{y(v) + 4:.1f}" text-anchor="end">{v:.2f}</text>'
        )
    for share in SHARES:
        parts.append(
            f'<text x="{x(share):.1f}" y="{top + ph + 18}" text-anchor="middle">{share:.0%}</text>'
        )
    parts.append(
        f'<text x="{left + pw / 2}" y="{h - 10}" text-anchor="middle">'
        "andel kodet af en person (trænings­data)</text>"
    )
    # The aim: top-1 >= 0.75 once 30 % is labelled.
    parts.append(
        f'<line x1="{left}" x2="{left + pw}" y1="{y(0.75):.1f}" y2="{y(0.75):.1f}" '
        'stroke="#999" stroke-dasharray="4 4"/>'
    )
    series = (("top-1", 1, 2, "#0072B2"), ("kappa", 3, 4, "#D55E00"))
    for i, (name, mean_i, sd_i, colour) in enumerate(series):
        points = " ".join(f"{x(r[0]):.1f},{y(r[mean_i]):.1f}" for r in rows)
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"/>'
        )
        for r in rows:
            lo, hi = max(0.0, r[mean_i] - r[sd_i]), min(1.0, r[mean_i] + r[sd_i])
            parts.append(
                f'<line x1="{x(r[0]):.1f}" x2="{x(r[0]):.1f}" y1="{y(lo):.1f}" y2="{y(hi):.1f}" '
                f'stroke="{colour}"/>'
                f'<circle cx="{x(r[0]):.1f}" cy="{y(r[mean_i]):.1f}" r="3.5" fill="{colour}"/>'
            )
        ly = top + 20 + 22 * i
        parts.append(
            f'<line x1="{left + pw + 20}" x2="{left + pw + 44}" y1="{ly}" y2="{ly}" '
            f'stroke="{colour}" stroke-width="2"/>'
            f'<text x="{left + pw + 50}" y="{ly + 4}">{name}</text>'
        )
    ly = top + 64
    parts.append(
        f'<line x1="{left + pw + 20}" x2="{left + pw + 44}" y1="{ly}" y2="{ly}" '
        'stroke="#999" stroke-dasharray="4 4"/>'
        f'<text x="{left + pw + 50}" y="{ly + 4}">mål 0,75</text>'
    )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--no-prior", action="store_true", help="do not blend with the ensemble")
    parser.add_argument("--no-svg", action="store_true")
    args = parser.parse_args(argv)
    prior = not args.no_prior
    segments, themes = load_passages()
    codebook = load_preset("ungeindsats")
    print(f"{len(segments)} passages, {len(codebook.themes)} themes, prior={prior}")
    print(
        f"{'labelled':>9} {'n train':>8} {'top-1':>12} {'kappa':>12} {'seconds':>8} "
        f"{'ensemble top-1':>15}"
    )
    rows = []
    for share in SHARES:
        results = [
            evaluate(segments, themes, codebook, share, seed, prior) for seed in range(args.repeats)
        ]
        top1 = [r[0] for r in results]
        kappas = [r[1] if r[1] is not None else 0.0 for r in results]
        secs = statistics.mean(r[2] for r in results)
        sd1 = statistics.pstdev(top1)
        sdk = statistics.pstdev(kappas)
        rows.append((share, statistics.mean(top1), sd1, statistics.mean(kappas), sdk))
        print(
            f"{share:>9.0%} {round(share * len(segments)):>8} "
            f"{statistics.mean(top1):>6.3f} ±{sd1:.3f} {statistics.mean(kappas):>6.3f} ±{sdk:.3f} "
            f"{secs:>8.2f} {statistics.mean(r[3] for r in results):>15.3f}"
        )
    if not args.no_svg:
        title = "Den trænede koder: top-1 og kappa på de ukodede passager"
        SVG.parent.mkdir(parents=True, exist_ok=True)
        SVG.write_text(svg(rows, title), encoding="utf-8")
        print(f"wrote {SVG.relative_to(HERE.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Evaluate the automatic coders on the labelled Danish passages.

Run: .venv/bin/python bench/eval_coders.py [--out bench/RESULTS-coders.md]

For each coder and split (dev, test): top-1 (the top suggestion is one of the
passage's themes), top-2 (one of the two best is), Cohen's kappa between the
primary label and the top-1 prediction, and n. Then the time to score 1k
segments, measured on 10k synthetic segments cut from the passages (lemmas
filled beforehand, as the importer stores them). No labels are used to fit
anything; weights were chosen on the dev split only.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from sklearn.metrics import cohen_kappa_score

from journeylab.coding import nlp
from journeylab.coding.codebook import load_preset
from journeylab.coding.ensemble import CODERS, score
from journeylab.coding.model import Codebook, Role, Segment, SegmentKind
from journeylab.coding.scores import Scores
from journeylab.coding.similarity import score_similarity

HERE = Path(__file__).resolve().parent
DATA = HERE / "data" / "labelled_da.yaml"
RESULTS = HERE / "RESULTS-coders.md"
NONE = "(ingen)"


@dataclass(frozen=True)
class Passage:
    id: str
    segment: Segment
    themes: tuple[str, ...]
    split: str


@dataclass(frozen=True)
class Result:
    coder: str
    split: str
    top1: float
    top2: float
    kappa: float
    n: int


def load_passages(path: Path = DATA, lang: str = "da") -> list[Passage]:
    """The labelled passages as Segments with lemmas filled, like imported ones."""
    raw: list[dict[str, Any]] = yaml.safe_load(path.read_text(encoding="utf-8"))["passages"]
    docs = nlp.pipe((p["text"] for p in raw), lang)
    out = []
    for i, (p, doc) in enumerate(zip(raw, docs, strict=True)):
        role = Role(p["role"])
        kind = SegmentKind.NOTE if p.get("kind") == "note" else SegmentKind.TURN
        seg = Segment(
            id=f"labelled#{p['id']}",
            source="labelled",
            kind=kind,
            position=i,
            start=0,
            end=len(p["text"]),
            text=p["text"],
            role=role,
            lemmas=nlp.lemmas(doc),
        )
        out.append(Passage(p["id"], seg, tuple(p["themes"]), p["split"]))
    return out


def metrics(scores: Scores, passages: Sequence[Passage]) -> tuple[float, float, float]:
    """top-1, top-2 and Cohen's kappa (primary label vs top-1) of *scores*."""
    order = np.argsort(-scores.matrix, axis=1, kind="stable")
    # A theme scored 0 is no prediction: it must not win a tie by codebook order.
    top1 = [
        scores.themes[order[i, 0]] if scores.matrix[i, order[i, 0]] > 0 else NONE
        for i in range(len(passages))
    ]
    top2 = [
        {scores.themes[j] for j in order[i, :2] if scores.matrix[i, j] > 0}
        for i in range(len(passages))
    ]
    hit1 = np.mean([t in p.themes for t, p in zip(top1, passages, strict=True)])
    hit2 = np.mean([bool(t & set(p.themes)) for t, p in zip(top2, passages, strict=True)])
    kappa = cohen_kappa_score([p.themes[0] for p in passages], top1, labels=[*scores.themes, NONE])
    return float(hit1), float(hit2), float(kappa)


def evaluate(
    passages: Sequence[Passage],
    codebook: Codebook,
    scorer: Callable[[Sequence[Segment]], Scores],
    name: str,
) -> list[Result]:
    """Score all passages in one batch (as a study would), then measure per split."""
    scores = scorer([p.segment for p in passages])
    results = []
    for split in ("dev", "test"):
        idx = [i for i, p in enumerate(passages) if p.split == split]
        part = Scores(scores.themes, scores.matrix[idx], tuple(scores.explanations[i] for i in idx))
        t1, t2, k = metrics(part, [passages[i] for i in idx])
        results.append(Result(name, split, t1, t2, k, len(idx)))
    return results


def synthetic_segments(passages: Sequence[Passage], n: int, seed: int = 7) -> list[Segment]:
    """*n* segments of 6-40 words cut from the passages' words in random order."""
    rng = random.Random(seed)
    words = [w for p in passages for w in p.segment.text.split()]
    texts = []
    for _ in range(n):
        k = rng.randint(6, 40)
        texts.append(" ".join(rng.choice(words) for _ in range(k)))
    segs = []
    for i, doc in enumerate(nlp.pipe(texts)):
        segs.append(
            Segment(
                id=f"synthetic#{i}",
                source="synthetic",
                kind=SegmentKind.TURN,
                position=i,
                start=0,
                end=len(doc.text),
                text=doc.text,
                role=Role.MEDARBEJDER,
                lemmas=nlp.lemmas(doc),
            )
        )
    return segs


def timing(segments: Sequence[Segment], codebook: Codebook, coder: str) -> float:
    """Seconds per 1k segments to score *segments* with *coder*."""
    start = time.perf_counter()
    score(segments, codebook, coder)
    return (time.perf_counter() - start) / len(segments) * 1000


def table(results: Sequence[Result], times: dict[str, float]) -> str:
    lines = [
        "| coder | split | top-1 | top-2 | kappa | n | s / 1k segments |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        t = f"{times[r.coder]:.3f}" if r.coder in times else ""
        lines.append(
            f"| {r.coder} | {r.split} | {r.top1:.3f} | {r.top2:.3f} | {r.kappa:.3f} | {r.n} | {t} |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="ungeindsats")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--n-timing", type=int, default=10_000)
    args = parser.parse_args(argv)

    codebook = load_preset(args.preset)
    passages = load_passages()
    results: list[Result] = []
    for coder in CODERS:
        results += evaluate(passages, codebook, lambda s, c=coder: score(s, codebook, c), coder)
    # The similarity coder's alternative theme representation, for the record.
    results += evaluate(
        passages,
        codebook,
        lambda s: score_similarity(s, codebook, mode="max"),
        "similarity (max)",
    )
    synthetic = synthetic_segments(passages, args.n_timing)
    times = {coder: timing(synthetic, codebook, coder) for coder in CODERS}
    text = table(results, times)
    print(text)
    report = (
        "# Coder evaluation\n\n"
        f"Codebook: preset `{args.preset}`. Data: `bench/data/labelled_da.yaml` "
        f"({len(passages)} hand-labelled Danish passages, split dev/test). "
        "No coder is trained on labels; the ensemble weights and the coders' constants "
        "were chosen on the dev split only, and the preset's keywords were extended after "
        "reading the dev errors, so the dev figures are optimistic: the test split is the "
        "honest figure.\n\n"
        "top-1: the top theme is one of the passage's themes; top-2: one of the two best is; "
        "kappa: Cohen's kappa between the primary label and the top theme.\n"
        f"Timing: {args.n_timing} synthetic segments (6-40 words) with lemmas filled, "
        "one call per coder.\n\n"
        + text
        + "\n\nRegenerate: `.venv/bin/python bench/eval_coders.py`\n"
    )
    args.out.write_text(report, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

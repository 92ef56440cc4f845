"""Automatic coding: scores from a coder, and ranked suggestions with a confidence.

The ensemble adds the rules and similarity scores with fixed weights (chosen
on the dev split of bench/data/labelled_da.yaml, never on the test split) and
turns the result into a confidence that rises with the margin to the best
competing theme: a theme that clearly beats the others is surer than one of
three close candidates.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from journeylab.coding.model import Codebook, Role, Segment, Suggestion
from journeylab.coding.rules import score_rules
from journeylab.coding.scores import Explanations, Scores, explanation
from journeylab.coding.similarity import score_similarity
from journeylab.errors import StudyError

CODERS = ("rules", "similarity", "ensemble")
RULES_WEIGHT = 0.35
SIMILARITY_WEIGHT = 0.65
MARGIN_WEIGHT = 0.5  # how much the lead over the best other theme adds to the confidence

__all__ = ["CODERS", "Scores", "combine", "score", "suggest"]


def _check_coder(coder: str) -> None:
    if coder not in CODERS:
        raise StudyError(f"unknown coder '{coder}'", hint=f"choose one of: {', '.join(CODERS)}")


def _margin_confidence(combined: np.ndarray) -> np.ndarray:
    """Each score moved up by its lead over the best other theme (down when behind)."""
    if combined.shape[1] < 2:
        return combined
    order = np.sort(combined, axis=1)
    best, second = order[:, -1:], order[:, -2:-1]
    best_other = np.where(combined >= best, second, best)
    return np.clip(combined + MARGIN_WEIGHT * (combined - best_other), 0.0, 1.0)


def combine(rules: Scores, similarity: Scores) -> Scores:
    """The ensemble of a rules and a similarity scoring of the same segments."""
    combined = RULES_WEIGHT * rules.matrix + SIMILARITY_WEIGHT * similarity.matrix

    def cell(i: int, j: int) -> str:
        pair = (explanation(rules, i, j), explanation(similarity, i, j))
        return "; ".join(p for p in pair if p)

    n, k = combined.shape
    return Scores(rules.themes, _margin_confidence(combined), Explanations(n, k, cell))


def score(
    segments: Sequence[Segment],
    codebook: Codebook,
    coder: str = "ensemble",
    *,
    lang: str = "da",
    cache_dir: Path | None = None,
) -> Scores:
    """Every segment's score for every theme of *codebook*, by *coder* (one of CODERS).

    *cache_dir* (the study's .journeylab folder) keeps the segments' similarity
    features and rules index between runs, so a re-code after a codebook change
    skips counting and tokenising them.
    """
    _check_coder(coder)
    if coder == "rules":
        return score_rules(segments, codebook, lang=lang, cache_dir=cache_dir)
    if coder == "similarity":
        return score_similarity(segments, codebook, lang=lang, cache_dir=cache_dir)
    return combine(
        score_rules(segments, codebook, lang=lang, cache_dir=cache_dir),
        score_similarity(segments, codebook, lang=lang, cache_dir=cache_dir),
    )


def suggest(
    segments: Sequence[Segment],
    codebook: Codebook,
    coder: str = "ensemble",
    *,
    lang: str = "da",
    top: int = 3,
    min_score: float = 0.15,
    cache_dir: Path | None = None,
) -> list[Suggestion]:
    """Up to *top* themes per segment scoring at least *min_score*, best first.

    The interviewer's turns are not material and get no suggestions.
    """
    _check_coder(coder)
    material = [s for s in segments if s.role is not Role.INTERVIEWER]
    if not material or not codebook.themes or top <= 0:
        return []
    scores = score(material, codebook, coder, lang=lang, cache_dir=cache_dir)
    out: list[Suggestion] = []
    # Stable sort: ties keep codebook order.
    ranking = np.argsort(-scores.matrix, axis=1, kind="stable")[:, :top]
    values = np.take_along_axis(scores.matrix, ranking, axis=1)
    # Plain lists: indexing numpy arrays element by element is slow in this loop.
    for i, (seg, cols, vals) in enumerate(
        zip(material, ranking.tolist(), values.tolist(), strict=True)
    ):
        # Sorted descending: once one falls below min_score, the rest do too.
        for rank, (j, v) in enumerate(zip(cols, vals, strict=True), start=1):
            if v < min_score:
                break
            out.append(
                Suggestion(
                    segment_id=seg.id,
                    theme=scores.themes[j],
                    score=round(v, 4),
                    rank=rank,
                    coder=coder,
                    explanation=explanation(scores, i, j),
                )
            )
    return out

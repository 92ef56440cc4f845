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

from journeylab.coding.codable import Codable
from journeylab.coding.model import Codebook, Role, Suggestion
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
        a, b = explanation(rules, i, j), explanation(similarity, i, j)
        return f"{a}; {b}" if a and b else a or b  # the non-empty ones, joined by "; "

    n, k = combined.shape
    return Scores(rules.themes, _margin_confidence(combined), Explanations(n, k, cell))


def score(
    segments: Sequence[Codable],
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
    segments: Sequence[Codable],
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
    rows, ranks, cols, vals = ranked_cells(scores.matrix, top, min_score)
    ex = scores.explanations
    cell = ex.cell if isinstance(ex, Explanations) else (lambda i, j: ex[i][j])
    themes = scores.themes
    ids = [seg.id for seg in material]
    # Plain lists and positional arguments: this loop makes one object per suggestion.
    return [
        Suggestion(ids[i], themes[j], round(v, 4), rank + 1, coder, cell(i, j))
        for i, rank, j, v in zip(rows, ranks, cols, vals, strict=True)
    ]


def ranked_cells(
    matrix: np.ndarray, top: int, min_score: float
) -> tuple[list[int], list[int], list[int], list[float]]:
    """(row, rank - 1, column, score) of each row's best *top* cells down to *min_score*.

    Row by row, best first; ties keep column (codebook) order. A row stops at its
    first cell under *min_score* (sorted descending, the rest are under too).
    """
    ranking = np.argsort(-matrix, axis=1, kind="stable")[:, :top]
    values = np.take_along_axis(matrix, ranking, axis=1)
    kept = ~np.logical_or.accumulate(values < min_score, axis=1)
    rows, ranks = np.nonzero(kept)
    return (
        rows.tolist(),
        ranks.tolist(),
        ranking[rows, ranks].tolist(),
        values[rows, ranks].tolist(),
    )

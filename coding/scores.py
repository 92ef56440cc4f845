"""What every automatic coder returns, and the text preparation they share."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from journeylab.coding import nlp
from journeylab.coding.model import Segment


@dataclass(frozen=True, eq=False)
class Scores:
    """A coder's score for every segment and theme.

    `matrix[i, j]` in [0, 1] is the score of theme `themes[j]` for segment i;
    `explanations[i][j]` is a short human text saying why.
    """

    themes: tuple[str, ...]  # codebook order
    matrix: np.ndarray  # shape (n_segments, n_themes)
    explanations: tuple[tuple[str, ...], ...]


# Words, with "9." kept as one token (so "9. klasse" can match) and hyphen or
# apostrophe compounds kept whole ("uu-vejleder", "fgu'en"); parts come later.
_TOKEN = re.compile(r"\d+[.,]?\d*\.?|\w+(?:[-'’]\w+)*")
TOKEN_PATTERN = _TOKEN.pattern  # part of cache keys: a changed rule must miss them


def tokens(text: str) -> list[str]:
    """Lower-cased surface tokens of *text*."""
    return [t.rstrip(",") for t in _TOKEN.findall(text.lower())]


def segment_lemmas(segments: Sequence[Segment], lang: str = "da") -> list[tuple[str, ...]]:
    """Each segment's lemmas: its own when filled, else computed in one batched pass."""
    out: list[tuple[str, ...]] = [s.lemmas for s in segments]
    missing = [i for i, s in enumerate(segments) if not s.lemmas and s.text.strip()]
    if missing:
        found = nlp.text_lemmas([segments[i].text for i in missing], lang)
        for i, lems in zip(missing, found, strict=True):
            out[i] = lems
    return out


def text_lemmas(texts: Sequence[str], lang: str = "da") -> list[tuple[str, ...]]:
    """Lemmas of plain texts (codebook descriptions, examples, keywords)."""
    # nlp.text_lemmas gives get_nlp's lemmas without building (and loading) that pipeline.
    return nlp.text_lemmas(texts, lang)


def shorten(text: str, limit: int = 60) -> str:
    """*text* cut at a word boundary to at most *limit* characters, with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0]
    return cut.rstrip(",.;:–- ") + "…"

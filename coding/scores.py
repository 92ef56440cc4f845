"""What every automatic coder returns, and the text preparation they share."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import overload

import numpy as np

from journeylab.coding import nlp
from journeylab.coding.codable import Codable


class Explanations(Sequence[tuple[str, ...]]):
    """Rows of explanations, each text built only when asked for.

    A coder scores every theme of every segment, but only the few themes a
    segment keeps (at most three) are stored with their explanation: building
    all of them cost ~0.3 s per million words in the ensemble alone.
    """

    __slots__ = ("_cell", "_k", "_n")

    def __init__(self, n: int, k: int, cell: Callable[[int, int], str]) -> None:
        self._n, self._k, self._cell = n, k, cell

    def __len__(self) -> int:
        return self._n

    def __iter__(self) -> Iterator[tuple[str, ...]]:
        return (self._row(i) for i in range(self._n))

    def _row(self, i: int) -> tuple[str, ...]:
        return tuple(self._cell(i, j) for j in range(self._k))

    @overload
    def __getitem__(self, i: int) -> tuple[str, ...]: ...
    @overload
    def __getitem__(self, i: slice) -> tuple[tuple[str, ...], ...]: ...
    def __getitem__(self, i: int | slice) -> tuple[str, ...] | tuple[tuple[str, ...], ...]:
        if isinstance(i, slice):
            return tuple(self._row(x) for x in range(*i.indices(self._n)))
        if i < 0:
            i += self._n
        if not 0 <= i < self._n:
            raise IndexError("explanation row out of range")
        return self._row(i)

    def cell(self, i: int, j: int) -> str:
        """The explanation of theme *j* for segment *i*."""
        return self._cell(i, j)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence):
            return NotImplemented
        return len(self) == len(other) and all(
            a == tuple(b) for a, b in zip(self, other, strict=True)
        )

    __hash__ = None  # type: ignore[assignment]  # compares by content, like a tuple


@dataclass(frozen=True, eq=False)
class Scores:
    """A coder's score for every segment and theme.

    `matrix[i, j]` in [0, 1] is the score of theme `themes[j]` for segment i;
    `explanations[i][j]` is a short human text saying why (see `explanation`).
    """

    themes: tuple[str, ...]  # codebook order
    matrix: np.ndarray  # shape (n_segments, n_themes)
    explanations: Sequence[tuple[str, ...]]  # a tuple of rows, or lazy Explanations


def explanation(scores: Scores, i: int, j: int) -> str:
    """The explanation of theme *j* for segment *i*, building only that one text."""
    ex = scores.explanations
    return ex.cell(i, j) if isinstance(ex, Explanations) else ex[i][j]


# Words, with "9." kept as one token (so "9. klasse" can match) and hyphen or
# apostrophe compounds kept whole ("uu-vejleder", "fgu'en"); parts come later.
_TOKEN = re.compile(r"\d+[.,]?\d*\.?|\w+(?:[-'’]\w+)*")
TOKEN_PATTERN = _TOKEN.pattern  # part of cache keys: a changed rule must miss them


def tokens(text: str) -> list[str]:
    """Lower-cased surface tokens of *text*."""
    return [t.rstrip(",") for t in _TOKEN.findall(text.lower())]


def segment_lemmas(segments: Sequence[Codable], lang: str = "da") -> list[tuple[str, ...]]:
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

"""The rules coder's matches as flat arrays: one entry per (segment, theme, label).

rules._match_sequence (the definition) gives, per segment and theme, a dict of
matched label -> weight; its score is the sum of the dict's absolute weights and
its explanation the dict itself. The index path (rules._match_index) gives the
same entries as arrays, in the dicts' order within each cell, so the scores can
be summed with numpy (np.bincount adds in array order, as Python 3.11's sum()
does) and a dict built only for the few cells a segment keeps.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from journeylab.coding.rules_phrases import PhraseHit


def negated_at(
    pos: np.ndarray, seg: np.ndarray, ids: np.ndarray, at: np.ndarray, negator: np.ndarray
) -> np.ndarray:
    """rules._negated's rule for many positions at once: a negation among the two words before."""
    start = at[seg]
    neg = np.zeros(len(pos), dtype=bool)
    for back in (1, 2):
        ok = pos - back >= start
        neg[ok] |= negator[ids[pos[ok] - back]]
    return neg


class Cells(NamedTuple):
    """One kind of sequence's matches: an entry per (segment, theme, label), in the
    order rules._match_sequence's dicts hold them within each (segment, theme)."""

    seg: np.ndarray  # int64
    theme: np.ndarray  # int64
    label: np.ndarray  # int64, into labels
    value: np.ndarray  # float64, negative when negated
    labels: list[str]


def cells_from_dicts(out: dict[int, dict[int, dict[str, float]]]) -> Cells:
    """The definition's dicts (segment -> theme -> label -> weight) as entries."""
    rows = [
        (i, j, w, v) for i, f in out.items() for j, words in f.items() for w, v in words.items()
    ]
    seg, theme, labels, value = zip(*rows, strict=True) if rows else ((), (), (), ())
    return Cells(
        np.asarray(seg, dtype=np.int64),
        np.asarray(theme, dtype=np.int64),
        np.arange(len(rows), dtype=np.int64),
        np.asarray(value, dtype=np.float64),
        list(labels),
    )


def phrase_cells(
    hits: list[PhraseHit],
    ids: np.ndarray,
    at: np.ndarray,
    negator: np.ndarray,
    offset: int,
    negated_weight: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """(segment, theme, label, value) of every phrase hit, in rules._match_phrases's order
    within each segment, and the phrase labels (numbered from *offset*).

    That order is its loop's: first words in order of their first appearance in the
    segment (not of their first *match*: a first word may occur earlier without its
    phrase), then each word's phrases in order. Each (phrase, theme) is in a segment
    once and its label (with a space) is never a word's, so every hit is new to its
    theme's dict: rules._hit stores its weight, halved and negative when negated.
    """
    n = len(hits)
    seg = np.fromiter((h.segment for h in hits), dtype=np.int64, count=n)
    pos = np.fromiter((h.position for h in hits), dtype=np.int64, count=n)
    rank = np.fromiter((h.rank for h in hits), dtype=np.int64, count=n)
    theme = np.fromiter((h.theme for h in hits), dtype=np.int64, count=n)
    weight = np.fromiter((h.weight for h in hits), dtype=np.float64, count=n)
    names: dict[str, int] = {}
    label = np.fromiter(
        (names.setdefault(h.phrase, offset + len(names)) for h in hits), dtype=np.int64, count=n
    )
    neg = negated_at(pos, seg, ids, at, negator)
    # Each hit's first word (the token at its position), and where it first appears.
    fid = ids[pos].astype(np.int64)
    is_first = np.zeros(int(ids.max()) + 1 if len(ids) else 1, dtype=bool)
    is_first[fid] = True
    every = np.flatnonzero(is_first[ids])
    every_seg = np.searchsorted(at, every, side="right") - 1
    width = len(is_first)
    unique, first = np.unique(every_seg * width + ids[every], return_index=True)
    appears = every[first[np.searchsorted(unique, seg * width + fid)]]
    order = np.lexsort((rank, appears, seg))
    value = np.where(neg, -(weight * negated_weight), weight)
    return seg[order], theme[order], label[order], value[order], list(names)


def by_cell(cells: Cells, n: int, k: int) -> tuple[list[int], list[str], list[float]]:
    """Each cell's entries, in order: (start offsets by cell i * k + j, labels, values)."""
    cell = cells.seg * k + cells.theme
    order = np.argsort(cell, kind="stable")
    starts = np.zeros(n * k + 1, dtype=np.int64)
    np.cumsum(np.bincount(cell, minlength=n * k), out=starts[1:])
    labels = cells.labels
    return (
        starts.tolist(),
        [labels[t] for t in cells.label[order].tolist()],
        cells.value[order].tolist(),
    )

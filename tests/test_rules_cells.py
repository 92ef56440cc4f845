"""The rules coder's matches as arrays: the same cells, sums and order as the dicts."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from journeylab.coding.rules_cells import by_cell, cells_from_dicts, negated_at, phrase_cells
from journeylab.coding.rules_phrases import PhraseHit

N, K = 4, 3
LABELS = st.sampled_from(["skole", "tillid", "stole på", "uu", "9. klasse"])
WEIGHTS = st.sampled_from([1.0, -0.5, 1.5, -0.75, 1 / 3**0.5, 0.1, 0.2, 0.7])
DICTS = st.dictionaries(
    st.integers(0, N - 1),
    st.dictionaries(st.integers(0, K - 1), st.dictionaries(LABELS, WEIGHTS, min_size=1)),
)


@settings(max_examples=200, deadline=None)
@given(DICTS)
def test_cells_hold_each_dict_in_order_and_sum_like_sum(
    out: dict[int, dict[int, dict[str, float]]],
) -> None:
    cells = cells_from_dicts(out)
    starts, labels, values = by_cell(cells, N, K)
    sums = np.bincount(cells.seg * K + cells.theme, weights=np.abs(cells.value), minlength=N * K)
    for i in range(N):
        for j in range(K):
            words = out.get(i, {}).get(j, {})
            c = i * K + j
            lo, hi = starts[c], starts[c + 1]
            got = list(zip(labels[lo:hi], values[lo:hi], strict=True))
            assert got == list(words.items())
            # Bit for bit the definition's sum (Python 3.11 adds in order, as bincount does).
            assert sums[c] == sum(map(abs, words.values()))


def test_negation_counts_two_words_back_within_the_segment() -> None:
    ids = np.array([0, 1, 2, 0, 1, 1, 2])  # word 0 negates; segments [0, 3) and [3, 7)
    at = np.array([0, 3, 7])
    negator = np.array([True, False, False])
    pos = np.array([1, 2, 3, 4, 6])
    seg = np.array([0, 0, 1, 1, 1])
    # 1: "0" right before; 2: "0" two before; 3: segment start (the "0" before is in
    # another segment); 4: "0" right before; 6: "0" three back, too far.
    assert negated_at(pos, seg, ids, at, negator).tolist() == [True, True, False, True, False]


def _hit(segment: int, first: str, rank: int, phrase: str, position: int) -> PhraseHit:
    return PhraseHit(segment, first, rank, phrase, 0, 1.5, position)


def test_phrases_in_order_of_their_first_words_first_appearance_then_rank() -> None:
    # segment 0: "ud lige nu ud af" -> ud (0) comes before lige (1), though "ud af" is at 3;
    # segment 1: "ikke lige nu" -> negated.
    vocab = ["ud", "lige", "nu", "af", "ikke"]
    ids = np.array([0, 1, 2, 0, 3, 4, 1, 2])
    at = np.array([0, 5, 8])
    negator = np.array([w == "ikke" for w in vocab])
    hits = [
        _hit(0, "lige", 0, "lige nu", 1),
        _hit(1, "lige", 0, "lige nu", 6),
        _hit(0, "ud", 1, "ud af", 3),
        _hit(0, "ud", 0, "ud a", 3),
    ]
    seg, theme, label, value, names = phrase_cells(hits, ids, at, negator, 10, 0.5)
    assert names == ["lige nu", "ud af", "ud a"]
    assert seg.tolist() == [0, 0, 0, 1]
    assert [names[t - 10] for t in label.tolist()] == ["ud a", "ud af", "lige nu", "lige nu"]
    assert value.tolist() == [1.5, 1.5, 1.5, -0.75]
    assert theme.tolist() == [0, 0, 0, 0]

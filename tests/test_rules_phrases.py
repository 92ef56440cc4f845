"""Phrase keywords found over all segments' token ids: the text search, token by token."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from journeylab.coding.rules_phrases import Phrases, phrase_hits

PHRASES: Phrases = {
    "stole": (("stole på", 0, 1.5),),
    "9.": (("9. klasse", 1, 1.5),),
    "fra": (("fra den ene dag", 1, 1.5), ("fra start", 0, 0.75)),
    "en": (("en voksen", 2, 1.5), ("en voksen", 0, 1.0)),
}
WORDS = ["stole", "på", "påske", "9.", "klasse", "klassen", "fra", "den", "ene", "dag",
         "dage", "start", "en", "voksen", "voksne", "ikke", "x"]  # fmt: skip


def _flat(segments: list[list[str]]) -> tuple[list[str], np.ndarray, np.ndarray]:
    vocab: dict[str, int] = {}
    ids = [vocab.setdefault(w, len(vocab)) for seq in segments for w in seq]
    at = np.cumsum([0, *(len(seq) for seq in segments)])
    return list(vocab), np.asarray(ids, dtype=np.int32), at.astype(np.int64)


def _by_text(segments: list[list[str]]) -> set[tuple[int, str, int, int, int]]:
    """The definition: " " + phrase in the space-joined tokens, at its first match."""
    found = set()
    for s, seq in enumerate(segments):
        text = " " + " ".join(seq) + " "
        for first, items in PHRASES.items():
            for rank, (phrase, theme, _) in enumerate(items):
                at = text.find(" " + phrase)
                if at >= 0 and first in seq:
                    found.add((s, phrase, rank, theme, text.count(" ", 0, at + 1) - 1))
    return found


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.sampled_from(WORDS), max_size=12), min_size=1, max_size=6))
def test_hits_are_the_text_search(segments: list[list[str]]) -> None:
    vocab, ids, at = _flat(segments)
    hits = phrase_hits(vocab, ids, at, PHRASES)
    assert hits is not None
    got = {(h.segment, h.phrase, h.rank, h.theme, h.position - int(at[h.segment])) for h in hits}
    assert got == _by_text(segments)
    assert all(PHRASES[h.first][h.rank] == (h.phrase, h.theme, h.weight) for h in hits)


def test_words_with_spaces_or_one_word_phrases_fall_back() -> None:
    vocab, ids, at = _flat([["en", "voksen"]])
    assert phrase_hits([*vocab[:-1], "vok sen"], ids, at, PHRASES) is None
    assert phrase_hits(vocab, ids, at, {"en": (("en", 0, 1.5),)}) is None
    assert phrase_hits(vocab, ids, at, {"en": (("en  voksen", 0, 1.5),)}) is None

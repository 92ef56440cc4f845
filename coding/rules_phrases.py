"""The rules coder's phrase keywords, found in every segment at once.

`rules._match_phrases` (the definition) looks for " " + phrase in each segment's
space-joined tokens: a phrase matches where its words are whole tokens, except
the last, which may go on ("9. klasse" in "9. klassen"), and counts at its first
match. With no space or empty string in any token or phrase word, that is a
token-level condition, checked here over the flat token ids of all segments:
the first word's positions, the middle words by id, the last word as a range of
the sorted vocabulary (the words it is a prefix of). The order the hits are
counted in is the caller's business (rules_cells.phrase_cells).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

# phrase keyword -> its entries: (phrase, theme, weight), as rules._Keywords.phrases holds
Phrases = dict[str, tuple[tuple[str, int, float], ...]]


class PhraseHit(NamedTuple):
    """One phrase entry's first match in one segment."""

    segment: int
    first: str  # the phrase's first word (its key in Phrases)
    rank: int  # its place among Phrases[first]
    phrase: str
    theme: int
    weight: float
    position: int  # index into the flat token ids of the first match in the segment


def _prefix_range(sorted_vocab: Sequence[str], prefix: str) -> tuple[int, int] | None:
    """[lo, hi) of the words in *sorted_vocab* that start with *prefix* (code point order)."""
    if not prefix or ord(prefix[-1]) >= 0x10FFFF:
        return None
    lo = bisect_left(sorted_vocab, prefix)
    hi = bisect_left(sorted_vocab, prefix[:-1] + chr(ord(prefix[-1]) + 1))
    return lo, hi


def phrase_hits(
    vocab: Sequence[str], ids: np.ndarray, at: np.ndarray, phrases: Phrases
) -> list[PhraseHit] | None:
    """Every (segment, phrase entry) that matches, at its first match; None when the
    token-level reading does not hold (a token or phrase word with a space, an empty
    one, a one-word phrase form) and the caller must search text by text."""
    if any(not w or " " in w for w in vocab):
        return None
    split = {p: p.split(" ") for items in phrases.values() for p, _, _ in items}
    if any(len(parts) < 2 or not all(parts) for parts in split.values()):
        return None
    index = {w: n for n, w in enumerate(vocab)}
    order = sorted(range(len(vocab)), key=vocab.__getitem__)
    sorted_vocab = [vocab[n] for n in order]
    rank_of = np.empty(len(vocab), dtype=np.int64)
    rank_of[order] = np.arange(len(vocab))
    n_tokens = len(ids)
    # Every position of a phrase's first word, grouped by that word (ascending within).
    is_first = np.zeros(len(vocab), dtype=bool)
    is_first[[index[f] for f in phrases if f in index]] = True
    where = np.flatnonzero(is_first[ids])
    where = where[np.argsort(ids[where], kind="stable")]
    first_ids = ids[where]
    out: list[PhraseHit] = []
    found: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # phrase -> (segments, positions)
    for first, items in phrases.items():
        fid = index.get(first)
        if fid is None:
            continue
        lo, hi = np.searchsorted(first_ids, [fid, fid + 1])
        starts = where[lo:hi]
        if not len(starts):
            continue
        seg = np.searchsorted(at, starts, side="right") - 1
        ends = at[seg + 1]
        for rank, (phrase, theme, weight) in enumerate(items):
            if phrase not in found:
                found[phrase] = _first_matches(
                    split[phrase], starts, seg, ends, ids, index, rank_of, sorted_vocab, n_tokens
                )
            segs, pos = found[phrase]
            out.extend(
                PhraseHit(s, first, rank, phrase, theme, weight, p)
                for s, p in zip(segs.tolist(), pos.tolist(), strict=True)
            )
    return out


def _first_matches(
    parts: list[str],
    starts: np.ndarray,
    seg: np.ndarray,
    ends: np.ndarray,
    ids: np.ndarray,
    index: dict[str, int],
    rank_of: np.ndarray,
    sorted_vocab: Sequence[str],
    n_tokens: int,
) -> tuple[np.ndarray, np.ndarray]:
    """(segment, flat token index) of the first match of the phrase *parts* in each segment."""
    none = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))
    k = len(parts)
    ok = starts + k - 1 < ends  # the whole phrase within the segment
    for m, part in enumerate(parts[1:-1], start=1):
        pid = index.get(part)
        if pid is None:
            return none
        ok &= ids[np.minimum(starts + m, n_tokens - 1)] == pid
    span = _prefix_range(sorted_vocab, parts[-1])
    if span is None:
        return none
    last = rank_of[ids[np.minimum(starts + k - 1, n_tokens - 1)]]
    ok &= (last >= span[0]) & (last < span[1])
    hit_seg, hit_pos = seg[ok], starts[ok]
    # The first match per segment (positions ascend, so np.unique's first index is it).
    segs, first = np.unique(hit_seg, return_index=True)
    return segs.astype(np.int64), hit_pos[first].astype(np.int64)


def phrase_candidates(
    vocab: Sequence[str], ids: np.ndarray, at: np.ndarray, phrases: Phrases
) -> list[int]:
    """Segments that may hold a phrase keyword: its first word, then a fitting next word.

    Only a pre-filter (a necessary condition); rules._match_phrases decides. Used when
    phrase_hits does not apply (a token with a space in it, a one-word phrase form).
    """
    first = np.fromiter((w in phrases for w in vocab), dtype=bool, count=len(vocab))
    pos = np.flatnonzero(first[ids])
    seg = np.searchsorted(at, pos, side="right") - 1
    if any(not w or " " in w for w in vocab):
        # A word with a space in it could hold a phrase's start: check every such segment.
        return np.unique(seg).tolist()
    last = pos + 1 >= at[seg + 1]
    nxt = np.where(last, -1, ids[np.minimum(pos + 1, len(ids) - 1)])
    pairs = ids[pos].astype(np.int64) * (len(vocab) + 1) + (nxt + 1)
    unique, inverse = np.unique(pairs, return_inverse=True)
    ok = np.zeros(len(unique), dtype=bool)
    for u, pair in enumerate(unique.tolist()):
        word, after = divmod(pair, len(vocab) + 1)
        following = vocab[after - 1] if after else None
        for phrase, _, _ in phrases[vocab[word]]:
            parts = phrase.split(" ")
            if len(parts) == 1 or (
                following is not None
                and (following == parts[1] or (len(parts) == 2 and following.startswith(parts[1])))
            ):
                ok[u] = True
                break
    return np.unique(seg[ok[inverse]]).tolist()

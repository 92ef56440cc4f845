"""The rules coder: codebook keywords found in a segment's words and lemmas.

Matching (docs/FORMATS.md, "Codebook"):
- a keyword matches a word, or the word's lemma, that equals it;
- a keyword of four letters or more also matches a Danish compound that starts
  with it ("sagsbehandler" in "sagsbehandlerskift") or ends with it, allowing an
  inflected ending after it ("skole" in "folkeskolen", "produktionsskole");
- a shorter keyword matches whole words only, also as a part of a hyphenated
  word ("uu" in "uu-vejlederen", never in "uundgåelig");
- a keyword of several words matches the phrase in the surface words or the
  lemmas; its last word may go on ("9. klasse" in "9. klassen").

Negation: a keyword with "ikke", "aldrig", "ingen" (…) in the two words before
it still counts, at half weight. A negated mention is usually still about the
theme ("jeg stolede ikke på nogen" is about trust), just less surely.

Score per theme: the matched weight (one per distinct matched word, 1.5 for a
phrase, divided by the square root of the number of themes sharing the
keyword), divided by a length factor so a long turn needs more matches, then
saturated: 1 - exp(-weight). Explanation: the matched words.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from journeylab.coding.codable import Codable
from journeylab.coding.model import Codebook
from journeylab.coding.rules_index import SegmentIndex, segment_index
from journeylab.coding.rules_phrases import PhraseHit, phrase_candidates, phrase_hits
from journeylab.coding.scores import Explanations, Scores, text_lemmas, tokens

MIN_COMPOUND = 4  # keywords shorter than this match whole words only
NEGATIONS = frozenset({"ikke", "aldrig", "ingen", "intet", "ingenting", "hverken", "not", "never"})
NEGATED_WEIGHT = 0.5
PHRASE_WEIGHT = 1.5
SATURATION = 1.0  # weight 1 in a short segment -> 0.63
LENGTH_UNIT = 20  # tokens; longer segments are normalised by sqrt(n / LENGTH_UNIT)
# Danish inflected endings that may follow a keyword at the end of a compound.
_ENDINGS = ("erne", "ene", "ens", "ets", "en", "et", "er", "es", "ne", "e", "n", "r", "s", "t")
_PARTS = re.compile(r"[-'’]")


@dataclass(frozen=True)
class _Keywords:
    """A codebook's keywords, indexed for set lookups."""

    themes: tuple[str, ...]
    words: dict[str, tuple[tuple[int, float], ...]]  # keyword -> (theme, weight)
    long_words: frozenset[str]  # single-word keywords that may be part of a compound
    phrases: dict[str, tuple[tuple[str, int, float], ...]]  # first token -> (phrase, theme, w)


def _add(index: dict[str, list[tuple[int, float]]], key: str, theme: int) -> None:
    index.setdefault(key, [])
    if all(t != theme for t, _ in index[key]):
        index[key].append((theme, 1.0))


@lru_cache(maxsize=8)
def _compile(codebook: Codebook, lang: str) -> _Keywords:
    words: dict[str, list[tuple[int, float]]] = {}
    phrase_list: list[tuple[str, int]] = []
    for j, theme in enumerate(codebook.themes):
        for kw in theme.keywords:
            toks = tokens(kw)
            if len(toks) == 1:
                _add(words, toks[0], j)
            elif toks:
                phrase_list.append((" ".join(toks), j))
    # Phrases are also matched on lemmas: lemmatise each once.
    lemma_forms = text_lemmas([p for p, _ in phrase_list], lang) if phrase_list else []
    phrases: dict[str, list[tuple[str, int, float]]] = {}
    sharing: dict[str, set[int]] = {}
    for (phrase, j), lem in zip(phrase_list, lemma_forms, strict=True):
        for form in {phrase, " ".join(lem)}:
            if form:
                sharing.setdefault(form, set()).add(j)
                phrases.setdefault(form.split(" ")[0], []).append((form, j, PHRASE_WEIGHT))
    # A keyword in several themes says less about each of them.
    word_index = {k: tuple((t, 1.0 / math.sqrt(len(v))) for t, _ in v) for k, v in words.items()}
    phrase_index = {
        first: tuple(sorted({(p, j, w / math.sqrt(len(sharing[p]))) for p, j, w in items}))
        for first, items in phrases.items()
    }
    return _Keywords(
        themes=codebook.names,
        words=word_index,
        long_words=frozenset(k for k in word_index if len(k) >= MIN_COMPOUND),
        phrases=phrase_index,
    )


def _compound_hits(form: str, kws: _Keywords) -> set[str]:
    """Long keywords that *form* starts or ends with (with an inflected ending)."""
    hits: set[str] = set()
    long_words = kws.long_words
    n = len(form)
    for cut in range(MIN_COMPOUND, n):
        if form[:cut] in long_words:
            hits.add(form[:cut])
    for cut in range(2, n - MIN_COMPOUND + 1):
        rest = form[cut:]
        if rest in long_words:
            hits.add(rest)
            continue
        for ending in _ENDINGS:
            if rest.endswith(ending) and rest[: -len(ending)] in long_words:
                hits.add(rest[: -len(ending)])
                break
    return hits


def _word_matches(word: str, kws: _Keywords, cache: dict[str, frozenset[str]]) -> frozenset[str]:
    """The single-word keywords *word* matches (cached: vocabularies repeat)."""
    found = cache.get(word)
    if found is None:
        hits: set[str] = set()
        forms = [word, *(p for p in _PARTS.split(word) if p and p != word)]
        for form in forms:
            if form in kws.words:
                hits.add(form)
            if len(form) > MIN_COMPOUND:
                hits |= _compound_hits(form, kws)
        # The longest keyword wins: "erhvervsskolen" is about "erhvervsskole", not
        # also about the "skole" inside it.
        found = frozenset(h for h in hits if not any(h != o and h in o for o in hits))
        cache[word] = found
    return found


def _negated(toks: Sequence[str], i: int) -> bool:
    return any(t in NEGATIONS for t in toks[max(0, i - 2) : i])


def _hit(
    found: dict[int, dict[str, float]], theme: int, label: str, weight: float, negated: bool
) -> None:
    per = found.setdefault(theme, {})
    value = weight * NEGATED_WEIGHT if negated else weight
    if abs(per.get(label, 0.0)) < value:
        per[label] = -value if negated else value


def _match_phrases(seq: Sequence[str], kws: _Keywords, found: dict[int, dict[str, float]]) -> None:
    """Add the phrase keywords in *seq* to *found*."""
    text = " " + " ".join(seq) + " "
    for first in set(seq) & kws.phrases.keys():
        for phrase, theme, w in kws.phrases[first]:
            at = text.find(" " + phrase)
            if at >= 0:
                _hit(found, theme, phrase, w, _negated(seq, text[: at + 1].count(" ") - 1))


def _spaced_phrases(kws: _Keywords) -> dict[str, tuple[tuple[str, str, int, float], ...]]:
    """kws.phrases with each phrase also as " " + phrase, the form _match_phrases looks for."""
    return {
        first: tuple((" " + phrase, phrase, theme, w) for phrase, theme, w in items)
        for first, items in kws.phrases.items()
    }


def _match_phrases_fast(
    seq: list[str],
    spaced: dict[str, tuple[tuple[str, str, int, float], ...]],
    found: dict[int, dict[str, float]],
) -> None:
    """_match_phrases with its helpers inlined (the same lookups, hits and order)."""
    text = " " + " ".join(seq) + " "
    for first in set(seq) & spaced.keys():
        for needle, phrase, theme, w in spaced[first]:
            at = text.find(needle)
            if at < 0:
                continue
            i = text.count(" ", 0, at + 1) - 1
            negated = False
            for t in seq[max(0, i - 2) : i]:
                if t in NEGATIONS:
                    negated = True
                    break
            per = found.setdefault(theme, {})
            value = w * NEGATED_WEIGHT if negated else w
            if abs(per.get(phrase, 0.0)) < value:
                per[phrase] = -value if negated else value


def _match_sequence(
    seq: Sequence[str], kws: _Keywords, cache: dict[str, frozenset[str]]
) -> dict[int, dict[str, float]]:
    """Per theme: matched word (or phrase) -> weight (negative when negated).

    The definition, one sequence at a time; score_rules does the same over a
    SegmentIndex, visiting only the positions that match (tests compare the two).
    """
    found: dict[int, dict[str, float]] = {}
    for i, word in enumerate(seq):
        matched = _word_matches(word, kws, cache)
        if matched:
            negated = _negated(seq, i)
            for kw in matched:
                for theme, w in kws.words[kw]:
                    _hit(found, theme, word, w, negated)
    if kws.phrases:
        _match_phrases(seq, kws, found)
    return found


def _explain(words: dict[str, float]) -> str:
    ordered = sorted(words.items(), key=lambda kv: -abs(kv[1]))
    return ", ".join(w if v > 0 else f"ikke {w}" for w, v in ordered)


def _hits(
    ids: np.ndarray, at: np.ndarray, has: np.ndarray, negator: np.ndarray
) -> tuple[list[int], list[int], list[bool]]:
    """Segment, word id and negation of each distinct (segment, word) that matches a keyword.

    In the order of each pair's first position; negated only when every occurrence
    in the segment is. That is all _match_sequence's _hit calls can tell apart:
    a label enters its theme's dict at its first occurrence, and repeating it only
    ever raises its weight to the plain one (a negated hit is half that), so one
    _hit per pair gives the same dicts, in the same order, as one per position.
    """
    pos = np.flatnonzero(has[ids])
    seg = np.searchsorted(at, pos, side="right") - 1
    start = at[seg]
    # _negated's rule for all positions at once: a negation among the two words before.
    neg = np.zeros(len(pos), dtype=bool)
    for back in (1, 2):
        ok = pos - back >= start
        neg[ok] |= negator[ids[pos[ok] - back]]
    wid = ids[pos].astype(np.int64)
    pair = seg.astype(np.int64) * (int(wid.max()) + 1 if len(wid) else 1) + wid
    unique, first, inverse = np.unique(pair, return_index=True, return_inverse=True)
    plain = np.bincount(inverse.ravel(), weights=~neg, minlength=len(unique)) > 0
    order = np.argsort(first, kind="stable")
    return seg[first[order]].tolist(), wid[first[order]].tolist(), (~plain[order]).tolist()


def _best_weights(
    matched: frozenset[str], kws: _Keywords, negated: bool
) -> list[tuple[int, float]]:
    """(theme, value) that _hit calls for one new label leave, in the order they add themes."""
    per: dict[int, dict[str, float]] = {}
    for kw in matched:
        for theme, w in kws.words[kw]:
            _hit(per, theme, "", w, negated)
    return [(theme, labels[""]) for theme, labels in per.items()]


def _match_index(
    index: SegmentIndex, ids: np.ndarray, at: np.ndarray, kws: _Keywords
) -> dict[int, dict[int, dict[str, float]]]:
    """_match_sequence for every segment of one kind of sequence, by segment."""
    vocab = index.vocab
    cache: dict[str, frozenset[str]] = {}
    matched = [_word_matches(w, kws, cache) for w in vocab]
    has = np.fromiter((bool(m) for m in matched), dtype=bool, count=len(vocab))
    negator = np.fromiter((w in NEGATIONS for w in vocab), dtype=bool, count=len(vocab))
    out: dict[int, dict[int, dict[str, float]]] = {}
    # What _hit leaves for a word's first (and, after _hits, only) visit in a segment:
    # per theme the largest weight of its keywords, halved and negative when negated
    # (a label is new to its theme's dict here, and _hit keeps the larger weight).
    plain: dict[int, list[tuple[int, float]]] = {}
    negated_: dict[int, list[tuple[int, float]]] = {}
    for i, wid, negated in zip(*_hits(ids, at, has, negator), strict=True):
        table = negated_ if negated else plain
        best = table.get(wid)
        if best is None:
            best = table[wid] = _best_weights(matched[wid], kws, negated)
        found = out.setdefault(i, {})
        word = vocab[wid]
        for theme, value in best:
            found.setdefault(theme, {})[word] = value
    if kws.phrases:
        # Word hits first, then phrases: the same order as _match_sequence.
        hits = phrase_hits(vocab, ids, at, kws.phrases)
        if hits is not None:
            _add_phrase_hits(hits, index, ids, at, kws, negator, out)
            return out
        # Plain lists once: slicing numpy arrays and converting per segment cost more.
        id_list, at_list = ids.tolist(), at.tolist()
        spaced = _spaced_phrases(kws)
        for i in phrase_candidates(vocab, ids, at, kws.phrases):
            seq = [vocab[t] for t in id_list[at_list[i] : at_list[i + 1]]]
            _match_phrases_fast(seq, spaced, out.setdefault(i, {}))
    return out


def _add_phrase_hits(
    hits: list[PhraseHit],
    index: SegmentIndex,
    ids: np.ndarray,
    at: np.ndarray,
    kws: _Keywords,
    negator: np.ndarray,
    out: dict[int, dict[int, dict[str, float]]],
) -> None:
    """_hit each segment's phrase matches in _match_phrases's order.

    That order is its loop's: first words as `set(seq) & keys` iterates them, then
    each word's phrases in order. Only a segment whose matches start with two or
    more different words needs that set built.
    """
    if not hits:
        return
    # _negated's rule for every match at once: a negation among the two words before.
    pos = np.fromiter((h.position for h in hits), dtype=np.int64, count=len(hits))
    start = at[np.fromiter((h.segment for h in hits), dtype=np.int64, count=len(hits))]
    neg = np.zeros(len(hits), dtype=bool)
    for back in (1, 2):
        ok = pos - back >= start
        neg[ok] |= negator[ids[pos[ok] - back]]
    by_segment: dict[int, list[tuple[PhraseHit, bool]]] = {}
    for hit, negated in zip(hits, neg.tolist(), strict=True):
        by_segment.setdefault(hit.segment, []).append((hit, negated))
    vocab = index.vocab
    for i, found in by_segment.items():
        if len(found) > 1:
            if len({h.first for h, _ in found}) > 1:
                seq = [vocab[t] for t in ids[at[i] : at[i + 1]].tolist()]
                place = {w: n for n, w in enumerate(set(seq) & kws.phrases.keys())}
                found.sort(key=lambda hn: (place[hn[0].first], hn[0].rank))
            else:
                found.sort(key=lambda hn: hn[0].rank)
        per = out.setdefault(i, {})
        for h, negated in found:
            _hit(per, h.theme, h.phrase, h.weight, negated)


def score_rules(
    segments: Sequence[Codable],
    codebook: Codebook,
    *,
    lang: str = "da",
    cache_dir: Path | None = None,
) -> Scores:
    """Keyword scores for every segment and theme of *codebook*.

    With *cache_dir* (the study's .journeylab folder) the segments' tokens are kept
    there between runs, keyed by the segments' texts and lemmas.
    """
    kws = _compile(codebook, lang)
    index = segment_index(segments, lang, cache_dir)
    n_themes = len(kws.themes)
    matrix = np.zeros((len(segments), n_themes))
    # The matched words per segment and theme; explained only when asked for.
    matched: dict[int, dict[int, dict[str, float]]] = {}
    by_words = _match_index(index, index.words, index.word_at, kws)
    by_lemmas = _match_index(index, index.lemmas, index.lemma_at, kws)
    n_tokens = np.diff(index.word_at).tolist()
    at_rows: list[int] = []
    at_cols: list[int] = []
    at_vals: list[float] = []
    for i in sorted(by_words.keys() | by_lemmas.keys()):
        on_words, on_lemmas = by_words.get(i, {}), by_lemmas.get(i, {})
        if not on_words and not on_lemmas:
            continue
        length = max(1.0, math.sqrt(n_tokens[i] / LENGTH_UNIT))
        row: dict[int, dict[str, float]] = {}
        for theme in on_words.keys() | on_lemmas.keys():
            a, b = on_words.get(theme, {}), on_lemmas.get(theme, {})
            # A word and its lemma are one mention: take the better reading, not both.
            weight = max(sum(map(abs, a.values())), sum(map(abs, b.values())))
            at_rows.append(i)
            at_cols.append(theme)
            at_vals.append(weight / length)
            row[theme] = a or b
        matched[i] = row
    # One assignment: each (segment, theme) is set once, so the order does not matter.
    matrix[at_rows, at_cols] = at_vals
    matrix = 1.0 - np.exp(-SATURATION * matrix)

    explained: dict[tuple[tuple[str, float], ...], str] = {}  # many cells match alike

    def cell(i: int, j: int) -> str:
        words = matched.get(i, {}).get(j)
        if not words:
            return ""
        key = tuple(words.items())
        text = explained.get(key)
        if text is None:
            text = explained[key] = _explain(words)
        return text

    return Scores(kws.themes, matrix, Explanations(len(segments), n_themes, cell))

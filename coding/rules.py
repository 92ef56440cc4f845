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
from journeylab.coding.rules_cells import Cells, by_cell, cells_from_dicts, negated_at, phrase_cells
from journeylab.coding.rules_index import SegmentIndex, segment_index
from journeylab.coding.rules_phrases import phrase_candidates, phrase_hits
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
    # First words in order of first appearance, never a set's order: that follows the
    # per-process string hash seed, and equally weighted phrases would be explained
    # (and their weights summed) in an order that changes from run to run.
    for first in dict.fromkeys(w for w in seq if w in kws.phrases):
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
    for first in dict.fromkeys(w for w in seq if w in spaced):
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
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Segment, word id and negation of each distinct (segment, word) that matches a keyword.

    In the order of each pair's first position; negated only when every occurrence
    in the segment is. That is all _match_sequence's _hit calls can tell apart:
    a label enters its theme's dict at its first occurrence, and repeating it only
    ever raises its weight to the plain one (a negated hit is half that), so one
    _hit per pair gives the same dicts, in the same order, as one per position.
    """
    pos = np.flatnonzero(has[ids])
    seg = np.searchsorted(at, pos, side="right") - 1
    neg = negated_at(pos, seg, ids, at, negator)
    wid = ids[pos].astype(np.int64)
    pair = seg.astype(np.int64) * (int(wid.max()) + 1 if len(wid) else 1) + wid
    unique, first, inverse = np.unique(pair, return_index=True, return_inverse=True)
    plain = np.bincount(inverse.ravel(), weights=~neg, minlength=len(unique)) > 0
    order = np.argsort(first, kind="stable")
    return seg[first[order]].astype(np.int64), wid[first[order]], ~plain[order]


def _best_weights(
    matched: frozenset[str], kws: _Keywords, negated: bool
) -> list[tuple[int, float]]:
    """(theme, value) that _hit calls for one new label leave, in the order they add themes."""
    per: dict[int, dict[str, float]] = {}
    for kw in matched:
        for theme, w in kws.words[kw]:
            _hit(per, theme, "", w, negated)
    return [(theme, labels[""]) for theme, labels in per.items()]


def _word_cells(
    seg: np.ndarray, wid: np.ndarray, neg: np.ndarray, matched: list[frozenset[str]], kws: _Keywords
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(segment, theme, word id, value) of every word hit, each expanded to the themes
    _best_weights gives it (what _hit leaves for a label new to its theme's dict)."""
    code = wid * 2 + neg
    unique, inverse = np.unique(code, return_inverse=True)
    themes: list[int] = []
    values: list[float] = []
    counts: list[int] = []
    for c in unique.tolist():
        best = _best_weights(matched[c >> 1], kws, bool(c & 1))
        counts.append(len(best))
        themes.extend(t for t, _ in best)
        values.extend(v for _, v in best)
    count = np.asarray(counts, dtype=np.int64)
    first = np.cumsum(count) - count
    inverse = inverse.ravel()
    per = count[inverse]
    rows = np.repeat(np.arange(len(seg)), per)
    # Each hit's entries: its code's run in themes/values, in order.
    ends = np.cumsum(per)
    at = np.arange(int(ends[-1]) if len(ends) else 0) - np.repeat(ends - per, per)
    at += np.repeat(first[inverse], per)
    theme_arr = np.asarray(themes, dtype=np.int64)
    value_arr = np.asarray(values, dtype=np.float64)
    return seg[rows], theme_arr[at], wid[rows], value_arr[at]


def _match_index(index: SegmentIndex, ids: np.ndarray, at: np.ndarray, kws: _Keywords) -> Cells:
    """_match_sequence for every segment of one kind of sequence, as entries."""
    vocab = index.vocab
    cache: dict[str, frozenset[str]] = {}
    matched = [_word_matches(w, kws, cache) for w in vocab]
    has = np.fromiter((bool(m) for m in matched), dtype=bool, count=len(vocab))
    negator = np.fromiter((w in NEGATIONS for w in vocab), dtype=bool, count=len(vocab))
    seg, theme, label, value = _word_cells(*_hits(ids, at, has, negator), matched, kws)
    if not kws.phrases:
        return Cells(seg, theme, label, value, list(vocab))
    # Word hits first, then phrases: the same order as _match_sequence.
    hits = phrase_hits(vocab, ids, at, kws.phrases)
    if hits is not None:
        p_seg, p_theme, p_label, p_value, names = phrase_cells(
            hits, ids, at, negator, len(vocab), NEGATED_WEIGHT
        )
        return Cells(
            np.concatenate([seg, p_seg]),
            np.concatenate([theme, p_theme]),
            np.concatenate([label, p_label]),
            np.concatenate([value, p_value]),
            [*vocab, *names],
        )
    # The text-by-text search, into the definition's dicts (a label may then be both a
    # word and a phrase, so _hit decides).
    out: dict[int, dict[int, dict[str, float]]] = {}
    for i, j, wid, v in zip(
        seg.tolist(), theme.tolist(), label.tolist(), value.tolist(), strict=True
    ):
        out.setdefault(i, {}).setdefault(j, {})[vocab[wid]] = v
    # Plain lists once: slicing numpy arrays and converting per segment cost more.
    id_list, at_list = ids.tolist(), at.tolist()
    spaced = _spaced_phrases(kws)
    for i in phrase_candidates(vocab, ids, at, kws.phrases):
        seq = [vocab[t] for t in id_list[at_list[i] : at_list[i + 1]]]
        _match_phrases_fast(seq, spaced, out.setdefault(i, {}))
    return cells_from_dicts(out)


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
    n, k = len(segments), len(kws.themes)
    on_words = _match_index(index, index.words, index.word_at, kws)
    on_lemmas = _match_index(index, index.lemmas, index.lemma_at, kws)
    # Per cell the sum of its matched weights, as _match_sequence's dicts would give it:
    # np.bincount adds in array order, each cell's entries are in the dicts' order, and
    # Python 3.11's sum() adds the same way, so the sums are the same to the bit.
    # A word and its lemma are one mention: take the better reading, not both.
    weight = np.maximum(
        *(
            np.bincount(c.seg * k + c.theme, weights=np.abs(c.value), minlength=n * k)
            for c in (on_words, on_lemmas)
        )
    )
    length = np.maximum(1.0, np.sqrt(np.diff(index.word_at) / LENGTH_UNIT))
    matrix = 1.0 - np.exp(-SATURATION * (weight.reshape(n, k) / length[:, None]))

    # Explained only when asked for: the words' entries, else the lemmas'.
    w_at, w_labels, w_values = by_cell(on_words, n, k)
    l_at, l_labels, l_values = by_cell(on_lemmas, n, k)
    explained: dict[tuple[tuple[str, ...], tuple[float, ...]], str] = {}  # many cells alike

    def cell(i: int, j: int) -> str:
        c = i * k + j
        lo, hi, labels, values = w_at[c], w_at[c + 1], w_labels, w_values
        if lo == hi:
            lo, hi, labels, values = l_at[c], l_at[c + 1], l_labels, l_values
            if lo == hi:
                return ""
        key = (tuple(labels[lo:hi]), tuple(values[lo:hi]))
        text = explained.get(key)
        if text is None:
            text = explained[key] = _explain(dict(zip(*key, strict=True)))
        return text

    return Scores(kws.themes, matrix, Explanations(n, k, cell))

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

import numpy as np

from journeylab.coding.model import Codebook, Segment
from journeylab.coding.scores import Scores, segment_lemmas, text_lemmas, tokens

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


def _match_sequence(
    seq: Sequence[str], kws: _Keywords, cache: dict[str, frozenset[str]]
) -> dict[int, dict[str, float]]:
    """Per theme: matched word (or phrase) -> weight (negative when negated)."""
    found: dict[int, dict[str, float]] = {}

    def hit(theme: int, label: str, weight: float, negated: bool) -> None:
        per = found.setdefault(theme, {})
        value = weight * NEGATED_WEIGHT if negated else weight
        if abs(per.get(label, 0.0)) < value:
            per[label] = -value if negated else value

    for i, word in enumerate(seq):
        # The cache lookup inline: ~2M words at 1M words of text, most without a match.
        matched = cache.get(word)
        if matched is None:
            matched = _word_matches(word, kws, cache)
        if matched:
            negated = _negated(seq, i)
            for kw in matched:
                for theme, w in kws.words[kw]:
                    hit(theme, word, w, negated)
    if kws.phrases:
        text = " " + " ".join(seq) + " "
        for first in set(seq) & kws.phrases.keys():
            for phrase, theme, w in kws.phrases[first]:
                at = text.find(" " + phrase)
                if at >= 0:
                    hit(theme, phrase, w, _negated(seq, text[: at + 1].count(" ") - 1))
    return found


def _explain(words: dict[str, float]) -> str:
    ordered = sorted(words.items(), key=lambda kv: -abs(kv[1]))
    return ", ".join(w if v > 0 else f"ikke {w}" for w, v in ordered)


def score_rules(segments: Sequence[Segment], codebook: Codebook, *, lang: str = "da") -> Scores:
    """Keyword scores for every segment and theme of *codebook*."""
    kws = _compile(codebook, lang)
    all_lemmas = segment_lemmas(segments, lang)
    n_themes = len(kws.themes)
    matrix = np.zeros((len(segments), n_themes))
    explanations: list[tuple[str, ...]] = []
    cache: dict[str, frozenset[str]] = {}
    empty = ("",) * n_themes
    for i, (seg, lems) in enumerate(zip(segments, all_lemmas, strict=True)):
        toks = tokens(seg.text)
        on_words = _match_sequence(toks, kws, cache)
        on_lemmas = _match_sequence(lems, kws, cache)
        if not on_words and not on_lemmas:
            explanations.append(empty)
            continue
        length = max(1.0, math.sqrt(len(toks) / LENGTH_UNIT))
        row = list(empty)
        for theme in on_words.keys() | on_lemmas.keys():
            a, b = on_words.get(theme, {}), on_lemmas.get(theme, {})
            # A word and its lemma are one mention: take the better reading, not both.
            weight = max(sum(map(abs, a.values())), sum(map(abs, b.values())))
            matrix[i, theme] = weight / length
            row[theme] = _explain(a or b)
        explanations.append(tuple(row))
    matrix = 1.0 - np.exp(-SATURATION * matrix)
    return Scores(themes=kws.themes, matrix=matrix, explanations=tuple(explanations))

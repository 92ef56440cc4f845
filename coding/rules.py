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

import contextlib
import hashlib
import io
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from journeylab.coding.model import Codebook, Segment
from journeylab.coding.scores import (
    TOKEN_PATTERN,
    Explanations,
    Scores,
    segment_lemmas,
    text_lemmas,
    tokens,
)
from journeylab.fileio import write_bytes_atomic

MIN_COMPOUND = 4  # keywords shorter than this match whole words only
NEGATIONS = frozenset({"ikke", "aldrig", "ingen", "intet", "ingenting", "hverken", "not", "never"})
NEGATED_WEIGHT = 0.5
PHRASE_WEIGHT = 1.5
SATURATION = 1.0  # weight 1 in a short segment -> 0.63
LENGTH_UNIT = 20  # tokens; longer segments are normalised by sqrt(n / LENGTH_UNIT)
# Danish inflected endings that may follow a keyword at the end of a compound.
_ENDINGS = ("erne", "ene", "ens", "ets", "en", "et", "er", "es", "ne", "e", "n", "r", "s", "t")
_PARTS = re.compile(r"[-'’]")
INDEX_NAME = "rules-index.npz"
_INDEX_VERSION = "1"  # bump when tokens() or the index layout changes


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


@dataclass(frozen=True, eq=False)
class SegmentIndex:
    """The segments' side of rules coding, which no codebook changes.

    Every distinct word or lemma once in `vocab`; each segment's surface tokens
    and lemmas as ids into it (flat, cut by the offsets). A re-code after a
    codebook change looks the keywords up per distinct word, then visits only
    the positions that match.
    """

    key: str
    vocab: tuple[str, ...]
    words: np.ndarray  # int32 ids of every segment's surface tokens, in order
    word_at: np.ndarray  # int64 (n + 1,) offsets into `words`
    lemmas: np.ndarray
    lemma_at: np.ndarray

    @property
    def n(self) -> int:
        return len(self.word_at) - 1


def index_key(segments: Sequence[Segment], all_lemmas: Sequence[Sequence[str]], lang: str) -> str:
    """A hash of what the index depends on: the texts, their lemmas and the token rule."""
    h = hashlib.sha256(f"{_INDEX_VERSION}|{lang}|{TOKEN_PATTERN}|".encode())
    for seg, lems in zip(segments, all_lemmas, strict=True):
        h.update(seg.text.encode())
        h.update(b"\x1f")
        h.update("\x1f".join(lems).encode())
        h.update(b"\x1e")
    return h.hexdigest()


def build_index(
    segments: Sequence[Segment], all_lemmas: Sequence[Sequence[str]], key: str = ""
) -> SegmentIndex:
    """Tokenise every segment once and number its distinct words and lemmas."""
    ids: dict[str, int] = {}
    word_ids: list[int] = []
    lemma_ids: list[int] = []
    word_at = [0]
    lemma_at = [0]
    for seg, lems in zip(segments, all_lemmas, strict=True):
        word_ids.extend([ids.setdefault(t, len(ids)) for t in tokens(seg.text)])
        lemma_ids.extend([ids.setdefault(t, len(ids)) for t in lems])
        word_at.append(len(word_ids))
        lemma_at.append(len(lemma_ids))
    return SegmentIndex(
        key=key,
        vocab=tuple(ids),
        words=np.asarray(word_ids, dtype=np.int32),
        word_at=np.asarray(word_at, dtype=np.int64),
        lemmas=np.asarray(lemma_ids, dtype=np.int32),
        lemma_at=np.asarray(lemma_at, dtype=np.int64),
    )


def _save_index(path: Path, index: SegmentIndex) -> None:
    encoded = [w.encode() for w in index.vocab]
    buf = io.BytesIO()
    np.savez(
        buf,
        key=np.array(index.key),
        vocab=np.frombuffer(b"".join(encoded), dtype=np.uint8),
        vocab_len=np.asarray([len(e) for e in encoded], dtype=np.int32),
        words=index.words,
        word_at=index.word_at,
        lemmas=index.lemmas,
        lemma_at=index.lemma_at,
    )
    write_bytes_atomic(path, buf.getvalue())


def _load_index(path: Path, key: str) -> SegmentIndex | None:
    """The cached index when the file holds the one for *key*; None otherwise."""
    try:
        with np.load(path, allow_pickle=False) as z:
            if str(z["key"]) != key:
                return None
            blob = z["vocab"].tobytes()
            ends = np.cumsum(z["vocab_len"]).tolist()
            vocab = tuple(blob[a:b].decode() for a, b in zip([0, *ends[:-1]], ends, strict=True))
            index = SegmentIndex(key, vocab, z["words"], z["word_at"], z["lemmas"], z["lemma_at"])
    except (OSError, ValueError, KeyError, UnicodeDecodeError):
        return None  # missing, unreadable or from another version: build again
    size = len(vocab)
    for ids in (index.words, index.lemmas):
        if len(ids) and (int(ids.max()) >= size or int(ids.min()) < 0):
            return None
    return index


def segment_index(
    segments: Sequence[Segment], lang: str, cache_dir: Path | None = None
) -> SegmentIndex:
    """The segments' index, from *cache_dir* when it was built before for these segments."""
    all_lemmas = segment_lemmas(segments, lang)
    if cache_dir is None:
        return build_index(segments, all_lemmas)
    key = index_key(segments, all_lemmas, lang)
    path = cache_dir / INDEX_NAME
    found = _load_index(path, key)
    if found is not None:
        return found
    index = build_index(segments, all_lemmas, key)
    if cache_dir.is_dir():
        # A cache only: a read-only study still codes.
        with contextlib.suppress(OSError):
            _save_index(path, index)
    return index


def _hits(
    ids: np.ndarray, at: np.ndarray, has: np.ndarray, negator: np.ndarray
) -> tuple[list[int], list[int], list[bool]]:
    """Segment, word id and negation of every position whose word matches a keyword."""
    pos = np.flatnonzero(has[ids])
    seg = np.searchsorted(at, pos, side="right") - 1
    start = at[seg]
    # _negated's rule for all positions at once: a negation among the two words before.
    neg = np.zeros(len(pos), dtype=bool)
    for back in (1, 2):
        ok = pos - back >= start
        neg[ok] |= negator[ids[pos[ok] - back]]
    return seg.tolist(), ids[pos].tolist(), neg.tolist()


def _phrase_candidates(
    vocab: Sequence[str], ids: np.ndarray, at: np.ndarray, kws: _Keywords
) -> list[int]:
    """Segments that may hold a phrase keyword: its first word, then a fitting next word.

    Only a pre-filter (a necessary condition); _match_phrases decides.
    """
    first = np.fromiter((w in kws.phrases for w in vocab), dtype=bool, count=len(vocab))
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
        for phrase, _, _ in kws.phrases[vocab[word]]:
            parts = phrase.split(" ")
            if len(parts) == 1 or (
                following is not None
                and (following == parts[1] or (len(parts) == 2 and following.startswith(parts[1])))
            ):
                ok[u] = True
                break
    return np.unique(seg[ok[inverse]]).tolist()


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
    words = kws.words
    for i, wid, negated in zip(*_hits(ids, at, has, negator), strict=True):
        found = out.setdefault(i, {})
        word = vocab[wid]
        for kw in matched[wid]:
            for theme, w in words[kw]:
                _hit(found, theme, word, w, negated)
    if kws.phrases:
        for i in _phrase_candidates(vocab, ids, at, kws):
            seq = [vocab[t] for t in ids[at[i] : at[i + 1]].tolist()]
            # Word hits first, then phrases: the same order as _match_sequence.
            _match_phrases(seq, kws, out.setdefault(i, {}))
    return out


def score_rules(
    segments: Sequence[Segment],
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
            matrix[i, theme] = weight / length
            row[theme] = a or b
        matched[i] = row
    matrix = 1.0 - np.exp(-SATURATION * matrix)

    def cell(i: int, j: int) -> str:
        words = matched.get(i, {}).get(j)
        return _explain(words) if words else ""

    return Scores(kws.themes, matrix, Explanations(len(segments), n_themes, cell))

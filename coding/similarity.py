"""The similarity coder: how close a segment is to each theme's own texts.

Each theme is represented by several short texts: its description, each
include hint, each example and its keywords. Segments and theme texts become
TF-IDF vectors of lemma uni- and bigrams joined with character 3–5-grams (the
character n-grams catch Danish compounds and inflections the rough lookup
lemmas miss). The IDF is taken over the codebook texts plus the segments being
coded: unsupervised, no labels used. A theme's score is the best cosine over
its texts ("max"; the "centroid" of its texts is the alternative, compared in
bench/eval_coders.py), scaled to [0, 1]. Explanation: the nearest example sentence.

The n-grams are hashed (a fixed feature space, not a vocabulary fitted on the
texts): counting never holds a dictionary of every character n-gram, and the
segments' counts do not depend on the codebook, so they can be kept in a cache
file (see `SegmentFeatures`) and a re-code after a codebook change counts only
the codebook's texts. The TF-IDF arithmetic is scikit-learn's TfidfVectorizer's
(smooth idf, sublinear tf, min_df=2 for the characters, L2 per block).
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer
from spacy.lang.da.stop_words import STOP_WORDS as DA_STOP
from spacy.lang.en.stop_words import STOP_WORDS as EN_STOP

from journeylab.coding.codable import Codable, lemma_key
from journeylab.coding.model import Codebook
from journeylab.coding.scores import (
    Explanations,
    Scores,
    segment_lemmas,
    shorten,
    text_lemmas,
)
from journeylab.coding.similarity_cache import (
    SegmentFeatures,
    df_of,
    load_features,
    sparse_df,
    write_features,
)
from journeylab.coding.similarity_products import (
    N_FEATURES,
    _idf,
    _joined_sims,
    _side,
    _tfidf,
)

MODES = ("max", "centroid")
# Cosines between short texts are small; this one counts as a full match.
FULL_MATCH = 0.22
CHAR_MIN_DF = 2  # character n-grams in one text only say nothing about closeness
CHUNK = 4096  # segments per block of work: bounds the memory of counting and products
CACHE_NAME = "similarity-features.bin"  # blocks of raw arrays, JSON footer
_FEATURES_VERSION = "4"  # bump when the features below or their key change
_STOP = {"da": frozenset(DA_STOP), "en": frozenset(EN_STOP)}
_WORDS = HashingVectorizer(
    token_pattern=r"\S+",
    ngram_range=(1, 2),
    lowercase=False,
    alternate_sign=False,
    norm=None,
    n_features=N_FEATURES,
    dtype=np.float32,
)
_CHARS = HashingVectorizer(
    analyzer="char_wb",
    ngram_range=(3, 5),
    alternate_sign=False,
    norm=None,
    n_features=N_FEATURES,
    dtype=np.float32,
)


@dataclass(frozen=True)
class _ThemeTexts:
    texts: tuple[str, ...]
    lemmas: tuple[str, ...]  # lemma strings, stop words removed
    owner: tuple[int, ...]  # theme index of each text
    is_example: tuple[bool, ...]


def _content(lemmas: Sequence[str], lang: str) -> str:
    stop = _STOP.get(lang, frozenset())
    return " ".join(w for w in lemmas if w not in stop and any(c.isalnum() for c in w))


@lru_cache(maxsize=8)
def _theme_texts(codebook: Codebook, lang: str) -> _ThemeTexts:
    texts: list[str] = []
    owner: list[int] = []
    is_example: list[bool] = []
    for j, theme in enumerate(codebook.themes):
        items = [theme.name + ". " + theme.description, *theme.include]
        if theme.keywords:
            items.append(", ".join(theme.keywords))
        for text in items:
            texts.append(text)
            owner.append(j)
            is_example.append(False)
        for text in theme.examples:
            texts.append(text)
            owner.append(j)
            is_example.append(True)
    lems = tuple(_content(lem, lang) for lem in text_lemmas(texts, lang))
    return _ThemeTexts(tuple(texts), lems, tuple(owner), tuple(is_example))


def _compact(m: sp.csr_matrix) -> sp.csr_matrix:
    """Counts as uint16 (1 + log(tf) is applied later): half the memory of float32."""
    return sp.csr_matrix(
        (m.data.astype(np.uint16), m.indices.astype(np.int32, copy=False), m.indptr),
        shape=m.shape,
    )


def features_key(lemma_docs: Sequence[str], char_docs: Sequence[str]) -> str:
    """A hash of everything the segments' features depend on (their lemmas and texts)."""
    h = hashlib.sha256(f"{_FEATURES_VERSION}|{N_FEATURES}|".encode())
    for lem, text in zip(lemma_docs, char_docs, strict=True):
        h.update(lem.encode())
        h.update(b"\x1f")
        h.update(text.encode())
        h.update(b"\x1e")
    return h.hexdigest()


def _count_blocks(
    lemma_docs: Sequence[str], char_docs: Sequence[str]
) -> Iterator[tuple[sp.csr_matrix, sp.csr_matrix]]:
    for lo in range(0, len(lemma_docs), CHUNK):
        yield (
            _compact(_WORDS.transform(lemma_docs[lo : lo + CHUNK])),
            _compact(_CHARS.transform(char_docs[lo : lo + CHUNK])),
        )


def count_segments(
    lemma_docs: Sequence[str], char_docs: Sequence[str], key: str, path: Path | None = None
) -> SegmentFeatures:
    """Count the segments' n-grams (content lemmas; lower-cased texts).

    With *path* each block goes straight to that cache file (written atomically)
    and is read back from it when scoring, so the counts never sit in memory whole.
    """
    n = len(lemma_docs)
    if path is None:
        words_df = np.zeros(N_FEATURES, dtype=np.int32)
        chars_df = np.zeros(N_FEATURES, dtype=np.int32)
        blocks = []
        for w, c in _count_blocks(lemma_docs, char_docs):
            words_df += df_of(w)
            chars_df += df_of(c)
            blocks.append((w, c))
        dfs = sparse_df(words_df), sparse_df(chars_df)
        return SegmentFeatures(key, n, *dfs, _blocks=tuple(blocks))
    dfs = write_features(path, key, n, _count_blocks(lemma_docs, char_docs))
    # Read back to score: the counts are then never all in memory at once.
    return load_features(path, key) or SegmentFeatures(
        key, n, *dfs, _blocks=tuple(_count_blocks(lemma_docs, char_docs))
    )


def segments_key(segments: Sequence[Codable], lang: str) -> str:
    """The cache key of *segments*' features.

    Over the lemmas as given: the content filter is a function of them and lang,
    and the lemmas segment_lemmas fills in are a function of the text, so a warm
    run neither splits nor computes any.
    """
    return features_key([lang + "|" + lemma_key(s) for s in segments], [s.text for s in segments])


def segment_features(
    segments: Sequence[Codable], lang: str, cache_dir: Path | None = None
) -> SegmentFeatures:
    """The segments' counts, from *cache_dir* when they were counted before."""
    key = segments_key(segments, lang)
    path = cache_dir / CACHE_NAME if cache_dir is not None else None
    if path is not None:
        found = load_features(path, key)
        if found is not None:
            return found
    lemma_docs = [_content(lem, lang) for lem in segment_lemmas(segments, lang)]
    char_docs = [s.text.lower() for s in segments]
    if path is not None and path.parent.is_dir():
        # A cache only: a read-only study still codes (counted in memory then).
        with contextlib.suppress(OSError):
            return count_segments(lemma_docs, char_docs, key, path)
    return count_segments(lemma_docs, char_docs, key)


def score_similarity(
    segments: Sequence[Codable],
    codebook: Codebook,
    *,
    lang: str = "da",
    mode: str = "centroid",
    cache_dir: Path | None = None,
) -> Scores:
    """Similarity scores for every segment and theme of *codebook*.

    With *cache_dir* (the study's .journeylab folder) the segments' n-gram counts
    are kept there between runs, keyed by the segments' texts and lemmas.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}")
    tt = _theme_texts(codebook, lang)
    n, k = len(segments), len(codebook.themes)
    if n == 0:
        return Scores(codebook.names, np.zeros((0, k)), ())
    feats = segment_features(segments, lang, cache_dir)
    t_wc = _WORDS.transform(list(tt.lemmas))
    t_cc = _CHARS.transform([t.lower() for t in tt.texts])
    idf_w = _idf(feats.words_df, n, t_wc, 1)
    idf_c = _idf(feats.chars_df, n, t_cc, CHAR_MIN_DF)
    t_words, t_chars = _side(_tfidf(t_wc, idf_w)), _side(_tfidf(t_cc, idf_c))
    owner = np.asarray(tt.owner)
    examples = np.asarray(tt.is_example)
    # A centroid's cosine is the sum of its texts' cosines over the norm of their sum.
    member = sp.csr_matrix(
        (np.ones(len(owner)), (owner, np.arange(len(owner)))), shape=(k, len(owner))
    )
    gram = _joined_sims(t_words.matrix, t_chars.matrix, t_words, t_chars)
    centroid_norm = np.sqrt(
        np.maximum(np.einsum("jt,ts,js->j", member.toarray(), gram, member.toarray()), 0)
    )
    centroid_norm[centroid_norm == 0] = 1.0
    cos = np.zeros((n, k))
    nearest = np.full((n, k), -1, dtype=int)
    lo = 0
    for words, chars in feats.blocks():
        hi = lo + words.shape[0]
        sims = _joined_sims(_tfidf(words, idf_w), _tfidf(chars, idf_c), t_words, t_chars)
        for j in range(k):
            own = owner == j
            if mode == "max":
                cos[lo:hi, j] = sims[:, own].max(axis=1) if own.any() else 0.0
            else:
                cos[lo:hi, j] = sims[:, own].sum(axis=1) / centroid_norm[j]
            cols = np.flatnonzero(own & examples)
            if len(cols):
                nearest[lo:hi, j] = cols[sims[:, cols].argmax(axis=1)]
        lo = hi
    matrix = np.clip(cos / FULL_MATCH, 0.0, 1.0)
    # One label per theme text (not per segment and theme: 300k shorten() calls at 1M words).
    labels = [f"nær: {shorten(t)}" for t in tt.texts]
    nearest[matrix <= 0] = -1

    def cell(i: int, j: int) -> str:
        c = int(nearest[i, j])
        return labels[c] if c >= 0 else ""

    return Scores(codebook.names, matrix, Explanations(n, k, cell))

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
import io
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer
from spacy.lang.da.stop_words import STOP_WORDS as DA_STOP
from spacy.lang.en.stop_words import STOP_WORDS as EN_STOP

from journeylab.coding.model import Codebook, Segment
from journeylab.coding.scores import (
    Explanations,
    Scores,
    segment_lemmas,
    shorten,
    text_lemmas,
)
from journeylab.fileio import write_bytes_atomic

MODES = ("max", "centroid")
# Cosines between short texts are small; this one counts as a full match.
FULL_MATCH = 0.22
CHAR_WEIGHT = 0.3  # share of the character n-grams in the joined vector
CHAR_MIN_DF = 2  # character n-grams in one text only say nothing about closeness
N_FEATURES = 2**22  # hashed space per block: few collisions at a 1M-word study's n-grams
CHUNK = 4096  # segments per block of work: bounds the memory of counting and products
CACHE_NAME = "similarity-features.npz"
_FEATURES_VERSION = "2"  # bump when the features below change
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


@dataclass(frozen=True, eq=False)
class SegmentFeatures:
    """Raw hashed n-gram counts of segments: what depends only on the segments."""

    key: str  # hash of the texts, lemmas and feature settings
    words: sp.csr_matrix  # (n, N_FEATURES) counts of lemma uni- and bigrams
    chars: sp.csr_matrix  # (n, N_FEATURES) counts of character 3–5-grams
    words_df: np.ndarray  # (N_FEATURES,) segments holding each n-gram
    chars_df: np.ndarray

    @property
    def n(self) -> int:
        return int(self.words.shape[0])


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


def _count(vectorizer: HashingVectorizer, docs: Sequence[str]) -> sp.csr_matrix:
    """Hashed counts of *docs*, a chunk at a time (the n-gram lists stay small)."""
    parts = [vectorizer.transform(docs[i : i + CHUNK]) for i in range(0, len(docs), CHUNK)]
    nnz = sum(p.nnz for p in parts)
    # Copied into arrays allocated once, each part freed as it lands: sp.vstack would
    # hold the parts and the result at once (~2x the largest matrix of the run).
    data = np.empty(nnz, dtype=np.float32)
    indices = np.empty(nnz, dtype=np.int32)
    indptr = np.zeros(len(docs) + 1, dtype=np.int64)
    at, row = 0, 0
    while parts:
        part = parts.pop(0)
        size = part.nnz
        data[at : at + size] = part.data
        indices[at : at + size] = part.indices
        indptr[row + 1 : row + 1 + part.shape[0]] = at + part.indptr[1:]
        at, row = at + size, row + part.shape[0]
    return sp.csr_matrix((data, indices, indptr), shape=(len(docs), N_FEATURES))


def features_key(lemma_docs: Sequence[str], char_docs: Sequence[str]) -> str:
    """A hash of everything the segments' features depend on (their lemmas and texts)."""
    h = hashlib.sha256(f"{_FEATURES_VERSION}|{N_FEATURES}|".encode())
    for lem, text in zip(lemma_docs, char_docs, strict=True):
        h.update(lem.encode())
        h.update(b"\x1f")
        h.update(text.encode())
        h.update(b"\x1e")
    return h.hexdigest()


def count_segments(
    lemma_docs: Sequence[str], char_docs: Sequence[str], key: str
) -> SegmentFeatures:
    """Count the segments' n-grams (content lemmas; lower-cased texts)."""
    words, chars = _count(_WORDS, lemma_docs), _count(_CHARS, char_docs)
    return SegmentFeatures(key, words, chars, _df(words), _df(chars))


def _df(counts: sp.csr_matrix) -> np.ndarray:
    return np.bincount(counts.indices, minlength=N_FEATURES).astype(np.int32)


def _save(path: Path, feats: SegmentFeatures) -> None:
    buf = io.BytesIO()
    arrays: dict[str, np.ndarray] = {"key": np.array(feats.key)}
    for name, m in (("words", feats.words), ("chars", feats.chars)):
        arrays[f"{name}_data"] = m.data.astype(np.uint16)  # counts; 1 + log(tf) is applied later
        arrays[f"{name}_indices"] = m.indices.astype(np.int32)
        arrays[f"{name}_indptr"] = m.indptr.astype(np.int64)
        df = feats.words_df if name == "words" else feats.chars_df
        arrays[f"{name}_df_at"] = np.flatnonzero(df).astype(np.int32)
        arrays[f"{name}_df"] = df[df > 0]
    np.savez(buf, **arrays)  # type: ignore[arg-type]
    write_bytes_atomic(path, buf.getvalue())


def _load(path: Path, key: str) -> SegmentFeatures | None:
    """The cached features when the file holds those for *key*; None otherwise."""
    try:
        with np.load(path, allow_pickle=False) as z:
            if str(z["key"]) != key:
                return None
            mats = []
            dfs = []
            for name in ("words", "chars"):
                indptr = z[f"{name}_indptr"]
                data = z[f"{name}_data"].astype(np.float32)
                m = sp.csr_matrix(
                    (data, z[f"{name}_indices"], indptr), shape=(len(indptr) - 1, N_FEATURES)
                )
                mats.append(m)
                df = np.zeros(N_FEATURES, dtype=np.int32)
                df[z[f"{name}_df_at"]] = z[f"{name}_df"]
                dfs.append(df)
    except (OSError, ValueError, KeyError):
        return None  # missing, unreadable or from another version: count again
    return SegmentFeatures(key, mats[0], mats[1], dfs[0], dfs[1])


def segment_features(
    segments: Sequence[Segment], lang: str, cache_dir: Path | None = None
) -> SegmentFeatures:
    """The segments' counts, from *cache_dir* when they were counted before."""
    all_lemmas = segment_lemmas(segments, lang)
    # The key hashes the raw lemmas (the content filter is a function of them and lang).
    key = features_key(
        [lang + "|" + " ".join(lem) for lem in all_lemmas], [s.text for s in segments]
    )
    path = cache_dir / CACHE_NAME if cache_dir is not None else None
    if path is not None:
        found = _load(path, key)
        if found is not None:
            return found
    lemma_docs = [_content(lem, lang) for lem in all_lemmas]
    feats = count_segments(lemma_docs, [s.text.lower() for s in segments], key)
    if path is not None and path.parent.is_dir():
        # A cache only: a read-only study still codes.
        with contextlib.suppress(OSError):
            _save(path, feats)
    return feats


def _sublinear(m: sp.csr_matrix) -> sp.csr_matrix:
    out = m.copy()
    np.log(out.data, out=out.data)
    out.data += 1.0
    return out


def _idf(
    seg_df: np.ndarray, n_segments: int, theme_counts: sp.csr_matrix, min_df: int
) -> np.ndarray:
    """Smooth idf over segments plus theme texts; 0 for n-grams under *min_df* texts."""
    df = seg_df + _df(theme_counts)  # int32: 16 MB over the hashed space
    n = n_segments + theme_counts.shape[0]
    idf = (np.log((1.0 + n) / (1.0 + df)) + 1.0).astype(np.float32)
    idf[df < min_df] = 0.0
    return idf


def _tfidf(counts: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
    """Sublinear tf x idf, each row L2-normalised (empty rows stay zero)."""
    m = _sublinear(counts)
    m.data *= idf[m.indices]
    sq = np.asarray(m.multiply(m).sum(axis=1)).ravel()
    norms = np.sqrt(sq)
    norms[norms == 0] = 1.0
    scale = np.repeat(1.0 / norms, np.diff(m.indptr)).astype(np.float32)
    m.data *= scale
    m.eliminate_zeros()
    return m


def _dot(a: sp.csr_matrix, b: sp.csr_matrix) -> np.ndarray:
    """Dense a @ b.T over the n-grams *b* holds (a's others add nothing to a dot product).

    Both are first mapped onto b's few thousand columns, so no product or transpose
    ever spans the hashed space.
    """
    cols = np.unique(b.indices)
    if len(cols) == 0:
        return np.zeros((a.shape[0], b.shape[0]), dtype=np.float64)
    # A column -> position table: one gather instead of a binary search per entry.
    where = np.full(N_FEATURES, -1, dtype=np.int32)
    where[cols] = np.arange(len(cols), dtype=np.int32)
    pos = where[a.indices]
    keep = pos >= 0
    rows = np.repeat(np.arange(a.shape[0]), np.diff(a.indptr))
    indptr = np.zeros(a.shape[0] + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows[keep], minlength=a.shape[0]), out=indptr[1:])
    small_a = sp.csr_matrix((a.data[keep], pos[keep], indptr), shape=(a.shape[0], len(cols)))
    small_b = sp.csr_matrix((b.data, where[b.indices], b.indptr), shape=(b.shape[0], len(cols)))
    return np.asarray((small_a @ small_b.T).toarray(), dtype=np.float64)


def _joined_sims(
    words: sp.csr_matrix, chars: sp.csr_matrix, t_words: sp.csr_matrix, t_chars: sp.csr_matrix
) -> np.ndarray:
    """Cosines of the joined, L2-normalised vectors (rows: *words*; columns: theme texts)."""
    w, c = 1.0 - CHAR_WEIGHT, CHAR_WEIGHT
    dots = w * _dot(words, t_words) + c * _dot(chars, t_chars)
    # Each block is unit length or empty; the joined norm follows from which are empty.
    seg_norm = np.sqrt(w * (words.getnnz(axis=1) > 0) + c * (chars.getnnz(axis=1) > 0))
    theme_norm = np.sqrt(w * (t_words.getnnz(axis=1) > 0) + c * (t_chars.getnnz(axis=1) > 0))
    seg_norm[seg_norm == 0] = 1.0
    theme_norm[theme_norm == 0] = 1.0
    return np.asarray(dots / seg_norm[:, None] / theme_norm[None, :], dtype=np.float64)


def score_similarity(
    segments: Sequence[Segment],
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
    t_words, t_chars = _tfidf(t_wc, idf_w), _tfidf(t_cc, idf_c)
    owner = np.asarray(tt.owner)
    examples = np.asarray(tt.is_example)
    # A centroid's cosine is the sum of its texts' cosines over the norm of their sum.
    member = sp.csr_matrix(
        (np.ones(len(owner)), (owner, np.arange(len(owner)))), shape=(k, len(owner))
    )
    gram = _joined_sims(t_words, t_chars, t_words, t_chars)
    centroid_norm = np.sqrt(
        np.maximum(np.einsum("jt,ts,js->j", member.toarray(), gram, member.toarray()), 0)
    )
    centroid_norm[centroid_norm == 0] = 1.0
    cos = np.zeros((n, k))
    nearest = np.full((n, k), -1, dtype=int)
    for lo in range(0, n, CHUNK):
        hi = min(n, lo + CHUNK)
        sims = _joined_sims(
            _tfidf(feats.words[lo:hi], idf_w), _tfidf(feats.chars[lo:hi], idf_c), t_words, t_chars
        )
        for j in range(k):
            own = owner == j
            if mode == "max":
                cos[lo:hi, j] = sims[:, own].max(axis=1) if own.any() else 0.0
            else:
                cos[lo:hi, j] = sims[:, own].sum(axis=1) / centroid_norm[j]
            cols = np.flatnonzero(own & examples)
            if len(cols):
                nearest[lo:hi, j] = cols[sims[:, cols].argmax(axis=1)]
    matrix = np.clip(cos / FULL_MATCH, 0.0, 1.0)
    # One label per theme text (not per segment and theme: 300k shorten() calls at 1M words).
    labels = [f"nær: {shorten(t)}" for t in tt.texts]
    nearest[matrix <= 0] = -1

    def cell(i: int, j: int) -> str:
        c = int(nearest[i, j])
        return labels[c] if c >= 0 else ""

    return Scores(codebook.names, matrix, Explanations(n, k, cell))

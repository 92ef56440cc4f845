"""The similarity coder's arithmetic: TF-IDF weights and the segment x theme-text products.

Split from coding/similarity.py (which counts, caches and scores). The weighting
is scikit-learn's TfidfVectorizer's (smooth idf, sublinear tf, L2 per block); the
products are taken only over the n-grams the theme texts hold, so nothing spans
the hashed space.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

N_FEATURES = 2**22  # hashed space per block: few collisions at a 1M-word study's n-grams
CHAR_WEIGHT = 0.3  # share of the character n-grams in the joined vector


def _sublinear(m: sp.csr_matrix) -> sp.csr_matrix:
    out = sp.csr_matrix((m.data.astype(np.float32), m.indices, m.indptr), shape=m.shape)
    np.log(out.data, out=out.data)
    out.data += 1.0
    return out


def _idf_of(df: np.ndarray, n: int, min_df: int) -> np.ndarray:
    idf = (np.log((1.0 + n) / (1.0 + df)) + 1.0).astype(np.float32)
    idf[df < min_df] = 0.0
    return idf


def _idf(
    seg_df: np.ndarray, n_segments: int, theme_counts: sp.csr_matrix, min_df: int
) -> np.ndarray:
    """Smooth idf over segments plus theme texts; 0 for n-grams under *min_df* texts."""
    n = n_segments + theme_counts.shape[0]
    idf = np.empty(len(seg_df), dtype=np.float32)
    # In slices: the float64 arithmetic over the whole hashed space would be ~100 MB.
    step = 1 << 18
    for lo in range(0, len(seg_df), step):
        idf[lo : lo + step] = _idf_of(seg_df[lo : lo + step], n, min_df)
    # Then the few n-grams the theme texts hold (a CSR row holds each column once).
    cols, in_themes = np.unique(theme_counts.indices, return_counts=True)
    idf[cols] = _idf_of(seg_df[cols] + in_themes, n, min_df)
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
    # Kept entries before each row start: the new row offsets, without a row per entry.
    kept_before = np.zeros(len(keep) + 1, dtype=np.int64)
    np.cumsum(keep, out=kept_before[1:])
    indptr = kept_before[a.indptr]
    small_a = sp.csr_matrix((a.data[keep], pos[keep], indptr), shape=(a.shape[0], len(cols)))
    small_b = sp.csr_matrix((b.data, where[b.indices], b.indptr), shape=(b.shape[0], len(cols)))
    return np.asarray((small_a @ small_b.T).toarray(), dtype=np.float64)


# The theme side of a product is kept dense up to this many entries (32 MB of float32):
# a sparse block times a dense matrix is ~3x faster than two sparse matrices here.
DENSE_LIMIT = 1 << 23


@dataclass(frozen=True, eq=False)
class _Side:
    """The theme texts of one kind (words or characters), prepared once for every block."""

    matrix: sp.csr_matrix  # the texts' weighted vectors over the hashed space
    where: np.ndarray  # (N_FEATURES,) int32: column -> its place among `cols`, else -1
    n_cols: int  # the n-grams the texts hold
    small: sp.csr_matrix  # the texts over those n-grams only
    dense_t: np.ndarray | None  # small.T as a dense float32 array, or None when too big


def _side(b: sp.csr_matrix) -> _Side:
    cols = np.unique(b.indices)
    where = np.full(N_FEATURES, -1, dtype=np.int32)
    where[cols] = np.arange(len(cols), dtype=np.int32)
    small = sp.csr_matrix((b.data, where[b.indices], b.indptr), shape=(b.shape[0], len(cols)))
    dense_t = small.T.toarray() if len(cols) * b.shape[0] <= DENSE_LIMIT else None
    return _Side(b, where, len(cols), small, dense_t)


def _dot_side(a: sp.csr_matrix, side: _Side) -> np.ndarray:
    """`_dot(a, side.matrix)`, bit for bit, with the theme side prepared once.

    Same products, summed in the same order: for each row of *a*, its entries in
    order, each adding its product to every text's sum (scipy's sparse x sparse and
    sparse x dense kernels both accumulate so, in the result's dtype); a text
    without the n-gram adds an exact 0. tests/test_similarity.py compares the two.
    """
    if side.n_cols == 0:
        return np.zeros((a.shape[0], side.matrix.shape[0]), dtype=np.float64)
    pos = side.where[a.indices]
    keep = pos >= 0
    kept_before = np.zeros(len(keep) + 1, dtype=np.int64)
    np.cumsum(keep, out=kept_before[1:])
    small_a = sp.csr_matrix(
        (a.data[keep], pos[keep], kept_before[a.indptr]), shape=(a.shape[0], side.n_cols)
    )
    if side.dense_t is not None:
        return np.asarray(small_a @ side.dense_t, dtype=np.float64)
    return np.asarray((small_a @ side.small.T).toarray(), dtype=np.float64)


def _joined_sims(
    words: sp.csr_matrix,
    chars: sp.csr_matrix,
    t_words: sp.csr_matrix | _Side,
    t_chars: sp.csr_matrix | _Side,
) -> np.ndarray:
    """Cosines of the joined, L2-normalised vectors (rows: *words*; columns: theme texts)."""
    tw = t_words if isinstance(t_words, _Side) else _side(t_words)
    tc = t_chars if isinstance(t_chars, _Side) else _side(t_chars)
    w, c = 1.0 - CHAR_WEIGHT, CHAR_WEIGHT
    dots = w * _dot_side(words, tw) + c * _dot_side(chars, tc)
    # Each block is unit length or empty; the joined norm follows from which are empty.
    seg_norm = np.sqrt(w * (words.getnnz(axis=1) > 0) + c * (chars.getnnz(axis=1) > 0))
    theme_norm = np.sqrt(w * (tw.matrix.getnnz(axis=1) > 0) + c * (tc.matrix.getnnz(axis=1) > 0))
    seg_norm[seg_norm == 0] = 1.0
    theme_norm[theme_norm == 0] = 1.0
    return np.asarray(dots / seg_norm[:, None] / theme_norm[None, :], dtype=np.float64)

"""The similarity coder's arithmetic: idf weights and the segment x theme-text products."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from journeylab.coding import similarity_products as sim


def test_idf_is_the_smooth_idf_over_segments_and_theme_texts() -> None:
    rng = np.random.default_rng(4)
    seg_df = np.zeros(sim.N_FEATURES, dtype=np.int32)
    at = rng.choice(sim.N_FEATURES, 5000, replace=False)
    seg_df[at] = rng.integers(1, 40, size=5000)
    cols = np.concatenate([at[:50], rng.choice(sim.N_FEATURES, 50, replace=False)])
    themes = sp.csr_matrix(
        (np.ones(100, dtype=np.float32), (np.arange(100) % 7, cols)), shape=(7, sim.N_FEATURES)
    )
    themes.sum_duplicates()
    df = seg_df + np.bincount(themes.indices, minlength=sim.N_FEATURES)
    n = 60 + 7
    expected = (np.log((1.0 + n) / (1.0 + df)) + 1.0).astype(np.float32)
    expected[df < 2] = 0.0
    np.testing.assert_array_equal(sim._idf(seg_df, 60, themes, 2), expected)


def _random_csr(seed: int, rows: int, density: float, span: int) -> sp.csr_matrix:
    """Float32 rows over a few columns scattered across the hashed space."""
    rng = np.random.default_rng(seed)
    cols = rng.choice(sim.N_FEATURES, span, replace=False)
    dense = rng.random((rows, span), dtype=np.float32) * (rng.random((rows, span)) < density)
    small = sp.csr_matrix(dense)
    return sp.csr_matrix(
        (small.data, cols[small.indices].astype(np.int32), small.indptr),
        shape=(rows, sim.N_FEATURES),
    )


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    rows=st.integers(0, 30),
    texts=st.integers(1, 12),
    density=st.floats(0.0, 1.0),
    dense=st.booleans(),
)
def test_prepared_product_is_the_plain_product_bit_for_bit(
    seed: int, rows: int, texts: int, density: float, dense: bool
) -> None:
    """_dot_side (dense or sparse theme side) gives exactly _dot's floats."""
    # Segments and texts share some n-grams and each have their own.
    a = _random_csr(seed, rows, density, 40)
    b = _random_csr(seed ^ 0x5A5A, texts, density, 40) + _random_csr(seed, texts, density / 2, 40)
    b = sp.csr_matrix(b, dtype=np.float32)
    side = sim._side(b)
    if not dense:
        side = sim._Side(side.matrix, side.where, side.n_cols, side.small, None)
    got = sim._dot_side(a, side)
    want = sim._dot(a, b)
    assert got.dtype == want.dtype == np.float64 and got.shape == want.shape
    assert np.array_equal(got, want)
    assert np.array_equal(np.signbit(got), np.signbit(want))  # not even a -0.0 apart


def test_a_large_theme_side_stays_sparse(monkeypatch: pytest.MonkeyPatch) -> None:
    b = _random_csr(1, 5, 0.5, 30)
    assert sim._side(b).dense_t is not None
    monkeypatch.setattr(sim, "DENSE_LIMIT", 10)
    side = sim._side(b)
    assert side.dense_t is None
    a = _random_csr(1, 8, 0.5, 30)
    assert np.array_equal(sim._dot_side(a, side), sim._dot(a, b))


def test_theme_texts_without_ngrams_give_zero_products() -> None:
    a = _random_csr(2, 4, 0.5, 20)
    empty = sp.csr_matrix((3, sim.N_FEATURES), dtype=np.float32)
    got = sim._dot_side(a, sim._side(empty))
    assert got.shape == (4, 3) and not got.any()

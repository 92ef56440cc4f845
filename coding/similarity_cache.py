"""The similarity coder's segment-side cache: hashed n-gram counts in a file.

The segments' raw counts and document frequencies do not depend on the codebook,
so `coding/similarity.py` keeps them in `.journeylab/similarity-features.bin`:
blocks of CSR arrays (CHUNK segments each), the document frequencies, and a JSON
footer with the key (a hash of the segments' texts and lemmas) and the layout.
Scoring reads one block at a time; a file from another set of segments, another
version or a damaged one is never used (`load_features` gives None).
"""

from __future__ import annotations

import json
import os
import struct
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
import scipy.sparse as sp

from journeylab.coding.similarity_products import N_FEATURES
from journeylab.errors import StoreError
from journeylab.fileio import atomic_output

MAGIC = b"JLSF3\n"


@dataclass(frozen=True, eq=False)
class SegmentFeatures:
    """Raw hashed n-gram counts of segments: what depends only on the segments.

    The counts are kept in blocks of CHUNK segments, in memory or in the cache
    file (read one block at a time), so the whole matrix never has to be resident:
    at 1M words it is ~60 MB of counts plus ~60 MB of their float copies.
    """

    key: str  # hash of the texts, lemmas and feature settings
    n: int
    # Document frequencies as (n-grams, segments holding each) over the nonzero
    # n-grams only: the dense (N_FEATURES,) arrays are 16 MB each, built when asked.
    df_words: tuple[np.ndarray, np.ndarray]
    df_chars: tuple[np.ndarray, np.ndarray]
    _blocks: tuple[tuple[sp.csr_matrix, sp.csr_matrix], ...] = ()  # in memory, or:
    _path: Path | None = None  # the cache file holding them
    _layout: tuple[tuple[int, int, int, int], ...] = ()  # per block: rows, w nnz, c nnz, offset
    _stamp: tuple[int, ...] = ()  # the file's identity when read: a replaced file is not used

    def blocks(self) -> Iterator[tuple[sp.csr_matrix, sp.csr_matrix]]:
        """(word counts, char counts) of each block of CHUNK segments, in order."""
        if self._path is None:
            yield from self._blocks
            return
        try:
            with open(self._path, "rb") as f:
                if stamp_of(f) != self._stamp:
                    raise ValueError("replaced")
                for rows, w_nnz, c_nnz, offset in self._layout:
                    f.seek(offset)
                    yield read_csr(f, rows, w_nnz), read_csr(f, rows, c_nnz)
        except (OSError, ValueError) as exc:
            # Only when another run replaced or removed the cache while this one read it.
            raise StoreError(
                f"the similarity cache changed while it was read ({exc})",
                path=self._path,
                hint="run the command again (one coding run per study at a time)",
            ) from None

    @property
    def words_df(self) -> np.ndarray:
        """(N_FEATURES,) segments holding each word n-gram."""
        return dense_df(self.df_words)

    @property
    def chars_df(self) -> np.ndarray:
        """(N_FEATURES,) segments holding each character n-gram."""
        return dense_df(self.df_chars)

    @property
    def words(self) -> sp.csr_matrix:
        """All word counts as one matrix (for tests and small studies)."""
        return sp.vstack([w for w, _ in self.blocks()], format="csr")

    @property
    def chars(self) -> sp.csr_matrix:
        """All character counts as one matrix (for tests and small studies)."""
        return sp.vstack([c for _, c in self.blocks()], format="csr")


def sparse_df(df: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    at = np.flatnonzero(df).astype(np.int32)
    return at, df[at]


def dense_df(sparse: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    df = np.zeros(N_FEATURES, dtype=np.int32)
    df[sparse[0]] = sparse[1]
    return df


def stamp_of(f: BinaryIO) -> tuple[int, ...]:
    st = os.fstat(f.fileno())
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def write_csr(f: BinaryIO, m: sp.csr_matrix) -> None:
    f.write(np.asarray(m.indptr, dtype=np.int64).tobytes())
    f.write(np.asarray(m.indices, dtype=np.int32).tobytes())
    f.write(np.asarray(m.data, dtype=np.uint16).tobytes())


def read_csr(f: BinaryIO, rows: int, nnz: int) -> sp.csr_matrix:
    indptr = np.fromfile(f, dtype=np.int64, count=rows + 1)
    indices = np.fromfile(f, dtype=np.int32, count=nnz)
    data = np.fromfile(f, dtype=np.uint16, count=nnz)
    if len(indptr) != rows + 1 or len(data) != nnz:
        raise ValueError("truncated similarity cache")
    return sp.csr_matrix((data, indices, indptr), shape=(rows, N_FEATURES))


def df_of(counts: sp.csr_matrix) -> np.ndarray:
    return np.bincount(counts.indices, minlength=N_FEATURES).astype(np.int32)


def load_features(path: Path, key: str) -> SegmentFeatures | None:
    """The cached features when the file holds those for *key*; None otherwise.

    Only the footer and document frequencies are read here; the counts are read
    a block at a time while scoring.
    """
    try:
        with open(path, "rb") as f:
            if f.read(len(MAGIC)) != MAGIC:
                return None
            f.seek(-8, 2)
            size = struct.unpack("<Q", f.read(8))[0]
            f.seek(-8 - size, 2)
            footer = json.loads(f.read(size))
            if footer["key"] != key:
                return None
            dfs = []
            for name in ("words", "chars"):
                offset, count = footer["df"][name]
                f.seek(offset)
                at = np.fromfile(f, dtype=np.int32, count=count)
                values = np.fromfile(f, dtype=np.int32, count=count)
                if len(values) != count or (count and int(at.max()) >= N_FEATURES):
                    return None
                dfs.append((at, values))
            stamp = stamp_of(f)
            layout = tuple(
                (int(rows), int(w_nnz), int(c_nnz), int(offset))
                for rows, w_nnz, c_nnz, offset in footer["layout"]
            )
    except (OSError, ValueError, KeyError, TypeError, IndexError, struct.error):
        # json.JSONDecodeError and UnicodeDecodeError are ValueErrors.
        return None  # missing, unreadable or from another version: count again
    if sum(row[0] for row in layout) != footer["n"]:
        return None
    return SegmentFeatures(
        key, int(footer["n"]), dfs[0], dfs[1], _path=path, _layout=layout, _stamp=stamp
    )


def write_features(
    path: Path, key: str, n: int, blocks: Iterable[tuple[sp.csr_matrix, sp.csr_matrix]]
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Write *blocks* of (word, char) counts of *n* segments to *path* (atomically);
    their document frequencies, as `sparse_df` pairs."""
    words_df = np.zeros(N_FEATURES, dtype=np.int32)
    chars_df = np.zeros(N_FEATURES, dtype=np.int32)
    layout: list[tuple[int, int, int, int]] = []
    with atomic_output(path) as tmp, open(tmp, "wb") as f:
        f.write(MAGIC)
        for w, c in blocks:
            words_df += df_of(w)
            chars_df += df_of(c)
            layout.append((w.shape[0], w.nnz, c.nnz, f.tell()))
            write_csr(f, w)
            write_csr(f, c)
        arrays = {}
        dfs = sparse_df(words_df), sparse_df(chars_df)
        for name, (at, values) in zip(("words", "chars"), dfs, strict=True):
            arrays[name] = (f.tell(), len(at))
            f.write(at.tobytes())
            f.write(values.tobytes())
        footer = json.dumps({"key": key, "n": n, "layout": layout, "df": arrays}).encode()
        f.write(footer)
        f.write(struct.pack("<Q", len(footer)))
    return dfs

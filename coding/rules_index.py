"""The rules coder's segment side: every segment's words and lemmas as ids, cached.

Split from coding/rules.py (which compiles the codebook and matches). The index
depends only on the segments, so a re-code after a codebook change reads it from
`.journeylab/rules-index.npz` instead of tokenising every segment again; its key
hashes the texts and the lemmas as the store gives them.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from journeylab.coding.codable import Codable, lemma_key
from journeylab.coding.scores import TOKEN_PATTERN, segment_lemmas, tokens
from journeylab.fileio import write_bytes_atomic

INDEX_NAME = "rules-index.npz"
_INDEX_VERSION = "2"  # bump when tokens(), the key or the index layout changes


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


def index_key(segments: Sequence[Codable], lang: str) -> str:
    """A hash of what the index depends on: the texts, their lemmas and the token rule.

    Taken over the lemmas as given (`lemma_key`), before segment_lemmas fills in
    missing ones: those are a function of the text, so a warm run needs no spaCy.
    """
    h = hashlib.sha256(f"{_INDEX_VERSION}|{lang}|{TOKEN_PATTERN}|".encode())
    for seg in segments:
        h.update(seg.text.encode())
        h.update(b"\x1f")
        h.update(lemma_key(seg).encode())
        h.update(b"\x1e")
    return h.hexdigest()


def build_index(
    segments: Sequence[Codable], all_lemmas: Sequence[Sequence[str]], key: str = ""
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
    segments: Sequence[Codable], lang: str, cache_dir: Path | None = None
) -> SegmentIndex:
    """The segments' index, from *cache_dir* when it was built before for these segments."""
    if cache_dir is None:
        return build_index(segments, segment_lemmas(segments, lang))
    key = index_key(segments, lang)
    path = cache_dir / INDEX_NAME
    found = _load_index(path, key)
    if found is not None:
        return found
    index = build_index(segments, segment_lemmas(segments, lang), key)
    if cache_dir.is_dir():
        # A cache only: a read-only study still codes.
        with contextlib.suppress(OSError):
            _save_index(path, index)
    return index

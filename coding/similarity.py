"""The similarity coder: how close a segment is to each theme's own texts.

Each theme is represented by several short texts: its description, each
include hint, each example and its keywords. Segments and theme texts become
TF-IDF vectors of lemma uni- and bigrams joined with character 3–5-grams (the
character n-grams catch Danish compounds and inflections the rough lookup
lemmas miss). The vectorisers are fitted on the codebook texts plus the
segments being coded: unsupervised, no labels used. A theme's score is the
best cosine over its texts ("max"; the "centroid" of its texts is the
alternative, compared in bench/eval_coders.py), scaled to [0, 1].
Explanation: the nearest example sentence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize
from spacy.lang.da.stop_words import STOP_WORDS as DA_STOP
from spacy.lang.en.stop_words import STOP_WORDS as EN_STOP

from journeylab.coding.model import Codebook, Segment
from journeylab.coding.scores import Scores, segment_lemmas, shorten, text_lemmas

MODES = ("max", "centroid")
# Cosines between short texts are small; this one counts as a full match.
FULL_MATCH = 0.22
CHAR_WEIGHT = 0.3  # share of the character n-grams in the joined vector
_STOP = {"da": frozenset(DA_STOP), "en": frozenset(EN_STOP)}


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


def _vectors(seg_lemmas: list[str], seg_texts: list[str], tt: _ThemeTexts) -> sp.csr_matrix:
    """Joined, L2-normalised vectors: segments first, then the theme texts."""
    lemma_docs = seg_lemmas + list(tt.lemmas)
    char_docs = [t.lower() for t in seg_texts] + [t.lower() for t in tt.texts]
    words = TfidfVectorizer(
        token_pattern=r"\S+", ngram_range=(1, 2), sublinear_tf=True, lowercase=False
    ).fit_transform(lemma_docs)
    chars = TfidfVectorizer(
        analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, min_df=2
    ).fit_transform(char_docs)
    joined = sp.hstack(
        [words * np.sqrt(1 - CHAR_WEIGHT), chars * np.sqrt(CHAR_WEIGHT)], format="csr"
    )
    return normalize(joined)


def score_similarity(
    segments: Sequence[Segment], codebook: Codebook, *, lang: str = "da", mode: str = "centroid"
) -> Scores:
    """Similarity scores for every segment and theme of *codebook*."""
    tt = _theme_texts(codebook, lang)
    n, k = len(segments), len(codebook.themes)
    if n == 0:
        return Scores(codebook.names, np.zeros((0, k)), ())
    seg_lemmas = [_content(lem, lang) for lem in segment_lemmas(segments, lang)]
    vectors = _vectors(seg_lemmas, [s.text for s in segments], tt)
    seg_vecs, theme_vecs = vectors[:n], vectors[n:]
    owner = np.asarray(tt.owner)
    sims = np.asarray((seg_vecs @ theme_vecs.T).todense())  # (n, n_texts)
    if mode == "max":
        cos = np.zeros((n, k))
        for j in range(k):
            cos[:, j] = sims[:, owner == j].max(axis=1)
    elif mode == "centroid":
        member = sp.csr_matrix((np.ones(len(owner)), (owner, np.arange(len(owner)))))
        centroids = normalize(member @ theme_vecs)
        cos = np.asarray((seg_vecs @ centroids.T).todense())
    else:
        raise ValueError(f"mode must be one of {MODES}")
    matrix = np.clip(cos / FULL_MATCH, 0.0, 1.0)
    # Nearest example per theme, for the explanation.
    examples = np.asarray(tt.is_example)
    nearest = np.full((n, k), -1, dtype=int)
    for j in range(k):
        cols = np.flatnonzero((owner == j) & examples)
        if len(cols):
            nearest[:, j] = cols[sims[:, cols].argmax(axis=1)]
    explanations = tuple(
        tuple(
            f"nær: {shorten(tt.texts[c])}" if c >= 0 and matrix[i, j] > 0 else ""
            for j, c in enumerate(row)
        )
        for i, row in enumerate(nearest)
    )
    return Scores(themes=codebook.names, matrix=matrix, explanations=explanations)

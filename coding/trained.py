"""The trained coder: learns the study's own coding from the people's codings.

TF-IDF over lemmas (word 1-2-grams) plus character n-grams (char_wb 3-5, which
catches Danish compounds), one logistic regression per theme (one-vs-rest, so
a segment can carry several themes). Trained on ACCEPTED and MANUAL codings;
REJECTED codings are extra negatives for their theme. While a theme has few
labels its scores are blended with the codebook coders' (the ensemble), with a
weight on the model that grows with the number of labels.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from journeylab.coding.model import (
    Codebook,
    Coding,
    CodingStatus,
    Role,
    Segment,
    SegmentKind,
    Suggestion,
)
from journeylab.coding.scores import Scores, segment_lemmas

CODER = "trained"
# Positive labels at which a theme's score is the model's alone; below, blended.
FULL_WEIGHT_LABELS = 12
# Regularisation: as good as C=10 on the labelled bench, and liblinear converges faster.
C = 1.0
# The codebook coders' scores as features, scaled so regularisation leaves them weight.
PRIOR_SCALE = 3.0

PriorFn = Callable[[Sequence[Segment]], Scores]


def _lemma_ngrams(lemmas: tuple[str, ...]) -> list[str]:
    words = [w for w in lemmas if any(ch.isalnum() for ch in w)]
    return words + [f"{a} {b}" for a, b in pairwise(words)]


def _identity(doc: tuple[str, ...]) -> tuple[str, ...]:
    return doc


def model_weight(n_labels: int) -> float:
    """How much a theme's score trusts the model over the codebook coders (0..1)."""
    return min(1.0, n_labels / FULL_WEIGHT_LABELS)


@dataclass(frozen=True, eq=False)
class TrainedCoder:
    """A fitted coder. `score(segments)` works on any segments of the same language."""

    themes: tuple[str, ...]
    codebook: Codebook
    lang: str
    word_vectorizer: TfidfVectorizer
    char_vectorizer: TfidfVectorizer
    models: tuple[LogisticRegression | None, ...]  # None: no positive or no negative label
    n_labels: tuple[int, ...]  # positive labels per theme, from people (not the codebook)
    n_segments: int  # segments people labelled
    prior_fn: PriorFn | None

    @property
    def weights(self) -> tuple[float, ...]:
        """The model's weight per theme; 1 - weight goes to the codebook coders."""
        if self.prior_fn is None:
            return tuple(1.0 if m is not None else 0.0 for m in self.models)
        return tuple(
            model_weight(n) if m is not None else 0.0
            for n, m in zip(self.n_labels, self.models, strict=True)
        )

    def _prior(self, segments: Sequence[Segment]) -> np.ndarray | None:
        if self.prior_fn is None:
            return None
        return _aligned(self.prior_fn(segments), self.themes)[0]

    def features(
        self, segments: Sequence[Segment], prior: np.ndarray | None = None
    ) -> sparse.csr_matrix:
        """TF-IDF features, plus the codebook coders' scores when the coder blends with them."""
        return _features(segments, self.lang, self.word_vectorizer, self.char_vectorizer, prior)

    def score(self, segments: Sequence[Segment]) -> Scores:
        """Scores in [0, 1] for every segment and theme (codebook order)."""
        n, k = len(segments), len(self.themes)
        model = np.zeros((n, k))
        explanations = [
            [f"lært af {self.n_labels[j]} kodninger" if self.models[j] else "" for j in range(k)]
            for _ in range(n)
        ]
        if not n:
            return Scores(self.themes, model, ())
        base: np.ndarray | None = None
        if self.prior_fn is not None:
            prior_scores = self.prior_fn(segments)
            base, prior_explanations = _aligned(prior_scores, self.themes)
        if any(m is not None for m in self.models):
            x = self.features(segments, base)
            for j, m in enumerate(self.models):
                if m is not None:
                    model[:, j] = m.predict_proba(x)[:, 1]
        if base is None:
            matrix = model
        else:
            weights = np.array(self.weights)
            matrix = weights * model + (1.0 - weights) * base
            for i in range(n):
                for j in range(k):
                    extra = prior_explanations[i][j]
                    if extra and weights[j] < 1.0:
                        mine = explanations[i][j]
                        explanations[i][j] = f"{mine}; {extra}" if mine else extra
        return Scores(
            themes=self.themes,
            matrix=np.clip(matrix, 0.0, 1.0),
            explanations=tuple(tuple(row) for row in explanations),
        )


def _aligned(scores: Scores, themes: tuple[str, ...]) -> tuple[np.ndarray, list[list[str]]]:
    """*scores* with columns in *themes* order (a theme it lacks scores 0)."""
    n = scores.matrix.shape[0]
    matrix = np.zeros((n, len(themes)))
    explanations = [["" for _ in themes] for _ in range(n)]
    for j, theme in enumerate(themes):
        if theme in scores.themes:
            p = scores.themes.index(theme)
            matrix[:, j] = scores.matrix[:, p]
            for i in range(n):
                explanations[i][j] = scores.explanations[i][p] if scores.explanations else ""
    return matrix, explanations


def _features(
    segments: Sequence[Segment],
    lang: str,
    word_vec: TfidfVectorizer,
    char_vec: TfidfVectorizer,
    prior: np.ndarray | None,
) -> sparse.csr_matrix:
    lemmas = [_lemma_ngrams(lem) for lem in segment_lemmas(segments, lang)]
    parts = [
        word_vec.transform(lemmas),
        char_vec.transform([s.text.lower() for s in segments]),
    ]
    if prior is not None:
        # Stacking: the model learns how far to trust (and how to correct) the codebook coders.
        parts.append(sparse.csr_matrix(prior * PRIOR_SCALE))
    return sparse.hstack(parts, format="csr")


def ensemble_prior(codebook: Codebook, lang: str = "da") -> PriorFn:
    """The codebook coders' scores: a feature of the model and its fallback while labels are few."""

    def prior(segments: Sequence[Segment]) -> Scores:
        from journeylab.coding.ensemble import score

        return score(segments, codebook, "ensemble", lang=lang)

    return prior


def codebook_segments(codebook: Codebook) -> tuple[list[Segment], list[str]]:
    """The codebook's examples, descriptions and include hints as labelled pseudo-segments."""
    segments: list[Segment] = []
    themes: list[str] = []
    for theme in codebook.themes:
        for text in (*theme.examples, theme.description, *theme.include):
            if not text.strip():
                continue
            segments.append(
                Segment(
                    id=f"codebook:{len(segments)}",
                    source="codebook",
                    kind=SegmentKind.TURN,
                    position=len(segments),
                    start=0,
                    end=len(text),
                    text=text,
                    role=Role.UNG,
                )
            )
            themes.append(theme.name)
    return segments, themes


def train(
    segments: Sequence[Segment],
    labels: Mapping[str, set[str]],
    codebook: Codebook,
    *,
    negatives: Mapping[str, set[str]] | None = None,
    lang: str = "da",
    prior: PriorFn | bool | None = True,
    use_codebook: bool = True,
) -> TrainedCoder:
    """Fit a coder on *labels* (segment id -> its themes; an empty set: coded, no theme).

    A labelled segment is a negative for every theme it does not carry; *negatives*
    (segment id -> rejected themes) adds negatives for segments coded only by
    rejection. *segments* may include unlabelled ones: they help the TF-IDF vocabulary.
    *prior*: True stacks and blends with the ensemble, False/None never does, or a
    function giving the prior Scores. *use_codebook*: the codebook's examples,
    descriptions and include hints are extra training examples.
    """
    themes = codebook.names
    negatives = negatives or {}
    if prior is True:
        prior_fn: PriorFn | None = ensemble_prior(codebook, lang)
    elif prior is False or prior is None:
        prior_fn = None
    else:
        prior_fn = prior
    index = {s.id: i for i, s in enumerate(segments)}
    labelled = [sid for sid in dict.fromkeys([*labels, *negatives]) if sid in index]
    extra, extra_themes = codebook_segments(codebook) if use_codebook else ([], [])
    rows_segments = [segments[index[sid]] for sid in labelled] + extra
    # Unlabelled segments shape the vocabulary (allowed: no labels are read).
    vocab_segments = [*segments, *extra]
    word_vec = TfidfVectorizer(analyzer=_identity, sublinear_tf=True, dtype=np.float32)
    char_vec = TfidfVectorizer(
        analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, dtype=np.float32
    )
    models: list[LogisticRegression | None] = []
    counts = [sum(1 for sid in labelled if t in labels.get(sid, set())) for t in themes]
    if rows_segments:
        word_vec.fit([_lemma_ngrams(lem) for lem in segment_lemmas(vocab_segments, lang)])
        char_vec.fit([s.text.lower() for s in vocab_segments])
        base = _aligned(prior_fn(rows_segments), themes)[0] if prior_fn else None
        x = _features(rows_segments, lang, word_vec, char_vec, base)
    for theme in themes:
        y = [1 if theme in labels.get(sid, set()) else 0 for sid in labelled] + [
            1 if t == theme else 0 for t in extra_themes
        ]
        # A segment known only by a rejection of another theme says nothing about this one.
        keep = [
            i
            for i, sid in enumerate(labelled)
            if sid in labels or theme in negatives.get(sid, set())
        ] + list(range(len(labelled), len(rows_segments)))
        yk = np.array([y[i] for i in keep])
        if not keep or yk.sum() == 0 or yk.sum() == len(yk):
            models.append(None)
            continue
        clf = LogisticRegression(C=C, class_weight="balanced", solver="liblinear", max_iter=1000)
        clf.fit(x[keep], yk)
        models.append(clf)
    return TrainedCoder(
        themes=themes,
        codebook=codebook,
        lang=lang,
        word_vectorizer=word_vec,
        char_vectorizer=char_vec,
        models=tuple(models),
        n_labels=tuple(counts),
        n_segments=len([sid for sid in labelled if sid in labels]),
        prior_fn=prior_fn,
    )


def labels_from_codings(
    codings: Iterable[Coding], *, coders: Sequence[str] | None = None
) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """(labels, negatives) from people's codings: ACCEPTED/MANUAL vs REJECTED.

    Machine coders (names starting "machine:") never teach the model.
    """
    labels: dict[str, set[str]] = {}
    negatives: dict[str, set[str]] = {}
    for c in codings:
        if c.coder.startswith("machine:") or (coders is not None and c.coder not in coders):
            continue
        if c.status in (CodingStatus.ACCEPTED, CodingStatus.MANUAL):
            labels.setdefault(c.segment_id, set()).add(c.theme)
        elif c.status == CodingStatus.REJECTED:
            negatives.setdefault(c.segment_id, set()).add(c.theme)
    # A theme one person accepted and another rejected stays a positive.
    for sid, themes in negatives.items():
        themes -= labels.get(sid, set())
    return labels, negatives


def train_from_codings(
    segments: Sequence[Segment],
    codings: Iterable[Coding],
    codebook: Codebook,
    *,
    coders: Sequence[str] | None = None,
    lang: str = "da",
    prior: PriorFn | bool | None = True,
) -> TrainedCoder:
    """Fit a coder on a study's people's codings (see labels_from_codings)."""
    labels, negatives = labels_from_codings(codings, coders=coders)
    return train(segments, labels, codebook, negatives=negatives, lang=lang, prior=prior)


def suggest_trained(
    segments: Sequence[Segment],
    coder: TrainedCoder,
    *,
    top: int = 3,
    min_score: float = 0.15,
    name: str = CODER,
) -> list[Suggestion]:
    """Up to *top* suggestions per segment (interviewer turns skipped), best first."""
    codable = [s for s in segments if s.role != Role.INTERVIEWER]
    if not codable:
        return []
    scores = coder.score(codable)
    out: list[Suggestion] = []
    for i, seg in enumerate(codable):
        row = scores.matrix[i]
        order = [j for j in np.argsort(-row, kind="stable")[:top] if row[j] >= min_score]
        for rank, j in enumerate(order, start=1):
            out.append(
                Suggestion(
                    segment_id=seg.id,
                    theme=scores.themes[j],
                    score=float(row[j]),
                    rank=rank,
                    coder=name,
                    explanation=scores.explanations[i][j],
                )
            )
    return out

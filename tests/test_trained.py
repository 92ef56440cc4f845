from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from journeylab.coding.model import (
    Codebook,
    Coding,
    CodingStatus,
    Role,
    Segment,
    SegmentKind,
    Theme,
)
from journeylab.coding.scores import Scores
from journeylab.coding.trained import (
    FULL_WEIGHT_LABELS,
    labels_from_codings,
    model_weight,
    suggest_trained,
    train,
    train_from_codings,
)

CODEBOOK = Codebook(
    "test",
    "da",
    (
        Theme("Relationen", "Relationen til en fast voksen og tillid."),
        Theme("Skolen", "Skolen, lærerne og fravær."),
        Theme("Overgangen til voksen", "Når den unge fylder 18 og skifter til voksenområdet."),
    ),
)
R, S, V = CODEBOOK.names

TEXTS = {
    R: [
        "Min sagsbehandler lyttede til mig, og jeg stolede på hende.",
        "Kontaktpersonen var der altid, også når det gik dårligt.",
        "Jeg har haft fem sagsbehandlere, og ingen af dem kendte mig.",
        "Hun ringede tilbage samme dag, det betød alt for tilliden.",
        "Jeg gad ikke fortælle min historie forfra til en ny sagsbehandler igen.",
        "Mentoren troede på mig, selv da jeg ikke selv gjorde.",
    ],
    S: [
        "Læreren opdagede ikke mit fravær i skolen.",
        "I folkeskolen blev jeg drillet, og lærerne gjorde ingenting.",
        "Jeg pjækkede fra skolen hele ottende klasse.",
        "Skolelærerne sendte mig bare til skolepsykologen.",
        "Klasselæreren ringede hjem, hver gang jeg ikke kom i skole.",
        "Skolen havde ikke tid til elever som mig.",
    ],
    V: [
        "Da jeg fyldte 18, forsvandt al hjælpen fra den ene dag til den anden.",
        "Voksenområdet kendte ikke noget til min sag, da jeg blev 18.",
        "Efterværnet sluttede, og så stod jeg alene med jobcentret.",
        "Ved 18 år skulle jeg pludselig selv søge om alting på voksenområdet.",
        "Overgangen til voksen var et chok, ingen forberedte mig.",
        "Jeg fik et brev om, at min sag lukkede på min 18-års fødselsdag.",
    ],
}


def seg(sid: str, text: str, role: Role = Role.UNG) -> Segment:
    return Segment(sid, "t.txt", SegmentKind.TURN, 0, 0, len(text), text, role)


@pytest.fixture(scope="module")
def corpus() -> tuple[list[Segment], dict[str, set[str]]]:
    segments, labels = [], {}
    for theme, texts in TEXTS.items():
        for i, text in enumerate(texts):
            s = seg(f"{theme[:3]}{i}", text)
            segments.append(s)
            labels[s.id] = {theme}
    return segments, labels


def constant_prior(theme: str, value: float = 0.9) -> object:
    def prior(segments: Sequence[Segment]) -> Scores:
        matrix = np.full((len(segments), 3), 0.05)
        matrix[:, CODEBOOK.names.index(theme)] = value
        return Scores(CODEBOOK.names, matrix, tuple(("prior",) * 3 for _ in segments))

    return prior


def test_learns_the_studys_own_coding(corpus: tuple[list[Segment], dict[str, set[str]]]) -> None:
    segments, labels = corpus
    coder = train(segments, labels, CODEBOOK, prior=False, use_codebook=False)
    new = [
        seg("n1", "Min nye sagsbehandler lyttede ikke, jeg har ingen tillid til hende."),
        seg("n2", "Læreren i skolen sagde intet om mit fravær."),
        seg("n3", "Da jeg blev 18, lukkede de min sag, og voksenområdet vidste ingenting."),
    ]
    scores = coder.score(new)
    assert scores.themes == CODEBOOK.names
    assert scores.matrix.shape == (3, 3)
    assert ((scores.matrix >= 0) & (scores.matrix <= 1)).all()
    assert [scores.themes[j] for j in scores.matrix.argmax(axis=1)] == [R, S, V]
    assert coder.n_labels == (6, 6, 6)


def test_compounds_are_learned_through_character_ngrams() -> None:
    # "sagsbehandlerskift" never appears in training; its parts do.
    segments = [seg(f"r{i}", t) for i, t in enumerate(TEXTS[R])]
    segments += [seg(f"s{i}", t) for i, t in enumerate(TEXTS[S])]
    labels = {s.id: {R if s.id.startswith("r") else S} for s in segments}
    coder = train(segments, labels, CODEBOOK, prior=False, use_codebook=False)
    scores = coder.score([seg("x", "Endnu et sagsbehandlerskift.")])
    assert scores.matrix[0, 0] > scores.matrix[0, 1]


def test_few_labels_lean_on_the_codebook_coders(
    corpus: tuple[list[Segment], dict[str, set[str]]],
) -> None:
    segments, labels = corpus
    few = {sid: t for sid, t in labels.items() if sid in ("Rel0", "Sko0", "Ove0")}
    prior = constant_prior(V)
    coder = train(segments, few, CODEBOOK, prior=prior, use_codebook=False)
    assert coder.weights == pytest.approx((model_weight(1),) * 3)
    assert model_weight(1) < 0.5
    text = seg("n", "Min sagsbehandler lyttede til mig.")
    scores = coder.score([text])
    # The prior says V; one label per theme is not enough to overrule it.
    assert scores.themes[int(scores.matrix[0].argmax())] == V
    assert "prior" in scores.explanations[0][2]
    # Enough labels: the model's own view wins.
    many = train(segments, labels, CODEBOOK, prior=prior, use_codebook=False)
    assert model_weight(FULL_WEIGHT_LABELS) == 1.0
    assert many.weights[0] > coder.weights[0]


def test_no_labels_no_model_only_the_prior(
    corpus: tuple[list[Segment], dict[str, set[str]]],
) -> None:
    segments, _ = corpus
    coder = train(segments, {}, CODEBOOK, prior=constant_prior(S, 0.7), use_codebook=False)
    assert coder.models == (None, None, None)
    scores = coder.score(segments[:2])
    assert scores.matrix[:, 1] == pytest.approx([0.7, 0.7])


def test_codebook_examples_teach_without_labels() -> None:
    codebook = Codebook(
        "test",
        "da",
        tuple(
            Theme(name, f"Tema om {name.lower()}.", examples=tuple(texts))
            for name, texts in TEXTS.items()
        ),
    )
    coder = train([seg("x", "noget helt andet")], {}, codebook, prior=False)
    assert all(m is not None for m in coder.models)
    scores = coder.score([seg("n", "Skolen opdagede aldrig mit fravær, og læreren var ligeglad.")])
    assert scores.themes[int(scores.matrix[0].argmax())] == S


def test_rejections_are_negatives_and_machines_never_teach() -> None:
    codings = [
        Coding("a", R, "anna", CodingStatus.MANUAL),
        Coding("a", S, "anna", CodingStatus.ACCEPTED),
        Coding("b", V, "anna", CodingStatus.REJECTED),
        Coding("c", R, "machine:ensemble", CodingStatus.SUGGESTED),
        Coding("d", R, "bo", CodingStatus.REJECTED),
        Coding("d", R, "anna", CodingStatus.ACCEPTED),
    ]
    labels, negatives = labels_from_codings(codings)
    assert labels == {"a": {R, S}, "d": {R}}
    assert negatives == {"b": {V}, "d": set()}
    only_bo = labels_from_codings(codings, coders=["bo"])
    assert only_bo == ({}, {"d": {R}})


def test_rejected_segment_counts_only_for_its_theme(
    corpus: tuple[list[Segment], dict[str, set[str]]],
) -> None:
    segments, labels = corpus
    extra = seg("rej", "Jeg fyldte 18 og mistede min kontaktperson.")
    codings = [Coding(sid, next(iter(t)), "anna", CodingStatus.MANUAL) for sid, t in labels.items()]
    codings.append(Coding("rej", V, "anna", CodingStatus.REJECTED))
    coder = train_from_codings([*segments, extra], codings, CODEBOOK, prior=False)
    # 18 labelled segments; the rejected one is a training row only for V.
    assert coder.n_segments == 18
    assert coder.n_labels == (6, 6, 6)


def test_suggest_trained(corpus: tuple[list[Segment], dict[str, set[str]]]) -> None:
    segments, labels = corpus
    coder = train(segments, labels, CODEBOOK, prior=False, use_codebook=False)
    targets = [
        seg("q1", "Min sagsbehandler lyttede aldrig."),
        seg("q2", "Hvordan var skolen?", Role.INTERVIEWER),
    ]
    out = suggest_trained(targets, coder, top=2, min_score=0.0)
    assert {s.segment_id for s in out} == {"q1"}
    assert [s.rank for s in out] == [1, 2]
    assert out[0].theme == R and out[0].score >= out[1].score
    assert all(s.coder == "trained" for s in out)
    assert suggest_trained(targets, coder, min_score=1.01) == []
    assert suggest_trained([], coder) == []


def test_blends_with_the_real_ensemble_by_default(
    corpus: tuple[list[Segment], dict[str, set[str]]],
) -> None:
    segments, labels = corpus
    few = {sid: t for sid, t in labels.items() if sid.endswith("0")}
    coder = train(segments, few, CODEBOOK)
    assert coder.prior_fn is not None
    assert all(0.0 < w < 1.0 for w in coder.weights)
    scores = coder.score([seg("n", "Jeg fik en ny sagsbehandler igen og mistede tilliden.")])
    assert scores.themes[int(scores.matrix[0].argmax())] == R

"""score and suggest: the public entry to automatic coding."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from journeylab.coding.codebook import load_preset
from journeylab.coding.ensemble import CODERS, combine, score, suggest
from journeylab.coding.model import Codebook, Role
from journeylab.coding.scores import Scores
from journeylab.errors import StudyError
from tests.conftest import seg


@pytest.fixture(scope="module")
def preset() -> Codebook:
    return load_preset("ungeindsats")


CASES = [
    ("Ny sagsbehandler igen. Hun havde ikke læst min sag.", "Relationen"),
    (
        "Efter 9. klasse vidste jeg ikke hvilken uddannelse jeg skulle vælge.",
        "Udskoling og overgangen efter 9. klasse",
    ),
    (
        "Dagen jeg fyldte 18, lukkede de min sag og sendte mig til jobcentret.",
        "Overgangen fra ung til voksen",
    ),
    (
        "Vi sidder i hver sin bygning og deler ingen oplysninger på tværs.",
        "Organisering og samarbejde",
    ),
]


@pytest.mark.parametrize("coder", CODERS)
def test_each_coder_ranks_the_clear_theme_first(preset: Codebook, coder: str) -> None:
    segments = [seg(t, i) for i, (t, _) in enumerate(CASES)]
    out = suggest(segments, preset, coder)
    firsts = {s.segment_id: s.theme for s in out if s.rank == 1}
    assert firsts == {f"t#{i}": theme for i, (_, theme) in enumerate(CASES)}
    assert all(s.coder == coder and 0 <= s.score <= 1 and s.explanation for s in out)


def test_suggestions_are_ranked_capped_and_thresholded(preset: Codebook) -> None:
    segments = [seg(t, i) for i, (t, _) in enumerate(CASES)]
    out = suggest(segments, preset, top=2, min_score=0.2)
    for i in range(len(CASES)):
        mine = [s for s in out if s.segment_id == f"t#{i}"]
        assert 1 <= len(mine) <= 2
        assert [s.rank for s in mine] == list(range(1, len(mine) + 1))
        assert all(a.score >= b.score for a, b in itertools.pairwise(mine))
    assert all(s.score >= 0.2 for s in out)
    assert suggest(segments, preset, min_score=1.01) == []


def test_interviewer_gets_no_suggestions(preset: Codebook) -> None:
    text = "Hvordan var det at få en ny sagsbehandler?"
    out = suggest([seg(text, 0, role=Role.INTERVIEWER), seg(text, 1, role=Role.UNG)], preset)
    assert {s.segment_id for s in out} == {"t#1"}


def test_unknown_coder_names_the_choices(preset: Codebook) -> None:
    with pytest.raises(StudyError, match="rules, similarity, ensemble"):
        suggest([seg("x")], preset, "magic")
    with pytest.raises(StudyError):
        score([seg("x")], preset, "magic")


def test_confidence_rises_with_the_margin() -> None:
    themes = ("A", "B", "C")
    rules = Scores(themes, np.array([[0.6, 0.0, 0.0], [0.6, 0.55, 0.0]]), (("",) * 3,) * 2)
    sim = Scores(themes, np.array([[0.6, 0.0, 0.0], [0.6, 0.55, 0.0]]), (("",) * 3,) * 2)
    c = combine(rules, sim).matrix
    assert c[0, 0] > c[1, 0]  # a clear winner is surer than a close race
    assert c[1, 0] > c[1, 1]  # the order of the themes is kept


def test_ensemble_explanation_joins_both(preset: Codebook) -> None:
    s = score([seg("Ny sagsbehandler igen.")], preset)
    text = s.explanations[0][0]
    assert "sagsbehandler" in text and "nær: " in text


@pytest.mark.parametrize("coder", CODERS)
def test_suggestions_carry_the_explanations_the_scores_give(preset: Codebook, coder: str) -> None:
    segments = [seg(text, i) for i, (text, _) in enumerate(CASES)]
    s = score(segments, preset, coder)
    rows = list(s.explanations)  # every row built in full
    assert len(rows) == len(segments) and all(len(r) == len(preset.themes) for r in rows)
    assert s.explanations == tuple(rows) and s.explanations[-1] == rows[-1]
    got = suggest(segments, preset, coder, min_score=0.0)
    assert got
    names = list(preset.names)
    for sug in got:
        i = int(sug.segment_id.rsplit("#", 1)[1])
        assert sug.explanation == rows[i][names.index(sug.theme)]


def test_ensemble_explanation_is_the_non_empty_parts_joined() -> None:
    """Each cell: the rules' and the similarity's explanations that are not empty, "; "-joined."""
    themes = ("A", "B")
    zeros = np.zeros((2, 2))
    rules = Scores(themes, zeros, (("skole", ""), ("", "tillid")))
    sim = Scores(themes, zeros, (("nær: X", ""), ("nær: Y", "")))
    got = combine(rules, sim).explanations
    for i, j in itertools.product(range(2), range(2)):
        parts = (rules.explanations[i][j], sim.explanations[i][j])
        assert got[i][j] == "; ".join(p for p in parts if p)
    assert list(got) == [("skole; nær: X", ""), ("nær: Y", "tillid")]


def test_light_records_score_as_segments(preset: Codebook, tmp_path) -> None:
    """The store's CodableSegments (lemmas as one string) give the Segments' suggestions."""
    from journeylab.coding.codable import CodableSegment
    from journeylab.coding.scores import segment_lemmas

    segments = [seg(text, i) for i, (text, _) in enumerate(CASES)]
    segments.append(seg("Hvad skete der så?", 9, role=Role.INTERVIEWER))
    lemmas = segment_lemmas(segments)
    light = [
        CodableSegment(s.id, s.role, s.text, " ".join(lem))
        for s, lem in zip(segments, lemmas, strict=True)
    ]
    for coder in CODERS:
        want = suggest(segments, preset, coder, min_score=0.0)
        assert suggest(light, preset, coder, min_score=0.0) == want
        # and through the caches, cold then warm
        cold = suggest(light, preset, coder, min_score=0.0, cache_dir=tmp_path)
        warm = suggest(light, preset, coder, min_score=0.0, cache_dir=tmp_path)
        assert cold == warm == want


_CELL = st.sampled_from([0.0, 0.1, 0.15, 0.3, 0.3, 0.9, 1.0, float("nan")])


@settings(max_examples=200, deadline=None)
@given(
    rows=st.integers(0, 6).flatmap(
        lambda k: st.lists(st.lists(_CELL, min_size=k, max_size=k), max_size=6)
    ),
    top=st.integers(1, 4),
    min_score=st.sampled_from([0.0, 0.15, 0.3]),
)
def test_ranked_cells_are_the_plain_loop(
    rows: list[list[float]], top: int, min_score: float
) -> None:
    """Per row: sorted best first (stable), cut at top, stopped at the first under min_score."""
    from journeylab.coding.ensemble import ranked_cells

    width = len(rows[0]) if rows else 0
    matrix = np.array(rows, dtype=float).reshape(len(rows), width)
    want = []
    for i, row in enumerate(matrix.tolist()):
        # The order is the old loop's own (a stable argsort); what is checked is the cut.
        order = np.argsort(-np.array(row), kind="stable").tolist() if width else []
        for rank, j in enumerate(order[:top]):
            if row[j] < min_score:
                break
            want.append((i, rank, j, row[j]))
    got = list(zip(*ranked_cells(matrix, top, min_score), strict=True))
    assert [g[:3] for g in got] == [w[:3] for w in want]
    assert np.array_equal([g[3] for g in got], [w[3] for w in want], equal_nan=True)

"""score and suggest: the public entry to automatic coding."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from journeylab.coding.codebook import load_preset
from journeylab.coding.ensemble import CODERS, combine, score, suggest
from journeylab.coding.model import Codebook, Role, Segment, SegmentKind
from journeylab.coding.scores import Scores
from journeylab.errors import StudyError


def seg(text: str, i: int = 0, role: Role = Role.UNG) -> Segment:
    return Segment(
        id=f"t#{i}",
        source="t",
        kind=SegmentKind.TURN,
        position=i,
        start=0,
        end=len(text),
        text=text,
        role=role,
    )


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
    out = suggest([seg(text, 0, Role.INTERVIEWER), seg(text, 1, Role.UNG)], preset)
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

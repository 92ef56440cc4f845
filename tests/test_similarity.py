"""The similarity coder: closeness to each theme's description, hints and examples."""

from __future__ import annotations

import numpy as np
import pytest

from journeylab.coding.codebook import load_preset
from journeylab.coding.model import Codebook, Role, Segment, SegmentKind, Theme
from journeylab.coding.similarity import MODES, score_similarity


def seg(text: str, i: int = 0) -> Segment:
    return Segment(
        id=f"t#{i}",
        source="t",
        kind=SegmentKind.TURN,
        position=i,
        start=0,
        end=len(text),
        text=text,
        role=Role.UNG,
    )


@pytest.fixture(scope="module")
def preset() -> Codebook:
    return load_preset("ungeindsats")


TEXTS = [
    "Ny sagsbehandler igen. Jeg orkede ikke at fortælle min historie en gang til.",
    "Efter 9. klasse vidste jeg ikke, hvilken uddannelse jeg skulle vælge.",
    "Jeg ventede et halvt år på en psykolog, og så var bevillingen brugt.",
]


@pytest.mark.parametrize("mode", MODES)
def test_clear_sentences_rank_their_theme_first(preset: Codebook, mode: str) -> None:
    s = score_similarity([seg(t, i) for i, t in enumerate(TEXTS)], preset, mode=mode)
    top = [s.themes[int(np.argmax(row))] for row in s.matrix]
    assert top == ["Relationen", "Udskoling og overgangen efter 9. klasse", "De rette tilbud"]
    assert ((s.matrix >= 0) & (s.matrix <= 1)).all()


def test_compounds_match_through_character_ngrams() -> None:
    # No shared whole word: only the compound's parts link the segment to the theme.
    cb = Codebook(
        "t",
        "da",
        (
            Theme("Sag", "sagsbehandler", examples=("sagsbehandler",)),
            Theme("Mad", "frokost og madpakke", examples=("madpakke",)),
        ),
    )
    s = score_similarity([seg("sagsbehandlerskiftet"), seg("madpakkerne")], cb)
    assert s.matrix[0, 0] > s.matrix[0, 1]
    assert s.matrix[1, 1] > s.matrix[1, 0]


def test_explanation_is_the_nearest_example(preset: Codebook) -> None:
    example = preset.themes[0].examples[0]
    s = score_similarity([seg(example)], preset)
    assert s.explanations[0][0].startswith("nær: " + example[:20])
    assert len(s.explanations[0][0]) <= 70


def test_empty_and_unknown_mode(preset: Codebook) -> None:
    assert score_similarity([], preset).matrix.shape == (0, len(preset.themes))
    with pytest.raises(ValueError):
        score_similarity([seg("x")], preset, mode="nope")

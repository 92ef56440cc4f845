"""Domain models: colours, stages and roles as people write them, and small helpers."""

from __future__ import annotations

import pytest

from journeylab.coding.model import Codebook, Role, Theme, parse_role
from journeylab.journeys.model import Colour, Journey, Note, Stage, Step, parse_colour, parse_stage


@pytest.mark.parametrize(
    ("text", "colour"),
    [
        ("gul", Colour.YELLOW), ("YELLOW", Colour.YELLOW), ("Grøn", Colour.GREEN),
        ("gron", Colour.GREEN), (" RØD ", Colour.RED), ("rod", Colour.RED), ("red", Colour.RED),
    ],
)  # fmt: skip
def test_colours_in_danish_or_english_any_case(text: str, colour: Colour) -> None:
    assert parse_colour(text) is colour


def test_unknown_colour_is_none() -> None:
    assert parse_colour("blå") is None


def test_stages_in_danish_and_english_and_their_order() -> None:
    assert parse_stage("Overgang til voksen") is Stage.TRANSITION_18
    assert parse_stage("efterværn") is Stage.ADULT
    assert parse_stage("last school years") is Stage.UDSKOLING
    assert parse_stage("småbørn") is Stage.EARLY_CHILDHOOD
    assert [s.order for s in Stage] == list(range(len(Stage)))


def test_roles_in_danish_and_english() -> None:
    assert parse_role("Medarbejder") is Role.MEDARBEJDER
    assert parse_role("leader") is Role.LEDER
    assert parse_role("young person") is Role.UNG
    assert parse_role("chef") is None


def test_journey_counts_notes_by_colour() -> None:
    step = Step(
        event=Note(Colour.YELLOW, "Ny skole"),
        green=(Note(Colour.GREEN, "God lærer"),),
        red=(Note(Colour.RED, "Drillet"), Note(Colour.RED, "Alene")),
    )
    journey = Journey(id="J1", steps=(step, step))
    assert (journey.count(Colour.YELLOW), journey.count(Colour.GREEN)) == (2, 2)
    assert journey.count(Colour.RED) == 4
    assert step.notes[0].colour is Colour.YELLOW


def test_codebook_finds_themes_by_name() -> None:
    book = Codebook("b", "da", (Theme("Relationen", "d"), Theme("Skolen", "d")))
    assert book.names == ("Relationen", "Skolen")
    assert book.theme("Skolen") is book.themes[1] and book.theme("x") is None

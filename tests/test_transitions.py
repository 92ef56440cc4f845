"""Transition points: parsing, placing notes in windows, actor changes and waits."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from journeylab.errors import StudyError
from journeylab.journeys.model import Colour, Journey, Note, Step
from journeylab.themes.transitions import (
    TransitionPoint,
    merge_points,
    parse_transitions,
    place_journey,
    study_transitions,
    summarise,
)


def step(text: str, age: float, actor: str, green: list[str] = (), red: list[str] = ()) -> Step:  # type: ignore[assignment]
    return Step(
        Note(Colour.YELLOW, text, age=age, actor=actor),
        tuple(Note(Colour.GREEN, g) for g in green),
        tuple(Note(Colour.RED, r) for r in red),
    )


JOURNEY = Journey(
    "J1",
    (
        step("Udskoling", 15, "lærer", green=["God lærer"]),
        step("Mentor", 17, "mentor", green=["Mentoren lyttede"], red=["Kun to timer"]),
        step("Fylder 18", 18, "jobkonsulent", red=["Ny person igen", "Ventede seks uger"]),
        step("FGU", 19.5, "lærer", green=["Små hold"]),
    ),
)
EIGHTEEN = TransitionPoint("atten", "18 år", 18.0)


def test_notes_fall_before_or_after_within_the_window() -> None:
    (w,) = place_journey(JOURNEY, [EIGHTEEN])
    assert (w.green_before, w.red_before) == (1, 1)  # age 17: inside [17, 18)
    assert (w.green_after, w.red_after) == (0, 2)  # age 18: inside [18, 19); 19.5 is outside
    assert {n.text for n in w.notes} >= {"Mentoren lyttede", "Ventede seks uger"}
    assert all(n.text != "Små hold" for n in w.notes)
    assert w.reaches


def test_a_wider_window_takes_in_more_notes() -> None:
    (w,) = place_journey(JOURNEY, [TransitionPoint("atten", "18 år", 18.0, window=2.0)])
    assert w.green_after == 1  # "Små hold" at 19.5 is now inside
    assert w.green_before == 1 and w.red_before == 1


def test_actor_change_and_waits() -> None:
    (w,) = place_journey(JOURNEY, [EIGHTEEN])
    assert w.actor_change and w.new_actors == ("jobkonsulent",)
    assert w.waits == 1
    same = Journey("J2", (step("A", 17, "mentor"), step("B", 18, "Mentor")))
    (w2,) = place_journey(same, [EIGHTEEN])
    assert not w2.actor_change  # the same actor, whatever the case


def test_a_journey_that_does_not_reach_the_point() -> None:
    young = Journey("J3", (step("Skole", 14, "lærer", red=["Drillet"]),))
    (w,) = place_journey(young, [EIGHTEEN])
    assert not w.reaches and not w.notes


def test_summary_adds_up_across_journeys() -> None:
    windows = [*place_journey(JOURNEY, [EIGHTEEN]), *place_journey(JOURNEY, [EIGHTEEN])]
    total = summarise(EIGHTEEN, windows)
    assert (total.reaching, total.red_after, total.actor_changes, total.waits) == (2, 4, 2, 2)


def test_parse_and_merge_points(tmp_path: Path) -> None:
    points = parse_transitions(
        {"atten": {"age": 18, "label": "18 år"}, "ni": 16, "voksen": {"age": 17.5, "window": 0.5}},
        tmp_path / "programme.toml",
    )
    assert [p.key for p in points] == ["ni", "voksen", "atten"]  # by age
    assert points[1].window == 0.5 and points[0].label == "ni"
    merged = merge_points(points, [TransitionPoint("voksen", "Tidlig plan", 17.0)])
    assert [(p.key, p.age) for p in merged][:2] == [("ni", 16.0), ("voksen", 17.0)]


@pytest.mark.parametrize(
    "raw",
    [{"x": {"label": "no age"}}, {"x": {"age": "atten"}}, {"x": {"age": 18, "window": 0}}, [1]],
)
def test_bad_transition_tables_name_the_place(raw: object, tmp_path: Path) -> None:
    with pytest.raises(StudyError) as err:
        parse_transitions(raw, tmp_path / "study.toml")
    assert "study.toml" in str(err.value)


def test_study_toml_transitions_are_read(make_study) -> None:  # type: ignore[no-untyped-def]
    study = make_study()
    study.toml_path.write_text(
        study.toml_path.read_text(encoding="utf-8")
        + '\n[transitions]\nvoksen = { age = 17.5, label = "Voksenplan" }\n',
        encoding="utf-8",
    )
    assert [(p.key, p.age) for p in study_transitions(study)] == [("voksen", 17.5)]


@given(st.lists(st.floats(min_value=0, max_value=30, allow_nan=False), min_size=1, max_size=8))
def test_every_placed_note_is_inside_its_window(ages: list[float]) -> None:
    journey = Journey("H", tuple(step(f"s{i}", a, "x", red=["r"]) for i, a in enumerate(ages)))
    point = TransitionPoint("p", "p", 18.0, window=1.5)
    (w,) = place_journey(journey, [point])
    for n in w.notes:
        assert -1.5 <= n.offset < 1.5
        assert (n.side == "before") == (n.offset < 0)
    inside = sum(1 for a in ages if -1.5 <= a - 18.0 < 1.5)
    assert w.red_before + w.red_after == inside

"""Journey analysis: every number checked on small hand-made journeys."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from journeylab.journeys.analysis import (
    actors,
    balance_per_stage,
    balance_per_step,
    contact_changes,
    declared_kind,
    notes_frame,
    passes_18,
    steps_per_stage,
    summary,
    transitions,
)
from journeylab.journeys.model import Colour, Journey, Note, Stage, Step
from tests.conftest import A, S, T, U, Y, step


def journey(jid: str, *steps: Step, pseudonym: str | None = None) -> Journey:
    return Journey(id=jid, steps=steps, pseudonym=pseudonym)


# J1: two school steps, one udskoling, one youth education, one at 18.
J1 = journey(
    "J1",
    step("Starter i skole", S, 6, "lærer", green=["God lærer"]),
    step("Skifter skole", S, 10, "sagsbehandler", red=["Ingen venner", "Drillet"]),
    step("Går i 9. klasse", U, 15, "UU-vejleder", green=["Praktik"], red=["Fravær"]),
    step("Starter på EUD", Y, 16, "mentor", green=["Mentor", "Kammerater"]),
    step("Fylder 18", T, 18, "Sagsbehandler", red=["Alt stopper", "Ny sagsbehandler"]),
    pseudonym="Sara",
)
J2 = journey("J2", step("Flytter til plejefamilie", S, 9), step("Ukendt fase"))


def test_notes_frame_has_one_row_a_note_with_step_values_inherited() -> None:
    frame = notes_frame([J1, J2])
    assert len(frame) == len(J1.notes) + len(J2.notes) == 16
    assert list(frame.columns) == ["journey", "step", "colour", "text", "stage", "age", "actor"]
    drillet = frame[frame["text"] == "Drillet"].iloc[0]
    assert (drillet["journey"], drillet["step"], drillet["colour"]) == ("J1", 2, "red")
    # The red note has no stage/age/actor of its own: it inherits its step's.
    assert (drillet["stage"], drillet["age"], drillet["actor"]) == ("school", 10, "sagsbehandler")
    assert frame[frame["journey"] == "J2"]["step"].tolist() == [1, 2]
    assert frame["colour"].value_counts().to_dict() == {"yellow": 7, "green": 4, "red": 5}


def test_notes_frame_keeps_a_notes_own_age_and_stage() -> None:
    own = Step(
        Note(Colour.YELLOW, "Anbragt", age=14, stage=U),
        red=(Note(Colour.RED, "Senere savn", age=19, stage=A, actor="kontaktperson"),),
    )
    row = notes_frame([journey("X", own)]).iloc[1]
    assert (row["age"], row["stage"], row["actor"]) == (19, "adult", "kontaktperson")


def test_steps_per_stage_counts_in_life_order_with_totals() -> None:
    table = steps_per_stage([J1, J2])
    assert list(table.columns) == [
        "school",
        "udskoling",
        "youth_education",
        "transition_18",
        "unknown",
        "total",
    ]
    assert table.loc["J1", "school"] == 2
    assert table.loc["J1", "udskoling"] == 1
    assert table.loc["J1", "unknown"] == 0
    assert table.loc["J2", "unknown"] == 1
    assert table.loc["J1", "total"] == 5
    assert table.loc["J2", "total"] == 2
    assert table.loc["total", "school"] == 3
    assert table.loc["total", "total"] == 7


def test_balance_per_step() -> None:
    frame = balance_per_step(J1)
    assert frame["step"].tolist() == [1, 2, 3, 4, 5]
    assert frame["event"].tolist()[0] == "Starter i skole"
    assert frame["green"].tolist() == [1, 0, 1, 2, 0]
    assert frame["red"].tolist() == [0, 2, 1, 0, 2]
    assert frame["balance"].tolist() == [1, -2, 0, 2, -2]
    assert frame["stage"].tolist() == [
        "school",
        "school",
        "udskoling",
        "youth_education",
        "transition_18",
    ]


def test_balance_per_stage_across_journeys() -> None:
    extra = journey("J3", step("Anbragt", S, 8, green=["Tryghed"], red=["Savn", "Skift", "Uro"]))
    table = balance_per_stage([J1, extra])
    assert table.index.tolist() == ["school", "udskoling", "youth_education", "transition_18"]
    assert table.loc["school", "green"] == 2
    assert table.loc["school", "red"] == 5
    assert table.loc["school", "balance"] == -3
    assert math.isclose(table.loc["school", "share_red"], 5 / 7)
    assert table.loc["youth_education", "share_red"] == 0
    assert table.loc["transition_18", "share_red"] == 1


def test_balance_per_stage_without_notes_has_nan_share() -> None:
    table = balance_per_stage([J2])
    assert table.loc["school", "green"] == 0
    assert math.isnan(table.loc["school", "share_red"])


def test_actors_distinct_in_order_case_ignored() -> None:
    assert actors(J1) == ("lærer", "sagsbehandler", "UU-vejleder", "mentor")
    assert actors(J2) == ()


def test_contact_changes_counts_case_worker_steps_after_the_first() -> None:
    j = journey(
        "C",
        step("Møde", actor="sagsbehandler"),
        step("Skole", actor="lærer"),
        step("Nyt møde", actor="socialrådgiver"),
        step("Endnu et møde", actor="Rådgiver"),
    )
    assert contact_changes(j) == 2


def test_contact_changes_reads_texts_and_counts_a_step_once() -> None:
    j = journey(
        "C",
        step("Får en ny sagsbehandler"),  # mentioned in words, no actor: a change
        step("Møde", actor="sagsbehandler"),  # first case-worker step: not a change
        step("Sagsbehandlerskift igen", actor="sagsbehandler"),  # actor + text: once
        step("Skole", actor="lærer", red=["Skift af rådgiver uden varsel"]),
        step("Praktik", actor="mentor", green=["Ny mentor er god"]),
    )
    assert contact_changes(j) == 3
    assert contact_changes(journey("none", step("Skole", actor="lærer"))) == 0


def test_contact_changes_for_another_actor() -> None:
    j = journey("M", step("A", actor="mentor"), step("B", actor="Mentor"), step("C", actor="lærer"))
    assert contact_changes(j, actor="mentor") == 1
    assert contact_changes(j) == 0


def test_transitions_from_stages_and_ages() -> None:
    found = {t.kind: t for t in transitions(J1)}
    assert set(found) == {"after_9th", "at_18"}
    ninth = found["after_9th"]
    assert (ninth.step, ninth.age) == (4, 16)
    assert (ninth.green_before, ninth.red_before, ninth.green_after, ninth.red_after) == (
        1,
        1,
        2,
        0,
    )
    eighteen = found["at_18"]
    assert (eighteen.step, eighteen.green_before, eighteen.red_after) == (5, 2, 2)


def test_transitions_from_texts() -> None:
    j = journey(
        "T",
        step("Går i 9. klasse", age=15),
        step("Efterskole", age=16),
        step("Fylder 18 og flytter", age=18.0, red=["Alene"]),
        step("Bor selv", A, 21),
        step("Efterværnet stopper", A, 22, red=["Ingen hjælp"]),
    )
    found = {t.kind: t.step for t in transitions(j)}
    assert found == {"after_9th": 2, "at_18": 3, "leaving_aftercare": 5}
    direct = journey("D", step("Skole", age=12), step("Efter folkeskolen: produktionsskole"))
    assert [(t.kind, t.step) for t in transitions(direct)] == [("after_9th", 2)]


def test_leaving_aftercare_by_age_and_adult_stage_without_age() -> None:
    j = journey("A", step("Skole", S, 12), step("Voksen", A), step("Job", A, 23))
    found = {t.kind: t.step for t in transitions(j)}
    assert found == {"at_18": 2, "leaving_aftercare": 3}
    assert transitions(journey("young", step("Skole", S, 12))) == []
    # Last udskoling step is the journey's last step: nothing after 9th grade yet.
    assert transitions(journey("u", step("Udskoling", U, 15))) == []


def test_summary_one_row_a_journey() -> None:
    frame = summary([J1, J2])
    assert frame["id"].tolist() == ["J1", "J2"]
    row = frame.iloc[0]
    assert row["pseudonym"] == "Sara"
    assert (row["steps"], row["green"], row["red"], row["balance"]) == (5, 4, 5, -1)
    assert row["actors"] == 4
    # Step 5: a second case-worker step whose red note also names a new one: once.
    assert row["contact_changes"] == 1
    assert row["stages"] == 4
    assert bool(row["passes_18"]) is True
    assert bool(frame.iloc[1]["passes_18"]) is False
    assert frame.iloc[1]["stages"] == 1


def test_empty_inputs_give_empty_frames() -> None:
    assert summary([]).empty
    assert notes_frame([]).empty
    assert balance_per_stage([]).empty
    assert list(steps_per_stage([]).index) == ["total"]


ages = st.one_of(st.none(), st.integers(min_value=0, max_value=30).map(float))
steps_strategy = st.builds(
    step,
    text=st.text(max_size=30),
    stage=st.one_of(st.none(), st.sampled_from(list(Stage))),
    age=ages,
    actor=st.one_of(st.none(), st.sampled_from(["sagsbehandler", "lærer", "Rådgiver"])),
    green=st.lists(st.text(max_size=10), max_size=3),
    red=st.lists(st.text(max_size=10), max_size=3),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(steps_strategy, max_size=8))
def test_counts_agree_across_tables(steps: list[Step]) -> None:
    j = journey("P", *steps)
    per_step = balance_per_step(j)
    per_stage = balance_per_stage([j])
    row = summary([j]).iloc[0]
    assert per_step["green"].sum() == per_stage["green"].sum() == row["green"]
    assert per_step["red"].sum() == per_stage["red"].sum() == row["red"]
    assert steps_per_stage([j]).loc["total", "total"] == len(steps)
    assert len(notes_frame([j])) == len(j.notes)
    assert 0 <= contact_changes(j) <= len(steps)
    kinds = [t.kind for t in transitions(j)]
    assert len(kinds) == len(set(kinds))
    assert bool(row["passes_18"]) == passes_18(j) == ("at_18" in kinds)
    assert isinstance(per_stage, pd.DataFrame)


@pytest.mark.parametrize(
    ("key", "label", "age", "kind"),
    [
        ("at_18", "Myndig", 17.0, "at_18"),  # the key names the crossing
        ("efter_9", "Efter 9. klasse", 16.0, "after_9th"),
        ("skole_slut", "Efter folkeskolen", 15.5, "after_9th"),
        ("slut", "Efterværnet slutter", 22.0, "leaving_aftercare"),
        ("end", "Aftercare ends", 21.0, "leaving_aftercare"),
        ("tre_og_tyve", "23 år", 23.0, "leaving_aftercare"),
        ("atten", "18 år", 18.0, "at_18"),
        ("voksenplan", "Voksenplan (17½)", 17.5, None),
        ("uddannelsesplan", "Uddannelsesplan (15 år)", 15.0, None),
    ],
)
def test_a_declared_point_stands_for_the_crossing_it_names(
    key: str, label: str, age: float, kind: str | None
) -> None:
    assert declared_kind(key, label, age) == kind

"""Counting journeys with pandas: notes, stages, green/red balance, contacts, transitions.

The numbers here are what a consultant reads off the wall of sticky notes:
how many steps in each life stage, where the red notes pile up, how often the
case worker changed, and what happened around 9th grade, 18 and the end of
aftercare. Every rule is written in the docstring of the function applying it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from journeylab.journeys.model import Colour, Journey, Note, Stage, Step

NOTE_COLUMNS = ["journey", "step", "colour", "text", "stage", "age", "actor"]
UNKNOWN_STAGE = "unknown"
TOTAL = "total"
# Aftercare ("efterværn") ends at 23 at the latest under Danish law.
AFTERCARE_END_AGE = 23.0

TransitionKind = Literal["after_9th", "at_18", "leaving_aftercare"]
TRANSITION_KINDS: dict[str, TransitionKind] = {
    "after_9th": "after_9th",
    "at_18": "at_18",
    "leaving_aftercare": "leaving_aftercare",
}


def fold(text: str) -> str:
    """Lower-case with æ/ø/å spelled out, so patterns need not list every spelling."""
    return text.lower().replace("æ", "ae").replace("ø", "o").replace("å", "a")


def _note_row(journey: Journey, number: int, step: Step, note: Note) -> dict[str, object]:
    # A green or red note without its own stage, age or actor inherits them from its
    # yellow step: it was told about that step, so it counts where that step counts.
    stage = note.stage or step.stage
    return {
        "journey": journey.id,
        "step": number,
        "colour": note.colour.value,
        "text": note.text,
        "stage": stage.value if stage else None,
        "age": note.age if note.age is not None else step.age,
        "actor": note.actor or step.event.actor,
    }


def notes_frame(journeys: Iterable[Journey]) -> pd.DataFrame:
    """One row a note: journey, step (1-based), colour, text, stage, age, actor.

    Green and red notes without their own stage, age or actor take their step's.
    """
    rows = [
        _note_row(journey, number, step, note)
        for journey in journeys
        for number, step in enumerate(journey.steps, start=1)
        for note in step.notes
    ]
    frame = pd.DataFrame(rows, columns=NOTE_COLUMNS)
    frame["step"] = frame["step"].astype("int64")
    frame["age"] = frame["age"].astype("float64")
    return frame


def _stage_columns(present: Iterable[str | None]) -> list[str]:
    """The stages in *present*, in life order, with 'unknown' last."""
    seen = set(present)
    columns: list[str] = [stage.value for stage in Stage if stage.value in seen]
    if None in seen or UNKNOWN_STAGE in seen:
        columns.append(UNKNOWN_STAGE)
    return columns


def steps_per_stage(journeys: Iterable[Journey]) -> pd.DataFrame:
    """Yellow steps per journey (rows) and stage (columns, life order), with totals.

    Steps without a stage count under 'unknown'; a 'total' column sums each
    journey and a 'total' row sums each stage.
    """
    journeys = list(journeys)
    ids = [journey.id for journey in journeys]
    stages = [
        step.stage.value if step.stage else None for journey in journeys for step in journey.steps
    ]
    columns = _stage_columns(stages)
    table = pd.DataFrame(0, index=pd.Index(ids, name="journey"), columns=columns, dtype="int64")
    for journey in journeys:
        for step in journey.steps:
            table.loc[journey.id, step.stage.value if step.stage else UNKNOWN_STAGE] += 1
    table[TOTAL] = table.sum(axis=1)
    table.loc[TOTAL] = table.sum(axis=0)
    table.columns.name = "stage"
    return table


def balance_per_step(journey: Journey) -> pd.DataFrame:
    """One row a yellow step: step, event, stage, age, green, red, balance (green - red)."""
    rows = [
        {
            "step": number,
            "event": step.event.text,
            "stage": step.stage.value if step.stage else None,
            "age": step.age,
            "green": len(step.green),
            "red": len(step.red),
            "balance": len(step.green) - len(step.red),
        }
        for number, step in enumerate(journey.steps, start=1)
    ]
    columns = ["step", "event", "stage", "age", "green", "red", "balance"]
    frame = pd.DataFrame(rows, columns=columns)
    for column in ("step", "green", "red", "balance"):
        frame[column] = frame[column].astype("int64")
    frame["age"] = frame["age"].astype("float64")
    return frame


def balance_per_stage(journeys: Iterable[Journey]) -> pd.DataFrame:
    """Per stage (life order): green, red, balance and share_red = red / (green + red).

    Counts green and red notes across all journeys, each under its own stage or
    its step's. Every stage with a step is listed; share_red is NaN where it has
    no green or red notes.
    """
    notes = notes_frame(journeys)
    notes["stage"] = notes["stage"].fillna(UNKNOWN_STAGE)
    # Stages come from all notes, so a stage with steps but no green/red still shows.
    order = _stage_columns(notes["stage"])
    notes = notes[notes["colour"] != Colour.YELLOW.value]
    counts = pd.crosstab(notes["stage"], notes["colour"]) if len(notes) else pd.DataFrame()
    table = pd.DataFrame(index=pd.Index(order, name="stage"))
    for colour in (Colour.GREEN.value, Colour.RED.value):
        column = counts[colour] if colour in counts else pd.Series(dtype="int64")
        table[colour] = column.reindex(order, fill_value=0).astype("int64")
    table["balance"] = table["green"] - table["red"]
    notes_total = (table["green"] + table["red"]).astype("float64")
    table["share_red"] = table["red"] / notes_total.where(notes_total > 0)
    return table


def actors(journey: Journey) -> tuple[str, ...]:
    """The distinct actors of all notes, in order of first mention, case ignored."""
    seen: dict[str, str] = {}
    for note in journey.notes:
        if note.actor and note.actor.strip():
            seen.setdefault(note.actor.strip().casefold(), note.actor.strip())
    return tuple(seen.values())


# The main-contact family: the case worker goes by several titles in Danish
# municipalities; a compound such as "sagsbehandlerteam" still names one.
_CONTACT = r"(?:sagsbehandler\w*|(?:social|familie|unge|borger)?radgiver\w*|case ?workers?)"
_CONTACT_ACTOR = re.compile(rf"\b{_CONTACT}\b")
_CONTACT_CHANGE = re.compile(
    rf"\b(?:nye?|nyt|endnu en|anden|andre|new|another)\s+{_CONTACT}"
    rf"|\bskift\w*\s+(?:af\s+|til\s+)?(?:en\s+)?(?:ny\s+)?{_CONTACT}"
    rf"|\b(?:sagsbehandler|radgiver)skift"
    rf"|\bchang\w*\s+(?:of\s+)?(?:my\s+|the\s+)?{_CONTACT}"
)


def _matches_contact(actor: str | None, wanted: str) -> bool:
    if not actor:
        return False
    if _CONTACT_ACTOR.search(fold(wanted)):
        return bool(_CONTACT_ACTOR.search(fold(actor)))
    return fold(wanted).strip() in fold(actor)


def contact_changes(journey: Journey, actor: str = "sagsbehandler") -> int:
    """How often the main contact changed, counted per yellow step (each step at most once).

    A step counts as a change when (a) its yellow note's actor belongs to the
    main-contact family (sagsbehandler, rådgiver, socialrådgiver and their
    compounds; or, for another *actor*, contains that word) and it is not the
    first such step, since a step told with a case worker is a new meeting
    with one; or (b) any of its notes says so in words ("ny sagsbehandler",
    "skift af rådgiver", "sagsbehandlerskift", "new case worker"), even at the
    first such step: the change came from someone before the wall began.
    """
    mention = _CONTACT_CHANGE if _CONTACT_ACTOR.search(fold(actor)) else None
    changes = 0
    first_seen = False
    for step in journey.steps:
        by_actor = _matches_contact(step.event.actor, actor)
        by_text = mention is not None and any(mention.search(fold(n.text)) for n in step.notes)
        if by_text or (by_actor and first_seen):
            changes += 1
        first_seen = first_seen or by_actor
    return changes


@dataclass(frozen=True)
class Transition:
    """A crossing the interviewer asks about, with the notes either side of it.

    `step` is the 1-based number of the first step on the new side; `before`
    counts are of the step just before it (0 when there is none).
    """

    kind: TransitionKind
    step: int
    age: float | None
    green_before: int
    red_before: int
    green_after: int
    red_after: int


_AFTER_SCHOOL = re.compile(
    r"\befter\s+(?:9\.?|niende)\s*(?:klasse|kl\.)|\befter\s+(?:folkeskolen|grundskolen)"
    r"|\bafter\s+(?:9th|ninth)\s+grade|\bafter\s+(?:primary|lower secondary)\s+school"
)
_NINTH_GRADE = re.compile(r"\b(?:9\.?|niende)\s*(?:klasse|kl\.)|\b(?:9th|ninth)\s+grade")
_AFTERCARE_ENDS = re.compile(
    r"\beftervaern\w*\s+(?:\w+\s+){0,3}?(?:stop|slut|ophor|ender|lukke|afslut)"
    r"|\b(?:stop|slut|ophor|afslut|ud af|mister)\w*\s+(?:\w+\s+){0,3}?eftervaern"
    r"|\baftercare\s+(?:\w+\s+){0,2}?(?:ends|ended|stops|stopped|closes|closed)"
    r"|\b(?:leav\w*|los\w*|end\w*\s+of)\s+(?:\w+\s+){0,2}?aftercare"
)


def _text(step: Step) -> str:
    return fold(step.event.text)


def _after_9th(steps: Sequence[Step]) -> int | None:
    last = max((i for i, s in enumerate(steps) if s.stage is Stage.UDSKOLING), default=None)
    if last is not None:
        return last + 1 if last + 1 < len(steps) else None
    for i, step in enumerate(steps):
        if _AFTER_SCHOOL.search(_text(step)):
            return i
        if _NINTH_GRADE.search(_text(step)):
            return i + 1 if i + 1 < len(steps) else None
    return None


def _is_adult(step: Step) -> bool:
    old_enough = step.age is not None and step.age >= 18
    return old_enough or step.stage in (Stage.TRANSITION_18, Stage.ADULT)


def _at_18(steps: Sequence[Step]) -> int | None:
    return next((i for i, step in enumerate(steps) if _is_adult(step)), None)


def _leaving_aftercare(steps: Sequence[Step], start: int) -> int | None:
    for i in range(start, len(steps)):
        step = steps[i]
        too_old = step.age is not None and step.age >= AFTERCARE_END_AGE
        if _AFTERCARE_ENDS.search(_text(step)) or (step.stage is Stage.ADULT and too_old):
            return i
    return None


def _transition(kind: TransitionKind, steps: Sequence[Step], index: int) -> Transition:
    before = steps[index - 1] if index > 0 else None
    after = steps[index]
    return Transition(
        kind=kind,
        step=index + 1,
        age=after.age,
        green_before=len(before.green) if before else 0,
        red_before=len(before.red) if before else 0,
        green_after=len(after.green),
        red_after=len(after.red),
    )


def transitions(journey: Journey) -> list[Transition]:
    """The journey's crossings, in order: after 9th grade, at 18, leaving aftercare.

    - after_9th: the first step after the last `udskoling` step; without
      udskoling steps, the first step whose event says "efter 9. klasse" /
      "efter folkeskolen", or else the step after one that names "9. klasse".
    - at_18: the first step aged 18 or more, or in stage transition_18 or adult.
    - leaving_aftercare: from the at_18 step on, the first step whose event says
      aftercare ends ("efterværnet stopper", "ud af efterværn") or which is in
      stage adult at age 23 or more.
    Each kind appears at most once; a crossing the journey does not reach is left out.
    """
    steps = journey.steps
    found: list[Transition] = []
    ninth = _after_9th(steps)
    if ninth is not None:
        found.append(_transition("after_9th", steps, ninth))
    eighteen = _at_18(steps)
    if eighteen is not None:
        found.append(_transition("at_18", steps, eighteen))
        leaving = _leaving_aftercare(steps, eighteen)
        if leaving is not None:
            found.append(_transition("leaving_aftercare", steps, leaving))
    return found


def declared_kind(key: str, label: str, age: float) -> TransitionKind | None:
    """The crossing a declared transition point (study.toml [transitions]) stands for, or None.

    A point stands for a crossing when its key is the crossing's id
    (after_9th, at_18, leaving_aftercare), or else when it says what the steps
    are read for: after_9th when its label says "efter 9. klasse" / "efter
    folkeskolen" / "after 9th grade"; leaving_aftercare when its label says
    aftercare ends ("efterværnet slutter") or it is at age 23; at_18 when it is
    at age 18. So `journeylab journeys` can name a found crossing by the
    study's own label.
    """
    if key in TRANSITION_KINDS:
        return TRANSITION_KINDS[key]
    text = fold(label)
    if _AFTER_SCHOOL.search(text):
        return "after_9th"
    if _AFTERCARE_ENDS.search(text) or age == AFTERCARE_END_AGE:
        return "leaving_aftercare"
    if age == 18:
        return "at_18"
    return None


SUMMARY_COLUMNS = [
    "id",
    "pseudonym",
    "age",
    "steps",
    "green",
    "red",
    "balance",
    "actors",
    "contact_changes",
    "stages",
    "passes_18",
]


def passes_18(journey: Journey) -> bool:
    """Whether the journey reaches adulthood: a step aged 18+ or in stage transition_18/adult."""
    return _at_18(journey.steps) is not None


def summary(journeys: Iterable[Journey]) -> pd.DataFrame:
    """One row a journey: the table `journeylab journeys STUDY` prints.

    `actors` and `stages` are the numbers of distinct actors and life stages met.
    """
    rows = []
    for journey in journeys:
        green, red = journey.count(Colour.GREEN), journey.count(Colour.RED)
        rows.append(
            {
                "id": journey.id,
                "pseudonym": journey.pseudonym,
                "age": journey.age,
                "steps": len(journey.steps),
                "green": green,
                "red": red,
                "balance": green - red,
                "actors": len(actors(journey)),
                "contact_changes": contact_changes(journey),
                "stages": len({step.stage for step in journey.steps if step.stage}),
                "passes_18": passes_18(journey),
            }
        )
    frame = pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
    for column in ("steps", "green", "red", "balance", "actors", "contact_changes", "stages"):
        frame[column] = frame[column].astype("int64")
    frame["age"] = frame["age"].astype("float64")
    frame["passes_18"] = frame["passes_18"].astype(bool)
    return frame

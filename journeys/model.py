"""The journey domain: notes, steps and journeys, as frozen dataclasses."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum


class Colour(StrEnum):
    """A sticky note's colour: yellow = event, green = good, red = bad."""

    YELLOW = "yellow"
    GREEN = "green"
    RED = "red"


def _fold(word: str) -> str:
    """Lower-case and strip accents and Danish letters so 'Grøn' == 'gron'."""
    word = word.strip().lower().replace("ø", "o").replace("æ", "ae").replace("å", "a")
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


_COLOUR_NAMES = {
    "yellow": Colour.YELLOW,
    "gul": Colour.YELLOW,
    "green": Colour.GREEN,
    "gron": Colour.GREEN,
    "red": Colour.RED,
    "rod": Colour.RED,
}


def parse_colour(value: str) -> Colour | None:
    """The colour named by *value* (yellow/gul, green/grøn, red/rød), or None."""
    return _COLOUR_NAMES.get(_fold(value))


class Stage(StrEnum):
    """Life stages a journey passes through, in order."""

    EARLY_CHILDHOOD = "early_childhood"
    SCHOOL = "school"
    UDSKOLING = "udskoling"
    YOUTH_EDUCATION = "youth_education"
    TRANSITION_18 = "transition_18"
    ADULT = "adult"

    @property
    def order(self) -> int:
        return list(Stage).index(self)


_STAGE_NAMES: dict[str, Stage] = {}
for _stage, _names in {
    Stage.EARLY_CHILDHOOD: ["early_childhood", "early childhood", "tidlig barndom", "smaborn"],
    Stage.SCHOOL: ["school", "skole", "grundskole", "indskoling", "mellemtrin"],
    Stage.UDSKOLING: ["udskoling", "last school years", "last_school_years"],
    Stage.YOUTH_EDUCATION: ["youth_education", "youth education", "ungdomsuddannelse"],
    Stage.TRANSITION_18: [
        "transition_18",
        "transition at 18",
        "overgang til voksen",
        "overgang 18",
        "18 ar",
        "18",
    ],
    Stage.ADULT: ["adult", "aftercare", "voksen", "efterværn", "voksenliv"],
}.items():
    for _name in _names:
        _STAGE_NAMES[_fold(_name)] = _stage


def parse_stage(value: str) -> Stage | None:
    """The stage named by *value* in Danish or English, or None."""
    return _STAGE_NAMES.get(_fold(value))


@dataclass(frozen=True)
class Note:
    """One sticky note."""

    colour: Colour
    text: str
    age: float | None = None
    date: str | None = None
    actor: str | None = None
    stage: Stage | None = None


@dataclass(frozen=True)
class Step:
    """One yellow note (an event or intervention) with its green and red notes."""

    event: Note
    green: tuple[Note, ...] = ()
    red: tuple[Note, ...] = ()

    @property
    def stage(self) -> Stage | None:
        return self.event.stage

    @property
    def age(self) -> float | None:
        return self.event.age

    @property
    def notes(self) -> tuple[Note, ...]:
        """All notes of the step: the yellow first, then green, then red."""
        return (self.event, *self.green, *self.red)


@dataclass(frozen=True)
class Journey:
    """A young person's journey: the steps in the order they were told."""

    id: str
    steps: tuple[Step, ...]
    pseudonym: str | None = None
    age: float | None = None
    gender: str | None = None
    municipality: str | None = None
    attributes: tuple[tuple[str, str], ...] = field(default=())
    source: str | None = None

    @property
    def notes(self) -> tuple[Note, ...]:
        return tuple(note for step in self.steps for note in step.notes)

    def count(self, colour: Colour) -> int:
        return sum(1 for note in self.notes if note.colour is colour)

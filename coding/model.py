"""The coding domain: transcripts, turns, segments, codebooks and codings.

Frozen dataclasses only; readers build them, the store persists them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Role(StrEnum):
    """A speaker's role in the study. Values are the Danish names used in files."""

    UNG = "ung"
    MEDARBEJDER = "medarbejder"
    LEDER = "leder"
    INTERVIEWER = "interviewer"


_ROLE_NAMES = {
    "ung": Role.UNG,
    "unge": Role.UNG,
    "young": Role.UNG,
    "young person": Role.UNG,
    "youth": Role.UNG,
    "medarbejder": Role.MEDARBEJDER,
    "medarbejdere": Role.MEDARBEJDER,
    "employee": Role.MEDARBEJDER,
    "staff": Role.MEDARBEJDER,
    "leder": Role.LEDER,
    "ledere": Role.LEDER,
    "leader": Role.LEDER,
    "manager": Role.LEDER,
    "interviewer": Role.INTERVIEWER,
    "interviewer ": Role.INTERVIEWER,
    "moderator": Role.INTERVIEWER,
    "facilitator": Role.INTERVIEWER,
}


def parse_role(value: str) -> Role | None:
    """The role named by *value* (Danish or English, any case), or None."""
    return _ROLE_NAMES.get(str(value).strip().lower())


@dataclass(frozen=True)
class Participant:
    """A speaker as the study declares them. `name` is the label in the file."""

    name: str
    role: Role
    pseudonym: str | None = None
    unit: str | None = None


@dataclass(frozen=True)
class Turn:
    """One speaker turn. `text == transcript.text[start:end]`."""

    index: int
    speaker: str
    role: Role
    text: str
    start: int
    end: int
    timestamp: str | None = None
    line: int | None = None  # 1-based line (or paragraph/cue number) in the source file


@dataclass(frozen=True)
class Transcript:
    """A focus-group interview as speaker turns over one normalised text.

    `text` is the file's content after decoding, BOM removal, CRLF -> LF and
    Unicode NFC; every turn's offsets point into it.
    """

    source: str  # path relative to the study folder, with forward slashes
    text: str
    turns: tuple[Turn, ...]
    title: str | None = None
    date: str | None = None
    municipality: str | None = None
    participants: tuple[Participant, ...] = ()

    def participant(self, speaker: str) -> Participant | None:
        for p in self.participants:
            if p.name == speaker:
                return p
        return None


class SegmentKind(StrEnum):
    TURN = "turn"  # a whole speaker turn
    SENTENCES = "sentences"  # a window of sentences from a long turn
    NOTE = "note"  # a journey sticky note


@dataclass(frozen=True)
class Segment:
    """The codable unit: a turn, a sentence window of a turn, or a journey note.

    `start`/`end` are character offsets into the source's normalised text
    (a transcript's `text`, or a journey's text from `journey_text`).
    """

    id: str  # stable within a study: f"{source}#{position}"
    source: str
    kind: SegmentKind
    position: int  # order within the source
    start: int
    end: int
    text: str
    role: Role
    speaker: str | None = None
    turn_index: int | None = None
    colour: str | None = None  # notes: yellow/green/red
    stage: str | None = None  # notes: life stage id
    journey: str | None = None  # notes: journey id
    step: int | None = None  # notes: 0-based step index
    lemmas: tuple[str, ...] = field(default=(), compare=False, repr=False)


@dataclass(frozen=True)
class Theme:
    """A code in the codebook."""

    name: str
    description: str
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()
    color: str | None = None
    parent: str | None = None
    emergent: bool = False  # proposed while coding, not part of the original codebook


@dataclass(frozen=True)
class Codebook:
    name: str
    language: str
    themes: tuple[Theme, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(t.name for t in self.themes)

    def theme(self, name: str) -> Theme | None:
        for t in self.themes:
            if t.name == name:
                return t
        return None


class CodingStatus(StrEnum):
    SUGGESTED = "suggested"  # the machine proposes it
    ACCEPTED = "accepted"  # a person accepted a suggestion
    REJECTED = "rejected"  # a person rejected a suggestion
    MANUAL = "manual"  # a person added it


@dataclass(frozen=True)
class Coding:
    """A theme on a segment, by one coder (a person or a machine coder)."""

    segment_id: str
    theme: str
    coder: str
    status: CodingStatus
    score: float | None = None
    rank: int | None = None
    explanation: str | None = None
    memo: str | None = None


@dataclass(frozen=True)
class Suggestion:
    """A coder's scored theme for a segment, before it is stored."""

    segment_id: str
    theme: str
    score: float
    rank: int
    coder: str
    explanation: str = ""

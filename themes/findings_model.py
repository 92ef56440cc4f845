"""The findings' domain objects: what a report (and the explorer) shows of a study.

Frozen dataclasses built by `themes/findings.build_findings` (which re-exports
them), with every user text already pseudonymised.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from journeylab.coding.model import Participant, Role, Segment
from journeylab.coding.model import SegmentKind as Kind
from journeylab.themes.quantifiers import Quantity
from journeylab.themes.quotes import Quote
from journeylab.themes.report_extras import Appendix, Consideration
from journeylab.themes.statements import Statement
from journeylab.themes.written import Bullet

ROLES = (Role.UNG, Role.MEDARBEJDER, Role.LEDER)
GROUPS = (("unge", "ung"), ("medarbejdere", "medarbejder"))


@dataclass(frozen=True)
class SourceInfo:
    """A journey file or a transcript, as the report describes it."""

    path: str
    kind: str  # "journey" | "transcript"
    title: str | None = None
    participants: tuple[Participant, ...] = ()
    municipality: str | None = None
    date: str | None = None


@dataclass(frozen=True)
class FocusGroup:
    source: str
    title: str
    date: str | None
    roles: tuple[tuple[str, int], ...]  # role value -> participants (interviewer excluded)


@dataclass(frozen=True)
class DataBasis:
    journeys: int
    focus_groups: tuple[FocusGroup, ...]
    participants: tuple[tuple[str, int], ...]  # ung/medarbejder/leder -> distinct people
    words: int
    segments: int
    segments_coded: int
    notes: tuple[tuple[str, int], ...]  # colour -> journey notes


@dataclass(frozen=True)
class CodedSegment:
    segment_id: str
    source: str
    kind: str
    text: str  # pseudonymised
    role: Role
    participant: str
    speaker: str | None  # pseudonym
    score: float | None
    suggested: bool


@dataclass(frozen=True)
class GroupFindings:
    """One role group's part of a theme: "unge" or "medarbejdere" (with leaders)."""

    key: str  # "unge" | "medarbejdere"
    quantity: Quantity  # distinct participants of the group who touch the theme
    segments: tuple[CodedSegment, ...]
    statements: tuple[Statement, ...]
    leaders: Quantity | None = None  # medarbejdere only: the leaders among them
    bullets: tuple[Bullet, ...] = ()  # the analyst's own (findings.yaml); else statements

    @property
    def drafts(self) -> bool:
        """True when the report shows the tool's draft statements, not the analyst's bullets."""
        return not self.bullets

    @property
    def count(self) -> int:
        return self.quantity.count


@dataclass(frozen=True)
class JourneyNote:
    segment_id: str
    journey: str
    pseudonym: str | None
    colour: str
    stage: str | None
    text: str
    step: str | None  # the yellow note the green/red one belongs to
    suggested: bool


@dataclass(frozen=True)
class StageBalance:
    stage: str | None
    green: int
    red: int


@dataclass(frozen=True)
class ThemeFindings:
    name: str
    anchor: str
    description: str
    color: str | None
    groups: tuple[GroupFindings, ...]
    quotes: tuple[Quote, ...]
    notes: tuple[JourneyNote, ...]
    balance: tuple[StageBalance, ...]
    segments: int
    suggested: int  # segments that count only because of machine suggestions
    considerations: tuple[int, ...] = ()  # numbers of the considerations linked to the theme

    def group(self, key: str) -> GroupFindings:
        return next(g for g in self.groups if g.key == key)


@dataclass(frozen=True)
class Findings:
    title: str
    municipality: str | None
    date: str | None
    language: str
    background: str
    considerations: tuple[str, ...]
    basis: DataBasis
    themes: tuple[ThemeFindings, ...]
    group_sizes: tuple[tuple[str, int], ...]  # "unge"/"medarbejdere" -> people
    crosstab: tuple[tuple[str, tuple[int, ...]], ...]  # theme -> segments per ROLES
    cooccurrence: tuple[tuple[str, str, int], ...]  # theme a, theme b, shared segments
    agreement: tuple[tuple[str, float], ...] = ()
    include_suggestions: float | None = None
    consideration_items: tuple[Consideration, ...] = ()  # section 5, with theme links
    appendix: Appendix = field(default_factory=Appendix)


def slug(name: str) -> str:
    """An HTML anchor for a theme: "Skolen og tidlig indsats" -> "tema-skolen-og-tidlig-indsats"."""
    text = name.lower().replace("æ", "ae").replace("ø", "oe").replace("å", "aa")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "tema-" + (re.sub(r"[^a-z0-9]+", "-", text).strip("-") or "x")


def participant_key(segment: Segment) -> str:
    """Who said it: the journey for a note, (source, speaker) for a turn."""
    if segment.kind is Kind.NOTE or segment.journey:
        return f"journey:{segment.journey or segment.source}"
    return f"{segment.source}|{segment.speaker or ''}"

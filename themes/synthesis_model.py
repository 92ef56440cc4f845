"""What the partnership synthesis renders: its themes across the municipalities, the
transition points, the recommendations and the basis (built by themes/synthesis.py)."""

from __future__ import annotations

from dataclasses import dataclass

from journeylab.themes.programme import Recommendation
from journeylab.themes.quantifiers import Quantity
from journeylab.themes.quotes import Quote
from journeylab.themes.transitions import TransitionPoint, TransitionSummary


@dataclass(frozen=True)
class MunicipalityBasis:
    key: str
    municipality: str
    journeys: int
    focus_groups: int
    participants: tuple[tuple[str, int], ...]  # ung/medarbejder/leder -> people
    words: int
    client_only: int  # sources kept for the municipality's own report


@dataclass(frozen=True)
class MunicipalityShare:
    """A programme theme in one municipality."""

    municipality: str
    unge: Quantity
    medarbejdere: Quantity  # employees and leaders
    ledere: Quantity
    share: float  # touching participants / all participants
    local_themes: tuple[str, ...]


@dataclass(frozen=True)
class Standout:
    municipality: str
    direction: str  # "higher" | "lower"
    share: float


@dataclass(frozen=True)
class ProgrammeTheme:
    name: str
    anchor: str
    description: str
    color: str | None
    unge: Quantity
    medarbejdere: Quantity
    ledere: Quantity
    municipalities: tuple[MunicipalityShare, ...]
    touched: int  # municipalities where anyone touches the theme
    agree: bool  # every municipality touches it and none stands out
    standouts: tuple[Standout, ...]
    absent: tuple[str, ...]  # municipalities where no one touches it
    quotes: tuple[Quote, ...]


@dataclass(frozen=True)
class NoteExample:
    municipality: str
    colour: str
    side: str
    text: str  # pseudonymised


@dataclass(frozen=True)
class TransitionFindings:
    point: TransitionPoint
    total: TransitionSummary
    municipalities: tuple[tuple[str, TransitionSummary], ...]
    examples: tuple[NoteExample, ...]


@dataclass(frozen=True)
class MappingRow:
    municipality: str
    local: str
    programme: tuple[str, ...]


@dataclass(frozen=True)
class RecommendationFindings:
    recommendation: Recommendation
    themes: tuple[ProgrammeTheme, ...]
    transitions: tuple[TransitionFindings, ...]


@dataclass(frozen=True)
class Synthesis:
    title: str
    date: str | None
    language: str
    background: str
    scope: str | None  # None: the shared synthesis; else the municipality of its own version
    basis: tuple[MunicipalityBasis, ...]
    mapping: tuple[MappingRow, ...]
    themes: tuple[ProgrammeTheme, ...]
    transitions: tuple[TransitionFindings, ...]
    recommendations: tuple[RecommendationFindings, ...]

    @property
    def municipalities(self) -> tuple[str, ...]:
        return tuple(b.municipality for b in self.basis)

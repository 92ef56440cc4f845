"""The partnership synthesis: the programme's themes across its municipalities.

`build_synthesis` loads each member study's findings (its store and journey
files, pseudonymised with that study's own names), maps the local themes onto
the programme's themes, and counts, per programme theme and municipality, the
distinct participants by role who touch it. Quotes keep only role and
municipality. Material a municipality marked ``client_only`` (programme.toml)
is counted but its text appears only in that municipality's own version
(``scope=key``), never in the shared synthesis or another municipality's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from journeylab.coding.model import Codebook, Participant, Role
from journeylab.coding.study import Study, load_study
from journeylab.journeys.model import Journey
from journeylab.themes.findings import Findings, slug
from journeylab.themes.mapping import ThemeMapping, load_mapping
from journeylab.themes.privacy import Pseudonymiser
from journeylab.themes.programme import (
    Member,
    Programme,
    Recommendation,
    check_recommendation_themes,
    load_programme_codebook,
)
from journeylab.themes.quantifiers import Quantity
from journeylab.themes.quotes import Quote
from journeylab.themes.transitions import (
    TransitionPoint,
    TransitionSummary,
    merge_points,
    place_journey,
    study_transitions,
    summarise,
)

# A municipality stands out when its share of participants touching a theme is
# this far from the partnership's mean share.
STANDOUT = 0.25
QUOTES_PER_THEME = 6
QUOTES_PER_MUNICIPALITY = 2
EXAMPLE_NOTES = 3


@dataclass(frozen=True)
class MemberData:
    """One member study loaded: its findings (pseudonymised), journeys and names."""

    member: Member
    study: Study
    findings: Findings
    participants: tuple[Participant, ...]
    journeys: tuple[Journey, ...]

    @property
    def municipality(self) -> str:
        return self.study.municipality or self.study.title


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


def load_member(member: Member, include_suggestions: float | None) -> MemberData:
    """The member's findings from its store (run import and code first) and its journeys."""
    from journeylab.journeys.readers import read_journeys
    from journeylab.themes.report import load_findings

    study = load_study(member.path)
    journeys = read_journeys(study.journey_files(), relative=study.relative)
    findings, participants = load_findings(
        study, include_suggestions=include_suggestions, journeys=journeys
    )
    return MemberData(member, study, findings, participants, tuple(journeys))


def prepare_member(study: Study) -> None:
    """Import the study's files and, when nothing is coded yet, let the machine suggest."""
    from journeylab.coding.autocode import code_study
    from journeylab.coding.importer import import_study
    from journeylab.coding.model import CodingStatus
    from journeylab.coding.store import open_store

    report = import_study(study)
    with open_store(study) as store:
        coded = store.codings(statuses=[CodingStatus.SUGGESTED])
    if report.added or report.changed or not coded:
        code_study(study)


def _names(data: MemberData) -> Pseudonymiser:
    return Pseudonymiser.from_study(data.study, data.participants)


def _visible(data: MemberData, source: str | None, scope: str | None) -> bool:
    """May this source's text be shown in the version for *scope*?"""
    return scope == data.member.key or source not in data.member.client_only


def _basis(data: MemberData) -> MunicipalityBasis:
    b = data.findings.basis
    sources = {g.source for g in b.focus_groups} | {j.source for j in data.journeys if j.source}
    return MunicipalityBasis(
        key=data.member.key,
        municipality=data.municipality,
        journeys=b.journeys,
        focus_groups=len(b.focus_groups),
        participants=b.participants,
        words=b.words,
        client_only=sum(1 for s in data.member.client_only if s in sources),
    )


def _people(data: MemberData, locals_: Sequence[str]) -> dict[Role, set[str]]:
    who: dict[Role, set[str]] = {Role.UNG: set(), Role.MEDARBEJDER: set(), Role.LEDER: set()}
    for theme in data.findings.themes:
        if theme.name not in locals_:
            continue
        for group in theme.groups:
            for seg in group.segments:
                if seg.role in who:
                    who[seg.role].add(f"{data.member.key}:{seg.participant}")
    return who


def _sizes(data: MemberData) -> dict[str, int]:
    return dict(data.findings.basis.participants)


def _quotes(
    members: Sequence[MemberData], locals_: dict[str, tuple[str, ...]], scope: str | None
) -> tuple[Quote, ...]:
    """The strongest quotes, at most two per municipality, spread across municipalities."""
    per: list[list[Quote]] = []
    for data in members:
        seen: dict[str, Quote] = {}
        for theme in data.findings.themes:
            if theme.name in locals_.get(data.member.key, ()):
                for q in theme.quotes:
                    if _visible(data, q.source, scope):
                        seen.setdefault(q.segment_id, q)
        # The analyst's pinned quotes first, then the strongest.
        ranked = sorted(seen.values(), key=lambda q: (not q.pinned, -q.strength, q.segment_id))
        per.append(ranked[:QUOTES_PER_MUNICIPALITY])
    chosen: list[Quote] = []
    for rank in range(QUOTES_PER_MUNICIPALITY):
        for quotes in per:
            if rank < len(quotes) and len(chosen) < QUOTES_PER_THEME:
                chosen.append(quotes[rank])
    return tuple(chosen)


def _theme(
    name: str,
    codebook: Codebook,
    members: Sequence[MemberData],
    mapping: ThemeMapping,
    scope: str | None,
) -> ProgrammeTheme:
    theme = codebook.theme(name)
    assert theme is not None
    shares: list[MunicipalityShare] = []
    totals = {Role.UNG: 0, Role.MEDARBEJDER: 0, Role.LEDER: 0}
    sizes_all = {"ung": 0, "medarbejder": 0, "leder": 0}
    locals_: dict[str, tuple[str, ...]] = {}
    for data in members:
        mine = mapping.sources(data.member.key, name)
        locals_[data.member.key] = mine
        who = _people(data, mine)
        sizes = _sizes(data)
        for role in totals:
            totals[role] += len(who[role])
            sizes_all[role.value] += sizes.get(role.value, 0)
        everyone = sum(sizes.values())
        touching = sum(len(s) for s in who.values())
        staff = sizes.get("medarbejder", 0) + sizes.get("leder", 0)
        shares.append(
            MunicipalityShare(
                municipality=data.municipality,
                unge=Quantity(len(who[Role.UNG]), sizes.get("ung", 0), "ung"),
                medarbejdere=Quantity(
                    len(who[Role.MEDARBEJDER]) + len(who[Role.LEDER]), staff, "medarbejder"
                ),
                ledere=Quantity(len(who[Role.LEDER]), sizes.get("leder", 0), "leder"),
                share=touching / everyone if everyone else 0.0,
                local_themes=mine,
            )
        )
    mean = sum(s.share for s in shares) / len(shares) if shares else 0.0
    standouts = tuple(
        Standout(s.municipality, "higher" if s.share > mean else "lower", s.share)
        for s in shares
        if len(shares) > 1 and abs(s.share - mean) >= STANDOUT
    )
    absent = tuple(s.municipality for s in shares if s.share == 0)
    staff_total = sizes_all["medarbejder"] + sizes_all["leder"]
    return ProgrammeTheme(
        name=theme.name,
        anchor=slug(theme.name),
        description=theme.description,
        color=theme.color,
        unge=Quantity(totals[Role.UNG], sizes_all["ung"], "ung"),
        medarbejdere=Quantity(
            totals[Role.MEDARBEJDER] + totals[Role.LEDER], staff_total, "medarbejder"
        ),
        ledere=Quantity(totals[Role.LEDER], sizes_all["leder"], "leder"),
        municipalities=tuple(shares),
        touched=len(shares) - len(absent),
        agree=len(shares) > 1 and not standouts and not absent,
        standouts=standouts,
        absent=absent,
        quotes=_quotes(members, locals_, scope),
    )


def _transitions(
    programme: Programme, members: Sequence[MemberData], scope: str | None
) -> tuple[TransitionFindings, ...]:
    # Each study may add or redefine points; the synthesis follows the programme's list
    # and uses a study's own age for a key it redefines.
    windows = []
    examples: dict[str, list[NoteExample]] = {}
    for data in members:
        points = merge_points(programme.transitions, study_transitions(data.study))
        points = tuple(p for p in points if p.key in {q.key for q in programme.transitions})
        names = _names(data)
        for journey in data.journeys:
            for w in place_journey(journey, points, municipality=data.municipality):
                windows.append(w)
                if not _visible(data, journey.source, scope):
                    continue
                for n in w.notes:
                    red_after = n.side == "after" and n.colour == "red"
                    if n.colour != "yellow" and (red_after or n.wait):
                        examples.setdefault(w.point, []).append(
                            NoteExample(data.municipality, n.colour, n.side, names.text(n.text))
                        )
    out = []
    for point in programme.transitions:
        per = tuple(
            (
                d.municipality,
                summarise(point, [w for w in windows if w.municipality == d.municipality]),
            )
            for d in members
        )
        picked: list[NoteExample] = []
        for ex in examples.get(point.key, []):
            # One example per municipality first, so no single place fills the list.
            if len(picked) < EXAMPLE_NOTES and ex.municipality not in {
                p.municipality for p in picked
            }:
                picked.append(ex)
        out.append(TransitionFindings(point, summarise(point, windows), per, tuple(picked)))
    return tuple(out)


def synthesise(
    programme: Programme,
    codebook: Codebook,
    members: Sequence[MemberData],
    mapping: ThemeMapping,
    *,
    scope: str | None = None,
) -> Synthesis:
    """The synthesis from loaded members (pure: no files read)."""
    check_recommendation_themes(programme, codebook)
    themes = tuple(_theme(t.name, codebook, members, mapping, scope) for t in codebook.themes)
    transitions = _transitions(programme, members, scope)
    by_name = {t.name: t for t in themes}
    by_key = {t.point.key: t for t in transitions}
    recs = tuple(
        RecommendationFindings(
            r, tuple(by_name[t] for t in r.themes), tuple(by_key[k] for k in r.transitions)
        )
        for r in programme.recommendations
    )
    rows = tuple(
        MappingRow(d.municipality, link.local, link.programme)
        for d in members
        for link in mapping.links
        if link.study == d.member.key
    )
    scope_name = next((d.municipality for d in members if d.member.key == scope), None)
    return Synthesis(
        title=programme.title,
        date=programme.date,
        language=programme.language,
        background=programme.background,
        scope=scope_name,
        basis=tuple(_basis(d) for d in members),
        mapping=rows,
        themes=themes,
        transitions=transitions,
        recommendations=recs,
    )


def load_members(programme: Programme, *, prepare: bool = False) -> list[MemberData]:
    """Every member's data; with *prepare*, import and code each study first."""
    out = []
    for member in programme.members:
        if prepare:
            prepare_member(load_study(member.path))
        out.append(load_member(member, programme.include_suggestions))
    return out


def member_codebooks(members: Sequence[MemberData]) -> dict[str, Codebook]:
    """Each member's own codebook file (what the mapping file must cover)."""
    from journeylab.coding.codebook import load_codebook

    return {d.member.key: load_codebook(d.study.codebook_path) for d in members}


def build_synthesis(
    programme: Programme, *, scope: str | None = None, prepare: bool = False
) -> Synthesis:
    """The synthesis of *programme* (shared, or one municipality's own version with *scope*)."""
    if scope is not None:
        programme.member(scope)  # an unknown key is an error before any work
    codebook = load_programme_codebook(programme)
    members = load_members(programme, prepare=prepare)
    mapping = load_mapping(programme.mapping_path, member_codebooks(members), codebook)
    return synthesise(programme, codebook, members, mapping, scope=scope)


def privacy_checkers(members: Sequence[MemberData]) -> list[Pseudonymiser]:
    """One checker per member: each study's own [names] and participants."""
    return [_names(d) for d in members]


def write_synthesis(
    programme: Programme,
    out: str | Path,
    *,
    fmt: str = "html",
    lang: str | None = None,
    scope: str | None = None,
) -> Path:
    """Render the synthesis (html|md), check it for real names, write it atomically."""
    from journeylab.themes.synthesis_report import write_synthesis as write

    return write(programme, out, fmt=fmt, lang=lang, scope=scope)

"""Findings: codings turned into what a report (and the explorer) shows.

`build_findings` is pure: plain domain objects in, a frozen `Findings` out,
with every user text already pseudonymised. Which codings count: ACCEPTED and
MANUAL always, REJECTED never, SUGGESTED only when `include_suggestions` is a
threshold and the score reaches it; such findings are marked `suggested`.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from journeylab.coding.model import Codebook, Coding, CodingStatus, Participant, Role, Segment
from journeylab.coding.model import SegmentKind as Kind
from journeylab.coding.study import Study
from journeylab.journeys.model import Colour, Journey, Stage
from journeylab.themes.privacy import Pseudonymiser
from journeylab.themes.quantifiers import Quantity
from journeylab.themes.quotes import Candidate, Quote, QuoteRules, select_quotes, word_count
from journeylab.themes.report_extras import (
    Appendix,
    Consideration,
    codebook_entries,
    load_considerations,
)
from journeylab.themes.statements import Evidence, Statement, build_statements
from journeylab.themes.written import Bullet, WrittenFindings, resolve_bullets

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


def _group_of(role: Role) -> str | None:
    if role is Role.UNG:
        return "unge"
    if role in (Role.MEDARBEJDER, Role.LEDER):
        return "medarbejdere"
    return None


def _counted(
    codings: Sequence[Coding], threshold: float | None
) -> dict[tuple[str, str], tuple[bool, float | None]]:
    """(segment, theme) -> (only suggested?, best score) for the codings that count."""
    out: dict[tuple[str, str], tuple[bool, float | None]] = {}
    # Enum members as locals: an attribute look-up per coding adds up at 180k codings.
    rejected_status, suggested_status = CodingStatus.REJECTED, CodingStatus.SUGGESTED
    person = (CodingStatus.ACCEPTED, CodingStatus.MANUAL)
    rejected = {(c.segment_id, c.theme) for c in codings if c.status is rejected_status}
    for c in codings:
        key = (c.segment_id, c.theme)
        if c.status in person:
            sure = True
        elif (
            c.status is suggested_status
            and threshold is not None
            and c.score is not None
            and c.score >= threshold
            and key not in rejected  # a person said no
        ):
            sure = False
        else:
            continue
        old = out.get(key)
        score = max((s for s in (c.score, old[1] if old else None) if s is not None), default=None)
        out[key] = (not sure and (old is None or old[0]), score)
    return out


def _people(
    segments: Sequence[Segment], journeys: Sequence[Journey], sources: Sequence[SourceInfo]
) -> dict[Role, set[str]]:
    """Distinct participants per role: journeys and declared or speaking transcript people."""
    people: dict[Role, set[str]] = {r: set() for r in ROLES}
    for journey in journeys:
        people[Role.UNG].add(f"journey:{journey.id}")
    for source in sources:
        if source.kind == "transcript":
            for p in source.participants:
                if p.role in people:
                    people[p.role].add(f"{source.path}|{p.name}")
    for seg in segments:
        if seg.role in people:
            people[seg.role].add(participant_key(seg))
    return people


def _basis(
    segments: Sequence[Segment],
    journeys: Sequence[Journey],
    sources: Sequence[SourceInfo],
    people: dict[Role, set[str]],
    coded: set[str],
    names: Pseudonymiser,
) -> DataBasis:
    groups = []
    for source in sources:
        if source.kind != "transcript":
            continue
        roles: Counter[str] = Counter()
        declared = [p for p in source.participants if p.role is not Role.INTERVIEWER]
        if declared:
            roles.update(p.role.value for p in declared)
        else:
            speakers = {(s.speaker, s.role) for s in segments if s.source == source.path}
            roles.update(r.value for _, r in speakers if r is not Role.INTERVIEWER)
        groups.append(
            FocusGroup(
                source=source.path,
                title=names.text(source.title or source.path),
                date=source.date,
                roles=tuple((r.value, roles[r.value]) for r in ROLES if roles[r.value]),
            )
        )
    spoken = [s for s in segments if s.role is not Role.INTERVIEWER]
    notes: Counter[str] = Counter(n.colour.value for j in journeys for n in j.notes)
    return DataBasis(
        journeys=len(journeys),
        focus_groups=tuple(groups),
        participants=tuple((r.value, len(people[r])) for r in ROLES),
        words=sum(word_count(s.text) for s in spoken),
        segments=len(spoken),
        segments_coded=len(coded),
        notes=tuple((c.value, notes[c.value]) for c in Colour),
    )


def _step_text(journeys: Mapping[str, Journey], seg: Segment) -> str | None:
    journey = journeys.get(seg.journey or "")
    if journey is None or seg.step is None or not 0 <= seg.step < len(journey.steps):
        return None
    if seg.colour == Colour.YELLOW.value:
        return None
    return journey.steps[seg.step].event.text


def _balance(notes: Sequence[JourneyNote]) -> tuple[StageBalance, ...]:
    green: Counter[str | None] = Counter()
    red: Counter[str | None] = Counter()
    for note in notes:
        if note.colour == Colour.GREEN.value:
            green[note.stage] += 1
        elif note.colour == Colour.RED.value:
            red[note.stage] += 1
    order = {s.value: s.order for s in Stage}
    stages = sorted(set(green) | set(red), key=lambda s: order.get(s or "", len(order)))
    return tuple(StageBalance(s, green[s], red[s]) for s in stages)


def _tables(
    themes: Sequence[str], rows: Sequence[tuple[str, str, str]]
) -> tuple[tuple[tuple[str, tuple[int, ...]], ...], tuple[tuple[str, str, int], ...]]:
    """Theme x role crosstab and theme co-occurrence from (segment, theme, role) rows."""
    # Plain counting: pandas' crosstab aggregated group by group in Python (0.5 s at 200k).
    roles = [r.value for r in ROLES]
    cross = Counter((theme, role) for _, theme, role in rows)
    crosstab = tuple((t, tuple(cross[(t, r)] for r in roles)) for t in themes)
    position = {t: i for i, t in enumerate(themes)}
    per_segment: dict[str, set[int]] = defaultdict(set)
    for seg, theme, _ in rows:
        if theme in position:
            per_segment[seg].add(position[theme])
    shared: Counter[tuple[int, int]] = Counter()
    for marks in per_segment.values():
        if len(marks) > 1:
            ordered = sorted(marks)
            shared.update((a, b) for i, a in enumerate(ordered) for b in ordered[i + 1 :])
    pairs = tuple(
        (themes[a], themes[b], shared[(a, b)])
        for a in range(len(themes))
        for b in range(a + 1, len(themes))
        if shared[(a, b)]
    )
    return crosstab, pairs


def build_findings(
    study: Study,
    codebook: Codebook,
    segments: Sequence[Segment],
    codings: Sequence[Coding],
    journeys: Sequence[Journey],
    sources: Sequence[SourceInfo],
    *,
    include_suggestions: float | None = None,
    agreement: Mapping[str, float] | None = None,
    rules: QuoteRules | None = None,
    written: WrittenFindings | None = None,
) -> Findings:
    """The findings of a study: per theme, per role group, quotes, notes and tables."""
    from journeylab.themes.quotes import load_quote_rules

    rules = rules if rules is not None else load_quote_rules(study)
    names = Pseudonymiser.from_study(study, [p for s in sources for p in s.participants])
    counted = _counted(codings, include_suggestions)
    by_theme: dict[str, list[Segment]] = defaultdict(list)
    seg_by_id = {s.id: s for s in segments}
    for seg_id, theme_name in counted:
        seg = seg_by_id.get(seg_id)
        if seg is not None and seg.role is not Role.INTERVIEWER:
            by_theme[theme_name].append(seg)
    people = _people(segments, journeys, sources)
    sizes = {
        "unge": len(people[Role.UNG]),
        "medarbejdere": len(people[Role.MEDARBEJDER]) + len(people[Role.LEDER]),
    }
    municipality = {s.path: s.municipality for s in sources}
    journey_by_id = {j.id: j for j in journeys}
    themes: list[ThemeFindings] = []
    rows: list[tuple[str, str, str]] = []
    # A segment coded with several themes is pseudonymised once: names.text is a
    # regex substitution over the whole text (1 s of a 1M-word report without this).
    pseudo: dict[str, str] = {}

    def text_of(seg: Segment) -> str:
        out = pseudo.get(seg.id)
        if out is None:
            out = pseudo[seg.id] = names.text(seg.text)
        return out

    for theme in codebook.themes:
        segs = sorted(by_theme.get(theme.name, []), key=lambda s: (s.source, s.position))
        coded: list[CodedSegment] = []
        for seg in segs:
            only_suggested, score = counted[(seg.id, theme.name)]
            rows.append((seg.id, theme.name, seg.role.value))
            coded.append(
                CodedSegment(
                    segment_id=seg.id,
                    source=seg.source,
                    kind=seg.kind.value,
                    text=text_of(seg),
                    role=seg.role,
                    participant=participant_key(seg),
                    speaker=names.speaker(seg.speaker),
                    score=score,
                    suggested=only_suggested,
                )
            )
        groups = []
        for key, noun in GROUPS:
            mine = [c for c in coded if _group_of(c.role) == key]
            evidence = [
                Evidence(c.segment_id, c.participant, c.text, seg_by_id[c.segment_id].lemmas,
                         c.suggested)
                for c in mine
            ]  # fmt: skip
            leaders = None
            if key == "medarbejdere" and people[Role.LEDER]:
                who = {c.participant for c in mine if c.role is Role.LEDER}
                leaders = Quantity(len(who), len(people[Role.LEDER]), "leder")
            groups.append(
                GroupFindings(
                    key=key,
                    quantity=Quantity(len({c.participant for c in mine}), sizes[key], noun),
                    segments=tuple(mine),
                    statements=build_statements(theme.include, evidence, sizes[key], noun),
                    leaders=leaders,
                    bullets=resolve_bullets(
                        (written or {}).get((theme.name, key), ()),
                        key,
                        sizes[key],
                        seg_by_id,
                        names.text,
                    ),
                )
            )
        candidates = [
            Candidate(
                segment_id=c.segment_id,
                text=c.text,
                role=c.role,
                participant=c.participant,
                source=c.source,
                municipality=municipality.get(c.source) or study.municipality,
                score=c.score,
                suggested=c.suggested,
            )
            for c in coded
            if c.kind != Kind.NOTE.value
        ]
        notes = tuple(
            JourneyNote(
                segment_id=seg.id,
                journey=seg.journey or seg.source,
                pseudonym=(journey_by_id[seg.journey].pseudonym if seg.journey in journey_by_id
                           else None),
                colour=seg.colour or Colour.YELLOW.value,
                stage=seg.stage,
                text=text_of(seg),
                step=names.text(step) if (step := _step_text(journey_by_id, seg)) else None,
                suggested=counted[(seg.id, theme.name)][0],
            )
            for seg in segs
            if seg.kind is Kind.NOTE
        )  # fmt: skip
        themes.append(
            ThemeFindings(
                name=theme.name,
                anchor=slug(theme.name),
                description=names.text(theme.description),
                color=theme.color,
                groups=tuple(groups),
                quotes=select_quotes(candidates, rules, study.language),
                notes=notes,
                balance=_balance(notes),
                segments=len(coded),
                suggested=sum(1 for c in coded if c.suggested),
            )
        )
    crosstab, cooccurrence = _tables(codebook.names, rows)
    coded_ids = {row[0] for row in rows}
    items = load_considerations(study, codebook.names, names.text)
    themes = [
        replace(t, considerations=tuple(c.number for c in items if t.name in c.themes))
        for t in themes
    ]
    return Findings(
        title=names.text(study.title),
        municipality=study.municipality,
        date=study.date,
        language=study.language,
        background=names.text(study.background),
        considerations=tuple(c.text for c in items),
        basis=_basis(segments, journeys, sources, people, coded_ids, names),
        themes=tuple(themes),
        group_sizes=tuple(sizes.items()),
        crosstab=crosstab,
        cooccurrence=cooccurrence,
        agreement=tuple((agreement or {}).items()),
        include_suggestions=include_suggestions,
        consideration_items=items,
        appendix=Appendix(codebook=codebook_entries(codebook, slug, names.text)),
    )

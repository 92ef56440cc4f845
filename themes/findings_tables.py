"""The findings' counting: which codings count, people per role, the data basis, tables.

Plain counters over the segments and codings (see ARCHITECTURE.md "Counting");
`themes/findings.build_findings` puts the results together.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence

from journeylab.coding.model import Coding, CodingStatus, Role, Segment
from journeylab.journeys.model import Colour, Journey, Stage
from journeylab.themes.findings_model import (
    ROLES,
    DataBasis,
    FocusGroup,
    JourneyNote,
    SourceInfo,
    StageBalance,
    participant_key,
)
from journeylab.themes.privacy import Pseudonymiser
from journeylab.themes.quotes import word_count


def group_of(role: Role) -> str | None:
    if role is Role.UNG:
        return "unge"
    if role in (Role.MEDARBEJDER, Role.LEDER):
        return "medarbejdere"
    return None


def counted_pairs(
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


def people_by_role(
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


def data_basis(
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


def step_text(journeys: Mapping[str, Journey], seg: Segment) -> str | None:
    journey = journeys.get(seg.journey or "")
    if journey is None or seg.step is None or not 0 <= seg.step < len(journey.steps):
        return None
    if seg.colour == Colour.YELLOW.value:
        return None
    return journey.steps[seg.step].event.text


def stage_balance(notes: Sequence[JourneyNote]) -> tuple[StageBalance, ...]:
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


def theme_tables(
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

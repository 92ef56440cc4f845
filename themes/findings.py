"""Findings: codings turned into what a report (and the explorer) shows.

`build_findings` is pure: plain domain objects in, a frozen `Findings` out,
with every user text already pseudonymised. Which codings count: ACCEPTED and
MANUAL always, REJECTED never, SUGGESTED only when `include_suggestions` is a
threshold and the score reaches it; such findings are marked `suggested`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any, TypeVar

from journeylab.coding.model import Codebook, Coding, Role, Segment
from journeylab.coding.model import SegmentKind as Kind
from journeylab.coding.study import Study
from journeylab.journeys.model import Colour, Journey
from journeylab.themes.findings_model import (
    GROUPS,
    ROLES,
    CodedSegment,
    DataBasis,
    Findings,
    FocusGroup,
    GroupFindings,
    JourneyNote,
    SourceInfo,
    StageBalance,
    ThemeFindings,
    participant_key,
    slug,
)
from journeylab.themes.findings_tables import (
    counted_pairs,
    data_basis,
    group_of,
    people_by_role,
    stage_balance,
    step_text,
    theme_tables,
)
from journeylab.themes.privacy import Pseudonymiser
from journeylab.themes.quantifiers import Quantity
from journeylab.themes.quotes import Candidate, QuoteRules, select_quotes
from journeylab.themes.report_extras import Appendix, codebook_entries, load_considerations
from journeylab.themes.statements import Evidence, HintIndex, build_statements, content_words
from journeylab.themes.written import WrittenFindings, resolve_bullets

# The domain objects live in findings_model.py, the counting in findings_tables.py;
# callers import them from here.
__all__ = [
    "GROUPS",
    "ROLES",
    "CodedSegment",
    "DataBasis",
    "Findings",
    "FocusGroup",
    "GroupFindings",
    "JourneyNote",
    "SourceInfo",
    "StageBalance",
    "ThemeFindings",
    "build_findings",
    "participant_key",
    "slug",
]


T = TypeVar("T")


def _frozen(cls: type[T], **fields: Any) -> T:
    """`cls(**fields)` for a frozen dataclass given every one of its fields.

    A frozen dataclass's __init__ sets each field through object.__setattr__; a
    report makes ~250k of these objects at 1M words (coded segments, evidence,
    quote candidates), where filling the instance's __dict__ is 5-8x faster and
    gives an equal object (none of them has a __post_init__).
    """
    obj = object.__new__(cls)
    obj.__dict__.update(fields)
    return obj


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
    counted: Mapping[tuple[str, str], tuple[bool, float | None]] | None = None,
    language: str | None = None,
) -> Findings:
    """The findings of a study: per theme, per role group, quotes, notes and tables.

    *counted*: `counted_pairs(codings, include_suggestions)` when the caller has it
    already (the store aggregates it: `Store.counted_codings`); *codings* are
    then not looked at. *language*: the report's, for the made-up-name marker in
    the texts (the study's when not given).
    """
    from journeylab.themes.quotes import load_quote_rules

    rules = rules if rules is not None else load_quote_rules(study)
    participants = [p for s in sources for p in s.participants]
    names = Pseudonymiser.from_study(study, participants, language=language)
    if counted is None:
        counted = counted_pairs(codings, include_suggestions)
    by_theme: dict[str, list[Segment]] = defaultdict(list)
    seg_by_id = {s.id: s for s in segments}
    for seg_id, theme_name in counted:
        seg = seg_by_id.get(seg_id)
        if seg is not None and seg.role is not Role.INTERVIEWER:
            by_theme[theme_name].append(seg)
    people = people_by_role(segments, journeys, sources)
    sizes = {
        "unge": len(people[Role.UNG]),
        "medarbejdere": len(people[Role.MEDARBEJDER]) + len(people[Role.LEDER]),
    }
    municipality = {s.path: s.municipality for s in sources}
    journey_by_id = {j.id: j for j in journeys}
    themes: list[ThemeFindings] = []
    rows: list[tuple[str, str, str]] = []
    # One index for every theme's hints: a segment's words are matched once, not per theme.
    hint_index = HintIndex(w for t in codebook.themes for h in t.include for w in content_words(h))
    # What a coded segment shows, made once per segment, not once per theme it is
    # coded with: names.text is a regex substitution over the whole text (1 s of a
    # 1M-word report without this), and enum .value look-ups add up at 90k codings.
    facts: dict[str, tuple[str, str, str | None, str, str, str | None]] = {}
    kind_value = {k: k.value for k in Kind}
    role_value = {r: r.value for r in Role}
    group_key = {r: group_of(r) for r in Role}

    def facts_of(seg: Segment) -> tuple[str, str, str | None, str, str, str | None]:
        """(pseudonymised text, participant, speaker, kind, role, group) of a segment."""
        out = facts.get(seg.id)
        if out is None:
            out = facts[seg.id] = (
                names.text(seg.text),
                participant_key(seg),
                names.speaker(seg.speaker),
                kind_value[seg.kind],
                role_value[seg.role],
                group_key[seg.role],
            )
        return out

    steps: dict[str, str] = {}  # a step's text, pseudonymised once for all its notes

    def step_of(text: str) -> str:
        out = steps.get(text)
        if out is None:
            out = steps[text] = names.text(text)
        return out

    note_kind = Kind.NOTE.value
    for theme in codebook.themes:
        segs = sorted(by_theme.get(theme.name, []), key=lambda s: (s.source, s.position))
        coded: list[CodedSegment] = []
        by_group: dict[str | None, list[CodedSegment]] = {key: [] for key, _ in GROUPS}
        for seg in segs:
            text, participant, speaker, kind, role, group = facts_of(seg)
            only_suggested, score = counted[(seg.id, theme.name)]
            rows.append((seg.id, theme.name, role))
            c = _frozen(
                CodedSegment,
                segment_id=seg.id,
                source=seg.source,
                kind=kind,
                text=text,
                role=seg.role,
                participant=participant,
                speaker=speaker,
                score=score,
                suggested=only_suggested,
            )
            coded.append(c)
            if group in by_group:
                by_group[group].append(c)
        groups = []
        for key, noun in GROUPS:
            mine = by_group[key]
            evidence = [
                _frozen(Evidence, segment_id=c.segment_id, participant=c.participant, text=c.text,
                        lemmas=seg_by_id[c.segment_id].lemmas, suggested=c.suggested)
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
                    statements=build_statements(
                        theme.include, evidence, sizes[key], noun, index=hint_index
                    ),
                    leaders=leaders,
                    bullets=resolve_bullets(
                        (written or {}).get((theme.name, key), ()),
                        key,
                        sizes[key],
                        seg_by_id,
                        names.text,
                        language=language or study.language,
                        hints=theme.include,
                    ),
                )
            )
        candidates = [
            _frozen(
                Candidate,
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
            if c.kind != note_kind
        ]
        notes = tuple(
            JourneyNote(
                segment_id=seg.id,
                journey=seg.journey or seg.source,
                pseudonym=(journey_by_id[seg.journey].pseudonym if seg.journey in journey_by_id
                           else None),
                colour=seg.colour or Colour.YELLOW.value,
                stage=seg.stage,
                text=facts_of(seg)[0],
                step=step_of(step) if (step := step_text(journey_by_id, seg)) else None,
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
                balance=stage_balance(notes),
                segments=len(coded),
                suggested=sum(1 for c in coded if c.suggested),
            )
        )
    crosstab, cooccurrence = theme_tables(codebook.names, rows)
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
        basis=data_basis(segments, journeys, sources, people, coded_ids, names),
        themes=tuple(themes),
        group_sizes=tuple(sizes.items()),
        crosstab=crosstab,
        cooccurrence=cooccurrence,
        agreement=tuple((agreement or {}).items()),
        include_suggestions=include_suggestions,
        consideration_items=items,
        appendix=Appendix(codebook=codebook_entries(codebook, slug, names.text)),
    )

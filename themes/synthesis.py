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
from pathlib import Path

from journeylab.coding.model import Codebook, Role
from journeylab.themes.findings import slug
from journeylab.themes.mapping import ThemeMapping, load_mapping
from journeylab.themes.programme import (
    Programme,
    check_recommendation_themes,
    load_programme_codebook,
)
from journeylab.themes.quantifiers import Quantity
from journeylab.themes.quotes import Quote
from journeylab.themes.synthesis_members import (
    MemberData,
    load_members,
    member_codebooks,
    member_names,
    privacy_checkers,
)
from journeylab.themes.synthesis_model import (
    MappingRow,
    MunicipalityBasis,
    MunicipalityShare,
    NoteExample,
    ProgrammeTheme,
    RecommendationFindings,
    Standout,
    Synthesis,
    TransitionFindings,
)
from journeylab.themes.transitions import (
    merge_points,
    place_journey,
    study_transitions,
    summarise,
)

# What synthesis_report.py, synthesis_docx.py and the tests import from here; the
# model and the member loading live in synthesis_model.py and synthesis_members.py.
__all__ = [
    "MemberData",
    "ProgrammeTheme",
    "Synthesis",
    "TransitionFindings",
    "build_synthesis",
    "load_members",
    "member_codebooks",
    "privacy_checkers",
    "synthesise",
    "write_synthesis",
]

# A municipality stands out when its share of participants touching a theme is
# this far from the partnership's mean share.
STANDOUT = 0.25
QUOTES_PER_THEME = 6
QUOTES_PER_MUNICIPALITY = 2
EXAMPLE_NOTES = 3


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
        names = member_names(data)
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


def build_synthesis(
    programme: Programme, *, scope: str | None = None, prepare: bool = False
) -> Synthesis:
    """The synthesis of *programme* (shared, or one municipality's own version with *scope*)."""
    if scope is not None:
        programme.member(scope)  # an unknown key is an error before any work
    codebook = load_programme_codebook(programme)
    members = load_members(programme, prepare=prepare, language=programme.language)
    mapping = load_mapping(programme.mapping_path, member_codebooks(members), codebook)
    return synthesise(programme, codebook, members, mapping, scope=scope)


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

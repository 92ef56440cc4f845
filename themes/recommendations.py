"""The partnership's recommendations in a member municipality's own report.

A study belongs to a programme when its study.toml says so under [study]::

    programme = "../programme.toml"     # the file, or the programme folder

or, without the key, when the folder above the study holds a programme.toml
that lists the study's folder under [[studies]]. The report then gets the
section "Anbefalinger fra partnerskabet": per recommendation its text, the
findings of THIS study that support it (its own themes mapped onto the
recommendation's programme themes through mapping.yaml) and its
considerations. Only this study's own Findings are read, so nothing from
another municipality can appear; the programme's texts go through the
study's own Pseudonymiser, and the whole report is still name-checked.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from journeylab.coding.model import Codebook
from journeylab.coding.study import Study, load_study
from journeylab.errors import CodebookError, StudyError
from journeylab.themes.findings import Findings, GroupFindings, ThemeFindings
from journeylab.themes.mapping import ThemeMapping, load_mapping
from journeylab.themes.programme import (
    FILENAME,
    Member,
    Programme,
    check_recommendation_themes,
    load_programme,
    load_programme_codebook,
)
from journeylab.themes.quantifiers import Quantity, capitalise
from journeylab.themes.transitions import merge_points, study_transitions

GROUPS = ("unge", "medarbejdere")


@dataclass(frozen=True)
class Membership:
    """What the report needs from the programme: loaded and checked before any findings."""

    programme: Programme
    member: Member
    codebook: Codebook  # the programme's themes
    mapping: ThemeMapping


@dataclass(frozen=True)
class SupportingTheme:
    """One of the study's own themes that backs a recommendation."""

    theme: ThemeFindings
    via: tuple[str, ...]  # the recommendation's programme themes it maps onto


@dataclass(frozen=True)
class StudyRecommendation:
    id: str
    title: str  # pseudonymised, like every text below
    text: str
    programme_themes: tuple[str, ...]
    transitions: tuple[str, ...]  # labels, the study's own label winning on its key
    support: tuple[SupportingTheme, ...]
    considerations: tuple[str, ...]

    @property
    def anchor(self) -> str:
        return f"anbefaling-{self.id}"


@dataclass(frozen=True)
class PartnershipSection:
    programme: str  # the programme's title
    items: tuple[StudyRecommendation, ...]


def _declared(study: Study) -> Path | None:
    """The programme.toml named by [study] programme in study.toml, if any."""
    path = study.toml_path
    if not path.is_file():
        return None
    try:
        data: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise StudyError(f"cannot read study.toml: {exc}", path=path) from exc
    head = data.get("study", {})
    value = head.get("programme") if isinstance(head, dict) else None
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip() or "\x00" in value:
        raise StudyError(
            "'programme' must be the path of a programme.toml",
            path=path,
            where="[study]",
            hint='write programme = "../programme.toml"',
        )
    target = (study.root / value).resolve()
    if target.is_dir():
        target = target / FILENAME
    if not target.is_file():
        raise StudyError(
            f"no programme at '{value}'",
            path=path,
            where="[study] programme",
            hint="the path is relative to the study folder and must lead to a programme.toml",
        )
    return target


def find_programme(study: Study) -> Path | None:
    """The programme.toml the study belongs to: declared in study.toml, else in the parent."""
    declared = _declared(study)
    if declared is not None:
        return declared
    beside = study.root.resolve().parent / FILENAME
    return beside if beside.is_file() else None


def _member_of(programme: Programme, study: Study) -> Member | None:
    root = study.root.resolve()
    return next((m for m in programme.members if m.path.resolve() == root), None)


def load_membership(study: Study) -> Membership | None:
    """The study's programme, member entry, programme codebook and checked theme mapping.

    None when the study is in no programme, or the programme has no recommendations
    (then the report has no section). A study that names a programme not listing it
    is an error; so are a bad programme.toml or mapping.yaml (the synthesis's errors).
    """
    path = find_programme(study)
    if path is None:
        return None
    declared = _declared(study) is not None
    programme = load_programme(path)
    member = _member_of(programme, study)
    if member is None:
        if declared:
            raise StudyError(
                f"the programme does not list the study '{study.root.name}'",
                path=programme.toml_path,
                where="[[studies]]",
                hint=f'add [[studies]] with path = "{study.root.name}" (relative to it)',
            )
        return None  # a programme.toml beside us that is about other studies
    if not programme.recommendations:
        return None
    codebook = load_programme_codebook(programme)
    check_recommendation_themes(programme, codebook)
    if not programme.mapping_path.is_file():
        raise CodebookError(
            "the theme mapping file is missing",
            path=programme.mapping_path,
            hint="run `journeylab synthesis` on the programme once (it suggests mapping.yaml), "
            "then edit it",
        )
    from journeylab.coding.codebook import load_codebook

    books = {m.key: load_codebook(load_study(m.path).codebook_path) for m in programme.members}
    mapping = load_mapping(programme.mapping_path, books, codebook)
    return Membership(programme, member, codebook, mapping)


def study_recommendations(
    membership: Membership,
    findings: Findings,
    study: Study,
    pseudonymise: Callable[[str], str] = str,
) -> PartnershipSection:
    """The section from the study's own findings (pure apart from study.toml's transitions)."""
    programme, key = membership.programme, membership.member.key
    labels = {p.key: p.label for p in merge_points(programme.transitions, study_transitions(study))}
    items = []
    for r in programme.recommendations:
        support: list[SupportingTheme] = []
        # The study's theme order, so the section reads like the report.
        for theme in findings.themes:
            via = tuple(p for p in r.themes if theme.name in membership.mapping.sources(key, p))
            if via:
                support.append(SupportingTheme(theme, via))
        items.append(
            StudyRecommendation(
                id=r.id,
                title=pseudonymise(r.title),
                text=pseudonymise(r.text),
                programme_themes=r.themes,
                transitions=tuple(pseudonymise(labels.get(k, k)) for k in r.transitions),
                support=tuple(support),
                considerations=tuple(pseudonymise(c) for c in r.considerations),
            )
        )
    return PartnershipSection(pseudonymise(programme.title), tuple(items))


def load_partnership(
    study: Study,
    findings: Findings,
    pseudonymise: Callable[[str], str] = str,
    membership: Membership | None = None,
) -> PartnershipSection | None:
    """The section for the study's report, or None when the study is in no programme."""
    membership = membership or load_membership(study)
    if membership is None:
        return None
    return study_recommendations(membership, findings, study, pseudonymise)


def _quant(q: Quantity, lang: str, analyst: bool, cap: bool = True) -> str:
    phrase = q.phrase(lang)
    phrase = capitalise(phrase) if cap else phrase
    return f"{phrase} ({q.exact(lang)})" if analyst else phrase


def finding_lines(
    group: GroupFindings, t: dict[str, Any], lang: str, analyst: bool = False
) -> tuple[str, ...]:
    """A group's quantified findings as plain sentences: the analyst's bullets, else drafts."""
    draft = f" [{t['rep_draft']}]" if analyst else ""
    lines: list[str] = []
    if group.bullets:
        for b in group.bullets:
            if b.quantity is None:
                lines.append(b.text + (draft if b.draft else ""))
                continue
            q = _quant(b.quantity, lang, analyst, cap=not b.before)
            text = " ".join(x for x in (b.before, q) if x) + (" " if b.spaced else "") + b.after
            lines.append(text + (draft if b.draft else ""))
        return tuple(lines)
    key = group.key
    for st in group.statements:
        one = "_one" if st.quantity.count == 1 else ""
        if st.topic:
            line = f"{_quant(st.quantity, lang, analyst)} {t[f'verb_{key}{one}']} {st.topic}."
        else:
            line = f"{_quant(st.quantity, lang, analyst)} {t[f'touch_{key}{one}']}."
        lines.append(line + draft)
    if group.leaders is not None and group.leaders.count:
        lines.append(str(t["leaders_among"]).format(q=_quant(group.leaders, lang, analyst, False)))
    return tuple(lines)


def support_lines(
    support: SupportingTheme, t: dict[str, Any], lang: str, analyst: bool = False
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(group heading, sentences) for each group of the theme that has findings."""
    out = []
    for key in GROUPS:
        lines = finding_lines(support.theme.group(key), t, lang, analyst)
        if lines:
            out.append((str(t[f"say_{key}"]), lines))
    return tuple(out)

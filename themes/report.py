"""Rendering the findings as the report ("afrapportering") and writing it safely.

`render_report` turns a `Findings` into HTML (one self-contained file with
print CSS) or GitHub-flavoured Markdown, in Danish or English, as the client
version (quantifiers only) or the analyst version (with "n = 4 af 8").
`write_report` checks the rendered text for real names before anything is
written, then writes atomically: a leak means the old file stays untouched.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from markupsafe import Markup

from journeylab.coding.model import Codebook, CodingStatus, Participant
from journeylab.coding.study import Study
from journeylab.errors import InputError
from journeylab.fileio import atomic_output
from journeylab.themes.findings import Findings, SourceInfo, ThemeFindings, build_findings
from journeylab.themes.privacy import Pseudonymiser
from journeylab.themes.templating import bar_svg, make_environment, strings

FORMATS = ("html", "md")


def _share(count: int, size: int) -> float:
    return count / size if size else 0.0


def overview_svg(theme: ThemeFindings, t: dict[str, Any], sizes: dict[str, int]) -> Markup:
    """The two-bar chart of a theme row: share of the young people, share of employees."""
    unge, med = theme.group("unge"), theme.group("medarbejdere")
    return bar_svg(
        [
            (_share(unge.count, sizes.get("unge", 0)), str(t["bar_unge"])),
            (_share(med.count, sizes.get("medarbejdere", 0)), str(t["bar_medarbejdere"])),
        ],
        title=theme.name,
        colour=theme.color,
    )


def render_report(
    findings: Findings, *, fmt: str = "html", lang: str = "da", analyst: bool = False
) -> str:
    """The report as text: fmt "html" or "md", lang "da" or "en"."""
    if fmt not in FORMATS:
        raise InputError(f"unknown report format '{fmt}'", hint="choose html or md")
    t = strings(lang)
    sizes = dict(findings.group_sizes)
    template = make_environment().get_template(f"report.{fmt}")
    return template.render(
        f=findings,
        t=t,
        lang=lang,
        analyst=analyst,
        sizes=sizes,
        overview_svg=lambda theme: overview_svg(theme, t, sizes),
        basis=dict(findings.basis.notes),
        roles=dict(findings.basis.participants),
    )


def write_report(
    study: Study,
    findings: Findings,
    out: str | Path,
    *,
    fmt: str = "html",
    lang: str = "da",
    analyst: bool = False,
    participants: Sequence[Participant] = (),
) -> Path:
    """Render, check for real names (PrivacyError: nothing written), then write atomically."""
    out = Path(out)
    text = render_report(findings, fmt=fmt, lang=lang, analyst=analyst)
    Pseudonymiser.from_study(study, participants).check(text, path=out)
    with atomic_output(out) as tmp:
        tmp.write_text(text, encoding="utf-8")
        # mkstemp makes the file private (0600); a report is meant to be shared.
        tmp.chmod(0o644)
    return out


def load_findings(
    study: Study,
    *,
    include_suggestions: float | None = None,
    agreement: Mapping[str, float] | None = None,
) -> tuple[Findings, tuple[Participant, ...]]:
    """Findings from the study's store and journey files, and the participants to check."""
    # Imported here so the pure builder and renderer never need the store.
    from journeylab.coding.codebook import load_codebook, with_default_colours
    from journeylab.coding.store import open_store
    from journeylab.journeys.readers import read_journeys

    statuses = [CodingStatus.ACCEPTED, CodingStatus.MANUAL]
    if include_suggestions is not None:
        statuses.append(CodingStatus.SUGGESTED)
    with open_store(study) as store:
        records = store.sources()
        segments = store.segments()
        codings = store.codings(statuses=[*statuses, CodingStatus.REJECTED])
        themes = store.themes()
    if themes:
        codebook = Codebook(name=study.title, language=study.language, themes=tuple(themes))
    else:
        codebook = load_codebook(study.codebook_path)
    codebook = with_default_colours(codebook)
    journeys = read_journeys(study.journey_files(), relative=study.relative)
    sources = [
        SourceInfo(
            path=r.path,
            kind=r.kind,
            title=r.title,
            participants=r.participants,
            municipality=r.municipality,
            date=r.date,
        )
        for r in records
    ]
    findings = build_findings(
        study,
        codebook,
        segments,
        codings,
        journeys,
        sources,
        include_suggestions=include_suggestions,
        agreement=agreement,
    )
    return findings, tuple(p for r in records for p in r.participants)


def report_study(
    study: Study,
    out: str | Path,
    *,
    fmt: str = "html",
    lang: str | None = None,
    analyst: bool = False,
    include_suggestions: float | None = None,
) -> Path:
    """Load, render, check and write the study's report: the one call cli.py needs."""
    findings, participants = load_findings(study, include_suggestions=include_suggestions)
    return write_report(
        study,
        findings,
        out,
        fmt=fmt,
        lang=lang or study.language,
        analyst=analyst,
        participants=participants,
    )

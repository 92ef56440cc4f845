"""Rendering the findings as the report ("afrapportering") and writing it safely.

`render_report` turns a `Findings` into HTML (one self-contained file with
print CSS) or GitHub-flavoured Markdown, in Danish or English, as the client
version (quantifiers only) or the analyst version (with "n = 4 af 8").
`write_report` checks the rendered text for real names before anything is
written, then writes atomically: a leak means the old file stays untouched.
"""

from __future__ import annotations

import dataclasses
import gc
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from markupsafe import Markup

from journeylab.coding.model import Codebook, Participant
from journeylab.coding.study import Study
from journeylab.errors import InputError
from journeylab.fileio import atomic_output
from journeylab.journeys.model import Journey
from journeylab.themes.excerpt import excerpt_svg
from journeylab.themes.findings import Findings, SourceInfo, ThemeFindings, build_findings
from journeylab.themes.privacy import Pseudonymiser
from journeylab.themes.recommendations import (
    PartnershipSection,
    load_membership,
    load_partnership,
    support_lines,
)
from journeylab.themes.report_extras import measure_agreement, store_memos
from journeylab.themes.templating import bar_svg, make_environment, strings
from journeylab.themes.written import read_findings_file

FORMATS = ("html", "md")
VERSIONS = ("client", "analyst")


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


def theme_excerpt(theme: ThemeFindings, t: dict[str, Any]) -> Markup:
    """The theme's green and red journey notes by life stage, as an inline SVG."""
    return excerpt_svg(
        theme.notes,
        stage_labels=t["stage"],
        unknown_label=str(t["stage_unknown"]),
        title=str(t["rep_excerpt_title"]).format(theme=theme.name),
        more_label=str(t["rep_excerpt_more"]),
        ident=f"{theme.anchor}-kort",
    )


def assets_dir(out: Path) -> str:
    """The folder beside a Markdown report for its SVG files: rapport.md -> rapport-filer."""
    return f"{out.stem}-filer"


def asset_link(folder: str, name: str) -> str:
    """A Markdown link target for *name* in the assets *folder*, readable by CommonMark.

    A target with a space or a bracket ("rap port-filer/...") is not a link, so
    it is wrapped in <...> (with < > \\ escaped). Not percent-encoded: "%20Jonas"
    would hide a real name in the file name from the privacy check, as a digit
    does not end a word.
    """
    target = f"{folder}/{name}"
    # A line break cannot be inside <...>; percent-encoding is the only way.
    target = target.replace("\r", "%0D").replace("\n", "%0A")
    if not any(c.isspace() or c in "()<>\\" or ord(c) < 32 for c in target):
        return target
    escaped = target.replace("\\", "\\\\").replace("<", "\\<").replace(">", "\\>")
    return f"<{escaped}>"


def markdown_assets(findings: Findings, lang: str) -> dict[str, str]:
    """The SVG files a Markdown report links to: file name -> SVG text."""
    t = strings(lang)
    sizes = dict(findings.group_sizes)
    files: dict[str, str] = {}
    head = '<?xml version="1.0" encoding="UTF-8"?>\n'
    for theme in findings.themes:
        # str() first: Markup + str would escape the XML declaration.
        files[f"{theme.anchor}.svg"] = head + str(overview_svg(theme, t, sizes)) + "\n"
        excerpt = str(theme_excerpt(theme, t))
        if excerpt:
            files[f"{theme.anchor}-kort.svg"] = head + excerpt + "\n"
    return files


def _analyst(analyst: bool, version: str | None) -> bool:
    if version is None:
        return analyst
    if version not in VERSIONS:
        raise InputError(f"unknown report version '{version}'", hint="choose client or analyst")
    return analyst or version == "analyst"


def render_report(
    findings: Findings,
    *,
    fmt: str = "html",
    lang: str = "da",
    analyst: bool = False,
    version: str | None = None,
    assets: str | None = None,
    partnership: PartnershipSection | None = None,
) -> str:
    """The report as text: fmt "html" or "md", lang "da" or "en", version client|analyst.

    *assets* (Markdown only) is the folder the chart SVGs are linked from;
    *partnership* adds "Anbefalinger fra partnerskabet" (themes/recommendations.py).
    """
    if fmt not in FORMATS:
        raise InputError(f"unknown report format '{fmt}'", hint="choose html or md")
    analyst = _analyst(analyst, version)
    t = strings(lang)
    sizes = dict(findings.group_sizes)
    files = markdown_assets(findings, lang) if fmt == "md" and assets else {}
    template = make_environment().get_template(f"report.{fmt}")
    return template.render(
        f=findings,
        t=t,
        lang=lang,
        analyst=analyst,
        sizes=sizes,
        overview_svg=lambda theme: overview_svg(theme, t, sizes),
        excerpt_svg=lambda theme: theme_excerpt(theme, t),
        assets=assets,
        asset_link=lambda name: asset_link(str(assets), name),
        asset_files=files,
        basis=dict(findings.basis.notes),
        roles=dict(findings.basis.participants),
        partnership=partnership,
        rec_lines=lambda support: support_lines(support, t, lang, analyst),
    )


def _write_folder(folder: Path, files: Mapping[str, str]) -> None:
    """Replace *folder* with *files*: built beside it, then swapped in by renames."""
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        for name, text in files.items():
            (tmp / name).write_text(text, encoding="utf-8")
            (tmp / name).chmod(0o644)
        tmp.chmod(0o755)
        old = None
        if folder.exists():
            old = folder.with_name(f".{folder.name}.old-{os.getpid()}")
            folder.rename(old)
        tmp.rename(folder)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def write_report(
    study: Study,
    findings: Findings,
    out: str | Path,
    *,
    fmt: str = "html",
    lang: str = "da",
    analyst: bool = False,
    participants: Sequence[Participant] = (),
    version: str | None = None,
    partnership: PartnershipSection | None = None,
) -> Path:
    """Render, check for real names (PrivacyError: nothing written), then write atomically.

    A Markdown report gets its charts as SVG files in a folder beside it
    (rapport.md -> rapport-filer/); the folder is written first, then the .md.
    """
    out = Path(out)
    assets = assets_dir(out) if fmt == "md" else None
    text = render_report(findings, fmt=fmt, lang=lang, analyst=analyst, version=version,
                         assets=assets, partnership=partnership)  # fmt: skip
    files = markdown_assets(findings, lang) if assets else {}
    names = Pseudonymiser.from_study(study, participants)
    names.check(text, path=out)
    for name, svg in files.items():
        names.check(svg, path=out.parent / str(assets) / name)
    if assets:
        out.parent.mkdir(parents=True, exist_ok=True)
        _write_folder(out.parent / assets, files)
    with atomic_output(out) as tmp:
        tmp.write_text(text, encoding="utf-8")
        # mkstemp makes the file private (0600); a report is meant to be shared.
        tmp.chmod(0o644)
    return out


@contextmanager
def paused_gc() -> Iterator[None]:
    """Run the block without the cyclic garbage collector (restored after, as it was).

    Building the findings allocates millions of small objects (rows, codings,
    word sets) and almost no cycles; the collector's full passes over them were
    ~1.8 s of a 1M-word report's ~6 s of findings. Reference counting still
    frees everything that is not a cycle.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def load_findings(
    study: Study,
    *,
    include_suggestions: float | None = None,
    agreement: Mapping[str, float] | None = None,
    written: bool = True,
    journeys: Sequence[Journey] | None = None,
    language: str | None = None,
) -> tuple[Findings, tuple[Participant, ...]]:
    """Findings from the study's store and journey files, and the participants to check.

    *written*: use the analyst's findings.yaml (False gives the tool's drafts only).
    *journeys*: the study's journeys when the caller has read them already.
    *language*: the report's, for the made-up-name marker (the study's when not given).
    """
    # Imported here so the pure builder and renderer never need the store.
    from journeylab.coding.codebook import load_codebook, with_default_colours
    from journeylab.coding.store import open_store
    from journeylab.coding.store_themes import warn_unlisted_themes
    from journeylab.journeys.cache import cached_journeys

    with open_store(study) as store:
        records = store.sources()
        segments = store.segments_quickly()
        # Which (segment, theme) pairs count, aggregated by SQL (findings_tables.counted_pairs).
        counted = {
            (seg, theme): (only_suggested, score)
            for seg, theme, only_suggested, score in store.counted_codings(include_suggestions)
        }
        themes = store.themes()
        memos = store.memos()
        warn_unlisted_themes(study, store)  # person codings on a theme no longer counted
    if themes:
        codebook = Codebook(name=study.title, language=study.language, themes=tuple(themes))
    else:
        codebook = load_codebook(study.codebook_path)
    codebook = with_default_colours(codebook)
    if journeys is None:
        journeys = cached_journeys(study)
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
    bullets = (
        read_findings_file(study, codebook.names, {s.id for s in segments}) if written else None
    )
    findings = build_findings(
        study,
        codebook,
        segments,
        (),
        journeys,
        sources,
        include_suggestions=include_suggestions,
        agreement=agreement,
        written=bullets,
        counted=counted,
        language=language,
    )
    people = tuple(p for r in records for p in r.participants)
    names = Pseudonymiser.from_study(study, people, language=language)
    appendix = dataclasses.replace(
        findings.appendix,
        memos=store_memos(
            memos,
            names.text,
            journeys=journeys,
            segments=segments,
            titles={r.path: r.title for r in records if r.title},
            speaker=names.speaker,
        ),
        agreement=measure_agreement(study),
    )
    return dataclasses.replace(findings, appendix=appendix), people


def report_study(
    study: Study,
    out: str | Path,
    *,
    fmt: str = "html",
    lang: str | None = None,
    analyst: bool = False,
    include_suggestions: float | None = None,
    version: str | None = None,
) -> Path:
    """Load, render, check and write the study's report: the one call cli.py needs.

    *version* "client" or "analyst" is the same as *analyst* False/True.
    """
    analyst = _analyst(analyst, version)
    lang = lang or study.language
    # The programme first: a bad programme.toml or mapping fails before the slow part.
    membership = load_membership(study)
    with paused_gc():
        findings, participants = load_findings(
            study, include_suggestions=include_suggestions, language=lang
        )
        names = Pseudonymiser.from_study(study, participants, language=lang)
        partnership = (
            load_partnership(study, findings, names.text, membership) if membership else None
        )
        return write_report(
            study,
            findings,
            out,
            fmt=fmt,
            lang=lang,
            analyst=analyst,
            participants=participants,
            partnership=partnership,
        )

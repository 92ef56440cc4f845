"""The command line: parses arguments, calls one library function, prints.

The only module that imports click. Library errors become one-line messages
and exit code 1; usage errors exit with 2, as click does.
"""

from __future__ import annotations

import contextlib
import sys
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar, cast

import click

from journeylab import __version__
from journeylab.errors import JourneylabError, JourneylabWarning

_default_showwarning = warnings.showwarning

F = TypeVar("F", bound=Callable[..., Any])
Progress = Callable[[int, int, str], None]


def _show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: Any = None,
    line: str | None = None,
) -> None:
    """A guess the library made (an encoding, a separator) as one plain line."""
    if issubclass(category, JourneylabWarning):
        click.echo(f"Warning: {message}", err=True)
    else:
        _default_showwarning(message, category, filename, lineno, file, line)


class JourneylabGroup(click.Group):
    """A group that turns the project's errors into one line and exit code 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            with warnings.catch_warnings():
                warnings.showwarning = _show_warning
                return super().invoke(ctx)
        except JourneylabError as exc:
            raise click.ClickException(exc.render()) from None
        except KeyboardInterrupt:
            click.echo("journeylab: interrupted; nothing half-written was kept", err=True)
            sys.exit(130)


def study_argument(func: F) -> F:
    """The optional STUDY folder: default the current folder if it is a study, else the example."""
    return click.argument(
        "study", required=False, type=click.Path(file_okay=False, path_type=Path)
    )(func)


def _study(path: Path | None) -> Any:
    from journeylab.coding.study import find_study

    study = find_study(path)
    if path is None:
        click.echo(f"journeylab: using the study in {study.root}", err=True)
    return study


@contextlib.contextmanager
def progress_bar(label: str) -> Iterator[Progress | None]:
    """A progress callback drawing a bar on a terminal; None (quiet) when piped."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.progress import Progress as RichProgress

    with RichProgress(transient=True) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int, what: str) -> None:
            bar.update(task, completed=done, total=total, description=f"{label} {what}")

        yield update


@click.group(cls=JourneylabGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="journeylab")
def main() -> None:
    """journeylab: user journeys, coded focus groups and themed reports.

    A study is a folder with study.toml, codebook.yaml, journeys/ and
    transcripts/. Commands that take a STUDY use the current folder when it is
    a study, else the embedded example study (Fjordby Kommune).

    \b
    Example:
      journeylab init mit-studie --codebook ungeindsats
      journeylab import mit-studie && journeylab code mit-studie
      journeylab report mit-studie --out rapport.html
    """


@main.command()
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--codebook", default="ungeindsats", show_default=True, help="Preset codebook.")
@click.option("--title", help="The study's title (default: the folder name).")
@click.option("--municipality", default="", help="The municipality, e.g. 'Fjordby Kommune'.")
@click.option("--lang", type=click.Choice(["da", "en"]), default="da", show_default=True)
def init(folder: Path, codebook: str, title: str | None, municipality: str, lang: str) -> None:
    """Create a new study folder with a codebook and empty material folders.

    \b
    Example:
      journeylab init ungeanalyse-2026 --municipality "Fjordby Kommune"
    """
    from journeylab.coding.scaffold import init_study

    root = init_study(
        folder, title=title, municipality=municipality, language=lang, codebook=codebook
    )
    click.echo(f"Created {root}: add journeys/ and transcripts/, then: journeylab import {root}")


@main.command(name="import")
@study_argument
def import_(study: Path | None) -> None:
    """Read journeys and transcripts into the study's store.

    Unchanged files are skipped; a person's codings on a changed file are
    re-anchored by their text, and any whose text is gone are listed.

    \b
    Example:
      journeylab import ungeanalyse
    """
    from journeylab.coding.importer import import_study

    s = _study(study)
    with progress_bar("Importing") as progress:
        report = import_study(s, progress=progress)
    click.echo(
        f"{len(report.added)} new, {len(report.changed)} changed, "
        f"{len(report.unchanged)} unchanged, {len(report.removed)} removed files; "
        f"{report.segments} segments; {report.reanchored} codings re-anchored"
    )
    for lost in report.orphaned:
        click.echo(
            f"kept aside: {lost.coder}'s '{lost.theme}' on {lost.source}: "
            f'"{_short(lost.text)}" ({lost.reason})',
            err=True,
        )


def _short(text: str, limit: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


@main.command()
@study_argument
@click.option(
    "--coder",
    type=click.Choice(["rules", "similarity", "ensemble", "model"]),
    default="ensemble",
    show_default=True,
    help="model = trained on this study's own codings.",
)
def code(study: Path | None, coder: str) -> None:
    """Suggest themes for every segment; a person's codings are never overwritten.

    \b
    Example:
      journeylab code ungeanalyse --coder ensemble
    """
    from journeylab.coding.autocode import code_study

    s = _study(study)
    with progress_bar("Coding") as progress:
        report = code_study(s, coder=coder, progress=progress)
    click.echo(f"{report.suggestions} suggestions for {report.segments} segments ({report.coder})")
    for theme, n in report.per_theme:
        click.echo(f"  {n:5d}  {theme}")


@main.command()
@study_argument
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "xlsx", "qdpx", "qdc"]),
    default=None,
    help="Default: from --out's suffix.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    required=True,
    help="A file; for csv a folder gives one CSV per table.",
)
@click.option(
    "--unit",
    type=click.Choice(["segment", "turn"]),
    default="segment",
    show_default=True,
    help="turn = whole speaker turns, each theme's best score over its sentences.",
)
def export(study: Path | None, fmt: str | None, out: Path, unit: str) -> None:
    """Export the study: codings for Excel or pandas, or a REFI-QDA project or codebook.

    \b
    csv  to FILE.csv: one row per segment and theme; to a folder: one CSV per table
    xlsx a workbook: segments, codings, themes, journeys, participants, crosstab
    qdpx a REFI-QDA project for QualCoder, NVivo, ATLAS.ti or MAXQDA
    qdc  the codebook alone (REFI-QDA)

    \b
    Example:
      journeylab export ungeanalyse --format xlsx --out kodning.xlsx
      journeylab export ungeanalyse --format qdpx --out studie.qdpx
    """
    from journeylab.coding.export import export_study

    suffix = out.suffix.lower().lstrip(".")
    fmt = fmt or (suffix if suffix in ("xlsx", "qdpx", "qdc") else "csv")
    paths = export_study(_study(study), out, fmt=fmt, unit=unit)
    click.echo(f"Wrote {len(paths)} file(s): {', '.join(str(p) for p in paths)}")


@main.command(name="import-qdpx")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("folder", type=click.Path(path_type=Path))
@click.option(
    "--positions",
    type=click.Choice(["auto", "codepoints", "utf16"]),
    default="auto",
    show_default=True,
    help="How the other tool counted character positions.",
)
def import_qdpx_command(file: Path, folder: Path, positions: str) -> None:
    """Make a new study from a REFI-QDA project (QualCoder, NVivo, ATLAS.ti, MAXQDA).

    \b
    Example:
      journeylab import-qdpx projekt.qdpx ungeanalyse
    """
    from journeylab.coding.qdpx_read import import_qdpx

    r = import_qdpx(file, folder, positions=cast(Any, positions))
    coders = ", ".join(r.coders) or "nobody"
    click.echo(
        f"Made {r.folder}: {len(r.sources)} texts, {r.themes} themes, "
        f"{r.codings} codings by {coders} (positions: {r.positions})"
    )
    for warning in r.warnings:
        click.echo(f"Warning: {warning}", err=True)


@main.command(name="import-codebook")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@study_argument
@click.option("--merge", is_flag=True, help="Keep the study's other themes; update same names.")
def import_codebook_command(file: Path, study: Path | None, merge: bool) -> None:
    """Replace (or merge into) the study's codebook from a .qdc or .yaml codebook.

    \b
    Example:
      journeylab import-codebook kodebog.qdc ungeanalyse
    """
    from journeylab.coding.qdc import import_codebook

    s = _study(study)
    book = import_codebook(file, s, mode="merge" if merge else "replace")
    click.echo(f"Wrote {len(book.themes)} themes to {s.codebook_path}; run: journeylab import")


@main.command()
@study_argument
@click.option("--map", "map_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--lang", type=click.Choice(["da", "en"]), default=None)
def journeys(study: Path | None, map_dir: Path | None, lang: str | None) -> None:
    """Summarise the journeys as tables; with --map, draw a map of each.

    \b
    Example:
      journeylab journeys ungeanalyse --map kort/
    """
    from journeylab.journeys.overview import journey_tables, write_journey_maps

    s = _study(study)
    lang = lang or s.language
    for title, table in journey_tables(s, lang=lang):
        click.echo(f"\n{title}\n{table}")
    if map_dir is not None:
        paths = write_journey_maps(s, map_dir, lang=lang)
        click.echo(f"\nWrote {len(paths)} files to {map_dir}")


@main.command()
@study_argument
@click.option("--format", "fmt", type=click.Choice(["html", "md", "docx"]), default=None)
@click.option("--lang", type=click.Choice(["da", "en"]), default=None, help="Default: the study's.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option(
    "--version",
    "version",
    type=click.Choice(["client", "analyst"]),
    default="client",
    show_default=True,
    help="analyst = counts behind every quantifier, drafts marked, an appendix.",
)
@click.option("--analyst", is_flag=True, help="Same as --version analyst.")
@click.option(
    "--include-suggestions",
    type=click.FloatRange(0, 1),
    default=None,
    help="Also count machine suggestions scoring at least this (marked as such).",
)
def report(
    study: Path | None,
    fmt: str | None,
    lang: str | None,
    out: Path,
    version: str,
    analyst: bool,
    include_suggestions: float | None,
) -> None:
    """Write the report: one section per theme with what the young people and the employees say.

    Counts accepted and manual codings; real names never reach the file.

    \b
    Example:
      journeylab report ungeanalyse --out rapport.html
      journeylab report ungeanalyse --format md --lang en --out report.md --version analyst
    """
    from journeylab.themes.report import report_study

    suffixes = {".md": "md", ".markdown": "md", ".docx": "docx", ".html": "html", ".htm": "html"}
    if fmt is None and out.suffix.lower() not in suffixes:
        raise click.BadParameter(
            f"cannot tell the format from '{out.name}'; name it .html, .md or .docx, "
            "or give --format",
            param_hint="--out",
        )
    fmt = fmt or suffixes[out.suffix.lower()]
    if fmt == "docx":
        from journeylab.themes.report_docx import write_docx_report

        path = write_docx_report(
            _study(study),
            out,
            lang=lang,
            analyst=analyst or version == "analyst",
            include_suggestions=include_suggestions,
        )
        click.echo(f"Wrote {path}")
        return
    path = report_study(
        _study(study),
        out,
        fmt=fmt,
        lang=lang,
        analyst=analyst or version == "analyst",
        include_suggestions=include_suggestions,
    )
    click.echo(f"Wrote {path}")


@main.command()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("demo-output"),
    show_default=True,
)
def demo(out: Path) -> None:
    """Run the whole job on the embedded example study (Fjordby Kommune).

    Copies the study into OUT/studie, imports and codes it, and writes the
    journey maps, the report (HTML and Markdown) and the coding export.

    \b
    Example:
      journeylab demo --out demo-output
    """
    from journeylab.themes.demo import run_demo

    with progress_bar("Demo") as progress:
        paths = run_demo(out, progress=progress)
    for label, path in paths:
        click.echo(f"{label:<34} {path}")
    click.echo(
        f"\nExplore it in a browser: journeylab explore {out / 'studie'} "
        "--include-suggestions 0.5 --open"
    )


@main.command()
@study_argument
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write a sheet.")
@click.option("--read", "read", type=click.Path(dir_okay=False, path_type=Path), help="Read one.")
@click.option("--coder", required=True, help="The person coding, e.g. your initials.")
@click.option("--theme", help="Only segments suggested for this theme.")
@click.option("--limit", type=click.IntRange(1), help="At most this many segments.")
@click.option(
    "--order",
    type=click.Choice(["source", "uncertain"]),
    default="source",
    show_default=True,
    help="uncertain = the segments the machine is least sure of first.",
)
@click.option(
    "--disagreements",
    metavar="A,B",
    help="Only the segments coders A and B coded differently, to settle them.",
)
def review(
    study: Path | None,
    out: Path | None,
    read: Path | None,
    coder: str,
    theme: str | None,
    limit: int | None,
    order: str,
    disagreements: str | None,
) -> None:
    """Write a coding sheet (xlsx/csv) to correct in Excel, or read one back.

    Reading checks the whole sheet first; nothing is saved unless every row is good.

    \b
    Example:
      journeylab review ungeanalyse --out ark.xlsx --coder AB --order uncertain --limit 100
      journeylab review ungeanalyse --read ark.xlsx --coder AB
      journeylab review ungeanalyse --out uenige.xlsx --coder AB --disagreements AB,CD
    """
    from journeylab.coding.review import read_review_sheet, write_review_sheet

    if (out is None) == (read is None):
        raise click.UsageError("give either --out FILE (write a sheet) or --read FILE")
    s = _study(study)
    if out is not None:
        only = None
        if disagreements:
            from journeylab.coding.agreement import study_agreement

            a, b = _two_coders(disagreements, "--disagreements")
            only = [d.segment_id for d in study_agreement(s, a, b).disagreements]
        n = write_review_sheet(
            s, out, coder=coder, theme=theme, limit=limit, order=cast(Any, order), only=only
        )
        click.echo(f"Wrote {n} segments to {out}; fill it in, then: --read {out}")
        return
    assert read is not None
    result = read_review_sheet(s, read, coder=coder)
    click.echo(
        f"{result.rows} rows: {result.accepted} accepted, {result.rejected} rejected, "
        f"{result.manual} added, {result.removed} removed, {result.memos} memos"
    )
    for name in result.new_themes:
        click.echo(f"new theme added to the study (emergent): {name}")


def _two_coders(value: str, option: str) -> tuple[str, str]:
    parts = [p.strip() for p in value.split(",")]
    if len(parts) != 2 or not all(parts):
        raise click.BadParameter("give two coders as A,B", param_hint=option)
    return parts[0], parts[1]


@main.command()
@study_argument
@click.option("--coders", help="Two coders, 'A,B'. Default: two people, else a person vs machine.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Also write CSV.")
def agreement(study: Path | None, coders: str | None, out: Path | None) -> None:
    """Cohen's kappa per theme and Krippendorff's alpha between two coders.

    \b
    Example:
      journeylab agreement ungeanalyse --coders AB,CD
      journeylab agreement ungeanalyse --coders AB,machine:ensemble --out enighed.csv
    """
    from journeylab.coding.agreement import study_agreement
    from journeylab.fileio import write_text_atomic

    a, b = _two_coders(coders, "--coders") if coders else (None, None)
    report = study_agreement(_study(study), a, b)
    table = report.table()
    click.echo(f"{report.coder_a} vs {report.coder_b} on {report.n_segments} segments")
    click.echo(table.to_string(index=False))
    kappa = "-" if report.kappa is None else f"{report.kappa:.2f}"
    alpha = "-" if report.alpha is None else f"{report.alpha:.2f}"
    click.echo(
        f"overall: kappa {kappa} ({report.kappa_label}), alpha {alpha} ({report.alpha_label}), "
        f"{report.percent:.0f} % same top theme"
    )
    confusion = report.confusion()
    if not confusion.empty:
        click.echo(f"\nTop theme, {report.coder_a} (rows) vs {report.coder_b} (columns):")
        click.echo(confusion.to_string())
    if out is not None:
        write_text_atomic(out, table.to_csv(index=False))
        confusion_out = out.with_name(f"{out.stem}-forveksling{out.suffix}")
        write_text_atomic(confusion_out, confusion.to_csv())
        click.echo(f"Wrote {out} and {confusion_out}")


@main.command()
@study_argument
@click.option("--host", default="127.0.0.1", show_default=True, help="Other hosts need a token.")
@click.option("--port", type=click.IntRange(1, 65535), default=8765, show_default=True)
@click.option("--read-only", is_flag=True, help="For workshops: nothing can be changed.")
@click.option("--token", help="Access token (generated and printed when the host is not local).")
@click.option("--coder", default="analytiker", show_default=True, help="Who codes in the browser.")
@click.option(
    "--include-suggestions",
    type=click.FloatRange(0, 1),
    default=None,
    help="Also count machine suggestions scoring at least this.",
)
@click.option("--open", "open_browser", is_flag=True, help="Open the browser.")
def explore(
    study: Path | None,
    host: str,
    port: int,
    read_only: bool,
    token: str | None,
    coder: str,
    include_suggestions: float | None,
    open_browser: bool,
) -> None:
    """Serve the theme explorer in the browser (works offline).

    \b
    Example:
      journeylab explore ungeanalyse --open
      journeylab explore ungeanalyse --read-only --include-suggestions 0.5
    """
    from journeylab.themes.explorer import serve

    serve(
        _study(study),
        host=host,
        port=port,
        read_only=read_only,
        token=token,
        open_browser=open_browser,
        coder=coder,
        include_suggestions=include_suggestions,
    )


@main.command()
@click.argument("programme", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["html", "md", "docx"]), default=None)
@click.option(
    "--lang", type=click.Choice(["da", "en"]), default=None, help="Default: the programme's."
)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--municipality", "scope", help="A member study's key: that municipality's version.")
def synthesis(
    programme: Path, fmt: str | None, lang: str | None, out: Path, scope: str | None
) -> None:
    """Write the cross-municipality synthesis of a programme folder (programme.toml).

    Imports and codes every member study, suggests a theme mapping the first
    time (mapping.yaml, yours to edit), and writes the synthesis.

    \b
    Example:
      journeylab synthesis examples/programme --out synthese.html
      journeylab synthesis examples/programme --municipality aaby --out aaby.html
    """
    from journeylab.themes.synthesis_report import synthesis_command

    fmt = fmt or {".md": "md", ".docx": "docx"}.get(out.suffix.lower(), "html")
    path = synthesis_command(programme, out, fmt=fmt, lang=lang, scope=scope)
    click.echo(f"Wrote {path}")


@main.command()
@study_argument
def check(study: Path | None) -> None:
    """Check the study's files, its database and its codings; writes nothing.

    \b
    Example:
      journeylab check ungeanalyse
    """
    from journeylab.coding.check import check_study

    report = check_study(_study(study))
    for line in report.lines():
        click.echo(line)
    verdict = "ok" if report.ok else "problems found"
    click.echo(
        f"{report.files} files, {report.segments} segments, {report.codings} codings: {verdict}"
    )
    if not report.ok:
        sys.exit(1)


@main.command()
@study_argument
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Default: findings.yaml in the study folder.",
)
def findings(study: Path | None, out: Path | None) -> None:
    """Write findings.yaml: draft bullets per theme, for you to rewrite in your own words.

    The report uses your bullets where you wrote them and the tool's drafts
    elsewhere (marked 'Udkast' in the analyst version). Never overwrites.

    \b
    Example:
      journeylab findings ungeanalyse
    """
    from journeylab.themes.written import scaffold_findings

    path = scaffold_findings(_study(study), out)
    click.echo(f"Wrote {path}: edit the bullets, then run journeylab report")


@main.command()
@study_argument
@click.argument("text", required=False)
@click.option("--segment", help="A segment id (from a review sheet, the export or the explorer).")
@click.option("--theme", help="A theme name.")
@click.option("--journey", help="A journey id.")
@click.option("--author", help="Your name (required when writing a memo).")
@click.option("--list", "show", is_flag=True, help="List the study's memos.")
def memo(
    study: Path | None,
    text: str | None,
    segment: str | None,
    theme: str | None,
    journey: str | None,
    author: str | None,
    show: bool,
) -> None:
    """Write a memo on a segment, a theme, a journey or the whole study; or list them.

    \b
    Example:
      journeylab memo ungeanalyse "Går igen i alle tre fokusgrupper" --theme Relationen --author AB
      journeylab memo ungeanalyse --list
    """
    from journeylab.coding.memos import add_memo, list_memos

    s = _study(study)
    if show:
        for m in list_memos(s):
            about = f"{m.kind} {m.target}".strip()
            click.echo(f"[{about}] {m.author}: {m.text}")
        return
    targets = [
        (k, v) for k, v in (("segment", segment), ("theme", theme), ("journey", journey)) if v
    ]
    if len(targets) > 1:
        raise click.UsageError("give at most one of --segment, --theme, --journey")
    if not text or not author:
        raise click.UsageError("give the memo's TEXT and --author (or --list)")
    kind, target = targets[0] if targets else ("study", "")
    saved = add_memo(s, text, kind=kind, target=target, author=author)
    click.echo(f"Saved a memo on the {saved.kind} {saved.target}".rstrip())

"""Commands that make a study, read material into it, exchange it with other tools, check it."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import Any, cast

import click

from journeylab.cli_common import progress_bar, study_argument, use_study
from journeylab.errors import InputError


@click.command()
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
    # Quoted so the line can be copied as it is: "ny studie" is one argument.
    click.echo(
        f"Created {root}: add journeys/ and transcripts/, "
        f"then: journeylab import {shlex.quote(str(root))}"
    )


@click.command(name="import")
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

    s = use_study(study)
    with progress_bar("Importing") as progress:
        report = import_study(s, progress=progress)
    click.echo(report.summary())
    if report.orphaned or report.orphaned_memos:  # codings and memos whose text is gone
        from journeylab.themes.privacy_journeys import study_pseudonymiser

        for line in report.kept_aside(study_pseudonymiser(s).text):
            click.echo(line, err=True)


@click.command(name="import-qdpx")
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


@click.command(name="import-codebook")
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

    s = use_study(study)
    book = import_codebook(file, s, mode="merge" if merge else "replace")
    click.echo(f"Wrote {len(book.themes)} themes to {s.codebook_path}; run: journeylab import")


@click.command()
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
    if fmt is None and suffix not in ("", "csv", "xlsx", "qdpx", "qdc") and not out.is_dir():
        # Else "x.txt" became a folder x.txt/ of CSVs, without a word.
        raise InputError(
            f"unknown format for .{suffix}",
            path=out,
            hint="use .csv, .xlsx, .qdpx, .qdc or a folder, or --format",
        )
    fmt = fmt or (suffix if suffix in ("xlsx", "qdpx", "qdc") else "csv")
    paths = export_study(use_study(study), out, fmt=fmt, unit=unit)
    click.echo(f"Wrote {len(paths)} file(s): {', '.join(str(p) for p in paths)}")


@click.command()
@study_argument
def check(study: Path | None) -> None:
    """Check the study's files, its database and its codings; writes nothing.

    \b
    Example:
      journeylab check ungeanalyse
    """
    from journeylab.coding.check import check_study

    report = check_study(use_study(study))
    for line in report.lines():
        click.echo(line)
    verdict = "ok" if report.ok else "problems found"
    click.echo(
        f"{report.files} files, {report.segments} segments, {report.codings} codings: {verdict}"
    )
    if not report.ok:
        sys.exit(1)

"""Commands that write what a reader sees: maps, reports, findings, demo, explorer, synthesis."""

from __future__ import annotations

from pathlib import Path

import click

from journeylab.cli_common import progress_bar, study_argument, use_study


@click.command()
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

    s = use_study(study)
    lang = lang or s.language
    for title, table in journey_tables(s, lang=lang):
        click.echo(f"\n{title}\n{table}")
    if map_dir is not None:
        paths = write_journey_maps(s, map_dir, lang=lang)
        click.echo(f"\nWrote {len(paths)} files to {map_dir}")


@click.command()
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
            use_study(study),
            out,
            lang=lang,
            analyst=analyst or version == "analyst",
            include_suggestions=include_suggestions,
        )
        click.echo(f"Wrote {path}")
        return
    path = report_study(
        use_study(study),
        out,
        fmt=fmt,
        lang=lang,
        analyst=analyst or version == "analyst",
        include_suggestions=include_suggestions,
    )
    click.echo(f"Wrote {path}")


@click.command()
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

    path = scaffold_findings(use_study(study), out)
    click.echo(f"Wrote {path}: edit the bullets, then run journeylab report")


@click.command()
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


@click.command()
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
        use_study(study),
        host=host,
        port=port,
        read_only=read_only,
        token=token,
        open_browser=open_browser,
        coder=coder,
        include_suggestions=include_suggestions,
    )


@click.command()
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

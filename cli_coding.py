"""Commands for coding: machine suggestions, a person's review sheet, agreement, memos."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import click

from journeylab.cli_common import in_a_study, progress_bar, study_argument, use_study


@click.command()
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

    s = use_study(study)
    with progress_bar("Coding") as progress:
        report = code_study(s, coder=coder, progress=progress)
    click.echo(f"{report.suggestions} suggestions for {report.segments} segments ({report.coder})")
    for theme, n in report.per_theme:
        click.echo(f"  {n:5d}  {theme}")


@click.command()
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
    s = use_study(study)
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
    for line in result.details():
        click.echo(line)
    for name in result.new_themes:
        click.echo(f"new theme added to the study (emergent): {name}")


def _two_coders(value: str, option: str) -> tuple[str, str]:
    parts = [p.strip() for p in value.split(",")]
    if len(parts) != 2 or not all(parts):
        raise click.BadParameter("give two coders as A,B", param_hint=option)
    return parts[0], parts[1]


@click.command()
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
    report = study_agreement(use_study(study), a, b)
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


@click.command()
# STUDY as a plain string: when it turns out to be the TEXT, it is kept as typed
# (a Path would drop a trailing "/", and click would refuse text naming a file).
@click.argument("study", required=False)
@click.argument("text", required=False)
@click.option("--segment", help="A segment id (from a review sheet, the export or the explorer).")
@click.option("--theme", help="A theme name.")
@click.option("--journey", help="A journey id.")
@click.option("--author", help="Your name (required when writing a memo).")
@click.option("--list", "show", is_flag=True, help="List the study's memos (with made-up names).")
def memo(
    study: str | None,
    text: str | None,
    segment: str | None,
    theme: str | None,
    journey: str | None,
    author: str | None,
    show: bool,
) -> None:
    """Write a memo on a segment, a theme, a journey or the whole study; or list them.

    Inside a study folder STUDY may be left out: `journeylab memo "TEXT" --author AB`.

    \b
    Example:
      journeylab memo ungeanalyse "Går igen i alle tre fokusgrupper" --theme Relationen --author AB
      journeylab memo ungeanalyse --list
    """
    from journeylab.coding.memos import add_memo, list_memos

    if (
        study is not None
        and text is None
        and not show
        and not Path(study).is_dir()
        and in_a_study()
    ):
        # `memo "Går igen" --author AB` inside a study: the one argument is the TEXT.
        study, text = None, study
    s = use_study(None if study is None else Path(study))
    if show:
        from journeylab.themes.privacy_journeys import study_pseudonymiser

        # Made-up names, as import and check quote memos: the screen may be shared.
        names = study_pseudonymiser(s)
        for m in list_memos(s):
            about = f"{m.kind} {m.target}".strip()
            click.echo(f"[{about}] {m.author}: {names.text(m.text)}")
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

"""`journeylab theme rename|remove`: change a theme that is in the store, not in codebook.yaml.

Thin like the other command modules: the work is in coding/theme_ops.py.
"""

from __future__ import annotations

from pathlib import Path

import click

from journeylab.cli_common import use_study

_STUDY = click.argument("study", type=click.Path(file_okay=False, path_type=Path))


@click.group()
def theme() -> None:
    """Rename, merge or remove a theme in the study's store.

    For an emergent theme (added from a review sheet) and for an old codebook
    name that people's codings still use. A theme in codebook.yaml is changed by
    editing codebook.yaml and running journeylab import.

    \b
    Example:
      journeylab theme rename ungeanalyse 'De rette tilbud' 'De rigtige tilbud'
      journeylab theme remove ungeanalyse 'Fritid'
    """


@theme.command()
@_STUDY
@click.argument("old")
@click.argument("new")
@click.option("--by", "actor", default="journeylab", show_default=True, help="Who, for the log.")
def rename(study: Path, old: str, new: str, actor: str) -> None:
    """Move every coding on theme OLD to NEW; when NEW exists, the two merge.

    A segment one coder coded with both keeps one coding: a person's over a
    suggestion, with both memos. No coding a person made is lost.

    \b
    Example:
      journeylab theme rename ungeanalyse 'De rette tilbud' 'De rigtige tilbud'
    """
    from journeylab.coding.theme_ops import rename_theme

    s = use_study(study)
    result = rename_theme(s, old, new, actor=actor)
    how = "merged into" if result.merged_into_existing else "renamed to"
    click.echo(
        f"'{result.old}' {how} '{result.new}': {result.person} person codings and "
        f"{result.suggestions} machine suggestions moved"
        + (f" ({result.merged} joined with a coding '{result.new}' had)" if result.merged else "")
    )
    if result.findings_mention:
        click.echo(
            f"{result.findings_mention} still has a section '{result.old}': rename it there "
            f"to '{result.new}' too",
            err=True,
        )
    if result.old_in_codebook:
        click.echo(
            f"'{result.old}' is still in {s.codebook_file} (now without codings): rename or "
            "remove it there, or journeylab code suggests it again",
            err=True,
        )


@theme.command()
@_STUDY
@click.argument("name")
@click.option(
    "--drop-codings",
    is_flag=True,
    help="Also delete the people's codings on the theme (refused without it).",
)
@click.option("--by", "actor", default="journeylab", show_default=True, help="Who, for the log.")
def remove(study: Path, name: str, drop_codings: bool, actor: str) -> None:
    """Delete theme NAME (not one in codebook.yaml) and its machine suggestions.

    Refused while people's codings use it, saying how many; --drop-codings
    deletes them too. To keep them, merge the theme with 'theme rename' instead.

    \b
    Example:
      journeylab theme remove ungeanalyse 'Fritid'
    """
    from journeylab.coding.theme_ops import remove_theme

    result = remove_theme(use_study(study), name, drop_codings=drop_codings, actor=actor)
    people = ", ".join(f"{coder} {n}" for coder, n in result.person)
    click.echo(
        f"Removed '{result.name}' with {result.suggestions} machine suggestions"
        + (f" and {result.person_total} person codings ({people})" if result.person else "")
        + (f"; its {result.memos} memos are kept" if result.memos else "")
    )

"""The command line: parses arguments, calls one library function, prints.

This module holds the group, `main`, and the error handling; the commands live
in cli_study.py, cli_coding.py, cli_report.py and cli_themes.py, their shared options in
cli_common.py. Only these cli*.py modules import click. Library errors become
one-line messages and exit code 1; usage errors exit with 2, as click does.
"""

from __future__ import annotations

import sys
import warnings
from typing import Any

import click

from journeylab import __version__
from journeylab.cli_coding import agreement, code, memo, review
from journeylab.cli_report import demo, explore, findings, journeys, report, synthesis
from journeylab.cli_study import (
    check,
    export,
    import_,
    import_codebook_command,
    import_qdpx_command,
    init,
)
from journeylab.cli_themes import theme
from journeylab.errors import JourneylabError, JourneylabWarning

_default_showwarning = warnings.showwarning


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
        except OSError as exc:
            # What the library did not turn into an error of its own: a read-only
            # folder, a full disk. One line, like every other error.
            where = f"{exc.filename}: " if exc.filename else ""
            raise click.ClickException(
                f"{where}{exc.strerror or exc} (check that the folder exists, that you may "
                "write in it and that the disk is not full)"
            ) from None
        except KeyboardInterrupt:
            click.echo("journeylab: interrupted; nothing half-written was kept", err=True)
            sys.exit(130)


@click.group(cls=JourneylabGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="journeylab")
def main() -> None:
    """journeylab: user journeys, coded focus groups and themed reports.

    A study is a folder with study.toml, codebook.yaml, journeys/ and
    transcripts/. Commands that take a STUDY use the study the current folder
    is in (it or a parent has study.toml), else the embedded example study
    (Fjordby Kommune).

    \b
    Example:
      journeylab init mit-studie --codebook ungeindsats
      journeylab import mit-studie && journeylab code mit-studie
      journeylab report mit-studie --out rapport.html
    """


# In the order they were written (help lists them alphabetically either way).
for _command in (
    init,
    import_,
    code,
    export,
    import_qdpx_command,
    import_codebook_command,
    journeys,
    report,
    demo,
    review,
    agreement,
    explore,
    synthesis,
    check,
    findings,
    memo,
    theme,
):
    main.add_command(_command)

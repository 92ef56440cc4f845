"""What the command modules share: the STUDY argument, finding the study, a progress bar.

Kept apart from cli.py so that cli.py can import every command module (to add
their commands to the group) without the command modules importing cli.py back.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])
Progress = Callable[[int, int, str], None]


def study_argument(func: F) -> F:
    """The optional STUDY folder: default the current folder if it is a study, else the example."""
    return click.argument(
        "study", required=False, type=click.Path(file_okay=False, path_type=Path)
    )(func)


def use_study(path: Path | None) -> Any:
    """The study at PATH, else the current folder's or the example, saying which when guessed."""
    from journeylab.coding.study import find_study

    study = find_study(path)
    if path is None:
        click.echo(f"journeylab: using the study in {study.root}", err=True)
    return study


def in_a_study() -> bool:
    """True when the current folder is a study or inside one (find_study's rule)."""
    here = Path.cwd()
    return any((folder / "study.toml").is_file() for folder in (here, *here.parents))


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

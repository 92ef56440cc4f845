"""The explorer's study as study.toml says it is now, re-read while the server runs.

`journeylab explore` runs through a whole workshop, and the consultant may add a
name to `[names]` (then `journeylab import`) while it does: a Study loaded once at
start would keep showing that name until a restart. So every request stats
study.toml (microseconds); when the stat changes the bytes are read, and when they
changed the Study is loaded again. The generation counts those reloads; the
snapshot cache puts it in its version, so names, journeys and findings are rebuilt.
A study.toml that can no longer be read is no reason to fall back on the old
names: every page then says what to fix (StudyUnreadable) until it can be read.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from journeylab.coding.study import Study, load_study
from journeylab.errors import JourneylabError, StudyError


@dataclass(frozen=True)
class StudyState:
    """One reading of study.toml: the Study and what the maps draw from it."""

    study: Study
    digest: str  # sha256 of study.toml's bytes ("" when there is no file)
    transitions: tuple[tuple[float, str], ...]  # the declared [transitions], (age, label)


class StudyUnreadable(Exception):
    """study.toml (or a journey file read with it) changed and cannot be read now."""

    def __init__(self, error: JourneylabError) -> None:
        self.error = error
        super().__init__(error.render())


def _stat(path: Path) -> tuple[int, int, int] | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    # The inode too: editors and `sed -i` replace the file, perhaps within one mtime tick.
    return (stat.st_ino, stat.st_mtime_ns, stat.st_size)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise StudyError(
            "study.toml is missing", path=path, hint="put it back, then reload the page"
        ) from None
    except OSError as exc:
        raise StudyError(f"study.toml cannot be read: {exc.strerror}", path=path) from None


def study_state(study: Study, data: bytes) -> StudyState:
    """*study* with what its maps need; StudyError when [transitions] is malformed."""
    from journeylab.themes.transitions import study_transitions

    points = tuple((p.age, p.label) for p in study_transitions(study))
    return StudyState(study, hashlib.sha256(data).hexdigest() if data else "", points)


class LiveStudy:
    """The current StudyState; `current()` re-reads study.toml when it has changed."""

    def __init__(self, study: Study) -> None:
        self.path = study.toml_path
        self._stat = _stat(self.path)
        # A Study made in code may have no study.toml behind it: then it is kept as given.
        self.state = study_state(study, _read(self.path) if self._stat is not None else b"")
        self.generation = 0  # reloads so far
        self._error: StudyUnreadable | None = None

    @property
    def study(self) -> Study:
        return self.state.study

    def current(self) -> StudyState:
        """The study as study.toml says now; StudyUnreadable while it cannot be read."""
        stat = _stat(self.path)
        if stat != self._stat:
            # Remembered before reading: a write after this is noticed next time.
            self._stat = stat
            try:
                self._reload()
                self._error = None
            except JourneylabError as exc:
                self._error = StudyUnreadable(exc)
        if self._error is not None:
            raise self._error
        return self.state

    def _reload(self) -> None:
        data = _read(self.path)
        if hashlib.sha256(data).hexdigest() == self.state.digest:
            return  # touched or saved unchanged: nothing to rebuild
        self.state = study_state(load_study(self.state.study.root), data)
        self.generation += 1

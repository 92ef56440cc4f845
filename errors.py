"""The project's exceptions. Only cli.py turns them into messages and exit codes.

Every message says what is wrong, where (file, row/line, field) and what to do,
on one line, so a consultant can fix the file without reading a traceback.
"""

from __future__ import annotations

from pathlib import Path


class JourneylabError(Exception):
    """Base class: a problem the user can fix; printed as one line, exit code 1."""

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        where: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.message = message
        self.path = str(path) if path is not None else None
        self.where = where
        self.hint = hint
        super().__init__(self.render())

    def render(self) -> str:
        place = self.path or ""
        if self.where:
            place = f"{place}, {self.where}" if place else self.where
        text = f"{place}: {self.message}" if place else self.message
        if self.hint:
            text = f"{text} ({self.hint})"
        return " ".join(text.split())


class InputError(JourneylabError):
    """A file the user gave cannot be read as what it should be."""


class EncodingError(InputError):
    """A text file is not UTF-8."""


class JourneyError(InputError):
    """A journey file breaks the journey rules (colour, order, missing text)."""


class TranscriptError(InputError):
    """A transcript cannot be read into speaker turns."""


class CodebookError(InputError):
    """The codebook is malformed or inconsistent."""


class StudyError(JourneylabError):
    """The study folder or study.toml is missing or wrong."""


class StoreError(JourneylabError):
    """The study database is missing, locked, or from a newer journeylab."""


class SheetError(InputError):
    """A review sheet does not match the study."""


class PrivacyError(JourneylabError):
    """Output would show a name the study marks as real."""


class JourneylabWarning(UserWarning):
    """A safe guess journeylab made about a user's file (printed as one line)."""

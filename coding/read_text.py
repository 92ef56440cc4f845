"""Plain-text and Markdown transcripts: optional YAML front matter, then `Speaker:` turns.

A turn runs from its speaker line to the next speaker line; blank lines inside
it are kept. Before the first speaker only blank lines and Markdown headings
(`# ...`) may appear. A heading later on ends the turn it interrupts, so text
after a heading needs a speaker again.
"""

from __future__ import annotations

from pathlib import Path

from journeylab.coding.model import Transcript
from journeylab.coding.study import Study
from journeylab.coding.transcripts import (
    TURN_HINT,
    Cast,
    FrontMatter,
    RawTurn,
    assemble,
    empty_error,
    is_heading,
    match_speaker,
    parse_front_matter,
)
from journeylab.errors import TranscriptError
from journeylab.fileio import read_text


def read_text_transcript(path: Path, study: Study | None = None, *, source: str) -> Transcript:
    """Read a .txt or .md transcript."""
    text = read_text(path)
    if not text.strip():
        raise empty_error(path)
    lines = text.split("\n")
    front, body = _front_matter(lines, path)
    cast = Cast(path, front, study)

    raw: list[RawTurn] = []
    offset = sum(len(line) + 1 for line in lines[:body])
    open_turn: tuple[str, int, str | None, int] | None = None  # speaker, start, time, line
    after_heading = False

    def close(end: int) -> None:
        if open_turn is not None:
            speaker, start, timestamp, number = open_turn
            raw.append(RawTurn(speaker, start, end, timestamp, number, f"line {number}"))

    for i in range(body, len(lines)):
        line = lines[i]
        found = match_speaker(line, cast)
        if found is not None:
            close(offset)
            open_turn = (found.speaker, offset + found.content, found.timestamp, i + 1)
        elif is_heading(line):
            close(offset)
            open_turn, after_heading = None, True
        elif open_turn is None and line.strip():
            where = "after a heading" if after_heading and raw else "before the first speaker"
            raise TranscriptError(
                f"text {where}: '{_clip(line)}'",
                path=path,
                where=f"line {i + 1}",
                hint=f"{TURN_HINT}, or make the line a '# heading'",
            )
        offset += len(line) + 1
    close(len(text))
    return assemble(path, source, text, raw, cast)


def _front_matter(lines: list[str], path: Path) -> tuple[FrontMatter, int]:
    """The front matter and the index of the first line after it."""
    if lines[0].strip() != "---":
        return FrontMatter(), 0
    for j in range(1, len(lines)):
        if lines[j].strip() in ("---", "..."):
            body = lines[1:j]
            return parse_front_matter(body, list(range(2, j + 1)), path), j + 1
    raise TranscriptError(
        "the front matter that starts on line 1 is never closed",
        path=path,
        where="line 1",
        hint="end it with a line of three dashes: ---",
    )


def _clip(line: str, width: int = 40) -> str:
    line = line.strip()
    return line if len(line) <= width else line[: width - 1] + "…"

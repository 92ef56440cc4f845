"""Word transcripts (.docx), read with python-docx.

`Transcript.text` is the document's paragraphs joined by "\\n" (each one
normalised: NFC, no CR), so turn offsets point into plain text the same way as
for a .txt file; a line break inside a paragraph is a "\\n" too. A paragraph
starts a turn with `Speaker:` or with its speaker in bold at the start
(`**Lone** Ja, ...`, colon optional). Other paragraphs continue the turn before.
Front matter may be a first block of paragraphs between `---` lines, or the
study's `[transcripts."file.docx"]` table. Tables, headers and footnotes are
not read. Headings (Word heading or title styles) and all-bold paragraphs before
the first speaker are skipped; a heading later on ends the turn it interrupts.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import docx

from journeylab.coding.model import Transcript
from journeylab.coding.study import Study
from journeylab.coding.transcripts import (
    TURN_HINT,
    Cast,
    FrontMatter,
    RawTurn,
    assemble,
    empty_error,
    match_speaker,
    parse_front_matter,
    read_bytes,
)
from journeylab.errors import TranscriptError
from journeylab.fileio import normalise

_HEADING_STYLES = ("heading", "title", "subtitle", "overskrift", "titel", "undertitel")


def read_docx_transcript(path: Path, study: Study | None = None, *, source: str) -> Transcript:
    """Read a .docx transcript."""
    document = _open(path)
    paragraphs = list(document.paragraphs)
    texts = [normalise(p.text) for p in paragraphs]
    text = "\n".join(texts)
    if not text.strip():
        raise empty_error(path)
    front, body = _front_matter(texts, path)
    cast = Cast(
        path,
        front,
        study,
        hint=f'add them to [transcripts."{path.name}"].participants or [roles] in study.toml',
    )

    starts = []
    offset = 0
    for t in texts:
        starts.append(offset)
        offset += len(t) + 1

    raw: list[RawTurn] = []
    open_turn: tuple[str, int, str | None, int] | None = None
    for i in range(body, len(paragraphs)):
        number = i + 1
        found = _speaker(paragraphs[i], texts[i], cast)
        if found is not None:
            if open_turn is not None:
                raw.append(_raw(open_turn, starts[i]))
            speaker, content, timestamp = found
            open_turn = (speaker, starts[i] + content, timestamp, number)
        elif _is_heading(paragraphs[i]) and texts[i].strip():
            if open_turn is not None:
                raw.append(_raw(open_turn, starts[i]))
            open_turn = None
        elif open_turn is None and texts[i].strip() and not (not raw and _all_bold(paragraphs[i])):
            where = "after a heading" if raw else "before the first speaker"
            raise TranscriptError(
                f"text {where}: '{_clip(texts[i])}'",
                path=path,
                where=f"paragraph {number}",
                hint=f"{TURN_HINT}, or put the speaker's name in bold at the start",
            )
    if open_turn is not None:
        raw.append(_raw(open_turn, len(text)))
    return assemble(path, source, text, raw, cast, unit="paragraph")


def _open(path: Path) -> Any:
    data = read_bytes(path)
    try:
        return docx.Document(io.BytesIO(data))
    except Exception as exc:  # zipfile, KeyError, lxml, ValueError: all mean "not a docx"
        raise TranscriptError(
            "not a valid Word (.docx) file",
            path=path,
            hint="open it in Word or LibreOffice and save it again as .docx; "
            "an old .doc file must be converted first",
        ) from exc


def _raw(open_turn: tuple[str, int, str | None, int], end: int) -> RawTurn:
    speaker, start, timestamp, number = open_turn
    # Turns end at the "\n" before the next paragraph; assemble() trims it.
    return RawTurn(speaker, start, end, timestamp, number, f"paragraph {number}")


def _speaker(paragraph: Any, text: str, cast: Cast) -> tuple[str, int, str | None] | None:
    """(speaker, offset of the spoken text in the paragraph, timestamp) or None."""
    found = match_speaker(text.split("\n", 1)[0], cast)
    if found is not None:
        return found.speaker, found.content, found.timestamp
    bold = ""
    for run in paragraph.runs:
        if not run.text:
            continue
        if not _bold(run):
            break
        bold += run.text
    bold = normalise(bold)
    if not bold.strip() or not text.startswith(bold):
        return None
    content = len(bold)
    label = bold.strip()
    colon = label.endswith(":")
    label = label.rstrip(":").strip()
    rest = text[content:]
    if not colon and rest.lstrip().startswith(":"):
        colon = True
        content += len(rest) - len(rest.lstrip()) + 1
    if not (colon or rest.strip()) or "\n" in label:
        return None  # an all-bold paragraph is a heading, not a speaker
    speaker = cast.speaker(" ".join(label.split()))
    return (speaker, content, None) if speaker is not None else None


def _bold(run: Any) -> bool:
    if run.bold is not None:
        return bool(run.bold)
    style = run.style
    return bool(style is not None and style.font.bold)


def _all_bold(paragraph: Any) -> bool:
    runs = [r for r in paragraph.runs if r.text.strip()]
    return bool(runs) and all(_bold(r) for r in runs)


def _is_heading(paragraph: Any) -> bool:
    style = paragraph.style
    name = (style.name or "").lower() if style is not None else ""
    return name.startswith(_HEADING_STYLES)


def _front_matter(texts: list[str], path: Path) -> tuple[FrontMatter, int]:
    """Front matter from a first paragraph block between `---`, and where the body starts."""
    first = next((i for i, t in enumerate(texts) if t.strip()), None)
    if first is None or texts[first].strip() != "---":
        return FrontMatter(), 0
    for j in range(first + 1, len(texts)):
        if texts[j].strip() in ("---", "..."):
            lines: list[str] = []
            numbers: list[int] = []
            for k in range(first + 1, j):
                for line in texts[k].split("\n"):
                    lines.append(line)
                    numbers.append(k + 1)
            return parse_front_matter(lines, numbers, path, unit="paragraph"), j + 1
    raise TranscriptError(
        f"the front matter that starts in paragraph {first + 1} is never closed",
        path=path,
        where=f"paragraph {first + 1}",
        hint="end it with a paragraph of three dashes: ---",
    )


def _clip(text: str, width: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"

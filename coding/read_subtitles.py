"""Subtitle transcripts from transcription software: WebVTT (.vtt) and SubRip (.srt).

A cue names its speaker with a `<v Speaker>` voice tag or a `Speaker:` prefix; a
cue without one continues the previous speaker. Consecutive cues of one speaker
merge into one turn (joined with a space; line breaks inside a cue become
spaces) that keeps the first cue's start time ("00:01:02.500") and number.

`Transcript.text` is one line per turn, `Speaker: text`, joined by "\\n"; each
turn's offsets point at the text after the label. Roles come from the study
(`[transcripts."file.vtt"].participants`, `[roles]`) or a label that is a role.

webvtt-py skips a cue with a broken timing line without a word, so the cue
blocks are checked here first and a broken one is reported by number and line.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import srt
import webvtt

from journeylab.coding.model import Transcript
from journeylab.coding.study import Study
from journeylab.coding.transcripts import (
    Cast,
    FrontMatter,
    RawTurn,
    assemble,
    empty_error,
    match_speaker,
    plain,
)
from journeylab.errors import TranscriptError
from journeylab.fileio import read_text

_VTT_TIME = r"(?:\d{2,}:)?[0-5]\d:[0-5]\d\.\d{3}"
_VTT_TIMING = re.compile(rf"{_VTT_TIME}[ \t]+-->[ \t]+{_VTT_TIME}(?:[ \t].*)?")
_VOICE = re.compile(r"<v(?:\.[^\s>]*)?[ \t]+([^>]*)>", re.I)
_TAG = re.compile(r"<[^>]*>|\{\\[^}]*\}")
VTT_HINT = "write the timing line as 00:01:02.500 --> 00:01:05.000"
SRT_HINT = "each cue is a number, a line '00:01:02,500 --> 00:01:05,000', then its text"


@dataclass(frozen=True)
class Piece:
    """What one cue says, by one voice (a cue may hold several voices)."""

    speaker: str | None
    text: str
    timestamp: str
    cue: int  # 1-based cue number (the srt number, or the cue's place in a vtt)


def read_vtt_transcript(path: Path, study: Study | None = None, *, source: str) -> Transcript:
    """Read a WebVTT transcript."""
    text = read_text(path)
    if not text.strip():
        raise empty_error(path)
    cue_lines = _check_vtt(text, path)
    try:
        captions = list(webvtt.from_string(text).captions)
    except Exception as exc:  # webvtt-py raises several unrelated classes for bad files
        raise TranscriptError(f"not a valid WebVTT file: {exc}", path=path, hint=VTT_HINT) from exc
    if len(captions) != len(cue_lines):
        raise TranscriptError(
            f"found {len(cue_lines)} cues but could read only {len(captions)}",
            path=path,
            hint=VTT_HINT,
        )
    pieces: list[Piece] = []
    for number, caption in enumerate(captions, start=1):
        pieces += _split(caption.raw_text, _vtt_time(caption.start), number)
    return _build(path, source, pieces, study)


def read_srt_transcript(path: Path, study: Study | None = None, *, source: str) -> Transcript:
    """Read a SubRip transcript."""
    text = read_text(path)
    if not text.strip():
        raise empty_error(path)
    timing_lines = [i + 1 for i, line in enumerate(text.split("\n")) if "-->" in line]
    subtitles: list[srt.Subtitle] = []
    try:
        for sub in srt.parse(text):
            subtitles.append(sub)
    except srt.SRTParseError as exc:
        line = text[: exc.expected_start].count("\n") + 1
        line += len(text[exc.expected_start :]) - len(text[exc.expected_start :].lstrip("\n"))
        raise TranscriptError(
            "cannot read this cue: a missing number or a broken timestamp",
            path=path,
            where=f"cue {_next(subtitles)}, line {line}",
            hint=SRT_HINT,
        ) from exc
    pieces: list[Piece] = []
    for k, sub in enumerate(subtitles):
        if sub.index is None:
            line = timing_lines[k] if k < len(timing_lines) else 0
            raise TranscriptError(
                "the cue has no number",
                path=path,
                where=f"cue {_next(subtitles[:k])}, line {line}",
                hint=SRT_HINT,
            )
        pieces += _split(sub.content, _srt_time(sub.start), sub.index)
    return _build(path, source, pieces, study)


def _next(subtitles: list[srt.Subtitle]) -> int:
    """The number the cue after *subtitles* should have."""
    if subtitles and subtitles[-1].index is not None:
        return int(subtitles[-1].index) + 1
    return len(subtitles) + 1


def _check_vtt(text: str, path: Path) -> list[int]:
    """The line number of each cue's timing line; TranscriptError on a broken cue."""
    lines = text.split("\n")
    if not lines[0].startswith("WEBVTT"):
        raise TranscriptError(
            "not a WebVTT file: the first line must be WEBVTT",
            path=path,
            where="line 1",
            hint="export the transcript as WebVTT again, or save it as .srt or .txt",
        )
    cues: list[int] = []
    i = 0
    while i < len(lines) and lines[i].strip():  # the header block
        i += 1
    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        block_start = i
        while i < len(lines) and lines[i].strip():
            i += 1
        block = lines[block_start:i]
        if block[0].startswith(("NOTE", "STYLE", "REGION")):
            continue
        timing = 0 if "-->" in block[0] else 1
        if timing >= len(block) or not _VTT_TIMING.fullmatch(block[timing].strip()):
            bad = block[timing] if timing < len(block) else block[0]
            raise TranscriptError(
                f"broken timing line '{bad.strip()}'",
                path=path,
                where=f"cue {len(cues) + 1}, line {block_start + timing + 1}",
                hint=VTT_HINT,
            )
        cues.append(block_start + timing + 1)
    return cues


def _split(raw: str, timestamp: str, cue: int) -> list[Piece]:
    """A cue's text as pieces by voice: `<v Name>` tags, else a `Name:` prefix."""
    marks = list(_VOICE.finditer(raw))
    parts: list[tuple[str | None, str]] = []
    if not marks or marks[0].start() > 0:
        parts.append((None, raw[: marks[0].start()] if marks else raw))
    for k, m in enumerate(marks):
        end = marks[k + 1].start() if k + 1 < len(marks) else len(raw)
        parts.append((plain(m.group(1)) or None, raw[m.end() : end]))
    out = []
    for speaker, part in parts:
        said = plain(html.unescape(_TAG.sub("", part)))
        if said:
            out.append(Piece(speaker, said, timestamp, cue))
    return out


def _build(path: Path, source: str, pieces: list[Piece], study: Study | None) -> Transcript:
    cast = Cast(
        path,
        FrontMatter(),
        study,
        hint=f'add them to [transcripts."{path.name}"].participants or [roles] in study.toml',
    )
    turns: list[list[Piece]] = []  # each: the pieces of one speaker's turn
    speakers: list[str] = []
    for piece in pieces:
        speaker, said = piece.speaker, piece.text
        if speaker is not None:
            speaker = cast.canonical(speaker)
        else:
            found = match_speaker(said, cast)
            if found is not None:
                speaker, said = found.speaker, said[found.content :].strip()
        if speaker is None:
            if not speakers:
                raise TranscriptError(
                    "the first cue has no speaker",
                    path=path,
                    where=f"cue {piece.cue}",
                    hint="start it with '<v Name>' or 'Name: '",
                )
            speaker = speakers[-1]
        if not said:
            continue
        piece = Piece(speaker, said, piece.timestamp, piece.cue)
        if speakers and speakers[-1] == speaker:
            turns[-1].append(piece)
        else:
            speakers.append(speaker)
            turns.append([piece])
    lines: list[str] = []
    raw: list[RawTurn] = []
    offset = 0
    for speaker, group in zip(speakers, turns, strict=True):
        said = " ".join(p.text for p in group)
        start = offset + len(speaker) + 2
        first = group[0]
        raw.append(
            RawTurn(
                speaker, start, start + len(said), first.timestamp, first.cue, f"cue {first.cue}"
            )
        )
        line = f"{speaker}: {said}"
        lines.append(line)
        offset += len(line) + 1
    return assemble(path, source, "\n".join(lines), raw, cast, unit="cue")


def _vtt_time(value: str) -> str:
    """webvtt-py's start time, always with hours: 00:01:02.500."""
    return value if value.count(":") == 2 else f"00:{value}"


def _srt_time(value: timedelta) -> str:
    ms = value // timedelta(milliseconds=1)
    hours, ms = divmod(ms, 3_600_000)
    minutes, ms = divmod(ms, 60_000)
    seconds, ms = divmod(ms, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{ms:03d}"

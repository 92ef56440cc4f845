"""Reading focus-group transcripts: the dispatcher and what every reader shares.

The readers (read_text, read_docx, read_subtitles) find speaker turns in their
format; this module decides what counts as a speaker label, reads front matter,
gives each speaker a role and assembles the `Transcript`.

Speaker labels. A line (or paragraph, or cue) starts a turn with `Label:` when
the label is a declared speaker (front matter, `[transcripts."file"]` or
`[roles]` in study.toml, any case) or when it looks like a name: 1–4 words, the
first starting with a capital letter or a digit, every other word capitalised,
a number, or in parentheses ("Interviewer", "Medarbejder 2", "Anne-Mette",
"Leder (skole)"). So "Det vil sige: ..." or "Jeg tænker: ..." inside a turn is
not a new speaker, while an unknown capitalised label ("Fakta:") is, and then
fails with "has no role" so the consultant sees it.

Roles, in order: the front matter's participants, the study's
`[transcripts."file"].participants`, a speaker named in the study's `[roles]`,
a label that is itself a role ("Leder", "Medarbejder 3"), and last the study's
`[roles] default`. The default comes after the label so that "Interviewer" stays
an interviewer in a study whose default is "medarbejder".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from journeylab.coding.model import Participant, Role, Transcript, Turn, parse_role
from journeylab.coding.study import Study, TranscriptMeta, parse_participants
from journeylab.errors import InputError, StudyError, TranscriptError

SUFFIXES = (".txt", ".md", ".docx", ".vtt", ".srt")
TURN_HINT = "start each turn with the speaker's name and a colon, e.g. 'Lone: ...'"

_TIME = r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?"
_SPEAKER_LINE = re.compile(
    rf"""[ \t]*
    (?:(?:\[(?P<ts1>{_TIME})\]|\((?P<ts2>{_TIME})\))[ \t]*
      |(?P<ts3>\d{{1,2}}:\d{{2}}:\d{{2}}(?:[.,]\d{{1,3}})?)[ \t]+)?
    (?:\*\*|__)?
    (?P<label>[^\s:*_][^:\n*]{{0,60}}?)
    [ \t]*(?:\*\*|__)?:(?:\*\*|__)?
    (?=[ \t]|$)""",
    re.X,
)
_TOKEN = re.compile(r"\([^()]{1,30}\)|[^\s()]+")
_WORD = re.compile(r"[\w'’.\-]+")
_HEADING = re.compile(r"[ \t]*#{1,6}(?:[ \t]|$)")
FRONT_MATTER_KEYS = ("title", "date", "municipality", "participants")
# spaCy's default nlp.max_length: a longer turn cannot be segmented, and is in
# practice a file whose speaker labels were lost, so it is refused here.
MAX_TURN = 1_000_000


def read_transcript(
    path: Path, study: Study | None = None, *, source: str | None = None
) -> Transcript:
    """Read a .txt/.md/.docx/.vtt/.srt transcript into speaker turns."""
    # The readers import this module's helpers, so they are imported here, not at the top.
    from journeylab.coding import read_docx, read_subtitles, read_text

    path = Path(path)
    source = source or path.name
    suffix = path.suffix.lower()
    if suffix in (".txt", ".md"):
        return read_text.read_text_transcript(path, study, source=source)
    if suffix == ".docx":
        return read_docx.read_docx_transcript(path, study, source=source)
    if suffix == ".vtt":
        return read_subtitles.read_vtt_transcript(path, study, source=source)
    if suffix == ".srt":
        return read_subtitles.read_srt_transcript(path, study, source=source)
    raise TranscriptError(
        f"cannot read '{path.suffix or path.name}' files as transcripts",
        path=path,
        hint=f"use one of: {', '.join(SUFFIXES)}",
    )


def read_bytes(path: Path) -> bytes:
    """The bytes of a user's file; InputError when it cannot be read."""
    try:
        return path.read_bytes()
    except FileNotFoundError as exc:
        raise InputError("no such file", path=path, hint="check the name and folder") from exc
    except IsADirectoryError as exc:
        raise InputError("is a folder, not a file", path=path) from exc
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror}", path=path) from exc


# --- speaker labels -------------------------------------------------------------


@lru_cache(maxsize=4096)  # labels repeat on every turn of a long transcript
def looks_like_label(label: str) -> bool:
    """True when *label* has the shape of a speaker name (see the module docstring)."""
    if len(label) > 40:
        return False
    tokens = _TOKEN.findall(label)
    if not 1 <= len(tokens) <= 4 or "".join(tokens) != "".join(label.split()):
        return False
    for i, token in enumerate(tokens):
        if token.startswith("("):
            if i == 0:
                return False
            continue
        if not _WORD.fullmatch(token) or re.fullmatch(r"\d+\.", token):
            return False
        if not (token[0].isupper() or token[0].isdigit()):
            return False
    return True


@dataclass(frozen=True)
class SpeakerMatch:
    """A `Speaker:` at the start of a line: who, when, and where the speech starts."""

    speaker: str
    timestamp: str | None
    content: int  # offset within the line where the spoken text begins


def match_speaker(line: str, cast: Cast) -> SpeakerMatch | None:
    """The speaker label that starts *line*, or None when the line continues a turn."""
    m = _SPEAKER_LINE.match(line)
    if m is None:
        return None
    label = " ".join(m.group("label").split())
    speaker = cast.speaker(label)
    if speaker is None:
        return None
    return SpeakerMatch(speaker, m.group("ts1") or m.group("ts2") or m.group("ts3"), m.end())


def is_heading(line: str) -> bool:
    """A Markdown heading line (`# ...`), which is never spoken text."""
    return _HEADING.match(line) is not None


# --- front matter ---------------------------------------------------------------


@dataclass(frozen=True)
class FrontMatter:
    title: str | None = None
    date: str | None = None
    municipality: str | None = None
    participants: tuple[Participant, ...] = ()


def parse_front_matter(
    lines: list[str], numbers: list[int], path: Path, unit: str = "line"
) -> FrontMatter:
    """Front matter from the YAML *lines* between the `---` fences.

    `numbers[k]` is the 1-based line (or paragraph) number of `lines[k]` in the
    file, so errors point at the user's file, not at the YAML block.
    """
    first = numbers[0] - 1 if numbers else 1
    try:
        data = yaml.safe_load("\n".join(lines))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        where = first
        if mark is not None and numbers:
            where = numbers[min(mark.line, len(numbers) - 1)]
        problem = getattr(exc, "problem", None) or "cannot be read"
        raise TranscriptError(
            f"the front matter is not valid YAML: {problem}",
            path=path,
            where=f"{unit} {where}",
            hint="write 'key: value' lines between the two '---' lines",
        ) from exc
    if data is None:
        return FrontMatter()
    if not isinstance(data, dict):
        raise TranscriptError(
            "the front matter must be 'key: value' lines (title, date, municipality, participants)",
            path=path,
            where=f"{unit} {first}",
        )

    def text(key: str) -> str | None:
        value = data.get(key)
        return None if value is None else str(value)

    try:
        participants = parse_participants(data.get("participants"), path, "participants")
    except StudyError as exc:
        line = _line_of(lines, numbers, exc.where or "", first)
        raise TranscriptError(
            exc.message,
            path=path,
            where=f"{unit} {line}, front matter {exc.where}",
            hint=exc.hint or "use ung, medarbejder, leder or interviewer",
        ) from exc
    return FrontMatter(text("title"), text("date"), text("municipality"), participants)


def _line_of(lines: list[str], numbers: list[int], where: str, default: int) -> int:
    # Point at the participant's own line when the error names one.
    m = re.search(r"participant '([^']*)'", where)
    needle = m.group(1) if m else "participants"
    for k, line in enumerate(lines):
        if line.strip().startswith((needle + ":", f'"{needle}":', f"'{needle}':")):
            return numbers[k]
    return default


# --- roles ----------------------------------------------------------------------


class Cast:
    """The speakers a transcript may have, and the role of each."""

    def __init__(
        self,
        path: Path,
        front: FrontMatter,
        study: Study | None,
        hint: str = "add them to participants in the front matter or to [roles] in study.toml",
    ) -> None:
        self.path = path
        self.front = front
        self.study = study
        self.meta = study.transcript_meta(path.name) if study else TranscriptMeta()
        self.hint = hint
        self._declared: dict[str, str] = {}
        names = [p.name for p in (*front.participants, *self.meta.participants)]
        names += [name for name, _ in study.roles] if study else []
        for name in names:
            self._declared.setdefault(" ".join(name.split()).casefold(), name)

    def speaker(self, label: str) -> str | None:
        """The speaker *label* names (declared spelling wins), or None if not a label."""
        declared = self._declared.get(label.casefold())
        if declared is not None:
            return declared
        return label if looks_like_label(label) else None

    def canonical(self, name: str) -> str:
        """A voice-tag name in its declared spelling, else as written."""
        name = " ".join(name.split())
        return self._declared.get(name.casefold(), name)

    def participant(self, speaker: str, where: str) -> Participant:
        """The speaker's participant record; TranscriptError when no role is known."""
        key = speaker.casefold()
        for p in (*self.front.participants, *self.meta.participants):
            if p.name.casefold() == key:
                return Participant(speaker, p.role, p.pseudonym, p.unit)
        if self.study is not None:
            for name, given in self.study.roles:
                if name.casefold() == key:
                    return Participant(speaker, given)
        words = speaker.split()
        role: Role | None = parse_role(speaker) or (parse_role(words[0]) if words else None)
        if role is None and self.study is not None:
            role = self.study.default_role
        if role is None:
            raise TranscriptError(
                f"speaker '{speaker}' has no role", path=self.path, where=where, hint=self.hint
            )
        return Participant(speaker, role)

    def silent(self, spoken: set[str]) -> list[Participant]:
        """Declared participants of this transcript who never speak in it."""
        out: list[Participant] = []
        seen = {s.casefold() for s in spoken}
        for p in (*self.front.participants, *self.meta.participants):
            if p.name.casefold() not in seen:
                seen.add(p.name.casefold())
                out.append(p)
        return out


# --- assembly -------------------------------------------------------------------


@dataclass(frozen=True)
class RawTurn:
    """A turn as a reader found it: a span of the text that may carry whitespace."""

    speaker: str
    start: int
    end: int
    timestamp: str | None
    line: int
    where: str  # "line 14", "paragraph 3", "cue 7": for errors


def assemble(
    path: Path, source: str, text: str, raw: list[RawTurn], cast: Cast, unit: str = "line"
) -> Transcript:
    """The Transcript: trimmed turns with roles, participants and metadata."""
    turns: list[Turn] = []
    people: dict[str, Participant] = {}
    for r in raw:
        start, end = r.start, r.end
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        person = people.get(r.speaker) or cast.participant(r.speaker, r.where)
        people[r.speaker] = person
        if start == end:
            continue  # a speaker label with nothing said is not a turn
        if end - start > MAX_TURN:
            raise TranscriptError(
                f"the turn of '{r.speaker}' is {end - start:,} characters long;"
                f" journeylab reads turns of up to {MAX_TURN:,}",
                path=path,
                where=r.where,
                hint="check that every turn starts with 'Name:' on a new line, or split the turn",
            )
        turns.append(
            Turn(
                len(turns), r.speaker, person.role, text[start:end], start, end, r.timestamp, r.line
            )
        )
    if not turns:
        raise TranscriptError("no speaker turns found", path=path, hint=TURN_HINT)
    front, meta = cast.front, cast.meta
    return Transcript(
        source=source,
        text=text,
        turns=tuple(turns),
        title=front.title or meta.title,
        date=front.date or meta.date,
        municipality=front.municipality or meta.municipality,
        participants=(*people.values(), *cast.silent(set(people))),
    )


def empty_error(path: Path) -> TranscriptError:
    return TranscriptError("the transcript is empty", path=path, hint=TURN_HINT)


def plain(value: Any) -> str:
    """Collapse whitespace, for labels and subtitle text."""
    return " ".join(str(value).split())

"""The benchmark study's file writers: transcripts as Markdown/text, WebVTT, SubRip and
Word; journeys as CSV and XLSX. Byte for byte the same for the same input.

bench/generate.py decides what is said; these decide how it is written down.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

import yaml

# The time stamped on every zip entry and workbook, so the files never depend on the clock.
FIXED = (2026, 1, 1, 0, 0, 0)


# -- transcripts ------------------------------------------------------------------


@dataclass(frozen=True)
class Group:
    name: str  # file name
    title: str
    date: str
    municipality: str
    people: tuple[tuple[str, str, str, str], ...]  # (label, role, pseudonym, unit)
    turns: tuple[tuple[str, str], ...]  # (label, text)


def _stamp(seconds: int, sep: str = ".") -> str:
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}000"


def participants(g: Group) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for label, role, pseudonym, unit in g.people:
        spec = {"role": role}
        if pseudonym:
            spec["pseudonym"] = pseudonym
        if unit:
            spec["unit"] = unit
        out[label] = spec
    return out


def text_transcript(g: Group) -> str:
    front = {
        "title": g.title,
        "date": g.date,
        "municipality": g.municipality,
        "participants": participants(g),
    }
    out = ["---", yaml.safe_dump(front, allow_unicode=True, sort_keys=False).rstrip(), "---"]
    seconds = 3
    for k, (label, text) in enumerate(g.turns):
        stamp = f"[{_stamp(seconds)[:8]}] " if k % 4 == 0 else ""
        if g.name.endswith(".md") and k % 40 == 0 and k:
            out.append(f"# Del {k // 40 + 1}\n")
        # Long turns wrap over two lines, as typed transcripts do.
        words = text.split(" ")
        if len(words) > 30:
            text = " ".join(words[:15]) + "\n" + " ".join(words[15:])
        out.append(f"{stamp}{label}: {text}\n")
        seconds += 2 + len(words) // 3
    return "\n".join(out)


def _cues(g: Group) -> Iterator[tuple[int, int, str, str, bool]]:
    """(start, end, speaker, text, first cue of the turn) of ~12-word cues."""
    seconds = 3
    for label, text in g.turns:
        words = text.split(" ")
        for k in range(0, len(words), 12):
            chunk = " ".join(words[k : k + 12])
            dur = 1 + len(chunk.split()) // 3
            yield seconds, seconds + dur, label, chunk, k == 0
            seconds += dur + 1


def vtt(g: Group) -> str:
    out = ["WEBVTT", "Kind: captions", "Language: da", ""]
    for n, (start, end, label, text, _first) in enumerate(_cues(g), start=1):
        out += [str(n), f"{_stamp(start)} --> {_stamp(end)}", f"<v {label}>{text}", ""]
    return "\n".join(out)


def srt(g: Group) -> str:
    out = []
    for n, (start, end, label, text, first) in enumerate(_cues(g), start=1):
        line = f"{label}: {text}" if first else text
        out += [str(n), f"{_stamp(start, ',')} --> {_stamp(end, ',')}", line, ""]
    return "\n".join(out)


_DOCX_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/'
    'vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
_DOCX_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="word/document.xml"/></Relationships>'
)
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def docx(g: Group) -> bytes:
    """A minimal Word file written directly (python-docx is slow at this size): one
    paragraph a turn, the speaker's name in a bold run."""
    paras = []
    for label, text in g.turns:
        paras.append(
            f'<w:p><w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">{escape(label)}: </w:t>'
            f'</w:r><w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p>'
        )
    body = f'<w:document xmlns:w="{_W}"><w:body>{"".join(paras)}</w:body></w:document>'
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in (
            ("[Content_Types].xml", _DOCX_TYPES),
            ("_rels/.rels", _DOCX_RELS),
            ("word/document.xml", '<?xml version="1.0" encoding="UTF-8"?>' + body),
        ):
            z.writestr(zipfile.ZipInfo(name, FIXED), data, compress_type=zipfile.ZIP_DEFLATED)
    return buf.getvalue()


# -- journeys ----------------------------------------------------------------------


def rows(j: dict[str, object]) -> Iterator[list[object]]:
    """One row a note, Danish headers (rejse, trin, farve, tekst, ...)."""
    steps = j["steps"]
    assert isinstance(steps, list)
    for n, step in enumerate(steps, start=1):
        first = n == 1
        yield [
            j["journey"],
            n,
            "gul",
            step["text"],
            step["stage"],
            step["age"],
            step["actor"],
            j["pseudonym"] if first else "",
            j["gender"] if first else "",
            j["municipality"] if first else "",
        ]
        for colour, key in (("grøn", "green"), ("rød", "red")):
            for note in step.get(key, []):
                yield [j["journey"], "", colour, note, "", "", "", "", "", ""]


HEADER = [
    "rejse",
    "trin",
    "farve",
    "tekst",
    "fase",
    "alder",
    "aktør",
    "pseudonym",
    "køn",
    "kommune",
]


def write_xlsx(path: Path, journeys: list[dict[str, object]]) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "rejser"
    ws.append(HEADER)
    for j in journeys:
        for row in rows(j):
            ws.append([None if v == "" else v for v in row])
    wb.properties.created = wb.properties.modified = dt.datetime(*FIXED)
    wb.save(path)


def write_csv(path: Path, journeys: list[dict[str, object]]) -> None:
    buf = io.StringIO()
    out = csv.writer(buf, delimiter=";", lineterminator="\n")
    out.writerow(HEADER)
    for j in journeys:
        out.writerows(rows(j))
    path.write_text(buf.getvalue(), encoding="utf-8")

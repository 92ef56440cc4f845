"""Rows of the study store as frozen records, and the conversions both ways."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from journeylab.coding.codable import CodableSegment
from journeylab.coding.model import (
    Coding,
    CodingStatus,
    Participant,
    Role,
    Segment,
    SegmentKind,
    Theme,
)

MACHINE_PREFIX = "machine:"
# Enum(value) goes through EnumType.__call__: ~1 µs a row at 100k rows; a dict is a tenth.
_STATUS = {s.value: s for s in CodingStatus}
_ROLE = {r.value: r for r in Role}
_KIND = {k.value: k for k in SegmentKind}


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def coder_kind(name: str) -> str:
    """'machine' for coder names like 'machine:ensemble', else 'person'."""
    return "machine" if name.startswith(MACHINE_PREFIX) else "person"


@dataclass(frozen=True)
class SourceRecord:
    """An imported file as the store knows it."""

    path: str
    kind: str  # journey | transcript
    sha256: str
    text: str
    title: str | None = None
    date: str | None = None
    municipality: str | None = None
    participants: tuple[Participant, ...] = ()
    attributes: tuple[tuple[str, str], ...] = ()
    words: int = 0
    imported_at: str = ""

    def participant(self, speaker: str | None) -> Participant | None:
        return next((p for p in self.participants if p.name == speaker), None)


@dataclass(frozen=True)
class AnchoredCoding:
    """A stored coding with the copy of the text it was made on."""

    coding: Coding
    source: str
    anchor_text: str
    anchor_start: int
    anchor_end: int
    created: str


@dataclass(frozen=True)
class Orphan:
    """A person's coding whose text disappeared from its source on re-import."""

    id: int
    source: str
    segment_id: str
    theme: str
    coder: str
    status: CodingStatus
    anchor_text: str
    anchor_start: int
    anchor_end: int
    reason: str
    orphaned_at: str
    score: float | None = None
    memo: str | None = None


@dataclass(frozen=True)
class AuditEntry:
    ts: str
    actor: str
    action: str
    detail: dict[str, Any]


def segment_from_row(row: sqlite3.Row) -> Segment:
    return Segment(
        id=row["id"],
        source=row["source"],
        kind=_KIND.get(row["kind"]) or SegmentKind(row["kind"]),
        position=row["position"],
        start=row["start"],
        end=row["end"],
        text=row["text"],
        role=_ROLE.get(row["role"]) or Role(row["role"]),
        speaker=row["speaker"],
        turn_index=row["turn_index"],
        colour=row["colour"],
        stage=row["stage"],
        journey=row["journey"],
        step=row["step"],
        lemmas=tuple(row["lemmas"].split()),
    )


def coding_from_row(row: sqlite3.Row) -> Coding:
    return Coding(
        segment_id=row["segment_id"],
        theme=row["theme"],
        coder=row["coder"],
        status=_STATUS.get(row["status"]) or CodingStatus(row["status"]),
        score=row["score"],
        rank=row["rank"],
        explanation=row["explanation"],
        memo=row["memo"],
    )


def source_from_row(row: sqlite3.Row) -> SourceRecord:
    return SourceRecord(
        path=row["path"],
        kind=row["kind"],
        sha256=row["sha256"],
        text=row["text"],
        title=row["title"],
        date=row["date"],
        municipality=row["municipality"],
        participants=tuple(
            Participant(p["name"], Role(p["role"]), p.get("pseudonym"), p.get("unit"))
            for p in json.loads(row["participants"])
        ),
        attributes=tuple((str(k), str(v)) for k, v in json.loads(row["attributes"]).items()),
        words=row["words"],
        imported_at=row["imported_at"],
    )


def theme_from_row(row: sqlite3.Row) -> Theme:
    return Theme(
        name=row["name"],
        description=row["description"],
        include=tuple(json.loads(row["include"])),
        exclude=tuple(json.loads(row["exclude"])),
        keywords=tuple(json.loads(row["keywords"])),
        examples=tuple(json.loads(row["examples"])),
        color=row["color"],
        parent=row["parent"],
        emergent=bool(row["emergent"]),
    )


def orphan_from_row(r: sqlite3.Row) -> Orphan:
    return Orphan(
        id=r["id"],
        source=r["source"],
        segment_id=r["segment_id"],
        theme=r["theme"],
        coder=r["coder"],
        status=CodingStatus(r["status"]),
        anchor_text=r["anchor_text"],
        anchor_start=r["anchor_start"],
        anchor_end=r["anchor_end"],
        reason=r["reason"],
        orphaned_at=r["orphaned_at"],
        score=r["score"],
        memo=r["memo"],
    )


def source_row(record: SourceRecord, stamp: str) -> tuple[Any, ...]:
    return (
        record.path,
        record.kind,
        record.sha256,
        record.text,
        record.title,
        record.date,
        record.municipality,
        json.dumps(
            [
                {"name": p.name, "role": p.role.value}
                | ({"pseudonym": p.pseudonym} if p.pseudonym else {})
                | ({"unit": p.unit} if p.unit else {})
                for p in record.participants
            ],
            ensure_ascii=False,
        ),
        json.dumps(dict(record.attributes), ensure_ascii=False),
        record.words,
        record.imported_at or stamp,
    )


def segment_row(s: Segment) -> tuple[Any, ...]:
    return (
        s.id,
        s.source,
        s.kind.value,
        s.position,
        s.start,
        s.end,
        s.text,
        s.role.value,
        s.speaker,
        s.turn_index,
        s.colour,
        s.stage,
        s.journey,
        s.step,
        " ".join(s.lemmas),
    )


def codable_from_rows(rows: Iterable[tuple[str, str, str, str]]) -> list[CodableSegment]:
    """(id, role, text, lemmas) rows as the coders' light records (see coding/codable.py)."""
    return [
        CodableSegment(id, _ROLE.get(role) or Role(role), text, lemmas)
        for id, role, text, lemmas in rows
    ]


# The columns `segments_from_tuples` reads, in its order (Segment's fields).
SEGMENT_COLUMNS = (
    "id", "source", "kind", "position", "start", "end", "text", "role", "speaker",
    "turn_index", "colour", "stage", "journey", "step", "lemmas",
)  # fmt: skip


def segments_from_tuples(rows: Iterable[Sequence[Any]]) -> list[Segment]:
    """Segments from plain rows of SEGMENT_COLUMNS, equal to `segment_from_row`'s.

    A frozen dataclass's __init__ sets each field through object.__setattr__
    (~3 µs a segment); filling the instance's __dict__ directly gives the same
    object (Segment has no __post_init__; every field is set here) in a tenth.
    """
    new = object.__new__
    out: list[Segment] = []
    append = out.append
    for id_, source, kind, position, start, end, text, role, speaker, turn_index, colour, \
            stage, journey, step, lemmas in rows:  # fmt: skip
        seg = new(Segment)
        seg.__dict__.update(
            id=id_,
            source=source,
            kind=_KIND.get(kind) or SegmentKind(kind),
            position=position,
            start=start,
            end=end,
            text=text,
            role=_ROLE.get(role) or Role(role),
            speaker=speaker,
            turn_index=turn_index,
            colour=colour,
            stage=stage,
            journey=journey,
            step=step,
            lemmas=tuple(lemmas.split()),
        )
        append(seg)
    return out

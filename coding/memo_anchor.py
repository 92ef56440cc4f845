"""Segment memos follow their passage's text when a file is re-imported.

A segment id is positional (`transcripts/fg.md#8`): when lines are added above a
passage, the id names another passage after the next import. So a segment memo
keeps what a coding keeps: a copy of its passage's text and offsets (its anchor).
On re-import the importer moves the memo with the same matcher it uses for
codings (coding/anchors.py); a memo whose text is gone moves to `memo_orphans`,
kept with the passage it was written on and reported by import and check, and is
never put on another passage.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from journeylab.coding.anchors import documents, relocate
from journeylab.coding.model import Segment
from journeylab.coding.records import now

if TYPE_CHECKING:
    from journeylab.coding.store import Store

GONE = "the passage is no longer in the file"
REMOVED = "the file was removed from the study"


@dataclass(frozen=True)
class AnchoredMemo:
    """A stored segment memo with the copy of the passage it was written on."""

    id: int
    segment_id: str
    author: str
    text: str
    source: str
    anchor_text: str
    anchor_start: int
    anchor_end: int
    created: str
    updated: str


@dataclass(frozen=True)
class OrphanedMemo:
    """A segment memo whose passage is gone: kept aside, listed by import and check."""

    source: str
    segment_id: str  # the id it had; that id may name another passage now
    author: str
    memo: str  # the memo's own text
    text: str  # the passage it was written on
    reason: str


def insert_memo(store: Store, target_kind: str, target: str, author: str, text: str) -> int:
    """Store a memo; a segment memo gets its segment's text and offsets as its anchor."""
    seg = store.segment(target) if target_kind == "segment" else None
    stamp = now()
    with store.transaction():
        cur = store.conn.execute(
            "INSERT INTO memos (target_kind, target, author, text, created, updated,"
            " source, anchor_text, anchor_start, anchor_end) VALUES (?,?,?,?,?,?,?,?,?,?)",
            (
                target_kind,
                target,
                author,
                text,
                stamp,
                stamp,
                seg.source if seg else None,
                seg.text if seg else None,
                seg.start if seg else None,
                seg.end if seg else None,
            ),
        )
    return int(cur.lastrowid or 0)


def anchored_memos(store: Store, source: str) -> list[AnchoredMemo]:
    """The segment memos on *source*'s passages, oldest first.

    A memo without an anchor of its own (none should be left after the schema's
    migration) takes its segment's current text.
    """
    rows = store.conn.execute(
        "SELECT m.id, m.target, m.author, m.text, m.created, m.updated,"
        " coalesce(m.source, s.source) AS source,"
        " coalesce(m.anchor_text, s.text) AS anchor_text,"
        " coalesce(m.anchor_start, s.start) AS anchor_start,"
        ' coalesce(m.anchor_end, s."end") AS anchor_end'
        " FROM memos m LEFT JOIN segments s ON s.id = m.target"
        " WHERE m.target_kind = 'segment' AND (m.source = ? OR s.source = ?) ORDER BY m.id",
        (source, source),
    ).fetchall()
    return [
        AnchoredMemo(
            id=r["id"],
            segment_id=r["target"],
            author=r["author"],
            text=r["text"],
            source=r["source"],
            anchor_text=r["anchor_text"],
            anchor_start=r["anchor_start"] or 0,
            anchor_end=r["anchor_end"] or 0,
            created=r["created"],
            updated=r["updated"],
        )
        for r in rows
        if r["anchor_text"] is not None
    ]


def carry_memos(
    store: Store,
    memos: Sequence[AnchoredMemo],
    old_segments: dict[str, Segment],
    new_segments: Sequence[Segment],
    source_text: str,
) -> tuple[int, list[OrphanedMemo]]:
    """Move *memos* onto the new segments that hold their text, as codings are moved;
    (memos carried over, memos kept aside)."""
    docs = documents(new_segments, source_text)
    moved = 0
    lost: list[OrphanedMemo] = []
    with store.transaction():
        for memo in memos:
            found = relocate(
                docs, old_segments.get(memo.segment_id), memo.anchor_text, memo.anchor_start
            )
            if found is None:
                lost.append(orphan_memo(store, memo, GONE))
                continue
            target, anchor_text, start, end = found
            store.conn.execute(
                "UPDATE memos SET target = ?, source = ?, anchor_text = ?, anchor_start = ?,"
                " anchor_end = ? WHERE id = ?",
                (target.id, target.source, anchor_text, start, end, memo.id),
            )
            moved += 1
    return moved, lost


def orphan_memo(store: Store, memo: AnchoredMemo, reason: str) -> OrphanedMemo:
    """Move *memo* from `memos` to `memo_orphans` (its id may name other text now)."""
    with store.transaction():
        store.conn.execute(
            "INSERT INTO memo_orphans (source, segment_id, author, text, anchor_text,"
            " anchor_start, anchor_end, reason, created, updated, orphaned_at)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (
                memo.source,
                memo.segment_id,
                memo.author,
                memo.text,
                memo.anchor_text,
                memo.anchor_start,
                memo.anchor_end,
                reason,
                memo.created,
                memo.updated,
                now(),
            ),
        )
        store.conn.execute("DELETE FROM memos WHERE id = ?", (memo.id,))
    return OrphanedMemo(
        memo.source, memo.segment_id, memo.author, memo.text, memo.anchor_text, reason
    )


def orphaned_memos(store: Store) -> list[OrphanedMemo]:
    """Every segment memo kept aside by an import, oldest first."""
    rows = store.conn.execute(
        "SELECT source, segment_id, author, text, anchor_text, reason FROM memo_orphans ORDER BY id"
    ).fetchall()
    return [OrphanedMemo(r[0], r[1], r[2], r[3], r[4], r[5]) for r in rows]

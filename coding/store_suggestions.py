"""Storing a machine coder's suggestions: only what changed is written.

Split from coding/store.py: `Store.replace_suggestions` and
`Store.replace_suggestions_counted` call `replace_counted`.
"""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from journeylab.coding.model import CodingStatus, Suggestion
from journeylab.coding.records import MACHINE_PREFIX, coder_kind, now
from journeylab.errors import StoreError

if TYPE_CHECKING:
    from journeylab.coding.store import Store


def replace_counted(
    store: Store, coder: str, suggestions: Iterable[Suggestion]
) -> tuple[int, dict[str, int]]:
    """`replace_suggestions`, and then the coder's stored suggestions per theme.

    Only what changed is written. A re-code after a small codebook change
    suggests most (segment, theme) pairs again with the same score, rank and
    explanation; rewriting every row (and its three indexes) was most of the
    cost. So the coder's rows are read first, and then: new pairs inserted,
    changed ones updated by rowid, pairs no longer suggested deleted, equal
    ones left alone (keeping their timestamps, which nothing reads for a
    suggestion; their anchors are their segment's, which cannot change under
    them: a re-import deletes a changed source's codings). Rows with a person's
    status are neither updated nor deleted. The counts per theme come from the
    same bookkeeping, else (duplicates, unknown segments) from one GROUP BY.
    """
    if coder_kind(coder) != "machine":
        raise StoreError(
            f"'{coder}' is a person's name, not a machine coder",
            hint=f"machine coders are named '{MACHINE_PREFIX}<coder>'",
        )
    stamp = now()
    with store.transaction():
        store._register_coder(coder)
        cur = store.conn.cursor()
        cur.row_factory = None
        suggested = CodingStatus.SUGGESTED.value  # once: an enum's .value is slow per row
        # (segment, theme) -> (rowid, segment, theme, status, score, rank, explanation, memo)
        rows = cur.execute(
            "SELECT id, segment_id, theme, status, score, rank, explanation, memo"
            " FROM codings WHERE coder = ?",
            (coder,),
        ).fetchall()
        held: dict[tuple[str, str], tuple[Any, ...]] = {(r[1], r[2]): r for r in rows}
        stale = {r[0] for r in rows if r[3] == suggested}
        kept: dict[tuple[str, str], None] = {}
        resuggested = 0  # each counts as one row written, as the upsert did
        updates: list[tuple[Any, ...]] = []
        inserts: list[tuple[Any, ...]] = []
        for s in suggestions:
            key = (s.segment_id, s.theme)
            row = held.get(key)
            if row is None:
                inserts.append((s.segment_id, s.theme, coder, s.score, s.rank, s.explanation))
                continue
            if row[3] != suggested:
                continue  # a person's status on this coder's row: skipped
            kept[key] = None
            resuggested += 1
            stale.discard(row[0])
            values = (s.score, s.rank, s.explanation, None)
            if row[4:] != values:
                updates.append((*values[:3], stamp, row[0]))
                held[key] = row[:4] + values
        if stale:
            store.conn.executemany("DELETE FROM codings WHERE id = ?", [(r,) for r in stale])
        store.conn.executemany(
            "UPDATE codings SET score = ?, rank = ?, explanation = ?, memo = NULL,"
            " created = ?4, updated = ?4 WHERE id = ?5",
            updates,
        )
        before = store.conn.total_changes
        try:
            # A pair inserted twice in one call is updated the second time, as before.
            store.conn.executemany(
                "INSERT INTO codings (segment_id, theme, coder, status, score, rank,"
                " explanation, anchor_text, anchor_start, anchor_end, source, created, updated)"
                " SELECT ?1, ?2, ?3, 'suggested', ?4, ?5, ?6, text, start, \"end\", source,"
                " ?7, ?7 FROM segments WHERE id = ?1"
                " ON CONFLICT (segment_id, theme, coder) DO UPDATE SET"
                " score = excluded.score, rank = excluded.rank,"
                " explanation = excluded.explanation, memo = NULL,"
                " created = excluded.created, updated = excluded.updated"
                " WHERE codings.status = 'suggested'",
                [(*row, stamp) for row in inserts],
            )
        except sqlite3.IntegrityError as exc:
            raise StoreError(f"cannot store suggestions: {exc}", path=store.path) from exc
        added = store.conn.total_changes - before
        inserted = added + resuggested
        store.log(coder, "suggest", {"suggestions": inserted})
        counts: dict[str, int] = {}
        if added == len(inserts) == len({(r[0], r[1]) for r in inserts}):
            # Every new pair landed once: the stored suggestions are kept + inserted.
            for _, theme in itertools.chain(kept, ((r[0], r[1]) for r in inserts)):
                counts[theme] = counts.get(theme, 0) + 1
        else:
            counts = store.count_codings(coder=coder, statuses=[CodingStatus.SUGGESTED])
    return inserted, counts

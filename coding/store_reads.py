"""The read-only queries of the study store, used by the coders, reports and explorer.

Split from coding/store.py by topic: `Store` inherits `StoreReads`, so callers
still write `store.codings(...)`. These methods need only the connection; the
writes (and their transactions and audit log) stay in coding/store.py.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

from journeylab.coding.codable import CodableSegment
from journeylab.coding.fts import SearchHit, fts_query
from journeylab.coding.model import Coding, CodingStatus, Role, Segment
from journeylab.coding.records import (
    MACHINE_PREFIX,
    SEGMENT_COLUMNS,
    AnchoredCoding,
    codable_from_rows,
    coding_from_row,
    segment_from_row,
    segments_from_tuples,
)


class StoreReads:
    """`Store`'s queries that read codings and segments for coding and reporting."""

    conn: sqlite3.Connection  # set by Store.__init__

    def _q(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        # Here rather than in Store so the reads can use it; Store's writes inherit it.
        return self.conn.execute(sql, params).fetchall()

    # -- codings ------------------------------------------------------------

    def codings(
        self,
        *,
        statuses: Iterable[CodingStatus] | None = None,
        coder: str | None = None,
        theme: str | None = None,
        source: str | None = None,
        min_score: float | None = None,
    ) -> list[Coding]:
        """Codings, filtered; *min_score* drops suggestions scoring below it (others stay)."""
        sql, params = _codings_where(statuses, coder, theme, source, min_score)
        # Only the Coding's columns: the anchor copies are the bulk of a row.
        rows = self._q(
            "SELECT segment_id, theme, coder, status, score, rank, explanation, memo"
            f" FROM codings{sql} ORDER BY source, anchor_start, theme, coder",
            params,
        )
        return [coding_from_row(r) for r in rows]

    def has_person_codings(self) -> bool:
        """True when a person (not a machine coder) has accepted, rejected or added a coding."""
        row = self.conn.execute(
            "SELECT 1 FROM codings WHERE status != ? AND substr(coder, 1, ?) != ? LIMIT 1",
            (CodingStatus.SUGGESTED.value, len(MACHINE_PREFIX), MACHINE_PREFIX),
        ).fetchone()
        return row is not None

    def count_codings(
        self, *, coder: str | None = None, statuses: Iterable[CodingStatus] | None = None
    ) -> dict[str, int]:
        """Codings per theme (one GROUP BY, no rows built)."""
        sql, params = "SELECT theme, count(*) FROM codings WHERE 1=1", []
        if statuses is not None:
            wanted = [CodingStatus(s).value for s in statuses]
            sql += f" AND status IN ({','.join('?' * len(wanted))})"
            params.extend(wanted)
        if coder is not None:
            sql += " AND coder = ?"
            params.append(coder)
        return {t: int(c) for t, c in self.conn.execute(sql + " GROUP BY theme", params)}

    def anchored_codings(
        self,
        statuses: Iterable[CodingStatus] | None = None,
        coder: str | None = None,
        theme: str | None = None,
        source: str | None = None,
    ) -> list[AnchoredCoding]:
        sql, params = _codings_where(statuses, coder, theme, source, None)
        rows = self._q(
            f"SELECT * FROM codings{sql} ORDER BY source, anchor_start, theme, coder", params
        )
        return [
            AnchoredCoding(
                coding=coding_from_row(r),
                source=r["source"],
                anchor_text=r["anchor_text"],
                anchor_start=r["anchor_start"],
                anchor_end=r["anchor_end"],
                created=r["created"],
            )
            for r in rows
        ]

    def counted_codings(self, threshold: float | None) -> list[tuple[str, str, bool, float | None]]:
        """(segment, theme, only suggested?, best score) of every pair whose codings count.

        What a report counts (themes/findings_tables.py `counted_pairs`, the plain definition):
        ACCEPTED and MANUAL codings always; SUGGESTED ones only when *threshold* is
        given, their score reaches it and no person REJECTED the pair. The best
        score is over the codings that count. Aggregated in SQL: materialising
        180k `Coding` objects to count them was ~1 s of a 1M-word report.
        """
        # NOT INDEXED: a sort of the scanned rows beats walking the unique index
        # and fetching every row from it (0.22 s against 0.41 s at 1M words).
        rows = self.conn.execute(
            "SELECT segment_id, theme,"
            " MAX(status IN ('accepted', 'manual')),"
            " MAX(CASE WHEN status IN ('accepted', 'manual') THEN score END),"
            " MAX(CASE WHEN status = 'suggested' THEN score END),"
            " MAX(status = 'rejected')"
            " FROM codings NOT INDEXED"
            " WHERE status != 'suggested' OR (? IS NOT NULL AND score >= ?)"
            " GROUP BY segment_id, theme",
            (threshold, threshold),
        ).fetchall()
        out: list[tuple[str, str, bool, float | None]] = []
        for seg, theme, person, person_score, suggested_score, rejected in rows:
            if rejected:
                suggested_score = None  # a person said no: the suggestions do not count
            if person:
                if suggested_score is not None and (
                    person_score is None or suggested_score > person_score
                ):
                    person_score = suggested_score
                out.append((seg, theme, False, person_score))
            elif suggested_score is not None:
                out.append((seg, theme, True, suggested_score))
        return out

    def segments_quickly(self) -> list[Segment]:
        """Every segment, equal to `segments()` (same order), built for a report's read of all.

        Plain tuples and `segments_from_tuples` instead of sqlite3.Row and the frozen
        dataclass's __init__: a third of the time at 48k segments.
        """
        cur = self.conn.cursor()
        cur.row_factory = None
        rows = cur.execute(
            f"SELECT {', '.join(SEGMENT_COLUMNS)} FROM segments ORDER BY source, position"
        ).fetchall()
        return segments_from_tuples(rows)

    # -- coding speed (issue 9): what coding and re-import need, without Segment objects

    def count_segments(self) -> int:
        """How many segments the store holds (counted in SQL, none read)."""
        return int(self.conn.execute("SELECT count(*) FROM segments").fetchone()[0])

    def codable_segments(self) -> list[CodableSegment]:
        """The material segments (all but the interviewer's), in `segments()` order, as
        the coders read them: id, role, text and the stored lemmas (coding/codable.py)."""
        cur = self.conn.cursor()
        cur.row_factory = None  # plain tuples: sqlite3.Row costs a third of the read
        rows = cur.execute(
            "SELECT id, role, text, lemmas FROM segments WHERE role != ? ORDER BY source, position",
            (Role.INTERVIEWER.value,),
        ).fetchall()
        return codable_from_rows(rows)

    # -- search ---------------------------------------------------------------

    def search(self, query: str, limit: int = 50) -> list[SearchHit]:
        """Segments matching *query* (words as prefixes, "quoted phrases" exact), best first."""
        match = fts_query(query)
        if not match:
            return []
        rows = self._q(
            "SELECT s.*, snippet(segments_fts, 0, char(2), char(3), '…', 16) AS snip,"
            " bm25(segments_fts) AS score FROM segments_fts"
            " JOIN segments s ON s.rowid = segments_fts.rowid"
            " WHERE segments_fts MATCH ? ORDER BY score LIMIT ?",
            (match, limit),
        )
        return [SearchHit(segment_from_row(r), r["snip"], -float(r["score"])) for r in rows]


def _codings_where(
    statuses: Iterable[CodingStatus] | None,
    coder: str | None,
    theme: str | None,
    source: str | None,
    min_score: float | None,
) -> tuple[str, list[Any]]:
    """The WHERE clause (and its parameters) of a codings query."""
    sql = " WHERE 1=1"
    params: list[Any] = []
    if statuses is not None:
        wanted = [CodingStatus(s).value for s in statuses]
        sql += f" AND status IN ({','.join('?' * len(wanted))})"
        params.extend(wanted)
    for column, value in (("coder", coder), ("theme", theme), ("source", source)):
        if value is not None:
            sql += f" AND {column} = ?"
            params.append(value)
    if min_score is not None:
        sql += " AND (status != ? OR score >= ?)"
        params += [CodingStatus.SUGGESTED.value, min_score]
    return sql, params

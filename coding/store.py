"""The study store: `.journeylab/study.db`, the work that is not in the files.

SQLite in WAL mode with foreign keys on. Raw material stays in the study's files;
the store keeps segments, codings (each with a copy of its text so it can be
re-anchored), themes, coders, memos, orphans and an audit log. Every write runs
inside `Store.transaction()` (BEGIN IMMEDIATE), so a failure leaves nothing half done.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

from journeylab.coding.codable import CodableSegment
from journeylab.coding.fts import SearchHit, fts_query
from journeylab.coding.model import (
    Codebook,
    Coding,
    CodingStatus,
    Role,
    Segment,
    Suggestion,
    Theme,
)
from journeylab.coding.records import (
    MACHINE_PREFIX,
    SEGMENT_COLUMNS,
    AnchoredCoding,
    AuditEntry,
    Orphan,
    SourceRecord,
    codable_from_rows,
    coder_kind,
    coding_from_row,
    now,
    orphan_from_row,
    segment_from_row,
    segment_row,
    segments_from_tuples,
    source_from_row,
    source_row,
    theme_from_row,
)
from journeylab.coding.schema import SCHEMA_VERSION, migrate, schema_version
from journeylab.coding.store_suggestions import replace_counted
from journeylab.coding.study import Study
from journeylab.errors import StoreError

PERSON_STATUSES = (CodingStatus.ACCEPTED, CodingStatus.REJECTED, CodingStatus.MANUAL)


class Store:
    """An open study database. Use as a context manager, or call close()."""

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self.conn = conn
        self._depth = 0

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self.conn.close()

    # -- transactions -------------------------------------------------------

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Store]:
        """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any exception; nests."""
        if self._depth:
            self._depth += 1
            try:
                yield self
            finally:
                self._depth -= 1
            return
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise StoreError(
                f"the study database is busy: {exc}",
                path=self.path,
                hint="close other journeylab windows (explorer, review) and try again",
            ) from exc
        self._depth = 1
        try:
            yield self
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")
        finally:
            self._depth = 0

    def _q(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        return self.conn.execute(sql, params).fetchall()

    # -- sources and segments -----------------------------------------------

    def sources(self) -> list[SourceRecord]:
        return [source_from_row(r) for r in self._q("SELECT * FROM sources ORDER BY path")]

    def source(self, path: str) -> SourceRecord | None:
        rows = self._q("SELECT * FROM sources WHERE path = ?", (path,))
        return source_from_row(rows[0]) if rows else None

    def put_source(self, record: SourceRecord, segments: Sequence[Segment]) -> None:
        """Insert a source and its segments (the source must not be stored yet)."""
        with self.transaction():
            self.conn.execute(
                "INSERT INTO sources VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                source_row(record, now()),
            )
            self.conn.executemany(
                'INSERT INTO segments (id, source, kind, position, start, "end", text, role,'
                " speaker, turn_index, colour, stage, journey, step, lemmas)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                [segment_row(s) for s in segments],
            )

    def delete_source(self, path: str) -> None:
        """Delete a source and its segments; its codings must be moved first."""
        with self.transaction():
            left = self._q("SELECT count(*) FROM codings WHERE source = ?", (path,))[0][0]
            if left:
                raise StoreError(
                    f"{left} codings still point at the source", where=path
                )  # a programming error guard: codings are never dropped silently
            self.conn.execute("DELETE FROM segments WHERE source = ?", (path,))
            self.conn.execute("DELETE FROM sources WHERE path = ?", (path,))

    def segments(
        self, *, source: str | None = None, roles: Iterable[Role] | None = None
    ) -> list[Segment]:
        sql, params = "SELECT * FROM segments WHERE 1=1", []
        if source is not None:
            sql += " AND source = ?"
            params.append(source)
        if roles is not None:
            wanted = [Role(r).value for r in roles]
            sql += f" AND role IN ({','.join('?' * len(wanted))})"
            params.extend(wanted)
        return [segment_from_row(r) for r in self._q(sql + " ORDER BY source, position", params)]

    def segment(self, id: str) -> Segment | None:
        rows = self._q("SELECT * FROM segments WHERE id = ?", (id,))
        return segment_from_row(rows[0]) if rows else None

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

    def _register_coder(self, name: str) -> None:
        self.conn.execute(
            "INSERT OR IGNORE INTO coders (name, kind) VALUES (?, ?)", (name, coder_kind(name))
        )

    def insert_coding(self, item: AnchoredCoding, segment: Segment) -> None:
        """Store a coding on *segment* with the anchor it carries (used by import)."""
        c = item.coding
        with self.transaction():
            self._register_coder(c.coder)
            self.conn.execute(
                "INSERT INTO codings (segment_id, theme, coder, status, score, rank, explanation,"
                " memo, anchor_text, anchor_start, anchor_end, source, created, updated)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    segment.id,
                    c.theme,
                    c.coder,
                    c.status.value,
                    c.score,
                    c.rank,
                    c.explanation,
                    c.memo,
                    item.anchor_text,
                    item.anchor_start,
                    item.anchor_end,
                    segment.source,
                    item.created or now(),
                    now(),
                ),
            )

    def delete_codings(self, *, source: str) -> None:
        """Remove every coding of *source* (the importer has copied what it keeps)."""
        with self.transaction():
            self.conn.execute("DELETE FROM codings WHERE source = ?", (source,))

    def replace_suggestions(self, coder: str, suggestions: Iterable[Suggestion]) -> int:
        """Replace machine *coder*'s SUGGESTED codings; person codings are never touched.

        A suggestion for a (segment, theme) that this coder already holds with a
        person's status (accepted/rejected) is skipped. Returns the rows inserted.
        """
        return self.replace_suggestions_counted(coder, suggestions)[0]

    def set_coding(
        self,
        segment_id: str,
        theme: str,
        coder: str,
        status: CodingStatus,
        *,
        memo: str | None = None,
        score: float | None = None,
    ) -> None:
        """Add or change one coding (upsert); audit-logged."""
        status = CodingStatus(status)
        seg = self.segment(segment_id)
        if seg is None:
            raise StoreError(f"no segment '{segment_id}'", hint="run journeylab import first")
        if not self._q("SELECT 1 FROM themes WHERE name = ?", (theme,)):
            raise StoreError(
                f"no theme '{theme}' in the codebook",
                hint="add it to codebook.yaml or as an emergent theme",
            )
        stamp = now()
        with self.transaction():
            self._register_coder(coder)
            self.conn.execute(
                "INSERT INTO codings (segment_id, theme, coder, status, score, memo, anchor_text,"
                " anchor_start, anchor_end, source, created, updated)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)"
                " ON CONFLICT (segment_id, theme, coder) DO UPDATE SET status = excluded.status,"
                " score = coalesce(excluded.score, score), memo = coalesce(excluded.memo, memo),"
                " updated = excluded.updated",
                (
                    segment_id,
                    theme,
                    coder,
                    status.value,
                    score,
                    memo,
                    seg.text,
                    seg.start,
                    seg.end,
                    seg.source,
                    stamp,
                    stamp,
                ),
            )
            self.log(
                coder, "set_coding", {"segment": segment_id, "theme": theme, "status": status.value}
            )

    def remove_coding(self, segment_id: str, theme: str, coder: str) -> bool:
        """Delete one coding; True when there was one. Audit-logged."""
        with self.transaction():
            cur = self.conn.execute(
                "DELETE FROM codings WHERE segment_id = ? AND theme = ? AND coder = ?",
                (segment_id, theme, coder),
            )
            if cur.rowcount:
                self.log(coder, "remove_coding", {"segment": segment_id, "theme": theme})
        return bool(cur.rowcount)

    # -- orphans ------------------------------------------------------------

    def add_orphan(self, item: AnchoredCoding, reason: str) -> None:
        c = item.coding
        with self.transaction():
            self.conn.execute(
                "INSERT INTO orphans (source, segment_id, theme, coder, status, score, memo,"
                " anchor_text, anchor_start, anchor_end, reason, created, orphaned_at)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    item.source,
                    c.segment_id,
                    c.theme,
                    c.coder,
                    c.status.value,
                    c.score,
                    c.memo,
                    item.anchor_text,
                    item.anchor_start,
                    item.anchor_end,
                    reason,
                    item.created,
                    now(),
                ),
            )

    def orphans(self) -> list[Orphan]:
        return [orphan_from_row(r) for r in self._q("SELECT * FROM orphans ORDER BY id")]

    # -- themes -------------------------------------------------------------

    def _put_theme(self, theme: Theme, emergent: bool, position: int) -> None:
        self.conn.execute(
            "INSERT INTO themes VALUES (?,?,?,?,?,?,?,?,?,?) ON CONFLICT (name) DO UPDATE SET"
            " description = excluded.description, include = excluded.include,"
            " exclude = excluded.exclude, keywords = excluded.keywords,"
            " examples = excluded.examples, color = excluded.color, parent = excluded.parent,"
            " emergent = excluded.emergent, position = excluded.position",
            (
                theme.name,
                theme.description,
                *(
                    json.dumps(list(v), ensure_ascii=False)
                    for v in (theme.include, theme.exclude, theme.keywords, theme.examples)
                ),
                theme.color,
                theme.parent,
                int(emergent),
                position,
            ),
        )

    def sync_themes(self, codebook: Codebook) -> None:
        """Make the stored codebook equal *codebook*; emergent themes stay."""
        with self.transaction():
            names = codebook.names
            self.conn.execute(
                f"DELETE FROM themes WHERE emergent = 0 AND name NOT IN"
                f" ({','.join('?' * len(names))})",
                names,
            )
            for position, theme in enumerate(codebook.themes):
                self._put_theme(theme, False, position)

    def add_theme(self, theme: Theme, emergent: bool = True, *, actor: str = "journeylab") -> None:
        """Add a theme found while coding; StoreError when the name is taken."""
        if self._q("SELECT 1 FROM themes WHERE name = ?", (theme.name,)):
            raise StoreError(f"there is already a theme '{theme.name}'", hint="choose another name")
        with self.transaction():
            position = self._q("SELECT coalesce(max(position), -1) + 1 FROM themes")[0][0]
            self._put_theme(theme, emergent, position)
            self.log(actor, "add_theme", {"theme": theme.name, "emergent": emergent})

    def themes(self) -> list[Theme]:
        rows = self._q("SELECT * FROM themes ORDER BY emergent, position, name")
        return [theme_from_row(r) for r in rows]

    # -- memos, audit, search, health ---------------------------------------

    def add_memo(self, target_kind: str, target: str, author: str, text: str) -> int:
        stamp = now()
        with self.transaction():
            cur = self.conn.execute(
                "INSERT INTO memos (target_kind, target, author, text, created, updated)"
                " VALUES (?,?,?,?,?,?)",
                (target_kind, target, author, text, stamp, stamp),
            )
        return int(cur.lastrowid or 0)

    def memos(self, target_kind: str | None = None) -> list[tuple[str, str, str, str]]:
        """(target_kind, target, author, text) of the memos, oldest first."""
        sql = "SELECT target_kind, target, author, text FROM memos"
        rows = self._q(
            sql + (" WHERE target_kind = ?" if target_kind else "") + " ORDER BY id",
            (target_kind,) if target_kind else (),
        )
        return [(r[0], r[1], r[2], r[3]) for r in rows]

    def log(self, actor: str, action: str, detail: dict[str, Any] | None = None) -> None:
        with self.transaction():
            self.conn.execute(
                "INSERT INTO audit (ts, actor, action, detail) VALUES (?,?,?,?)",
                (now(), actor, action, json.dumps(detail or {}, ensure_ascii=False)),
            )

    def audit_log(self) -> list[AuditEntry]:
        rows = self._q("SELECT ts, actor, action, detail FROM audit ORDER BY id")
        return [AuditEntry(r[0], r[1], r[2], json.loads(r[3])) for r in rows]

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

    def integrity_ok(self) -> bool:
        """True when SQLite, the foreign keys and the full-text index all check out."""
        try:
            if self._q("PRAGMA integrity_check")[0][0] != "ok":
                return False
            if self._q("PRAGMA foreign_key_check"):
                return False
            self.conn.execute("INSERT INTO segments_fts(segments_fts) VALUES ('integrity-check')")
        except sqlite3.DatabaseError:
            return False
        return True

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

    def replace_suggestions_counted(
        self, coder: str, suggestions: Iterable[Suggestion]
    ) -> tuple[int, dict[str, int]]:
        """`replace_suggestions`, and then the coder's stored suggestions per theme.

        Writes only what changed (coding/store_suggestions.py).
        """
        return replace_counted(self, coder, suggestions)


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


def open_store(study: Study, *, create: bool = False) -> Store:
    """Open (or with *create*, make) the study's database, migrating it if needed."""
    path = study.store_path
    if not path.exists():
        if not create:
            raise StoreError(
                "the study has no database yet", path=path, hint="run journeylab import first"
            )
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        conn = sqlite3.connect(path, timeout=10, isolation_level=None)
    except sqlite3.Error as exc:
        raise StoreError(f"cannot open the study database: {exc}", path=path) from exc
    conn.row_factory = sqlite3.Row
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        version = schema_version(conn)
        if version > SCHEMA_VERSION:
            raise StoreError(
                "the study database was made by a newer journeylab; upgrade",
                path=path,
                hint=f"it has schema {version}, this journeylab reads up to {SCHEMA_VERSION}",
            )
        if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            conn.execute("PRAGMA journal_mode = WAL")
        migrate(conn)
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise StoreError(
            f"not a journeylab database: {exc}",
            path=path,
            hint="move the file away and run journeylab import again",
        ) from exc
    except BaseException:
        conn.close()
        raise
    return Store(path, conn)

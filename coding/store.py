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

from journeylab.coding import memo_anchor, store_themes
from journeylab.coding.model import Codebook, CodingStatus, Role, Segment, Suggestion, Theme
from journeylab.coding.records import MACHINE_PREFIX as MACHINE_PREFIX  # autocode.py's import
from journeylab.coding.records import (
    AnchoredCoding,
    AuditEntry,
    Orphan,
    SourceRecord,
    coder_kind,
    now,
    orphan_from_row,
    segment_from_row,
    segment_row,
    source_from_row,
    source_row,
    theme_from_row,
)
from journeylab.coding.schema import SCHEMA_VERSION, migrate, schema_version
from journeylab.coding.store_reads import StoreReads
from journeylab.coding.store_suggestions import replace_counted
from journeylab.coding.study import Study
from journeylab.errors import StoreError

PERSON_STATUSES = (CodingStatus.ACCEPTED, CodingStatus.REJECTED, CodingStatus.MANUAL)


class Store(StoreReads):
    """An open study database. Use as a context manager, or call close().

    The read-only queries (codings, counts, search) are inherited from
    `StoreReads` (coding/store_reads.py).
    """

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

    # -- codings (the reads are in coding/store_reads.py) ---------------------

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

    def replace_suggestions_counted(
        self, coder: str, suggestions: Iterable[Suggestion]
    ) -> tuple[int, dict[str, int]]:
        """`replace_suggestions`, and then the coder's stored suggestions per theme.

        Writes only what changed (coding/store_suggestions.py).
        """
        return replace_counted(self, coder, suggestions)

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

    # -- themes (written in coding/store_themes.py) -----------------------------

    def sync_themes(self, codebook: Codebook) -> None:
        """Make the stored codebook equal *codebook*; emergent themes stay."""
        store_themes.sync_themes(self, codebook)

    def add_theme(self, theme: Theme, emergent: bool = True, *, actor: str = "journeylab") -> None:
        """Add a theme found while coding; StoreError when the name is taken."""
        store_themes.add_theme(self, theme, emergent, actor)

    def themes(self) -> list[Theme]:
        rows = self._q("SELECT * FROM themes ORDER BY emergent, position, name")
        return [theme_from_row(r) for r in rows]

    # -- memos, audit, health -------------------------------------------------

    def add_memo(self, target_kind: str, target: str, author: str, text: str) -> int:
        """Store a memo; a segment memo keeps a copy of its passage so a re-import
        moves it with its text (coding/memo_anchor.py)."""
        return memo_anchor.insert_memo(self, target_kind, target, author, text)

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
        raise _open_error(exc, path) from exc
    except BaseException:
        conn.close()
        raise
    return Store(path, conn)


def _open_error(exc: sqlite3.DatabaseError, path: Path) -> StoreError:
    """What went wrong opening the database, in words that do not risk the codings.

    Only a file that is not a database (or is damaged) is "not a journeylab
    database"; a read-only or busy one holds the person's codings and must not be
    moved away on our advice.
    """
    code = getattr(exc, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    if primary in (sqlite3.SQLITE_READONLY, sqlite3.SQLITE_PERM, sqlite3.SQLITE_CANTOPEN):
        return StoreError(
            "cannot write the study database (a read-only file or folder)",
            path=path,
            hint="copy the study folder to a place you may write in, or fix its permissions",
        )
    if primary in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        return StoreError(
            "the study database is busy (is another journeylab command running?)",
            path=path,
            hint="wait for it to finish and try again",
        )
    if primary in (sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT):
        return StoreError(
            f"not a journeylab database: {exc}",
            path=path,
            hint="restore .journeylab/study.db from a backup; moving it away and running "
            "journeylab import starts the study over without its codings",
        )
    return StoreError(f"cannot use the study database: {exc}", path=path)

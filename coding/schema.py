"""The study database's schema and its migrations.

`PRAGMA user_version` is the number of migrations applied. Migrations are only
ever appended; a database whose version is higher than `len(MIGRATIONS)` was made
by a newer journeylab and is refused rather than half-understood.
"""

from __future__ import annotations

import sqlite3

# Codings do not cascade: deleting a segment that still carries a coding fails,
# so the importer has to re-anchor or orphan every coding explicitly.
_V1 = """
CREATE TABLE sources (
    path TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('journey', 'transcript')),
    sha256 TEXT NOT NULL,
    text TEXT NOT NULL,
    title TEXT,
    date TEXT,
    municipality TEXT,
    participants TEXT NOT NULL DEFAULT '[]',
    attributes TEXT NOT NULL DEFAULT '{}',
    words INTEGER NOT NULL DEFAULT 0,
    imported_at TEXT NOT NULL
);

CREATE TABLE segments (
    id TEXT PRIMARY KEY,
    source TEXT NOT NULL REFERENCES sources(path),
    kind TEXT NOT NULL CHECK (kind IN ('turn', 'sentences', 'note')),
    position INTEGER NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    text TEXT NOT NULL,
    role TEXT NOT NULL,
    speaker TEXT,
    turn_index INTEGER,
    colour TEXT,
    stage TEXT,
    journey TEXT,
    step INTEGER,
    lemmas TEXT NOT NULL DEFAULT ''
);
CREATE INDEX segments_by_source ON segments(source, position);

CREATE TABLE themes (
    name TEXT PRIMARY KEY,
    description TEXT NOT NULL DEFAULT '',
    include TEXT NOT NULL DEFAULT '[]',
    exclude TEXT NOT NULL DEFAULT '[]',
    keywords TEXT NOT NULL DEFAULT '[]',
    examples TEXT NOT NULL DEFAULT '[]',
    color TEXT,
    parent TEXT,
    emergent INTEGER NOT NULL DEFAULT 0,
    position INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE coders (
    name TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('person', 'machine'))
);

CREATE TABLE codings (
    id INTEGER PRIMARY KEY,
    segment_id TEXT NOT NULL REFERENCES segments(id),
    theme TEXT NOT NULL,
    coder TEXT NOT NULL REFERENCES coders(name),
    status TEXT NOT NULL CHECK (status IN ('suggested', 'accepted', 'rejected', 'manual')),
    score REAL,
    rank INTEGER,
    explanation TEXT,
    memo TEXT,
    anchor_text TEXT NOT NULL,
    anchor_start INTEGER NOT NULL,
    anchor_end INTEGER NOT NULL,
    source TEXT NOT NULL,
    created TEXT NOT NULL,
    updated TEXT NOT NULL,
    UNIQUE (segment_id, theme, coder)
);
CREATE INDEX codings_by_source ON codings(source);
CREATE INDEX codings_by_theme ON codings(theme);

CREATE TABLE memos (
    id INTEGER PRIMARY KEY,
    target_kind TEXT NOT NULL CHECK (target_kind IN ('study', 'source', 'segment', 'theme')),
    target TEXT NOT NULL DEFAULT '',
    author TEXT NOT NULL,
    text TEXT NOT NULL,
    created TEXT NOT NULL,
    updated TEXT NOT NULL
);

CREATE TABLE audit (
    id INTEGER PRIMARY KEY,
    ts TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '{}'
);

CREATE TABLE orphans (
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    segment_id TEXT NOT NULL,
    theme TEXT NOT NULL,
    coder TEXT NOT NULL,
    status TEXT NOT NULL,
    score REAL,
    memo TEXT,
    anchor_text TEXT NOT NULL,
    anchor_start INTEGER NOT NULL,
    anchor_end INTEGER NOT NULL,
    reason TEXT NOT NULL,
    created TEXT NOT NULL,
    orphaned_at TEXT NOT NULL
);

CREATE VIRTUAL TABLE segments_fts USING fts5(
    text, content='segments', content_rowid='rowid',
    tokenize="unicode61 remove_diacritics 0"
);
CREATE TRIGGER segments_ai AFTER INSERT ON segments BEGIN
    INSERT INTO segments_fts(rowid, text) VALUES (new.rowid, new.text);
END;
CREATE TRIGGER segments_ad AFTER DELETE ON segments BEGIN
    INSERT INTO segments_fts(segments_fts, rowid, text) VALUES ('delete', old.rowid, old.text);
END;
CREATE TRIGGER segments_au AFTER UPDATE OF text ON segments BEGIN
    INSERT INTO segments_fts(segments_fts, rowid, text) VALUES ('delete', old.rowid, old.text);
    INSERT INTO segments_fts(rowid, text) VALUES (new.rowid, new.text);
END;
"""

# Segment memos get the anchor codings have (a copy of their passage's text and
# offsets), so a re-import can move a memo with its text instead of leaving it on
# a positional id that now names another passage. Existing memos take their
# segment's current text. A memo whose text is gone moves to memo_orphans, kept
# with its passage's text (like `orphans` for codings), never onto other text.
_V2 = """
ALTER TABLE memos ADD COLUMN source TEXT;
ALTER TABLE memos ADD COLUMN anchor_text TEXT;
ALTER TABLE memos ADD COLUMN anchor_start INTEGER;
ALTER TABLE memos ADD COLUMN anchor_end INTEGER;
UPDATE memos SET (source, anchor_text, anchor_start, anchor_end) = (
    SELECT s.source, s.text, s.start, s."end" FROM segments s WHERE s.id = memos.target
) WHERE target_kind = 'segment';
CREATE INDEX memos_by_source ON memos(source);

CREATE TABLE memo_orphans (
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    segment_id TEXT NOT NULL,
    author TEXT NOT NULL,
    text TEXT NOT NULL,
    anchor_text TEXT NOT NULL,
    anchor_start INTEGER NOT NULL,
    anchor_end INTEGER NOT NULL,
    reason TEXT NOT NULL,
    created TEXT NOT NULL,
    updated TEXT NOT NULL,
    orphaned_at TEXT NOT NULL
);
"""

# Index i holds the script that takes a database from version i to i + 1.
MIGRATIONS: tuple[str, ...] = (_V1, _V2)

SCHEMA_VERSION = len(MIGRATIONS)


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection) -> int:
    """Apply the missing migrations, each in its own transaction; the new version."""
    version = schema_version(conn)
    for index in range(version, SCHEMA_VERSION):
        # executescript commits first; BEGIN makes script + version bump atomic.
        try:
            conn.executescript(
                f"BEGIN IMMEDIATE;\n{MIGRATIONS[index]}\n"
                f"PRAGMA user_version = {index + 1};\nCOMMIT;"
            )
        except sqlite3.Error:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    return SCHEMA_VERSION

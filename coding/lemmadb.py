"""spaCy's lookup lemma table as a small SQLite file in the user's cache folder.

The Danish table has 553k entries in a gzipped JSON file: loading it whole costs
~0.25 s and ~110 MB in every process that lemmatises anything, even a re-import of
one transcript or the few texts of a changed codebook. The first process that
needs it writes it once to ``$XDG_CACHE_HOME/journeylab/`` (``~/.cache`` when
unset) as a keyed SQLite table; later processes look up only the words they meet.

The file is named by everything its content depends on: this module's format
version, the language, the spacy-lookups-data version and the table file's path,
size and modification time. It stores exactly what `nlp`'s lookup rule reads
(the table's value, the first one when it is a list), so lemmas are the same
whichever way they are looked up. Any problem with the cache (no writable
folder, a damaged file) falls back to the table in memory.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
import tempfile
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

from journeylab.fileio import cache_root

_FORMAT = "1"  # bump when the file's layout or what it stores changes
_BATCH = 50_000


def resolve(value: Any) -> str | None:
    """What the lookup rule takes from a table value: a list's first item; None if empty."""
    if isinstance(value, list):
        value = value[0] if value else None
    return value or None


def identity(lang: str, table: Path) -> str:
    """Everything the cached content depends on, as one string."""
    try:
        version = metadata.version("spacy-lookups-data")
    except metadata.PackageNotFoundError:
        version = "?"
    # The file spaCy's load_language_data reads: the path, else the path + ".gz".
    if not table.exists():
        table = table.with_name(table.name + ".gz")
    st = table.stat()
    return f"{_FORMAT}|{lang}|{version}|{table}|{st.st_size}|{st.st_mtime_ns}"


def cache_path(lang: str, ident: str, root: Path | None = None) -> Path:
    digest = hashlib.sha256(ident.encode()).hexdigest()[:20]
    return (root or cache_root()) / f"lemmas-{lang}-{digest}.sqlite"


class LemmaDB:
    """Read-only lookups in a cached table: `get(word)` as `dict.get` on the resolved values."""

    def __init__(self, path: Path, ident: str) -> None:
        # check_same_thread=False: the explorer may segment from a worker thread;
        # the connection is only read, and SQLite serialises its use.
        self._conn = sqlite3.connect(
            f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False
        )
        try:
            row = self._conn.execute("SELECT value FROM meta WHERE key = 'identity'").fetchone()
        except sqlite3.Error:
            self._conn.close()
            raise
        if row is None or row[0] != ident:
            self._conn.close()
            raise sqlite3.DatabaseError("lemma cache made for another table")

    def get(self, word: str, default: str | None = None) -> str | None:
        row = self._conn.execute("SELECT lemma FROM lemmas WHERE word = ?", (word,)).fetchone()
        return row[0] if row is not None else default

    def close(self) -> None:
        self._conn.close()


def write_cache(path: Path, ident: str, table: Mapping[str, Any]) -> None:
    """Write *table*'s resolved values to *path* (atomically: a temporary file, then rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        conn = sqlite3.connect(tmp, isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode = OFF")
            conn.execute("PRAGMA synchronous = OFF")
            conn.execute("BEGIN")
            conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            conn.execute(
                "CREATE TABLE lemmas (word TEXT PRIMARY KEY, lemma TEXT NOT NULL) WITHOUT ROWID"
            )
            items = [(w, v) for w, raw in table.items() if (v := resolve(raw)) is not None]
            for lo in range(0, len(items), _BATCH):
                conn.executemany("INSERT INTO lemmas VALUES (?, ?)", items[lo : lo + _BATCH])
            conn.execute("INSERT INTO meta VALUES ('identity', ?)", (ident,))
            conn.execute("COMMIT")
        finally:
            conn.close()
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def cacheable(table: Mapping[str, Any]) -> bool:
    """True when every value is what the cache can store as text (a string or strings)."""
    return all(
        isinstance(v, str) or (isinstance(v, list) and all(isinstance(x, str) for x in v))
        for v in table.values()
    )


def open_cached(lang: str, table_path: Path) -> LemmaDB | None:
    """The cached table for *lang* when it exists and matches *table_path*; else None."""
    try:
        ident = identity(lang, table_path)
        path = cache_path(lang, ident)
        if not path.is_file():
            return None
        return LemmaDB(path, ident)
    except (OSError, sqlite3.Error):
        return None


def store(lang: str, table_path: Path, table: Mapping[str, Any]) -> None:
    """Write the cache for *lang* from the loaded *table*; silently not when it cannot."""
    # A cache only: a read-only home, a full disk or an odd table leaves lookups in memory.
    with contextlib.suppress(OSError, sqlite3.Error):
        if cacheable(table):
            ident = identity(lang, table_path)
            write_cache(cache_path(lang, ident), ident, table)

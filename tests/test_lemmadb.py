"""The lemma table's SQLite copy in the user's cache: the same lemmas, read word by word."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from journeylab.coding import lemmadb

TABLE = {"sagsbehandlere": "sagsbehandler", "gik": ["gå", "gik"], "tom": [], "blank": ""}


def _table_file(tmp_path: Path) -> Path:
    path = tmp_path / "xx_lemma_lookup.json"
    path.write_text("{}", encoding="utf-8")
    return path


def test_resolve_is_the_lookup_rule() -> None:
    assert lemmadb.resolve("a") == "a"
    assert lemmadb.resolve(["b", "c"]) == "b"
    assert lemmadb.resolve([]) is None
    assert lemmadb.resolve("") is None
    assert lemmadb.resolve(None) is None


def test_written_cache_gives_what_the_table_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    source = _table_file(tmp_path)
    assert lemmadb.open_cached("xx", source) is None  # nothing written yet
    lemmadb.store("xx", source, TABLE)
    db = lemmadb.open_cached("xx", source)
    assert db is not None
    for word in [*TABLE, "ukendt"]:
        assert db.get(word) == lemmadb.resolve(TABLE.get(word))
    db.close()
    assert [p.name for p in (tmp_path / "cache" / "journeylab").iterdir()] == [
        lemmadb.cache_path("xx", lemmadb.identity("xx", source)).name
    ]  # no temporary file left behind


def test_a_changed_table_file_misses_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    source = _table_file(tmp_path)
    lemmadb.store("xx", source, TABLE)
    source.write_text('{"a": "b"}', encoding="utf-8")  # another size: another identity
    assert lemmadb.open_cached("xx", source) is None


def test_a_cache_for_another_identity_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "lemmas.sqlite"
    lemmadb.write_cache(path, "one", TABLE)
    with pytest.raises(sqlite3.DatabaseError):
        lemmadb.LemmaDB(path, "two")
    assert lemmadb.LemmaDB(path, "one").get("gik") == "gå"


def test_a_damaged_cache_is_not_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    source = _table_file(tmp_path)
    path = lemmadb.cache_path("xx", lemmadb.identity("xx", source))
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not a database at all")
    assert lemmadb.open_cached("xx", source) is None


def test_no_writable_cache_folder_is_no_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))  # a file: no folder can be made in it
    source = _table_file(tmp_path)
    lemmadb.store("xx", source, TABLE)  # quietly not cached
    assert lemmadb.open_cached("xx", source) is None


def test_tables_with_other_values_are_not_cached() -> None:
    assert lemmadb.cacheable(TABLE)
    assert not lemmadb.cacheable({"a": 1})
    assert not lemmadb.cacheable({"a": ["b", 2]})

"""Schema migrations: every released schema version's fixture opens, migrates and keeps its data."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from journeylab.coding import schema
from journeylab.coding.importer import import_study
from journeylab.coding.memo_anchor import anchored_memos
from journeylab.coding.model import CodingStatus
from journeylab.coding.store import open_store
from journeylab.coding.study import Study
from journeylab.errors import StoreError
from tests.conftest import write_study

DB = Path(__file__).parent / "data" / "db"
VERSIONS = sorted(int(p.stem[1:]) for p in DB.glob("v*.db"))


def study_with(tmp_path: Path, fixture: Path | None) -> Study:
    study = Study(root=tmp_path, title="Migrering")
    study.store_path.parent.mkdir(parents=True)
    if fixture is not None:
        shutil.copy(fixture, study.store_path)
    return study


def test_there_is_a_fixture_for_every_schema_version() -> None:
    assert list(range(1, schema.SCHEMA_VERSION + 1)) == VERSIONS


@pytest.mark.parametrize("version", VERSIONS)
def test_an_old_store_migrates_and_keeps_its_work(tmp_path: Path, version: int) -> None:
    study = study_with(tmp_path, DB / f"v{version}.db")
    with open_store(study) as store:
        assert schema.schema_version(store.conn) == schema.SCHEMA_VERSION
        assert store.integrity_ok()
        [coding] = store.codings()
        assert (coding.theme, coding.coder, coding.status) == (
            "Relationen",
            "AB",
            CodingStatus.MANUAL,
        )
        assert store.segment(coding.segment_id) is not None
        assert [m[3] for m in store.memos()] == ["Et godt citat."]
        assert [h.segment.id for h in store.search("sagsbehandler")] == [coding.segment_id]
        # The migrated store takes new work.
        store.set_coding(coding.segment_id, "Relationen", "CD", CodingStatus.ACCEPTED)
    with open_store(study) as store:
        assert len(store.codings()) == 2


def test_an_empty_file_becomes_a_current_store(tmp_path: Path) -> None:
    study = study_with(tmp_path, None)
    study.store_path.write_bytes(b"")
    with open_store(study) as store:
        assert schema.schema_version(store.conn) == schema.SCHEMA_VERSION
        assert store.integrity_ok()


def test_a_newer_store_is_refused_untouched(tmp_path: Path) -> None:
    study = study_with(tmp_path, DB / f"v{VERSIONS[-1]}.db")
    conn = sqlite3.connect(study.store_path)
    conn.execute(f"PRAGMA user_version = {schema.SCHEMA_VERSION + 1}")
    conn.close()
    before = study.store_path.read_bytes()
    with pytest.raises(StoreError, match="newer journeylab"):
        open_store(study)
    assert study.store_path.read_bytes() == before


def test_a_failing_migration_leaves_the_old_version_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    study = study_with(tmp_path, DB / f"v{VERSIONS[-1]}.db")
    broken = "CREATE TABLE extra (x INTEGER);\nINSERT INTO no_such_table VALUES (1);"
    monkeypatch.setattr(schema, "MIGRATIONS", (*schema.MIGRATIONS, broken))
    monkeypatch.setattr(schema, "SCHEMA_VERSION", len(schema.MIGRATIONS))
    conn = sqlite3.connect(study.store_path, isolation_level=None)
    with pytest.raises(sqlite3.OperationalError):
        schema.migrate(conn)
    assert schema.schema_version(conn) == VERSIONS[-1]
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "extra" not in tables
    conn.close()


def test_a_v1_memo_gets_its_passage_as_anchor_and_follows_it_on_reimport(tmp_path: Path) -> None:
    # v1 stored a segment memo by its positional id only; v2 copies the passage.
    study = write_study(tmp_path)
    study.store_path.parent.mkdir(parents=True)
    shutil.copy(DB / "v1.db", study.store_path)
    with open_store(study) as store:
        stored = store.conn.execute("SELECT source, anchor_text FROM memos").fetchall()
        assert [tuple(r) for r in stored] == [("transcripts/fg.txt", "Vi får en ny sagsbehandler.")]
        [memo] = anchored_memos(store, "transcripts/fg.txt")
        assert (memo.segment_id, memo.anchor_text) == ("fg-1", "Vi får en ny sagsbehandler.")
        assert (memo.anchor_start, memo.anchor_end) == (6, 33)
    # The file gets a turn above the passage: the memo moves with its text.
    fg = "Karsten: Først en anden ting om skolen.\n\nLone: Vi får en ny sagsbehandler.\n"
    (study.root / "transcripts" / "fg.txt").write_text(fg, encoding="utf-8")
    report = import_study(study)
    assert report.changed == ("transcripts/fg.txt",) and report.memos_reanchored == 1
    with open_store(study) as store:
        [(kind, target, author, text)] = store.memos()
        seg = store.segment(target)
        assert seg is not None and seg.text == "Vi får en ny sagsbehandler."
        assert (kind, author, text) == ("segment", "AB", "Et godt citat.")

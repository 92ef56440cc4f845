"""kill -9 an import and a coding run at random points: the store stays whole.

Each run is a real `python -m journeylab` process killed with SIGKILL after a random
delay. Afterwards the store opens, SQLite's integrity check passes, no coding points
at a missing segment, the person's coding is still there (or kept aside as an
orphan), and a rerun completes. The loops are bounded by time (about 30 s in all).
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from journeylab.coding.model import CodingStatus
from journeylab.coding.store import open_store
from journeylab.coding.study import example_study_path, load_study

BUDGET = 5.0  # seconds of killing per command
TRANSCRIPT = "transcripts/fokusgruppe_familie_skole.md"


def run(args: list[str], study: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    return subprocess.Popen(
        [sys.executable, "-m", "journeylab", *args, str(study)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
    )


def finish(args: list[str], study: Path) -> float:
    """Run to the end; the seconds it took."""
    start = time.monotonic()
    proc = run(args, study)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err.decode()
    return time.monotonic() - start


def assert_whole(study: Path) -> None:
    conn = sqlite3.connect(study / ".journeylab" / "study.db")
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        dangling = conn.execute(
            "SELECT count(*) FROM codings c LEFT JOIN segments s ON s.id = c.segment_id"
            " WHERE s.id IS NULL"
        ).fetchone()[0]
        assert dangling == 0
        kept = conn.execute(
            "SELECT count(*) FROM codings WHERE coder = 'AB' AND status = 'manual'"
        ).fetchone()[0]
        aside = conn.execute("SELECT count(*) FROM orphans WHERE coder = 'AB'").fetchone()[0]
        assert kept + aside >= 1, "the person's coding was lost"
    finally:
        conn.close()
    with open_store(load_study(study)) as store:
        assert store.integrity_ok()


def kill_loop(args: list[str], study: Path, full: float, seed: int, edit: bool) -> int:
    rng = random.Random(seed)
    kills, deadline = 0, time.monotonic() + BUDGET
    while time.monotonic() < deadline or kills < 2:
        if edit:  # a changed file makes the import rewrite it, re-anchoring the coding
            path = study / TRANSCRIPT
            path.write_text(path.read_text() + f"\nLone: Tilføjelse nummer {kills}.\n")
        proc = run(args, study)
        time.sleep(rng.uniform(0.3, full))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.communicate(timeout=60)
        assert_whole(study)
    return kills


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("crash") / "fjordby"
    shutil.copytree(example_study_path(), root)
    return root


def test_killed_imports_leave_a_whole_store(study: Path) -> None:
    full = finish(["import"], study)
    with open_store(load_study(study)) as store:
        seg = store.segments(source=TRANSCRIPT)[3]
        store.set_coding(seg.id, store.themes()[0].name, "AB", CodingStatus.MANUAL)
    assert kill_loop(["import"], study, full, seed=10, edit=True) >= 2
    finish(["import"], study)
    assert_whole(study)


def test_killed_coding_runs_leave_a_whole_store(study: Path) -> None:
    assert kill_loop(["code"], study, 4.0, seed=11, edit=False) >= 2
    finish(["code"], study)
    assert_whole(study)
    with open_store(load_study(study)) as store:
        assert store.codings(statuses=[CodingStatus.SUGGESTED])

"""bench/explorer_bench.py and bench/explorer_server.py: the server child it measures, the
bare FTS5 baseline under concurrency, and the ratio line. No timings are checked (speed
lives in bench/)."""

from __future__ import annotations

import socket

import httpx
import pytest

from journeylab.bench import explorer_bench as bench
from journeylab.bench import explorer_server
from journeylab.coding.study import Study
from tests.explorer_support import copied_study

study = copied_study("explorer_built")


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_the_server_runs_in_its_own_process_and_takes_commands(study: Study) -> None:
    port = _port()
    server = explorer_server.Child(study, port)
    try:
        assert server.proc.pid and server.proc.poll() is None
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120) as c:
            assert c.get("/").status_code == 200
            server.command("cache 0")
            assert "sagsbeh" in c.get("/soeg", params={"q": "sagsbeh"}).text
            server.command("cache")
            server.command("wait")
            with pytest.raises(RuntimeError):
                server.command("nonsense")
    finally:
        server.stop()
    assert server.proc.returncode == 0


def test_bare_fts5_runs_in_every_thread(study: Study) -> None:
    times = bench._fts_threads(study, 0.3, ["sagsbeh", "ung"], 3)
    assert len(times) >= 3 and all(t > 0 for t in times)


def test_ratios_read_the_search_against_both_bare_rows() -> None:
    n = len(bench.PREFIXES)
    rows = [
        (f"search, {n} prefixes, result cache off", 10, 20.0, 60.0),
        (f"bare FTS5 query, {n} prefixes (1 conn)", 10, 2.0, 10.0),
        (f"bare FTS5 query, {n} prefixes (8 threads)", 10, 15.0, 30.0),
    ]
    (line,) = bench._ratios(rows)
    assert "6.0× against one connection" in line and "2.0× against the same number" in line
    assert bench._ratios(rows[:1]) == []

"""Explorer latency: p50/p95 of pages under 8 concurrent clients vs a bare FTS5 query.

    .venv/bin/python bench/explorer_bench.py [STUDY] [--seconds 10] [--clients 8]

Without STUDY it copies examples/fjordby to a temp folder, imports and codes it.
The server is the real uvicorn app on a free 127.0.0.1 port; the clients are
threads with their own httpx connection. The FTS5 baseline runs the same MATCH
on the same table through one plain sqlite3 connection.
"""

from __future__ import annotations

import argparse
import shutil
import socket
import sqlite3
import statistics
import tempfile
import threading
import time
from pathlib import Path

import httpx
import uvicorn

from journeylab.coding.autocode import code_study
from journeylab.coding.fts import fts_query
from journeylab.coding.importer import import_study
from journeylab.coding.study import Study, load_study
from journeylab.themes.explorer import create_app

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "fjordby"
QUERY = "sagsbeh"


def _study(arg: str | None) -> Study:
    if arg:
        return load_study(Path(arg))
    root = Path(tempfile.mkdtemp()) / "fjordby"
    shutil.copytree(EXAMPLE, root)
    study = load_study(root)
    import_study(study)
    code_study(study)
    return study


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]


def _hammer(base: str, path: str, seconds: float, clients: int) -> list[float]:
    times: list[float] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client() -> None:
        with httpx.Client(base_url=base) as c:
            c.get("/")  # session cookie
            while time.monotonic() < stop:
                t0 = time.perf_counter()
                r = c.get(path)
                dt = (time.perf_counter() - t0) * 1000
                if r.status_code != 200:
                    raise RuntimeError(f"{path}: HTTP {r.status_code}")
                with lock:
                    times.append(dt)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return times


def _fts(study: Study, seconds: float) -> list[float]:
    conn = sqlite3.connect(study.store_path)
    times = []
    stop = time.monotonic() + seconds
    while time.monotonic() < stop:
        t0 = time.perf_counter()
        conn.execute(
            "SELECT s.id, snippet(segments_fts, 0, char(2), char(3), '…', 24) FROM segments_fts"
            " JOIN segments s ON s.rowid = segments_fts.rowid WHERE segments_fts MATCH ?"
            " ORDER BY bm25(segments_fts) LIMIT 50",
            (fts_query(QUERY),),
        ).fetchall()
        times.append((time.perf_counter() - t0) * 1000)
    conn.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("study", nargs="?")
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()
    study = _study(args.study)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    app = create_app(study, include_suggestions=0.3)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port}"
    httpx.get(base + "/", timeout=60)  # warm the findings cache, as a first visit would
    rows = []
    for label, path in (
        ("overview /", "/"),
        ("theme /tema/tema-relationen", "/tema/tema-relationen"),
        (f"search /soeg?q={QUERY}", f"/soeg?q={QUERY}"),
    ):
        times = _hammer(base, path, args.seconds, args.clients)
        rows.append((label, len(times), statistics.median(times), _pct(times, 0.95)))
    fts = _fts(study, min(args.seconds, 3.0))
    rows.append(("bare FTS5 query (1 conn)", len(fts), statistics.median(fts), _pct(fts, 0.95)))
    server.should_exit = True
    thread.join(timeout=10)
    with sqlite3.connect(study.store_path) as conn:
        words = conn.execute("SELECT sum(words) FROM sources").fetchone()[0]
        segments = conn.execute("SELECT count(*) FROM segments").fetchone()[0]
    print(f"study: {study.root}  ({words} words, {segments} segments)")
    print(f"{args.clients} concurrent clients, {args.seconds:.0f} s per page\n")
    print(f"{'what':<34} {'requests':>9} {'p50 ms':>8} {'p95 ms':>8}")
    for label, n, p50, p95 in rows:
        print(f"{label:<34} {n:>9} {p50:>8.1f} {p95:>8.1f}")


if __name__ == "__main__":
    main()

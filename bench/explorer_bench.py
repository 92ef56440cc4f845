"""Explorer latency: p50/p95 of pages under 8 concurrent clients vs a bare FTS5 query.

    .venv/bin/python bench/explorer_bench.py [--study DIR] [--seconds 8] [--clients 8]

Without --study it copies examples/fjordby to a temp folder, imports and codes it
(a 1M-word study: `bench/generate.py --words 1M DIR`, then import and code it).
The figures are printed and written to bench/RESULTS-explorer.md.
The server is the real uvicorn app (as `journeylab explore` configures it) on a
free 127.0.0.1 port, in a child process of its own, as a browser would meet it;
the clients are threads in this process, each with its own httpx connection, so
their Python does not compete with the server's for one interpreter lock. The
child takes a few commands on stdin (result cache size, wait for the background
findings build). The FTS5 baseline runs the same MATCH on the same table through
plain sqlite3 connections: one connection one query at a time, and one
connection per client thread with the same number of threads as clients.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import socket
import sqlite3
import statistics
import tempfile
import threading
import time
from pathlib import Path

import httpx

from journeylab.bench.explorer_server import Child
from journeylab.coding.autocode import code_study
from journeylab.coding.fts import fts_query
from journeylab.coding.importer import import_study
from journeylab.coding.study import Study, load_study

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "fjordby"
RESULTS = Path(__file__).resolve().parent / "RESULTS-explorer.md"
QUERY = "sagsbeh"
# Varied searches, so the result cache cannot flatter the figures: common and rare
# Danish prefixes of the material (from a few hundred to 11,000 matches each at 1M words).
PREFIXES = [
    "sagsbeh",
    "ung",
    "medarb",
    "skole",
    "kontakt",
    "forældr",
    "mor",
    "hjælp",
    "møde",
    "trivs",
    "ven",
    "lærer",
    "job",
    "uddann",
    "psykol",
    "plan",
    "samtal",
    "tid",
    "føl",
    "bolig",
]


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


def _hammer(base: str, paths: list[str], seconds: float, clients: int) -> list[float]:
    """Request times of *clients* threads; each goes round *paths* from its own start."""
    times: list[float] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client(first: int) -> None:
        with httpx.Client(base_url=base) as c:
            c.get("/")  # session cookie
            n = first
            while time.monotonic() < stop:
                path = paths[n % len(paths)]
                n += 1
                t0 = time.perf_counter()
                r = c.get(path)
                dt = (time.perf_counter() - t0) * 1000
                if r.status_code != 200:
                    raise RuntimeError(f"{path}: HTTP {r.status_code}")
                with lock:
                    times.append(dt)

    threads = [threading.Thread(target=client, args=(i * 7,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return times


BARE = (
    "SELECT s.id, snippet(segments_fts, 0, char(2), char(3), '…', 24) FROM segments_fts"
    " JOIN segments s ON s.rowid = segments_fts.rowid WHERE segments_fts MATCH ?"
    " ORDER BY bm25(segments_fts) LIMIT 50"
)


def _fts(study: Study, seconds: float, queries: list[str]) -> list[float]:
    """The bare FTS5 query (ranking, join and snippet) on one plain connection."""
    conn = sqlite3.connect(study.store_path)
    times = []
    stop = time.monotonic() + seconds
    n = 0
    while time.monotonic() < stop:
        t0 = time.perf_counter()
        conn.execute(BARE, (fts_query(queries[n % len(queries)]),)).fetchall()
        times.append((time.perf_counter() - t0) * 1000)
        n += 1
    conn.close()
    return times


def _fts_threads(study: Study, seconds: float, queries: list[str], threads: int) -> list[float]:
    """The bare FTS5 query under the clients' concurrency: *threads* threads, own connections.

    sqlite3 lets go of the interpreter lock while a statement runs, so this is
    what the two cores give *threads* concurrent queries, with no HTTP or Python
    page around them; each thread goes round *queries* from its own start.
    """
    times: list[float] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def run(first: int) -> None:
        mine = []
        conn = sqlite3.connect(study.store_path)
        n = first
        while time.monotonic() < stop:
            t0 = time.perf_counter()
            conn.execute(BARE, (fts_query(queries[n % len(queries)]),)).fetchall()
            mine.append((time.perf_counter() - t0) * 1000)
            n += 1
        conn.close()
        with lock:
            times.extend(mine)

    workers = [threading.Thread(target=run, args=(i * 7,)) for i in range(threads)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    return times


def _first_source(study: Study) -> str:
    with sqlite3.connect(study.store_path) as conn:
        row = conn.execute(
            "SELECT source FROM segments WHERE kind != 'note' GROUP BY source"
            " ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()
    return str(row[0])


def _count(html: str) -> int:
    found = re.search(r'<strong data-count-theme="Relationen">(\d+)<', html)
    return int(found.group(1)) if found else -1


def _coding(base: str, study: Study, server: Child, acts: int) -> list[str]:
    """Time coding acts: the POST, then the theme page showing the change, then the rebuild."""
    with sqlite3.connect(study.store_path) as conn:
        rows = conn.execute(
            "SELECT id FROM segments WHERE role = 'ung' AND id NOT IN (SELECT segment_id"
            " FROM codings WHERE theme = 'Relationen') LIMIT ?",
            (acts,),
        ).fetchall()
    posts, shown = [], []
    with httpx.Client(base_url=base, timeout=600) as c:
        csrf = re.search(r'name="csrf-token" content="([^"]+)"', c.get("/").text)
        assert csrf
        headers = {"X-CSRF-Token": csrf.group(1)}
        for (segment,) in rows:
            body = {"segment": segment, "theme": "Relationen", "action": "add"}
            before = _count(c.get("/tema/relationen").text)
            t0 = time.perf_counter()
            c.post("/api/code", json=body, headers=headers).raise_for_status()
            t1 = time.perf_counter()
            while _count(c.get("/tema/relationen").text) != before + 1:
                if time.perf_counter() - t0 > 600:
                    raise RuntimeError("the theme page never showed the coding")
            t2 = time.perf_counter()
            posts.append((t1 - t0) * 1000)
            shown.append((t2 - t0) * 1000)
        t0 = time.perf_counter()
        server.command("wait")
        settle = time.perf_counter() - t0
        for _ in rows:
            c.post("/api/undo", json={}, headers=headers).raise_for_status()
        server.command("wait")
    return [
        f"- coding, {len(rows)} acts one after another: POST /api/code p50"
        f" {statistics.median(posts):.0f} ms, max {max(posts):.0f} ms; POST until the theme page"
        f" shows the segment p50 {statistics.median(shown):.0f} ms, max {max(shown):.0f} ms;"
        f" the background findings rebuild then settled {settle:.1f} s after the last act",
    ]


def _write_results(header: list[str], rows: list[tuple[str, int, float, float]]) -> None:
    lines = ["# Explorer latency", "", *header, ""]
    lines += ["| what | requests | p50 ms | p95 ms |", "|---|---:|---:|---:|"]
    lines += [f"| {label} | {n} | {p50:.1f} | {p95:.1f} |" for label, n, p50, p95 in rows]
    # Keep the hand-written sections (## ...) below the measured table.
    old = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else ""
    notes = old[old.index("\n## ") :] if "\n## " in old else ""
    RESULTS.write_text("\n".join(lines) + "\n" + notes, encoding="utf-8")


def _ratios(rows: list[tuple[str, int, float, float]]) -> list[str]:
    """The issue's comparison: search p95 against the bare query's p95, read both ways."""
    p95 = {label: value for label, _, _, value in rows}
    search = p95.get(f"search, {len(PREFIXES)} prefixes, result cache off")
    one = p95.get(f"bare FTS5 query, {len(PREFIXES)} prefixes (1 conn)")
    many = next(
        (
            v
            for k, v in p95.items()
            if k.startswith(f"bare FTS5 query, {len(PREFIXES)}") and "threads" in k
        ),
        None,
    )
    if not search or not one or not many:
        return []
    return [
        f"- search p95 (20 prefixes, cache off) / bare FTS5 p95 (20 prefixes): {search / one:.1f}×"
        f" against one connection, {search / many:.1f}× against the same number of threads"
        " (target ≤ 3×, and ≤ 50 ms)"
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--study", help="an imported, coded study (default: the example)")
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--acts", type=int, default=5, help="coding acts to time")
    parser.add_argument("--only-search", action="store_true", help="time the searches only")
    args = parser.parse_args()
    study = _study(args.study)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    server = Child(study, port)
    try:
        rows, header = _measure(study, server, port, args)
    finally:
        server.stop()
    print("\n".join(header) + "\n")
    print(f"{'what':<34} {'requests':>9} {'p50 ms':>8} {'p95 ms':>8}")
    for label, n, p50, p95 in rows:
        print(f"{label:<34} {n:>9} {p50:>8.1f} {p95:>8.1f}")
    if not args.no_write:
        _write_results(header, rows)


def _measure(
    study: Study, server: Child, port: int, args: argparse.Namespace
) -> tuple[list[tuple[str, int, float, float]], list[str]]:
    base = f"http://127.0.0.1:{port}"
    t0 = time.perf_counter()
    httpx.get(base + "/", timeout=1800)  # build the snapshot, as a first visit would
    warm = time.perf_counter() - t0
    source = _first_source(study)
    rows = []
    pages = [
        ("overview /", "/"),
        ("theme /tema/relationen", "/tema/relationen"),
        ("theme, filtered rolle=ung", "/tema/relationen?rolle=ung"),
        ("source /kilde (largest)", f"/kilde?sti={source}"),
    ]
    for label, path in [] if args.only_search else pages:
        times = _hammer(base, [path], args.seconds, args.clients)
        rows.append((label, len(times), statistics.median(times), _pct(times, 0.95)))
    varied = [f"/soeg?q={q}" for q in PREFIXES]
    for label, paths, cache in (
        (f"search /soeg?q={QUERY}, result cache off", [f"/soeg?q={QUERY}"], "0"),
        (f"search, {len(PREFIXES)} prefixes, result cache off", varied, "0"),
        (
            f"search, {len(PREFIXES)} prefixes, filtered rolle=ung, cache off",
            [p + "&rolle=ung" for p in varied],
            "0",
        ),
        (f"search, {len(PREFIXES)} prefixes, result cache on", varied, ""),
    ):
        server.command(f"cache {cache}".strip())
        times = _hammer(base, paths, args.seconds, args.clients)
        rows.append((label, len(times), statistics.median(times), _pct(times, 0.95)))
    server.command("cache")
    coding = _coding(base, study, server, args.acts) if args.acts and not args.only_search else []
    bare_seconds = min(args.seconds, 3.0)
    for label, queries in (
        (f"bare FTS5 query {QUERY} (1 conn)", [QUERY]),
        (f"bare FTS5 query, {len(PREFIXES)} prefixes (1 conn)", PREFIXES),
    ):
        fts = _fts(study, bare_seconds, queries)
        rows.append((label, len(fts), statistics.median(fts), _pct(fts, 0.95)))
    for label, queries in (
        (f"bare FTS5 query {QUERY} ({args.clients} threads)", [QUERY]),
        (f"bare FTS5 query, {len(PREFIXES)} prefixes ({args.clients} threads)", PREFIXES),
    ):
        fts = _fts_threads(study, bare_seconds, queries, args.clients)
        rows.append((label, len(fts), statistics.median(fts), _pct(fts, 0.95)))
    with sqlite3.connect(study.store_path) as conn:
        words = conn.execute("SELECT sum(words) FROM sources").fetchone()[0]
        segments = conn.execute("SELECT count(*) FROM segments").fetchone()[0]
        codings = conn.execute("SELECT count(*) FROM codings").fetchone()[0]
    header = [
        f"- study: {words} words, {segments} segments, {codings} codings",
        f"- machine: {os.cpu_count()} cores, Python {platform.python_version()},"
        f" SQLite {sqlite3.sqlite_version}, {platform.platform()},"
        f" load average {os.getloadavg()[0]:.1f} at the end",
        f"- {args.clients} concurrent clients on loopback, {args.seconds:g} s per page;"
        " the server (uvicorn, as `journeylab explore` runs it) in its own process,"
        " the clients (httpx, one thread each) in the bench's",
        f"- bare FTS5: the same MATCH, ranking, join and snippet() in plain sqlite3 for"
        f" {bare_seconds:g} s; '1 conn' one query at a time, '{args.clients} threads' one"
        " connection per thread, all at once (no HTTP, no page)",
        f"- first request (builds the findings snapshot): {warm:.1f} s",
        *coding,
        *_ratios(rows),
    ]
    return rows, header


if __name__ == "__main__":
    main()

"""Explorer latency: p50/p95 of pages under 8 concurrent clients vs a bare FTS5 query.

    .venv/bin/python bench/explorer_bench.py [--study DIR] [--seconds 8] [--clients 8]

Without --study it copies examples/fjordby to a temp folder, imports and codes it
(a 1M-word study: `bench/generate.py --words 1M DIR`, then import and code it).
The figures are printed and written to bench/RESULTS-explorer.md.
The server is the real uvicorn app on a free 127.0.0.1 port; the clients are
threads with their own httpx connection. The FTS5 baseline runs the same MATCH
on the same table through one plain sqlite3 connection.
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
import uvicorn

from journeylab.coding.autocode import code_study
from journeylab.coding.fts import fts_query
from journeylab.coding.importer import import_study
from journeylab.coding.study import Study, load_study
from journeylab.themes.explorer import create_app

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


def _result_cache(app: object, size: int | None) -> None:
    """Turn the explorer's search result cache off (0) or back on (None = its default)."""
    searches = getattr(app.state.explorer, "searches", None)  # type: ignore[attr-defined]
    if searches is not None:
        searches.size = 128 if size is None else size


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


def _coding(base: str, study: Study, app: object, acts: int) -> list[str]:
    """Time coding acts: the POST, then the theme page showing the change, then the rebuild."""
    with sqlite3.connect(study.store_path) as conn:
        rows = conn.execute(
            "SELECT id FROM segments WHERE role = 'ung' AND id NOT IN (SELECT segment_id"
            " FROM codings WHERE theme = 'Relationen') LIMIT ?",
            (acts,),
        ).fetchall()
    cache = app.state.explorer.cache  # type: ignore[attr-defined]
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
        cache.wait(1800)
        settle = time.perf_counter() - t0
        for _ in rows:
            c.post("/api/undo", json={}, headers=headers).raise_for_status()
        cache.wait(1800)
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
    app = create_app(study, include_suggestions=0.3)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
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
        (f"search /soeg?q={QUERY}, result cache off", [f"/soeg?q={QUERY}"], 0),
        (f"search, {len(PREFIXES)} prefixes, result cache off", varied, 0),
        (
            f"search, {len(PREFIXES)} prefixes, filtered rolle=ung, cache off",
            [p + "&rolle=ung" for p in varied],
            0,
        ),
        (f"search, {len(PREFIXES)} prefixes, result cache on", varied, None),
    ):
        _result_cache(app, cache)
        times = _hammer(base, paths, args.seconds, args.clients)
        rows.append((label, len(times), statistics.median(times), _pct(times, 0.95)))
    _result_cache(app, None)
    coding = _coding(base, study, app, args.acts) if args.acts and not args.only_search else []
    for label, queries in (
        (f"bare FTS5 query {QUERY} (1 conn)", [QUERY]),
        (f"bare FTS5 query, {len(PREFIXES)} prefixes (1 conn)", PREFIXES),
    ):
        fts = _fts(study, min(args.seconds, 3.0), queries)
        rows.append((label, len(fts), statistics.median(fts), _pct(fts, 0.95)))
    server.should_exit = True
    thread.join(timeout=10)
    with sqlite3.connect(study.store_path) as conn:
        words = conn.execute("SELECT sum(words) FROM sources").fetchone()[0]
        segments = conn.execute("SELECT count(*) FROM segments").fetchone()[0]
        codings = conn.execute("SELECT count(*) FROM codings").fetchone()[0]
    header = [
        f"- study: {words} words, {segments} segments, {codings} codings",
        f"- machine: {os.cpu_count()} cores, Python {platform.python_version()},"
        f" SQLite {sqlite3.sqlite_version}, {platform.platform()}",
        f"- {args.clients} concurrent clients on loopback, {args.seconds:.0f} s per page",
        f"- first request (builds the findings snapshot): {warm:.1f} s",
        *coding,
    ]
    print("\n".join(header) + "\n")
    print(f"{'what':<34} {'requests':>9} {'p50 ms':>8} {'p95 ms':>8}")
    for label, n, p50, p95 in rows:
        print(f"{label:<34} {n:>9} {p50:>8.1f} {p95:>8.1f}")
    if not args.no_write:
        _write_results(header, rows)


if __name__ == "__main__":
    main()

"""What the explorer's pages show: findings (cached), segment views with coding state, search.

Every function opens nothing itself; the caller passes an open `Store`, so each
request holds its connection for a few milliseconds only (two coders' writes
interleave through SQLite's WAL instead of waiting on a long-lived connection).
All user text leaving this module has been through the study's Pseudonymiser.
"""

from __future__ import annotations

import os
import re
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace

from journeylab.coding.fts import fts_query
from journeylab.coding.model import Coding, CodingStatus, Role, Segment, Theme
from journeylab.coding.records import coder_kind, coding_from_row, segment_from_row
from journeylab.coding.store import Store, open_store
from journeylab.coding.study import Study
from journeylab.journeys.model import Journey
from journeylab.themes.findings import Findings, SourceInfo, build_findings
from journeylab.themes.privacy import Pseudonymiser

# A person's act on a segment and what it leaves behind.
COUNTED = (CodingStatus.ACCEPTED, CodingStatus.MANUAL)


@dataclass(frozen=True)
class ThemeMark:
    """One theme's state on one segment, as the coding controls show it."""

    name: str
    index: int  # 1-based position in the codebook (the keyboard shortcut)
    state: str  # "coded" | "suggested" | "rejected" | "none"
    mine: bool  # the explorer's coder holds a person coding for it
    score: float | None = None
    memo: str | None = None  # the memo of the coder's coding (a span's selected words)


@dataclass(frozen=True)
class SegmentView:
    id: str
    source: str
    kind: str
    text: str  # pseudonymised
    role: str
    speaker: str | None  # pseudonym
    stage: str | None
    colour: str | None
    journey: str | None
    marks: tuple[ThemeMark, ...]
    memos: tuple[str, ...] = ()

    @property
    def coded(self) -> tuple[ThemeMark, ...]:
        return tuple(m for m in self.marks if m.state == "coded")

    @property
    def suggested(self) -> tuple[ThemeMark, ...]:
        return tuple(m for m in self.marks if m.state == "suggested")


@dataclass(frozen=True)
class SearchResult:
    segment: SegmentView
    parts: tuple[tuple[str, bool], ...]  # (pseudonymised text, is a match)


class FindingsCache:
    """Builds the study's Findings from the store (explorer_cache decides when)."""

    def __init__(
        self, study: Study, journeys: Sequence[Journey], include_suggestions: float | None
    ) -> None:
        self.study = study
        self.journeys = list(journeys)
        self.include_suggestions = include_suggestions

    def build(self, store: Store) -> Findings:
        from journeylab.coding.codebook import with_default_colours
        from journeylab.coding.model import Codebook

        records = store.sources()
        statuses = [*COUNTED, CodingStatus.REJECTED]
        if self.include_suggestions is not None:
            statuses.append(CodingStatus.SUGGESTED)
        codebook = with_default_colours(
            Codebook(self.study.title, self.study.language, tuple(store.themes()))
        )
        sources = [
            SourceInfo(r.path, r.kind, r.title, r.participants, r.municipality, r.date)
            for r in records
        ]
        return build_findings(
            self.study,
            codebook,
            store.segments(),
            store.codings(statuses=statuses),
            self.journeys,
            sources,
            include_suggestions=self.include_suggestions,
        )


def pseudonymiser(study: Study, store: Store) -> Pseudonymiser:
    return Pseudonymiser.from_study(study, [p for s in store.sources() for p in s.participants])


def codings_for(store: Store, ids: Sequence[str]) -> dict[str, list[Coding]]:
    """Every coding of the given segments, by segment id (chunked IN queries)."""
    out: dict[str, list[Coding]] = defaultdict(list)
    unique = list(dict.fromkeys(ids))
    for i in range(0, len(unique), 500):
        chunk = unique[i : i + 500]
        rows = store.conn.execute(
            f"SELECT * FROM codings WHERE segment_id IN ({','.join('?' * len(chunk))})", chunk
        ).fetchall()
        for row in rows:
            out[row["segment_id"]].append(coding_from_row(row))
    return out


def marks_for(themes: Sequence[Theme], codings: Sequence[Coding], coder: str) -> list[ThemeMark]:
    """The state of every theme on a segment for *coder*, from all its codings."""
    marks = []
    for index, theme in enumerate(themes, start=1):
        mine = [c for c in codings if c.theme == theme.name and c.coder == coder]
        people = [c for c in codings if c.theme == theme.name and coder_kind(c.coder) == "person"]
        machine = [
            c
            for c in codings
            if c.theme == theme.name
            and coder_kind(c.coder) == "machine"
            and c.status is CodingStatus.SUGGESTED
        ]
        score = max((c.score for c in machine if c.score is not None), default=None)
        if any(c.status in COUNTED for c in people):
            state = "coded"
        elif any(c.status is CodingStatus.REJECTED for c in people):
            state = "rejected"
        elif machine:
            state = "suggested"
        else:
            state = "none"
        memo = next((c.memo for c in mine if c.memo), None)
        marks.append(ThemeMark(theme.name, index, state, bool(mine), score, memo))
    return marks


def segment_views(
    store: Store,
    segments: Sequence[Segment],
    themes: Sequence[Theme],
    coder: str,
    names: Pseudonymiser,
) -> list[SegmentView]:
    """Segments with their coding state and memos, ready for `_segment.html`."""
    by_segment = codings_for(store, [s.id for s in segments])
    memos = memos_for(store, [s.id for s in segments], names)
    return [
        SegmentView(
            id=s.id,
            source=s.source,
            kind=s.kind.value,
            text=names.text(s.text),
            role=s.role.value,
            speaker=names.speaker(s.speaker),
            stage=s.stage,
            colour=s.colour,
            journey=s.journey,
            marks=tuple(
                replace(m, memo=names.text(m.memo)) if m.memo else m
                for m in marks_for(themes, by_segment.get(s.id, []), coder)
            ),
            memos=tuple(memos.get(s.id, ())),
        )
        for s in segments
    ]


def memos_for(store: Store, ids: Sequence[str], names: Pseudonymiser) -> dict[str, list[str]]:
    """The segment memos of the given segments, oldest first, pseudonymised."""
    out: dict[str, list[str]] = defaultdict(list)
    unique = list(dict.fromkeys(ids))
    for i in range(0, len(unique), 500):
        chunk = unique[i : i + 500]
        rows = store.conn.execute(
            "SELECT target, text FROM memos WHERE target_kind = 'segment'"
            f" AND target IN ({','.join('?' * len(chunk))}) ORDER BY id",
            chunk,
        ).fetchall()
        for row in rows:
            out[row["target"]].append(names.text(row["text"]))
    return out


def segments_by_id(store: Store, ids: Sequence[str]) -> list[Segment]:
    """The segments with these ids, in the order given (unknown ids skipped)."""
    found: dict[str, Segment] = {}
    unique = list(dict.fromkeys(ids))
    for i in range(0, len(unique), 500):
        chunk = unique[i : i + 500]
        rows = store.conn.execute(
            f"SELECT * FROM segments WHERE id IN ({','.join('?' * len(chunk))})", chunk
        ).fetchall()
        found.update((r["id"], segment_from_row(r)) for r in rows)
    return [found[i] for i in unique if i in found]


# The hits a search shows: ranked rowids first (FTS5 bm25 over the matches, no
# snippet and no join unless a filter needs one), then only the shown rows are
# read and their snippets made here. snippet() in the ranking query ran once per
# matching row before the sort, which doubled the cost of a common word.
SNIPPET_TOKENS = 24  # as FTS5's snippet(..., 24)
SNIPPET_LEAD = 4  # words shown before the first match of a long segment
_TOKEN = re.compile(r"[^\W_]+")  # FTS5 unicode61: letters and digits; "_" separates
_PHRASE = re.compile(r'"([^"]*)"')  # as coding.fts.fts_query reads a query

Parts = tuple[tuple[str, bool], ...]


def query_terms(query: str) -> list[tuple[tuple[str, ...], bool]]:
    """The terms fts_query makes of *query*: (lower-cased words, is a prefix term)."""
    terms: list[tuple[tuple[str, ...], bool]] = []
    for phrase in _PHRASE.findall(query):
        words = tuple(w.lower() for w in _TOKEN.findall(phrase))
        if words:
            terms.append((words, False))
    for word in _TOKEN.findall(_PHRASE.sub(" ", query)):
        terms.append(((word.lower(),), True))
    return terms


def snippet(text: str, terms: Sequence[tuple[tuple[str, ...], bool]]) -> Parts:
    """*text* (up to SNIPPET_TOKENS words around the matches) as (text, is_match) pieces."""
    tokens = [(m.start(), m.end(), m.group().lower()) for m in _TOKEN.finditer(text)]
    spans: set[tuple[int, int]] = set()  # token index ranges [i, j) that match
    for words, prefix in terms:
        n = len(words)
        for i in range(len(tokens) - n + 1):
            if prefix:
                found = tokens[i][2].startswith(words[0])
            else:
                found = all(tokens[i + k][2] == words[k] for k in range(n))
            if found:
                spans.add((i, i + n))
    first, last = 0, len(tokens)
    if len(tokens) > SNIPPET_TOKENS:
        # The window holding the most matches; the earliest of equals.
        best = -1
        for i, _ in sorted(spans) or [(0, 0)]:
            begin = max(0, min(i - SNIPPET_LEAD, len(tokens) - SNIPPET_TOKENS))
            inside = sum(1 for a, b in spans if a >= begin and b <= begin + SNIPPET_TOKENS)
            if inside > best:
                best, first = inside, begin
        last = first + SNIPPET_TOKENS
    lo = tokens[first][0] if first > 0 else 0
    hi = tokens[last - 1][1] if last < len(tokens) else len(text)
    out: list[tuple[str, bool]] = [("…", False)] if first > 0 else []
    at = lo
    for a, b in sorted(spans):
        if a < first or b > last or tokens[a][0] < at:
            continue  # outside the window, or overlapping a match already marked
        if tokens[a][0] > at:
            out.append((text[at : tokens[a][0]], False))
        out.append((text[tokens[a][0] : tokens[b - 1][1]], True))
        at = tokens[b - 1][1]
    if hi > at:
        out.append((text[at:hi], False))
    if last < len(tokens):
        out.append(("…", False))
    return tuple(out)


def ranked_rowids(
    store: Store,
    match: str,
    *,
    role: str | None = None,
    source: str | None = None,
    theme: str | None = None,
    limit: int = 50,
) -> list[int]:
    """The rowids of the best *limit* segments for an FTS5 MATCH expression, best first."""
    sql = "SELECT segments_fts.rowid FROM segments_fts"
    where = " WHERE segments_fts MATCH ?"
    params: list[object] = [match]
    if role or source or theme:
        sql += " JOIN segments s ON s.rowid = segments_fts.rowid"
    if role:
        where += " AND s.role = ?"
        params.append(role)
    if source:
        where += " AND s.source = ?"
        params.append(source)
    if theme:
        where += (
            " AND EXISTS (SELECT 1 FROM codings c WHERE c.segment_id = s.id AND c.theme = ?"
            " AND c.status IN ('accepted', 'manual', 'suggested'))"
        )
        params.append(theme)
    sql += where + " ORDER BY bm25(segments_fts) LIMIT ?"
    params.append(limit)
    return [r[0] for r in store.conn.execute(sql, params).fetchall()]


def search_hits(
    store: Store,
    query: str,
    *,
    role: str | None = None,
    source: str | None = None,
    theme: str | None = None,
    limit: int = 50,
) -> list[tuple[str, Parts]]:
    """(segment id, snippet pieces) for an FTS5 prefix search, best first, with filters.

    The pieces are the stored text, not yet pseudonymised (see snippet_parts).
    """
    match = fts_query(query)
    if not match:
        return []
    rowids = ranked_rowids(store, match, role=role, source=source, theme=theme, limit=limit)
    if not rowids:
        return []
    rows = store.conn.execute(
        f"SELECT rowid, id, text FROM segments WHERE rowid IN ({','.join('?' * len(rowids))})",
        rowids,
    ).fetchall()
    found = {r[0]: (r[1], r[2]) for r in rows}
    terms = query_terms(query)
    return [(found[r][0], snippet(found[r][1], terms)) for r in rowids if r in found]


def search(
    store: Store,
    query: str,
    *,
    role: str | None = None,
    source: str | None = None,
    theme: str | None = None,
    limit: int = 50,
) -> list[tuple[Segment, Parts]]:
    """(segment, snippet pieces) for an FTS5 prefix search, best first, with optional filters."""
    hits = search_hits(store, query, role=role, source=source, theme=theme, limit=limit)
    found = {s.id: s for s in segments_by_id(store, [i for i, _ in hits])}
    return [(found[i], parts) for i, parts in hits if i in found]


def snippet_parts(parts: Parts, names: Pseudonymiser) -> Parts:
    """Snippet pieces with real names replaced; each piece on its own, so marks stay ours."""
    return tuple((names.text(text), hit) for text, hit in parts)


class SearchCache:
    """The last searches' hits, keyed by (store version, query, filters): a small LRU.

    A new query, or any commit to the store (a new version), is a miss.
    """

    def __init__(self, size: int = 128) -> None:
        self.size = size
        self._items: OrderedDict[tuple[object, ...], list[tuple[str, Parts]]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[object, ...]) -> list[tuple[str, Parts]] | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: tuple[object, ...], hits: list[tuple[str, Parts]]) -> None:
        with self._lock:
            self._items[key] = hits
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


_READERS = threading.local()
READERS_PER_THREAD = 4


def reader(study: Study) -> Store:
    """This thread's read connection to the study's store, kept open between requests.

    A new connection starts with an empty page cache and re-reads the FTS5 index
    pages; a kept one does not. Keyed by the file's inode too, so a store replaced
    by a new import is opened afresh. Only for reads in autocommit (no open
    transaction is held between requests).
    """
    path = study.store_path
    key = (str(path), os.stat(path).st_ino)
    readers: OrderedDict[tuple[str, int], Store] | None = getattr(_READERS, "stores", None)
    if readers is None:
        readers = _READERS.stores = OrderedDict()
    store = readers.get(key)
    if store is None:
        store = readers[key] = open_store(study)
        while len(readers) > READERS_PER_THREAD:
            readers.popitem(last=False)[1].close()
    readers.move_to_end(key)
    return store


def role_label(role: str) -> str:
    return {
        Role.UNG.value: "Ung",
        Role.MEDARBEJDER.value: "Medarbejder",
        Role.LEDER.value: "Leder",
        Role.INTERVIEWER.value: "Interviewer",
    }.get(role, role)


def open_for(study: Study) -> Store:
    """A short-lived store connection for one request."""
    return open_store(study)

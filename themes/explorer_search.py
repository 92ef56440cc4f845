"""The explorer's search: ranked hits, snippets made in Python, a result cache, readers.

A search ranks rowids first (FTS5 bm25 over the matches, no snippet() and no
join unless a filter needs one), then reads only the shown rows and makes their
snippets here. Snippet pieces are the stored text; `pseudonymised` replaces real
names in them before anything is shown. explorer_data re-exports these names.
"""

from __future__ import annotations

import os
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence

from markupsafe import Markup, escape

from journeylab.coding.fts import fts_query
from journeylab.coding.model import Segment
from journeylab.coding.store import Store, open_store
from journeylab.coding.study import Study
from journeylab.themes.privacy import Pseudonymiser

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
    # Tokens as match objects and one list of lower-cased words: a search page makes
    # 50 of these, so the matching runs as comprehensions over that list (tests
    # hold this to the token-by-token definition).
    tokens = list(_TOKEN.finditer(text))
    lowered = [m.group().lower() for m in tokens]
    count = len(tokens)
    spans: set[tuple[int, int]] = set()  # token index ranges [i, j) that match
    for words, prefix in terms:
        head, n = words[0], len(words)
        if prefix:
            spans.update((i, i + 1) for i, word in enumerate(lowered) if word.startswith(head))
        else:
            spans.update(
                (i, i + n)
                for i, word in enumerate(lowered)
                if word == head and i + n <= count and tuple(lowered[i : i + n]) == words
            )
    first, last = 0, count
    if count > SNIPPET_TOKENS:
        # The window holding the most matches; the earliest of equals.
        best = -1
        for i, _ in sorted(spans) or [(0, 0)]:
            begin = max(0, min(i - SNIPPET_LEAD, count - SNIPPET_TOKENS))
            inside = sum(1 for a, b in spans if a >= begin and b <= begin + SNIPPET_TOKENS)
            if inside > best:
                best, first = inside, begin
        last = first + SNIPPET_TOKENS
    lo = tokens[first].start() if first > 0 else 0
    hi = tokens[last - 1].end() if last < count else len(text)
    out: list[tuple[str, bool]] = [("…", False)] if first > 0 else []
    at = lo
    for a, b in sorted(spans):
        start = tokens[a].start()
        if a < first or b > last or start < at:
            continue  # outside the window, or overlapping a match already marked
        if start > at:
            out.append((text[at:start], False))
        at = tokens[b - 1].end()
        out.append((text[start:at], True))
    if hi > at:
        out.append((text[at:hi], False))
    if last < count:
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
    from journeylab.themes.explorer_data import segments_by_id

    hits = search_hits(store, query, role=role, source=source, theme=theme, limit=limit)
    found = {s.id: s for s in segments_by_id(store, [i for i, _ in hits])}
    return [(found[i], parts) for i, parts in hits if i in found]


def snippet_parts(parts: Parts, names: Pseudonymiser) -> Parts:
    """Snippet pieces with real names replaced; each piece on its own, so marks stay ours."""
    return tuple((names.text(text), hit) for text, hit in parts)


# Between pieces when a page's snippets are pseudonymised in one pass: not a word
# character and not whitespace, so a name can neither match across it nor lose the
# word boundary a piece's start or end gave it (privacy's pattern is whole words,
# names' words joined by \s+, and "-" after a name decides its marker).
_SEPARATOR = "\x00"


def pseudonymised(snippets: Sequence[Parts], names: Pseudonymiser) -> list[Parts]:
    """`snippet_parts` of every snippet, with one regex pass over all pieces, not one each.

    The same as `[snippet_parts(p, names) for p in snippets]` (tests hold it to that);
    a piece holding the separator, or a name that would change the number of
    pieces, falls back to that plain definition.
    """
    texts = [text for parts in snippets for text, _ in parts]
    joined = _SEPARATOR.join(texts)
    out = names.text(joined).split(_SEPARATOR) if texts else []
    if len(out) != len(texts) or joined.count(_SEPARATOR) != len(texts) - 1:
        return [snippet_parts(parts, names) for parts in snippets]
    pieces = iter(out)
    return [tuple((next(pieces), hit) for _, hit in parts) for parts in snippets]


def snippet_html(parts: Parts) -> Markup:
    """The pieces as HTML: text escaped, matches in <mark> (as search.html had it)."""
    # Plain concatenation of escaped text: Markup.format goes through string.Formatter
    # and cost more than the rest of a snippet (50 a page); the bytes are the same.
    return Markup(
        "".join(f"<mark>{escape(text)}</mark>" if hit else escape(text) for text, hit in parts)
    )


def option_tags(values: Sequence[str], chosen: str, label: Callable[[str], str] = str) -> Markup:
    """<option>s for a filter's values, *chosen* selected (as search.html had them)."""
    return Markup("").join(
        Markup('<option value="{}"{}>{}</option>').format(
            value, Markup(" selected") if value == chosen else "", label(value)
        )
        for value in values
    )


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

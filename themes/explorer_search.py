"""The explorer's search mechanics: ranked rowids, snippets cut in Python, a result
cache, readers.

A search ranks rowids first (FTS5 bm25 over the matches, no snippet() and no
join unless a filter needs one), then reads only the shown rows and cuts their
snippets here. What a page may show of them (names replaced in the whole text,
the workshop's rule, the last check) is explorer_search_names's.
"""

from __future__ import annotations

import os
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence

from markupsafe import Markup, escape

from journeylab.coding.store import Store, open_store
from journeylab.coding.study import Study

# The hits a search shows: ranked rowids first (FTS5 bm25 over the matches, no
# snippet and no join unless a filter needs one), then only the shown rows are
# read and their snippets made here. snippet() in the ranking query ran once per
# matching row before the sort, which doubled the cost of a common word.
SNIPPET_TOKENS = 24  # as FTS5's snippet(..., 24)
SNIPPET_LEAD = 4  # words shown before the first match of a long segment
TOKEN = re.compile(r"[^\W_]+")  # FTS5 unicode61: letters and digits; "_" separates
PHRASE = re.compile(r'"([^"]*)"')  # as coding.fts.fts_query reads a query

Parts = tuple[tuple[str, bool], ...]
Span = tuple[int, int]  # token indexes [i, j)
Mark = tuple[int, int, int, int]  # token indexes [i, j), characters [start, end)


def query_terms(query: str) -> list[tuple[tuple[str, ...], bool]]:
    """The terms fts_query makes of *query*: (lower-cased words, is a prefix term)."""
    terms: list[tuple[tuple[str, ...], bool]] = []
    for phrase in PHRASE.findall(query):
        words = tuple(w.lower() for w in TOKEN.findall(phrase))
        if words:
            terms.append((words, False))
    for word in TOKEN.findall(PHRASE.sub(" ", query)):
        terms.append(((word.lower(),), True))
    return terms


def term_spans(lowered: Sequence[str], words: tuple[str, ...], prefix: bool) -> list[Span]:
    """The token ranges [i, j) of *lowered* (lower-cased tokens) that one query term matches."""
    # Comprehensions over one list of lower-cased words: a search page makes 50
    # snippets (tests hold this to the token-by-token definition).
    head, n = words[0], len(words)
    if prefix:
        return [(i, i + 1) for i, word in enumerate(lowered) if word.startswith(head)]
    count = len(lowered)
    return [
        (i, i + n)
        for i, word in enumerate(lowered)
        if word == head and i + n <= count and tuple(lowered[i : i + n]) == words
    ]


def snippet(
    text: str,
    terms: Sequence[tuple[tuple[str, ...], bool]],
    tokens: Sequence[re.Match[str]] | None = None,
    lowered: Sequence[str] | None = None,
) -> Parts:
    """*text* (up to SNIPPET_TOKENS words around the matches) as (text, is_match) pieces.

    *tokens* and *lowered* are TOKEN's matches in *text* and their words lower-cased,
    when the caller has them already.
    """
    if tokens is None or lowered is None:
        tokens = list(TOKEN.finditer(text))
        lowered = [m.group().lower() for m in tokens]
    spans: set[Span] = set()
    for words, prefix in terms:
        spans.update(term_spans(lowered, words, prefix))
    return cut(text, tokens, {(a, b, tokens[a].start(), tokens[b - 1].end()) for a, b in spans})


def cut(text: str, tokens: Sequence[re.Match[str]], marks: set[Mark]) -> Parts:
    """*text* cut to the window of SNIPPET_TOKENS tokens holding the most *marks*.

    A mark is (first token, token after the last, start, end): the tokens place the
    window, the characters are what is marked (a made-up name's marker included).
    """
    count = len(tokens)
    ordered = sorted(marks)
    first, last = 0, count
    if count > SNIPPET_TOKENS:
        # The window holding the most matches; the earliest of equals.
        best = -1
        for i in [m[0] for m in ordered] or [0]:
            begin = max(0, min(i - SNIPPET_LEAD, count - SNIPPET_TOKENS))
            inside = sum(1 for a, b, _, _ in ordered if a >= begin and b <= begin + SNIPPET_TOKENS)
            if inside > best:
                best, first = inside, begin
        last = first + SNIPPET_TOKENS
    lo = tokens[first].start() if first > 0 else 0
    hi = tokens[last - 1].end() if last < count else len(text)
    out: list[tuple[str, bool]] = [("…", False)] if first > 0 else []
    at = lo
    for a, b, start, end in ordered:
        if a < first or b > last or start < at:
            continue  # outside the window, or overlapping a match already marked
        if start > at:
            out.append((text[at:start], False))
        at = end
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

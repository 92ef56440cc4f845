"""Search hits a page may show: snippets cut from pseudonymised text, the workshop's
rule, made-up names that can be searched, and a last check of every snippet.

A snippet was once cut from the stored text and its pieces pseudonymised one by
one, so a name split by a match ("Sabrina Holt" with only "Holt" matched) was
never replaced. Now a segment's text is pseudonymised whole (Pseudonymiser.text)
and the snippet is a window of that text, so what is shown is always a part of it:

- On the analyst's explorer the stored text's matches are mapped into the
  pseudonymised text. A match inside a replaced name marks the whole made-up name
  ("hol" marks "Cecilie (opdigtet navn)"). Matches in the pseudonymised text are
  marked as well ("Oliver").
- In workshop (read-only) mode only the pseudonymised text counts. A hit is kept
  when every word of the query matches that text, and only those matches are
  marked. A search for part of a real name ("Jona") then never shows where the
  name occurs or which made-up name stands for it.

The FTS5 index holds the stored text, so a query word that begins a made-up name
also searches the real names it stands for: "Oliver" finds Jonas's passages,
which are shown as Oliver. Last, every snippet goes through the study's name
check. A snippet that fails it is dropped; the hit stays, and its segment block
is pseudonymised on its own.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import replace
from functools import lru_cache

from journeylab.coding.fts import fts_query
from journeylab.coding.store import Store
from journeylab.errors import PrivacyError
from journeylab.themes.explorer_search import (
    PHRASE,
    TOKEN,
    Mark,
    Parts,
    cut,
    query_terms,
    ranked_rowids,
    snippet,
    term_spans,
)
from journeylab.themes.privacy import Pseudonymiser

Terms = Sequence[tuple[tuple[str, ...], bool]]
_WORD = re.compile(r"\w+")  # the words of a query, as coding.fts.fts_query reads them
# How far (in tokens, each side) a match may grow to take in the whole of a replaced
# name it falls in: a name has a few words.
REACH = 6
# In a workshop, dropped hits are made up for by ranking more rows, up to this many
# times the page's limit.
WIDEN = 8


@lru_cache(maxsize=8)
def _unmarked(names: Pseudonymiser) -> Pseudonymiser:
    return replace(names, marker="")


def shown_query(query: str, names: Pseudonymiser) -> str:
    """*query* as the page shows it: real names replaced, without the made-up-name marker
    (so searching what the box shows again finds the same passages)."""
    return _unmarked(names).text(query)


@lru_cache(maxsize=8)
def _made_up_words(names: Pseudonymiser) -> tuple[tuple[str, str], ...]:
    """(a word of a made-up name, lower-cased; the real name it stands for as an FTS5 phrase)."""
    out: list[tuple[str, str]] = []
    for real, fake in names.names:
        words = _WORD.findall(real)
        if words:
            phrase = '"' + " ".join(words) + '"'
            out.extend((word.lower(), phrase) for word in TOKEN.findall(fake))
    return tuple(out)


@lru_cache(maxsize=8)
def _name_words(names: Pseudonymiser) -> frozenset[str]:
    """Every token of every real name, lower-cased, also with a possessive "s"."""
    words = {w.lower() for real, _ in names.names for w in TOKEN.findall(real)}
    return frozenset(words | {w + "s" for w in words})


def real_names_for(word: str, names: Pseudonymiser) -> list[str]:
    """The real names (FTS5 phrases) whose made-up name has a word that *word* begins,
    or is the possessive of ("olivers")."""
    word = word.lower()
    return sorted(
        {
            phrase
            for made_up, phrase in _made_up_words(names)
            if made_up.startswith(word) or made_up + "s" == word
        }
    )


def match_expression(query: str, names: Pseudonymiser) -> str:
    """fts_query(*query*), where each word that begins a made-up name also matches the real
    names it stands for: ("oliver"* OR "jonas"). Exactly fts_query's when none does."""
    base = fts_query(query)
    words = _WORD.findall(PHRASE.sub(" ", query))
    reals = [real_names_for(word, names) for word in words]
    if not base or not any(reals):
        return base
    phrases = (_WORD.findall(phrase) for phrase in PHRASE.findall(query))
    terms = ['"' + " ".join(found) + '"' for found in phrases if found]
    for word, alternatives in zip(words, reals, strict=True):
        term = f'"{word}"*'
        terms.append(f"({' OR '.join([term, *alternatives])})" if alternatives else term)
    return " AND ".join(terms)


def safe_snippet(
    text: str,
    terms: Terms,
    names: Pseudonymiser,
    *,
    workshop: bool = False,
    name_words: frozenset[str] | None = None,
) -> Parts | None:
    """The snippet of a stored segment *text*, cut from *text* pseudonymised as a whole.

    None when a workshop must not show the hit: a query word matches the stored text
    but not the pseudonymised one (only inside a replaced name). *name_words* is
    `_name_words(names)` when the caller has it (a page makes 50 snippets).
    """
    # Most texts hold no name, and pseudonymising every hit's whole text was the
    # dearest part of a search. A name is matched as whole words, so a text none of
    # whose words is a word of a name has none (a case-folding oddity that slipped
    # past this would still meet the page's check, `checked`).
    tokens = list(TOKEN.finditer(text))
    lowered = [m.group().lower() for m in tokens]
    if (name_words if name_words is not None else _name_words(names)).isdisjoint(lowered):
        return snippet(text, terms, tokens, lowered)
    shown = names.text(text)
    if shown == text:
        return snippet(text, terms, tokens, lowered)  # no name: the stored text is shown
    tokens = list(TOKEN.finditer(shown))
    lowered = [m.group().lower() for m in tokens]
    found = [term_spans(lowered, words, prefix) for words, prefix in terms]
    if workshop and not all(found):
        return None
    marks = {(a, b, tokens[a].start(), tokens[b - 1].end()) for spans in found for a, b in spans}
    if not workshop:
        marks |= mapped_marks(text, shown, terms, names, tokens)
    return cut(shown, tokens, marks)


def _pieces_map(text: str, shown: str, cuts: Sequence[int], names: Pseudonymiser) -> list[int]:
    """Where each of *cuts* (sorted places in *text*) falls in *shown*, or [] when cutting
    *text* there and pseudonymising the pieces one by one does not give *shown*."""
    places: list[int] = []
    out: list[str] = []
    at = 0
    length = 0
    for c in cuts:
        piece = names.text(text[at:c])
        out.append(piece)
        length += len(piece)
        places.append(length)
        at = c
    out.append(names.text(text[at:]))
    return places if "".join(out) == shown else []


def mapped_marks(
    text: str, shown: str, terms: Terms, names: Pseudonymiser, tokens: Sequence[re.Match[str]]
) -> set[Mark]:
    """The matches in the stored *text* as marks in *shown* (its pseudonymised text, cut
    into *tokens*); a match inside a replaced name marks all of the made-up name."""
    stored = list(TOKEN.finditer(text))
    lowered = [m.group().lower() for m in stored]
    spans = sorted({s for words, prefix in terms for s in term_spans(lowered, words, prefix)})
    if not spans:
        return set()
    ranges = [(stored[a].start(), stored[b - 1].end()) for a, b in spans]
    cuts = sorted({c for r in ranges for c in r})
    places = _pieces_map(text, shown, cuts, names)
    if not places:
        # A cut splits a name: grow each match to the nearest token edges that split none.
        ok: dict[int, bool] = {0: True, len(text): True}

        def clean(c: int) -> bool:
            if c not in ok:
                ok[c] = names.text(text[:c]) + names.text(text[c:]) == shown
            return ok[c]

        starts = [m.start() for m in stored]
        ends = [m.end() for m in stored]
        grown = []
        for a, b in spans:
            before = [starts[i] for i in range(a, max(a - REACH, 0) - 1, -1)]
            after = [ends[j] for j in range(b - 1, min(b + REACH, len(ends)))]
            start = next((c for c in before if clean(c)), None)
            end = next((c for c in after if clean(c)), None)
            if start is not None and end is not None:
                grown.append((start, end))
        ranges = grown
        cuts = sorted({c for r in ranges for c in r})
        # The proof: these cuts, pseudonymised piece by piece, give the shown text.
        places = _pieces_map(text, shown, cuts, names) if cuts else []
        if not places:
            return set()
    where = dict(zip(cuts, places, strict=True))
    starts = [m.start() for m in tokens]
    ends = [m.end() for m in tokens]
    marks: set[Mark] = set()
    for start, end in ranges:
        lo, hi = where[start], where[end]
        i, j = bisect_right(ends, lo), bisect_left(starts, hi)
        if i < j:
            marks.add((i, j, lo, hi))
    return marks


def _passes(text: str, names: Pseudonymiser) -> bool:
    try:
        names.check(text)
    except PrivacyError:
        return False
    return True


def _as_read(parts: Parts) -> str:
    # What the screen shows: the pieces together (a <mark> splits no word for the eye).
    return "".join(text for text, _ in parts)


def checked(hits: list[tuple[str, Parts]], names: Pseudonymiser) -> list[tuple[str, Parts]]:
    """*hits* with every snippet that fails the study's name check dropped (the hit stays,
    without a snippet). One check for the page when none fails."""
    if _passes("\x00".join(_as_read(parts) for _, parts in hits), names):
        return hits
    return [(i, parts if _passes(_as_read(parts), names) else ()) for i, parts in hits]


def search_hits(
    store: Store,
    query: str,
    names: Pseudonymiser,
    *,
    workshop: bool = False,
    role: str | None = None,
    source: str | None = None,
    theme: str | None = None,
    limit: int = 50,
) -> list[tuple[str, Parts]]:
    """(segment id, snippet pieces) for an FTS5 prefix search, best first, with filters:
    every piece pseudonymised and checked, in a workshop only hits the shown text holds."""
    match = match_expression(query, names)
    if not match:
        return []
    terms = query_terms(query)
    name_words = _name_words(names)
    ranked = limit
    while True:
        rowids = ranked_rowids(store, match, role=role, source=source, theme=theme, limit=ranked)
        if not rowids:
            return []
        rows = store.conn.execute(
            f"SELECT rowid, id, text FROM segments WHERE rowid IN ({','.join('?' * len(rowids))})",
            rowids,
        ).fetchall()
        found = {r[0]: (r[1], r[2]) for r in rows}
        hits = []
        for rowid in rowids:
            if rowid in found:
                segment, text = found[rowid]
                parts = safe_snippet(text, terms, names, workshop=workshop, name_words=name_words)
                if parts is not None:
                    hits.append((segment, parts))
        if len(hits) >= limit or len(rowids) < ranked or ranked >= limit * WIDEN:
            break
        ranked *= 2  # a workshop dropped some: rank further down to fill the page
    return checked(hits[:limit], names)

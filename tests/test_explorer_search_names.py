"""Search hits safe for names (explorer_search_names.py): snippets are windows of the
pseudonymised text, a workshop marks and finds only what that text holds, made-up
names can be searched, the last check drops a snippet, and a workshop refills its page.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable

from hypothesis import example, given, settings
from hypothesis import strategies as st

from journeylab.coding.fts import fts_query
from journeylab.coding.importer import import_study
from journeylab.coding.store import open_store
from journeylab.coding.study import Study
from journeylab.themes.explorer_data import pseudonymiser
from journeylab.themes.explorer_search import query_terms, snippet
from journeylab.themes.explorer_search_names import (
    checked,
    match_expression,
    safe_snippet,
    search_hits,
    shown_query,
)
from journeylab.themes.privacy import Pseudonymiser

NAMES = Pseudonymiser(
    names=(
        ("Sabrina Holt", "Cecilie"),
        ("Jonas", "Oliver"),
        ("Sabrina", "Cecilie"),
        ("Holt", "Cecilie"),
        ("Lone", "Medarbejder 1"),
    ),
    marked=frozenset({"Cecilie", "Oliver"}),
    marker=" (opdigtet navn)",
)
REAL = re.compile(r"(?<![^\W\d_])(sabrina|holt|jonas|lone)(s|'s|')?(?![^\W\d_])", re.I)

WORDS = ["Sabrina", "Holt", "Holts", "HOLT", "Jonas", "jonas'", "JONASS", "Lone", "hold", "Oliver"]
GLUE = [" ", "  ", ", ", ". ", "\n", "-", "_", "'", ""]
words = st.sampled_from(WORDS) | st.text(alphabet="abhjlnost ", max_size=5)
texts = st.lists(st.tuples(words, st.sampled_from(GLUE)), max_size=40).map(
    lambda pairs: "".join(w + g for w, g in pairs)
)
QUERY_WORDS = [
    "hol",
    "Holt",
    "sabr",
    "Sabrina",
    "Jona",
    "Jonas",
    "lon",
    "ung",
    "oliv",
    "Cecilie",
    "o",
]
queries = st.lists(st.sampled_from([*QUERY_WORDS, '"Sabrina Holt"', '"hold ung"']), min_size=1).map(
    " ".join
)


def _inner(parts: tuple[tuple[str, bool], ...]) -> str:
    pieces = [text for text, _ in parts]
    if pieces and pieces[0] == "…":
        pieces = pieces[1:]
    if pieces and pieces[-1] == "…":
        pieces = pieces[:-1]
    return "".join(pieces)


@settings(max_examples=400, deadline=None)
@given(text=texts, query=queries, workshop=st.booleans())
@example(text="Hun hed Sabrina Holt. Det var", query="Holt", workshop=False)
@example(text="Sabrina Holts mor ringede", query="hol", workshop=False)
def test_a_snippet_is_a_window_of_the_pseudonymised_text(
    text: str, query: str, workshop: bool
) -> None:
    terms = query_terms(query)
    parts = safe_snippet(text, terms, NAMES, workshop=workshop)
    shown = NAMES.text(text)
    if parts is None:
        # Only a workshop drops a hit, and only when a query word misses the shown text.
        assert workshop and shown != text
        return
    assert _inner(parts) in shown
    # No real name in what is shown, also at a piece's edge.
    for piece, _ in parts:
        assert REAL.search(piece) is None, parts
    if workshop:
        # Each mark is a match in the shown text, never a made-up name standing for a match.
        for piece, hit in parts:
            if hit:
                assert any(piece.lower().startswith(w[0]) for w, _ in terms), parts


@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet="abcdeghkmrtuvæøå ,.\n-_", max_size=200), query=queries)
def test_text_without_names_keeps_the_plain_snippet(text: str, query: str) -> None:
    terms = query_terms(query)
    for workshop in (False, True):
        assert safe_snippet(text, terms, NAMES, workshop=workshop) == snippet(text, terms)


def test_a_match_inside_a_name_marks_the_whole_made_up_name() -> None:
    text = "Hun hed Sabrina Holt. Det var præcis det."
    expected = (
        ("Hun hed ", False),
        ("Cecilie (opdigtet navn)", True),
        (". Det var præcis det.", False),
    )
    for query in ("Holt", "hol", "Sabrina", "sab", '"Sabrina Holt"'):
        assert safe_snippet(text, query_terms(query), NAMES) == expected, query
    # In a workshop the shown text holds no "hol": the hit is dropped.
    assert safe_snippet(text, query_terms("hol"), NAMES, workshop=True) is None
    # A match beside the name is marked as it is.
    both = safe_snippet("Sabrina Holt holdt ud", query_terms("hol"), NAMES, workshop=True)
    assert both == (("Cecilie (opdigtet navn) ", False), ("holdt", True), (" ud", False))


def test_the_query_is_shown_with_made_up_names() -> None:
    assert shown_query("Sabrina Holt og hold", NAMES) == "Cecilie og hold"
    assert shown_query("holt", NAMES) == "Cecilie"
    assert shown_query("sagsbeh", NAMES) == "sagsbeh"


@settings(max_examples=200, deadline=None)
@given(query=st.text(max_size=20) | queries)
def test_match_expression_is_fts_query_unless_a_made_up_name_is_searched(query: str) -> None:
    got = match_expression(query, NAMES)
    words = [w.lower() for w in re.findall(r"\w+", re.sub(r'"[^"]*"', " ", query))]
    made_up = ["cecilie", "oliver", "medarbejder", "1"]
    if not any(m.startswith(w) or m + "s" == w for w in words for m in made_up):
        assert got == fts_query(query)
    # Whatever the query, FTS5 accepts the expression.
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(text, tokenize='unicode61 remove_diacritics 0')")
    db.execute("INSERT INTO t VALUES ('Jonas og Sabrina Holt holdt ud med Lone')")
    if got:
        db.execute("SELECT rowid FROM t WHERE t MATCH ?", (got,)).fetchall()


def test_a_made_up_name_also_searches_the_real_names_it_stands_for() -> None:
    assert match_expression("Oliver skole", NAMES) == '("Oliver"* OR "Jonas") AND "skole"*'
    cecilie = '("cec"* OR "Holt" OR "Sabrina Holt" OR "Sabrina")'  # sorted as strings
    assert match_expression("cec", NAMES) == cecilie
    assert match_expression("Olivers", NAMES) == '("Olivers"* OR "Jonas")'
    assert match_expression('"Oliver kom"', NAMES) == fts_query('"Oliver kom"')


def test_the_last_check_drops_a_snippet_that_shows_a_name() -> None:
    fine = ("a", (("Cecilie (opdigtet navn)", True), (" kom", False)))
    leak = ("b", (("Sabrina ", False), ("Holt", True)))
    edge = ("c", (("Jonas", True), ("_sagen", False)))  # a name at a piece's edge
    assert checked([fine], NAMES) == [fine]
    assert checked([fine, leak, edge], NAMES) == [fine, ("b", ()), ("c", ())]


TRANSCRIPT = """\
---
title: Fokusgruppe
participants:
  Interviewer: {role: interviewer}
  Lone: {role: medarbejder, pseudonym: Medarbejder 1}
---
Interviewer: Hvem kom?

Lone: Rikke Rikke Rikke.

Lone: Rikke og Rikke.

Lone: Rikke, Rikke.

Lone: Rikard kom ikke til mødet den dag, for han var syg og ville ikke ud af sengen i flere dage.
"""


def test_a_workshop_ranks_further_when_it_drops_hits(make_study: Callable[..., Study]) -> None:
    study = make_study({"transcripts/fokusgruppe.txt": TRANSCRIPT})
    import_study(study)
    with open_store(study) as store:
        names = pseudonymiser(study, store)
        everything = search_hits(store, "rik", names)
        assert len(everything) == 4  # Rikke's three turns rank first, then Rikard's
        assert "Rikard" not in _inner(everything[0][1])
        [(_, parts)] = search_hits(store, "rik", names, workshop=True, limit=1)
        assert ("Rikard", True) in parts
        assert search_hits(store, "rikk", names, workshop=True) == []

"""Search queries: user words become safe FTS5 prefix terms; hits split for highlighting."""

from __future__ import annotations

import sqlite3

from hypothesis import given
from hypothesis import strategies as st

from journeylab.coding.fts import MARK_END, MARK_START, SearchHit, fts_query
from journeylab.coding.model import Role, Segment, SegmentKind


def test_words_become_prefix_terms_and_phrases_stay_exact() -> None:
    assert fts_query("sagsbeh skift") == '"sagsbeh"* AND "skift"*'
    assert fts_query('"ny sagsbehandler" igen') == '"ny sagsbehandler" AND "igen"*'


def test_operators_and_stray_quotes_are_only_words() -> None:
    assert fts_query('skole OR "') == '"skole"* AND "OR"*'
    assert fts_query("*** ()") == ""


@given(st.text(max_size=40))
def test_any_input_is_a_valid_fts5_query(text: str) -> None:
    query = fts_query(text)
    if not query:
        return
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(body, tokenize='unicode61 remove_diacritics 0')")
    db.execute("INSERT INTO t VALUES ('Ny sagsbehandler igen på skolen')")
    db.execute("SELECT count(*) FROM t WHERE t MATCH ?", (query,)).fetchone()


def test_hit_parts_mark_only_the_matches() -> None:
    seg = Segment("s#0", "s", SegmentKind.TURN, 0, 0, 5, "x", Role.UNG)
    hit = SearchHit(seg, f"Ny {MARK_START}sagsbehandler{MARK_END} igen <b>", 1.0)
    assert hit.parts() == [("Ny ", False), ("sagsbehandler", True), (" igen <b>", False)]

"""The explorer's reads (explorer_data.py): search ranking, snippets, result cache, readers."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from journeylab.coding.store import open_store
from journeylab.coding.study import Study
from tests.conftest import copy_study


@pytest.fixture
def study(explorer_built: Path, tmp_path: Path) -> Study:
    return copy_study(explorer_built, tmp_path)


def test_search_hits_keep_fts5_ranking_and_filters(study: Study) -> None:
    from journeylab.coding.fts import fts_query
    from journeylab.themes.explorer_data import search_hits

    with open_store(study) as store:
        expected = [
            r[0]
            for r in store.conn.execute(
                "SELECT s.id FROM segments_fts JOIN segments s ON s.rowid = segments_fts.rowid"
                " WHERE segments_fts MATCH ? ORDER BY bm25(segments_fts) LIMIT 50",
                (fts_query("sagsbeh"),),
            )
        ]
        hits = search_hits(store, "sagsbeh")
        assert expected and [i for i, _ in hits] == expected
        for _, parts in hits:
            marked = [text for text, hit in parts if hit]
            assert marked and all(m.lower().startswith("sagsbeh") for m in marked)
        young = search_hits(store, "sagsbeh", role="ung")
        roles = {
            r[0]
            for r in store.conn.execute(
                f"SELECT role FROM segments WHERE id IN ({','.join('?' * len(young))})",
                [i for i, _ in young],
            )
        }
        assert young and roles == {"ung"}
        assert search_hits(store, "***") == []


def test_snippet_window_and_phrases() -> None:
    from journeylab.themes.explorer_data import SNIPPET_TOKENS, query_terms, snippet

    words = [f"ord{i}" for i in range(60)]
    words[20] = "Sagsbehandleren"
    parts = snippet(" ".join(words), query_terms("sagsbeh"))
    assert parts[0] == ("…", False) and parts[-1] == ("…", False)
    assert [t for t, hit in parts if hit] == ["Sagsbehandleren"]
    assert len(re.findall(r"\w+", "".join(t for t, _ in parts))) == SNIPPET_TOKENS
    exact = snippet("en ny sagsbehandler og en nyere sag", query_terms('"ny sagsbehandler"'))
    assert [t for t, hit in exact if hit] == ["ny sagsbehandler"]
    assert "".join(t for t, _ in exact) == "en ny sagsbehandler og en nyere sag"


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=300), query=st.text(max_size=20))
def test_snippet_is_a_piece_of_the_text(text: str, query: str) -> None:
    from journeylab.themes.explorer_data import query_terms, snippet

    parts = snippet(text, query_terms(query))
    inner = [t for t, _ in parts if t != "…"] if text.strip() else []
    assert "".join(inner) in text
    terms = query_terms(query)
    for piece, hit in parts:
        if hit:
            assert any(piece.lower().startswith(words[0]) for words, _ in terms)


def test_search_cache_is_a_small_lru() -> None:
    from journeylab.themes.explorer_data import SearchCache

    cache = SearchCache(size=2)
    cache.put(("v1", "a"), [("s1", ())])
    cache.put(("v1", "b"), [("s2", ())])
    assert cache.get(("v1", "a")) == [("s1", ())]  # now the most recent
    cache.put(("v1", "c"), [])
    assert cache.get(("v1", "b")) is None and cache.get(("v1", "a")) is not None
    assert cache.get(("v2", "a")) is None
    off = SearchCache(size=0)
    off.put(("v1", "a"), [])
    assert off.get(("v1", "a")) is None


def test_reader_is_kept_per_thread(study: Study) -> None:
    from journeylab.themes.explorer_data import reader

    mine = reader(study)
    assert reader(study) is mine
    other: list[object] = []
    thread = threading.Thread(target=lambda: other.append(reader(study)))
    thread.start()
    thread.join()
    assert other and other[0] is not mine

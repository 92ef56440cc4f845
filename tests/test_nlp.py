"""The embedded spaCy pipeline: Danish and English, offline, built once."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from journeylab.coding.nlp import analyse, get_nlp, lemmas, pipe, text_lemmas
from journeylab.errors import StudyError


def test_danish_pipeline_lemmatises_and_splits_sentences() -> None:
    doc = get_nlp("da")("Jeg har haft fem sagsbehandlere. Nu går jeg på produktionsskolen!")
    assert [s.text for s in doc.sents] == [
        "Jeg har haft fem sagsbehandlere.",
        "Nu går jeg på produktionsskolen!",
    ]
    words = lemmas(doc)
    assert "sagsbehandler" in words  # plural folded to the keyword form
    assert "." not in words and "!" not in words


def test_english_pipeline() -> None:
    doc = get_nlp("en")("My case workers kept changing.")
    assert "worker" in lemmas(doc)


def test_pipeline_is_built_once_per_process() -> None:
    assert get_nlp("da") is get_nlp("da")


def test_pipe_keeps_order() -> None:
    texts = ["Første tekst.", "Anden tekst om skolen.", "Tredje."]
    assert [d.text for d in pipe(texts)] == texts


def test_missing_named_pipeline_is_a_clear_error() -> None:
    with pytest.raises(StudyError, match="not installed"):
        get_nlp("da", "da_core_news_sm_not_here")


# -- analyse(): the fast path must give exactly what the full pipeline gives ---------

_WORDS = st.sampled_from(
    ["Jeg", "har", "sagsbehandlere", "skolen", "UU-vejlederen", "9.", "klasse", "fx.", "nej",
     "mor", "Det", "var", "hårdt", "kommunen", "ikke", "OK", "mentoren", "…", "!", "?", ".",
     ",", "«", "»", "–", "(", ")", "\n", "\n\n", "  ", "'", '"', ":", ";", "...", "Å"]
)  # fmt: skip
_TEXTS = st.lists(_WORDS, max_size=30).map(" ".join) | st.text(max_size=40)


@settings(max_examples=150, deadline=None)
@given(st.lists(_TEXTS, max_size=4))
def test_analyse_matches_the_full_pipeline(texts: list[str]) -> None:
    docs = list(pipe(texts))
    for doc, info in zip(docs, analyse(texts), strict=True):
        words = [t for t in doc if not (t.is_punct or t.is_space)]
        assert info.sentence_starts == tuple(s.start_char for s in doc.sents)
        assert info.word_starts == tuple(t.idx for t in words)
        assert info.lemmas == lemmas(doc)
    assert text_lemmas(texts) == [lemmas(d) for d in docs]


def test_analyse_lemmatises_from_the_lookup_table() -> None:
    (info,) = analyse(["Jeg har haft fem sagsbehandlere. Nu går jeg!"])
    assert "sagsbehandler" in info.lemmas and "." not in info.lemmas
    assert len(info.sentence_starts) == 2


# -- the lemma table from the user's cache (coding/lemmadb.py) ------------------------


@pytest.fixture
def fresh_lookups(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    """A process state with no lemma looked up yet, caching under tmp_path."""
    from journeylab.coding import nlp

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    nlp._lemma_lookup.cache_clear()
    nlp._WORD_CACHE.clear()
    yield nlp
    nlp._lemma_lookup.cache_clear()  # drop the connection to tmp_path's file
    nlp._WORD_CACHE.clear()


def test_lemmas_from_the_cached_table_are_the_tables(fresh_lookups) -> None:  # type: ignore[no-untyped-def]
    from journeylab.coding import lemmadb

    nlp = fresh_lookups
    texts = ["Jeg har haft fem sagsbehandlere. Nu går jeg på produktionsskolen!", "UU-vejlederen"]
    first = nlp.text_lemmas(texts)  # the first run loads the table and writes the copy
    assert isinstance(nlp._lemma_lookup("da"), dict)
    nlp._lemma_lookup.cache_clear()
    nlp._WORD_CACHE.clear()
    again = nlp.text_lemmas(texts)  # a later run reads the copy
    db = nlp._lemma_lookup("da")
    assert isinstance(db, lemmadb.LemmaDB)
    assert again == first
    table = nlp._lemma_table("da")
    sample = [*list(table)[::97], "ikke-et-ord", "Sagsbehandlere"]
    assert [db.get(w) for w in sample] == [lemmadb.resolve(table.get(w)) for w in sample]

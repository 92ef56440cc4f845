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

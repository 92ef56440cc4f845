"""The embedded spaCy pipeline: Danish and English, offline, built once."""

from __future__ import annotations

import pytest

from journeylab.coding.nlp import get_nlp, lemmas, pipe
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

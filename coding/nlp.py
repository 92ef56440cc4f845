"""The spaCy pipeline: built once per process, never downloaded.

Default: `spacy.blank(lang)` + lookup lemmatizer (spacy-lookups-data) +
sentencizer. A study may name an installed pipeline instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from journeylab.errors import StudyError

BATCH_SIZE = 256


@lru_cache(maxsize=4)
def get_nlp(lang: str = "da", pipeline: str | None = None) -> Language:
    """The pipeline for *lang* (da|en), or the installed *pipeline* a study names."""
    if pipeline:
        try:
            nlp = spacy.load(pipeline)
        except OSError as exc:
            raise StudyError(
                f"the spaCy pipeline '{pipeline}' is not installed",
                where="[study] pipeline",
                hint="install it into journeylab's virtualenv or remove the line",
            ) from exc
        if not nlp.has_pipe("sentencizer") and not nlp.has_pipe("parser"):
            nlp.add_pipe("sentencizer")
        return nlp
    nlp = spacy.blank(lang)
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.add_pipe("sentencizer")
    nlp.initialize()
    return nlp


def pipe(texts: Iterable[str], lang: str = "da", pipeline: str | None = None) -> Iterator[Doc]:
    """Docs for *texts*, processed in batches."""
    return get_nlp(lang, pipeline).pipe(texts, batch_size=BATCH_SIZE)


def lemmas(doc: Doc) -> tuple[str, ...]:
    """Lower-cased lemmas of the word tokens of *doc* (punctuation and spaces dropped)."""
    return tuple((t.lemma_ or t.text).lower() for t in doc if not (t.is_punct or t.is_space))

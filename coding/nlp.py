"""The spaCy pipeline: built once per process, never downloaded.

Default: `spacy.blank(lang)` + lookup lemmatizer (spacy-lookups-data) +
sentencizer. A study may name an installed pipeline instead.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

import spacy
from spacy.attrs import IDX, ORTH, SENT_START
from spacy.language import Language
from spacy.lookups import Table
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


@dataclass(frozen=True)
class Analysis:
    """What segmentation needs from one text: sentence starts and each word's lemma.

    Offsets are character offsets into the text; `lemmas[i]` belongs to the word
    starting at `word_starts[i]` (punctuation and whitespace are left out).
    """

    sentence_starts: tuple[int, ...]
    word_starts: tuple[int, ...]
    lemmas: tuple[str, ...]

    def lemmas_between(self, start: int, end: int) -> tuple[str, ...]:
        """The lemmas of the words that start in [start, end)."""
        lo = bisect_left(self.word_starts, start)
        hi = bisect_left(self.word_starts, end)
        return self.lemmas[lo:hi]


@lru_cache(maxsize=4)
def _sentencizer(lang: str) -> Language:
    """Tokenizer + sentencizer: the same tokens and sentences as get_nlp(lang), no lemmatizer."""
    nlp = spacy.blank(lang)
    nlp.add_pipe("sentencizer")
    nlp.initialize()
    return nlp


@lru_cache(maxsize=4)
def _lemma_table(lang: str) -> Table:
    lemmatizer = get_nlp(lang).get_pipe("lemmatizer")
    return lemmatizer.lookups.get_table("lemma_lookup")  # type: ignore[attr-defined]


_LEMMA_CACHE: dict[tuple[str, int], str | None] = {}


def _lemma(lang: str, nlp: Language, orth: int) -> str | None:
    """The lower-cased lookup lemma of a word, None for punctuation and spaces (cached)."""
    key = (lang, orth)
    if key not in _LEMMA_CACHE:
        lexeme = nlp.vocab[orth]
        if lexeme.is_punct or lexeme.is_space:
            _LEMMA_CACHE[key] = None
        else:
            # As spaCy's lookup lemmatizer: the table keyed by the word's text, else the text.
            found = _lemma_table(lang).get(orth, None)
            if isinstance(found, list):
                found = found[0] if found else None
            _LEMMA_CACHE[key] = (found or lexeme.orth_).lower()
    return _LEMMA_CACHE[key]


def analyse(
    texts: Iterable[str], lang: str = "da", pipeline: str | None = None
) -> Iterator[Analysis]:
    """Sentence starts and lemmas of each text, in batches.

    The embedded pipeline's lemmatizer is a per-token Python loop in spaCy; here
    the same lookup table is read once per distinct word, so segmenting a study
    costs little more than tokenizing it. A named pipeline goes the plain way.
    """
    if pipeline:
        for doc in pipe(texts, lang, pipeline):
            words = [t for t in doc if not (t.is_punct or t.is_space)]
            yield Analysis(
                sentence_starts=tuple(s.start_char for s in doc.sents),
                word_starts=tuple(t.idx for t in words),
                lemmas=tuple((t.lemma_ or t.text).lower() for t in words),
            )
        return
    nlp = _sentencizer(lang)
    for doc in nlp.pipe(texts, batch_size=BATCH_SIZE):
        if len(doc) == 0:
            yield Analysis((), (), ())
            continue
        arr = doc.to_array([ORTH, IDX, SENT_START]).astype("int64")
        starts: list[int] = []
        found: list[str] = []
        for orth, idx in zip(arr[:, 0].tolist(), arr[:, 1].tolist(), strict=True):
            lemma = _lemma(lang, nlp, orth & 0xFFFFFFFFFFFFFFFF)
            if lemma is not None:
                starts.append(idx)
                found.append(lemma)
        sent = arr[:, 2]
        sentence_starts = [int(arr[0, 1])] + [int(i) for i in arr[1:, 1][sent[1:] == 1]]
        yield Analysis(tuple(sentence_starts), tuple(starts), tuple(found))

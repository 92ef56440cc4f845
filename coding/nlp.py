"""The spaCy pipeline: built once per process, never downloaded.

Default: `spacy.blank(lang)` + lookup lemmatizer (spacy-lookups-data) +
sentencizer. A study may name an installed pipeline instead.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import catalogue
import spacy
from spacy.attrs import IDX, ORTH
from spacy.language import Language
from spacy.pipeline import Sentencizer
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc
from spacy.util import load_language_data, registry

from journeylab.coding import lemmadb
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
def _tokenizer(lang: str) -> Language:
    """A blank pipeline: the same tokenizer (and vocabulary flags) as get_nlp(lang)."""
    return spacy.blank(lang)


@lru_cache(maxsize=4)
def _lemma_table(lang: str) -> Mapping[str, Any]:
    """The lookup lemmatizer's table for *lang*, word -> lemma.

    Read straight from spacy-lookups-data into a plain dict: spaCy's own Table
    (what get_nlp builds) re-hashes all 550k Danish entries into an OrderedDict
    with a Bloom filter, which took ~0.9 s and ~250 MB more than this does.
    """
    try:
        path = registry.lookups.get(lang)["lemma_lookup"]
    except (KeyError, catalogue.RegistryError):
        # Not in the package: let spaCy raise (or return) exactly what get_nlp does.
        lemmatizer = get_nlp(lang).get_pipe("lemmatizer")
        return lemmatizer.lookups.get_table("lemma_lookup")  # type: ignore[attr-defined]
    table = load_language_data(path)
    if not isinstance(table, dict):
        raise StudyError(f"spaCy's lemma table for '{lang}' is not a mapping", path=str(path))
    return table


class _Lookup(Protocol):
    def get(self, key: str, /) -> Any: ...


@lru_cache(maxsize=4)
def _lemma_lookup(lang: str) -> _Lookup:
    """word -> table value for *lang*: the user's cached copy when there is one.

    A process that lemmatises a few thousand words (a re-import, a changed
    codebook) then reads just those from SQLite instead of loading all 550k
    entries (see coding/lemmadb.py); the first run on a machine writes the copy.
    """
    try:
        path = Path(registry.lookups.get(lang)["lemma_lookup"])
    except (KeyError, TypeError, catalogue.RegistryError):
        return _lemma_table(lang)
    cached = lemmadb.open_cached(lang, path)
    if cached is not None:
        return cached
    table = _lemma_table(lang)
    lemmadb.store(lang, path, table)
    return table


# orth id -> (lemma or None for punctuation/space, is_punct, one of the sentencizer's chars)
_WORD_CACHE: dict[tuple[str, int], tuple[str | None, bool, bool]] = {}
_PUNCT_CHARS = frozenset(Sentencizer.default_punct_chars)


def _word(lang: str, nlp: Language, orth: int) -> tuple[str | None, bool, bool]:
    """What analyse needs to know about one vocabulary entry (cached per process)."""
    key = (lang, orth)
    found = _WORD_CACHE.get(key)
    if found is None:
        lexeme = nlp.vocab[orth]
        text = lexeme.orth_
        lemma: str | None = None
        if not (lexeme.is_punct or lexeme.is_space):
            # As spaCy's lookup lemmatizer: the table keyed by the word's text, else the text.
            lemma = (lemmadb.resolve(_lemma_lookup(lang).get(text)) or text).lower()
        found = (lemma, bool(lexeme.is_punct), text in _PUNCT_CHARS)
        _WORD_CACHE[key] = found
    return found


def _sentence_starts(flags: list[tuple[str | None, bool, bool]]) -> list[int]:
    """Token indices that start a sentence: spaCy's Sentencizer.predict, on cached flags."""
    starts = [0]
    seen_period = False
    for i, (_, is_punct, in_punct_chars) in enumerate(flags):
        if seen_period and not is_punct and not in_punct_chars:
            starts.append(i)
            seen_period = False
        elif in_punct_chars:
            seen_period = True
    return starts


def analyse(
    texts: Iterable[str], lang: str = "da", pipeline: str | None = None
) -> Iterator[Analysis]:
    """Sentence starts and lemmas of each text, in batches.

    The embedded pipeline's lemmatizer and sentencizer are per-token loops over
    Token objects in spaCy; here only the tokenizer runs, and the lemma and the
    sentencizer's two flags are looked up once per distinct word, so segmenting a
    study costs little more than tokenizing it. A named pipeline goes the plain way.
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
    nlp = _tokenizer(lang)
    tokenizer: Tokenizer = nlp.tokenizer
    for doc in tokenizer.pipe(texts, batch_size=BATCH_SIZE):
        if len(doc) == 0:
            yield Analysis((), (), ())
            continue
        arr = doc.to_array([ORTH, IDX])
        idxs: list[int] = arr[:, 1].astype("int64").tolist()
        flags = [_word(lang, nlp, orth) for orth in arr[:, 0].astype("uint64").tolist()]
        starts = [idx for idx, (lemma, _, _) in zip(idxs, flags, strict=True) if lemma is not None]
        found = [lemma for lemma, _, _ in flags if lemma is not None]
        sentence_starts = tuple(idxs[i] for i in _sentence_starts(flags))
        yield Analysis(sentence_starts, tuple(starts), tuple(found))


def text_lemmas(texts: Iterable[str], lang: str = "da") -> list[tuple[str, ...]]:
    """`lemmas(doc)` of each text under get_nlp(lang), without building that pipeline."""
    return [info.lemmas for info in analyse(texts, lang)]

"""Parsed journeys kept in .journeylab/journeys-cache.json, keyed by each file's bytes.

A report (and `journeylab journeys`, the docx report) reads every journey file
again; at 1M words that was ~1 s of a report, most of it openpyxl parsing the xlsx
files. `journeylab import` parses them anyway, so it fills the cache
(`ImportedJourneys`) and even the first report after it parses nothing. Hashing a
file's bytes is cheap, so each file is parsed only when its bytes (or its name in
the study, which every journey carries as `source`) differ from what the cache
holds. The cache is also keyed by the source of the reader modules, so a changed
parser never serves journeys it would no longer produce. A file whose reading warns
(e.g. steps out of order) is not cached: the warning must be seen every time, as
without the cache.

The cache is plain JSON (no pickle: a study folder may come from someone else),
written atomically; an unreadable or foreign cache is ignored and rebuilt.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from journeylab.coding.study import Study
from journeylab.fileio import atomic_output
from journeylab.journeys.model import Colour, Journey, Note, Stage, Step
from journeylab.journeys.readers import read_journey_file, read_journeys

CACHE_NAME = "journeys-cache.json"
_FORMAT = 1
# The modules whose code decides what a journey file parses to.
_READER_MODULES = ("readers.py", "tables.py", "cells.py", "model.py", "cache.py", "../yamlfast.py")


def _code_key() -> str | None:
    """A hash of the reader modules' source; None (no caching) when it cannot be read."""
    here = Path(__file__).parent
    digest = hashlib.sha256(str(_FORMAT).encode())
    try:
        for name in _READER_MODULES:
            digest.update(name.encode() + b"\0" + (here / name).read_bytes())
    except OSError:
        return None  # e.g. an install without sources: better slow than stale
    return digest.hexdigest()


def _note_data(note: Note) -> list[Any]:
    stage = None if note.stage is None else note.stage.value
    return [note.colour.value, note.text, note.age, note.date, note.actor, stage]


def _note(data: list[Any]) -> Note:
    colour, text, age, date, actor, stage = data
    return Note(Colour(colour), text, age, date, actor, None if stage is None else Stage(stage))


def journey_to_data(journey: Journey) -> dict[str, Any]:
    """A journey as JSON-ready data (`journey_from_data` gives it back, equal)."""
    return {
        "id": journey.id,
        "steps": [
            [_note_data(s.event), [_note_data(n) for n in s.green], [_note_data(n) for n in s.red]]
            for s in journey.steps
        ],
        "pseudonym": journey.pseudonym,
        "age": journey.age,
        "gender": journey.gender,
        "municipality": journey.municipality,
        "attributes": [list(pair) for pair in journey.attributes],
        "source": journey.source,
    }


def journey_from_data(data: dict[str, Any]) -> Journey:
    """The journey `journey_to_data` made (KeyError/TypeError/ValueError on foreign data)."""
    return Journey(
        id=data["id"],
        steps=tuple(
            Step(_note(event), tuple(map(_note, green)), tuple(map(_note, red)))
            for event, green, red in data["steps"]
        ),
        pseudonym=data["pseudonym"],
        age=data["age"],
        gender=data["gender"],
        municipality=data["municipality"],
        attributes=tuple((str(k), str(v)) for k, v in data["attributes"]),
        source=data["source"],
    )


def _load(path: Path, key: str | None) -> dict[str, Any]:
    if key is None:
        return {}
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("key") != key:
        return {}
    files = data.get("files")
    return files if isinstance(files, dict) else {}


class JourneyCache:
    """Reads journey files through the cache of one study; `save` writes what changed."""

    def __init__(self, study: Study) -> None:
        self.path = study.store_path.parent / CACHE_NAME
        self._key = _code_key()
        self._old = _load(self.path, self._key)
        self._new: dict[str, Any] = {}
        self.parsed: list[str] = []  # sources parsed this time (not served from the cache)

    def read(self, path: Path, source: str, *, digest: str | None = None) -> list[Journey]:
        """The journeys of one file: from the cache when its bytes are the cached ones.

        *digest* is the file's sha256 when the caller has just hashed it (the importer).
        """
        if digest is None:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
        entry = self._old.get(source)
        if isinstance(entry, dict) and entry.get("sha256") == digest:
            try:
                journeys = [journey_from_data(j) for j in entry["journeys"]]
            except (KeyError, TypeError, ValueError):
                pass  # a damaged entry: parse the file as if it were not cached
            else:
                self._new[source] = entry
                return journeys
        self.parsed.append(source)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            journeys = read_journey_file(path, source=source)
        for w in caught:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno, source=w.source)
        if not caught:
            entry = {"sha256": digest, "journeys": [journey_to_data(j) for j in journeys]}
            self._new[source] = entry
        return journeys

    def keep(self, source: str, digest: str) -> None:
        """Keep the cached journeys of a file that was not read this time (the importer
        skips unchanged files) while its bytes are still the cached ones."""
        entry = self._old.get(source)
        if isinstance(entry, dict) and entry.get("sha256") == digest:
            self._new[source] = entry

    def save(self) -> None:
        """Write the cache when it changed; a folder that cannot be written is no error."""
        if self._key is None or self._new == self._old or not self.path.parent.is_dir():
            return
        try:
            text = json.dumps({"key": self._key, "files": self._new}, ensure_ascii=False)
            with atomic_output(self.path) as tmp:
                tmp.write_text(text, encoding="utf-8")
        except (OSError, ValueError):
            pass  # only a cache (a lone surrogate cannot be UTF-8): the next run parses again


def cached_journeys(study: Study) -> list[Journey]:
    """`read_journeys` of the study's journey files, parsing only files that changed."""
    cache = JourneyCache(study)
    journeys = read_journeys(study.journey_files(), relative=study.relative, reader=cache.read)
    cache.save()
    return journeys


class ImportedJourneys:
    """The importer's journey reading, through the cache so that the first report after an
    import need not parse the files again.

    Only the stock reader goes through the cache: an injected *reader*'s journeys are
    neither served from it nor stored in it. The cache is opened only when a journey
    file is parsed, and written only by `save`, which the importer calls after its
    commit, so a bad file leaves no cache behind either.
    """

    def __init__(self, study: Study, reader: Callable[..., list[Journey]]) -> None:
        self._study = study
        self._reader = reader
        self._cache: JourneyCache | None = None
        self._unchanged: list[tuple[str, str]] = []

    def read(self, path: Path, source: str, digest: str) -> list[Journey]:
        if self._reader is not read_journey_file:
            return self._reader(path, source=source)
        if self._cache is None:
            self._cache = JourneyCache(self._study)
        return self._cache.read(path, source, digest=digest)

    def unchanged(self, source: str, digest: str) -> None:
        """A journey file the import skips: its cached journeys stay cached."""
        self._unchanged.append((source, digest))

    def save(self) -> None:
        if self._cache is None:
            return  # no journey file parsed: the cache is left as it was
        for source, digest in self._unchanged:
            self._cache.keep(source, digest)
        self._cache.save()

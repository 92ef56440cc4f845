"""The explorer's per-version snapshot: findings, names, themes and per-theme indexes.

Everything a page recomputed on every request lives here, built once for each
version of the store. The version is SQLite's `PRAGMA data_version` read on one
idle watcher connection: it moves on every commit by any other connection, in
this process or another, so a coding made in the browser (or by `journeylab
code`) is seen by the next request, and an unchanged store costs one pragma.
study.toml is stat'ed on each request too (explorer_study.LiveStudy): a changed one
counts as a new version, with new names, journeys and findings.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from markupsafe import Markup

from journeylab.coding.model import Theme
from journeylab.coding.records import SourceRecord
from journeylab.coding.store import Store
from journeylab.coding.study import Study
from journeylab.errors import JourneylabError
from journeylab.journeys.model import Journey
from journeylab.themes.explorer_counts import counted_segments, open_suggestions
from journeylab.themes.explorer_data import SegmentView, pseudonymiser
from journeylab.themes.explorer_index import (
    FILTERS,
    SegmentMeta,
    ThemeIndex,
    segment_meta,
    segment_order,
    short_slug,
)
from journeylab.themes.explorer_study import LiveStudy
from journeylab.themes.findings import Findings, ThemeFindings
from journeylab.themes.privacy import Pseudonymiser


@dataclass(frozen=True)
class Material:
    """What changes only when material is (re)imported or study.toml changes: names,
    sources, themes, filters."""

    signature: tuple[object, ...]  # (study.toml's digest, *material_signature)
    themes: list[Theme]
    names: Pseudonymiser
    sources: list[SourceRecord]
    meta: dict[str, SegmentMeta]
    order: dict[str, int]  # segment_order(meta)
    # study.toml's [study] title as every page's header and <title> show it: free
    # text, so through the names like any other text (QA: "… (projektleder Søren)").
    title: str
    # What pages render from the material alone (the search form's <option>s:
    # 224 sources at 1M words were ~0.8 ms a request), at most MEMO entries.
    memo: dict[object, object] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class Built:
    """A findings build, and the store version it was started at."""

    version: tuple[int, ...]
    findings: Findings
    by_anchor: dict[str, ThemeFindings]
    charts: dict[str, Markup]  # the overview's bar chart of each theme
    seconds: float


@dataclass
class Snapshot:
    """What one version of the store shows; per-theme parts are built on first use.

    `counted` and `counts` are always this version's (read from the codings); the
    findings (quotes, quantities, crosstab, charts) may be an older build while a
    newer one runs in the background: then `fresh` is False and pages say so.
    """

    version: tuple[int, ...]
    material: Material
    built: Built
    counted: dict[str, tuple[str, ...]]  # theme -> counted segment ids, (source, position)
    _indexes: dict[str, ThemeIndex] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    # Segment views read for this version (explorer_routes.cached_views): any commit
    # makes a new snapshot, so a view here is never older than the page showing it.
    views: dict[str, SegmentView] = field(default_factory=dict)

    @property
    def fresh(self) -> bool:
        return self.built.version == self.version

    @property
    def findings(self) -> Findings:
        return self.built.findings

    @property
    def themes(self) -> list[Theme]:
        return self.material.themes

    @property
    def names(self) -> Pseudonymiser:
        return self.material.names

    @property
    def sources(self) -> list[SourceRecord]:
        return self.material.sources

    @property
    def meta(self) -> dict[str, SegmentMeta]:
        return self.material.meta

    @property
    def charts(self) -> dict[str, Markup]:
        return self.built.charts

    @property
    def counts(self) -> dict[str, int]:
        """Coded segments per theme, as findings count them, for this very version."""
        return {t.name: len(self.counted.get(t.name, ())) for t in self.themes}

    def theme(self, slug: str) -> ThemeFindings | None:
        return self.built.by_anchor.get(slug)

    def index(self, store: Store, theme: ThemeFindings) -> ThemeIndex:
        with self._lock:
            found = self._indexes.get(theme.name)
            if found is None:
                found = self._indexes[theme.name] = self._build_index(store, theme)
            return found

    def _build_index(self, store: Store, theme: ThemeFindings) -> ThemeIndex:
        ids = self.counted.get(theme.name, ())
        coded = tuple(self.meta[i] for i in ids if i in self.meta)
        options = {k: tuple(sorted({m.value(k) for m in coded} - {""})) for k in FILTERS}
        return ThemeIndex(coded, options, open_suggestions(store, theme.name, set(ids)))


class Watcher:
    """The store's version: (file identity, data_version) from one idle connection."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn: sqlite3.Connection | None = None
        self._inode = -1

    def version(self) -> tuple[int, ...]:
        stat = os.stat(self.path)
        if self._conn is None or stat.st_ino != self._inode:
            # A replaced file (a fresh import) needs a fresh connection to see it.
            if self._conn is not None:
                self._conn.close()
            self._conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            self._inode = stat.st_ino
        (data_version,) = self._conn.execute("PRAGMA data_version").fetchone()
        return (stat.st_ino, int(data_version))

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def material_signature(store: Store) -> tuple[object, ...]:
    """Changes when an import or a codebook change touches what the material parts show."""
    sources = tuple(store.conn.execute("SELECT path, sha256 FROM sources ORDER BY path"))
    segments = tuple(store.conn.execute("SELECT count(*), max(rowid) FROM segments").fetchone())
    themes = tuple(tuple(r) for r in store.conn.execute("SELECT * FROM themes ORDER BY name"))
    return (sources, segments, themes)


class SnapshotCache:
    """The current Snapshot: cheap parts per store version, findings rebuilt behind.

    After a coding act the next request pays only for the counted segments (one
    narrow query); the findings are rebuilt at once when the last build was quick
    (SYNC_SECONDS), otherwise in a background thread while pages show the last
    build, marked as updating. One build runs at a time; a build that finishes
    behind the store starts the next.
    """

    SYNC_SECONDS = 1.0

    def __init__(
        self, study: Study, journeys: Sequence[Journey], include_suggestions: float | None
    ) -> None:
        from journeylab.themes.explorer_data import FindingsCache
        from journeylab.themes.explorer_worker import FindingsWorker

        self.live = LiveStudy(study)
        self.journeys = list(journeys)
        self.include_suggestions = include_suggestions
        self.findings = FindingsCache(study, journeys, include_suggestions)
        # Background builds run in a child process, so clicks never wait on them.
        self.background = FindingsWorker(study, journeys, include_suggestions)
        self._watcher = Watcher(study.store_path)
        self._journeys_key: tuple[object, ...] | None = None  # what self.journeys were read at
        self._lock = threading.Lock()
        self._value: Snapshot | None = None
        self._material: Material | None = None
        self._built: Built | None = None
        self._worker: threading.Thread | None = None
        self.builds = 0  # findings builds finished (tests and bench read it)
        self.snapshots = 0  # snapshots made (one per store version seen)

    @property
    def study(self) -> Study:
        """The study as study.toml said when it was last read (see `get`)."""
        return self.live.study

    @property
    def transitions(self) -> tuple[tuple[float, str], ...]:
        return self.live.state.transitions

    def last_names(self) -> Pseudonymiser:
        """The names of the last material built (an error page's text passes them)."""
        material = self._material
        return material.names if material is not None else Pseudonymiser.from_study(self.study, [])

    def _version(self) -> tuple[int, ...]:
        # study.toml's reloads count as versions too: new names need a new snapshot.
        return (*self._watcher.version(), self.live.generation)

    def get(self, store: Store) -> Snapshot:
        """This version's snapshot; StudyUnreadable while a changed study.toml cannot be read."""
        # Requests that arrive during a synchronous build wait for it instead of
        # each building the same findings.
        with self._lock:
            self.live.current()
            version = self._version()
            value = self._value
            if value is not None and value.version == version and value.built is self._built:
                return value
            if value is None or value.version != version:
                value = self._snapshot(store, version)
            elif self._built is not None:
                value = replace(value, built=self._built, _indexes={}, views=value.views)
            self._value = value
            return value

    def _snapshot(self, store: Store, version: tuple[int, ...]) -> Snapshot:
        signature = (self.live.state.digest, *material_signature(store))
        material = self._material
        if material is None or material.signature != signature:
            self._refresh_journeys(signature[:2])
            names = pseudonymiser(self.study, store)
            meta = segment_meta(store, names)
            material = self._material = Material(
                signature,
                store.themes(),
                names,
                store.sources(),
                meta,
                segment_order(meta),
                names.text(self.study.title),
            )
            self._built = None  # new material: never show findings of the old
        built = self._built
        if built is None or (built.version != version and built.seconds < self.SYNC_SECONDS):
            built = self._built = self._build(store, version)
        elif built.version != version:
            self._start_worker()
        self.snapshots += 1
        counted = counted_segments(store, material.order, self.include_suggestions)
        return Snapshot(version, material, built, counted)

    def _refresh_journeys(self, key: tuple[object, ...]) -> None:
        """Journeys (and the findings builders holding them) for this study.toml and these
        sources: an import rewrites journeys-cache.json, so a re-read parses nothing new."""
        from journeylab.journeys.cache import cached_journeys
        from journeylab.themes.explorer_data import FindingsCache
        from journeylab.themes.explorer_study import StudyUnreadable

        if self._journeys_key is not None and key != self._journeys_key:
            try:
                self.journeys = cached_journeys(self.study)
            except JourneylabError as exc:  # a journey file broken since the import
                raise StudyUnreadable(exc) from None
        self._journeys_key = key
        self.findings = FindingsCache(self.study, self.journeys, self.include_suggestions)
        # The child gets study and journeys with each build, so updating them is enough.
        self.background.study = self.study
        self.background.journeys = self.journeys

    def _build(self, store: Store, version: tuple[int, ...], *, background: bool = False) -> Built:
        from journeylab.themes.report import overview_svg
        from journeylab.themes.templating import strings

        started = time.perf_counter()
        findings = self.background.build() if background else None
        if findings is None:
            findings = self.findings.build(store)
        sizes = dict(findings.group_sizes)
        t = strings(self.study.language)
        self.builds += 1
        return Built(
            version=version,
            findings=findings,
            by_anchor={short_slug(th.anchor): th for th in findings.themes},
            charts={th.name: overview_svg(th, t, sizes) for th in findings.themes},
            seconds=time.perf_counter() - started,
        )

    def _start_worker(self) -> None:
        if self._worker is not None and self._worker.is_alive():
            return  # it starts the next build itself when it finishes behind
        self._worker = threading.Thread(target=self._work, name="findings", daemon=True)
        self._worker.start()

    def _work(self) -> None:
        from journeylab.themes.explorer_data import open_for

        while True:
            with self._lock:
                version = self._version()
                material = self._material
            # The version is read before the data, so a build is never marked
            # newer than what it read; a later commit just causes one more build.
            with open_for(self.study) as store:
                built = self._build(store, version, background=True)
            with self._lock:
                if self._material is material:
                    self._built = built
                if self._version() == version or self._material is not material:
                    return

    def wait(self, timeout: float = 60.0) -> None:
        """Until no background build runs (tests and the bench)."""
        worker = self._worker
        if worker is not None:
            worker.join(timeout)

"""The explorer's per-version snapshot: findings, names, themes and per-theme indexes.

Everything a page recomputed on every request lives here, built once for each
version of the store. The version is SQLite's `PRAGMA data_version` read on one
idle watcher connection: it moves on every commit by any other connection, in
this process or another, so a coding made in the browser (or by `journeylab
code`) is seen by the next request, and an unchanged store costs one pragma.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from markupsafe import Markup

from journeylab.coding.model import Role, Theme
from journeylab.coding.records import SourceRecord
from journeylab.coding.store import Store
from journeylab.coding.study import Study
from journeylab.journeys.model import Journey
from journeylab.themes.explorer_data import pseudonymiser
from journeylab.themes.findings import Findings, ThemeFindings
from journeylab.themes.privacy import Pseudonymiser

FILTERS = ("rolle", "kilde", "deltager", "fase", "farve")
PENDING = 10  # machine suggestions shown for review on a theme page
SIDE_ROLES = {
    "unge": (Role.UNG.value,),
    "medarbejdere": (Role.MEDARBEJDER.value, Role.LEDER.value),
}


@dataclass(frozen=True)
class SegmentMeta:
    """What the theme page filters on, for one segment (no text: that is read per page)."""

    id: str
    role: str
    source: str
    participant: str  # "Rejse J01", a speaker's pseudonym, or the source
    stage: str
    colour: str

    def value(self, key: str) -> str:
        return {
            "rolle": self.role,
            "kilde": self.source,
            "deltager": self.participant,
            "fase": self.stage,
            "farve": self.colour,
        }[key]


@dataclass(frozen=True)
class ThemeIndex:
    """One theme's coded segments (findings order), filter options and open suggestions."""

    coded: tuple[SegmentMeta, ...]
    options: dict[str, tuple[str, ...]]
    pending: tuple[str, ...]

    def filtered(self, chosen: dict[str, str]) -> list[SegmentMeta]:
        wanted = {k: v for k, v in chosen.items() if v}
        return [m for m in self.coded if all(m.value(k) == v for k, v in wanted.items())]


@dataclass
class Snapshot:
    """What one version of the store shows; per-theme parts are built on first use."""

    version: tuple[int, ...]
    findings: Findings
    themes: list[Theme]
    names: Pseudonymiser
    sources: list[SourceRecord]
    meta: dict[str, SegmentMeta]
    by_anchor: dict[str, ThemeFindings]
    charts: dict[str, Markup]  # the overview's bar chart of each theme
    _indexes: dict[str, ThemeIndex] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def theme(self, slug: str) -> ThemeFindings | None:
        return self.by_anchor.get(slug)

    def index(self, store: Store, theme: ThemeFindings) -> ThemeIndex:
        with self._lock:
            found = self._indexes.get(theme.name)
            if found is None:
                found = self._indexes[theme.name] = self._build_index(store, theme)
            return found

    def _build_index(self, store: Store, theme: ThemeFindings) -> ThemeIndex:
        ids = [c.segment_id for g in theme.groups for c in g.segments]
        coded = tuple(self.meta[i] for i in dict.fromkeys(ids) if i in self.meta)
        options = {k: tuple(sorted({m.value(k) for m in coded} - {""})) for k in FILTERS}
        return ThemeIndex(coded, options, open_suggestions(store, theme.name, set(ids)))


def short_slug(anchor: str) -> str:
    """The theme's URL name: the findings anchor without its "tema-" prefix."""
    return anchor[len("tema-") :] if anchor.startswith("tema-") else anchor


def open_suggestions(store: Store, theme: str, coded: set[str]) -> tuple[str, ...]:
    """Segments the machine suggests for *theme* that no person has decided on (first few)."""
    # One query in the store's order; the cursor stops as soon as enough are found.
    rows = store.conn.execute(
        "SELECT c.segment_id FROM codings c WHERE c.theme = ?1 AND c.status = 'suggested'"
        " AND NOT EXISTS (SELECT 1 FROM codings p WHERE p.segment_id = c.segment_id"
        " AND p.theme = ?1 AND substr(p.coder, 1, 8) != 'machine:')"
        " ORDER BY c.source, c.anchor_start",
        (theme,),
    )
    out: list[str] = []
    for (segment_id,) in rows:
        if segment_id not in coded and segment_id not in out:
            out.append(segment_id)
            if len(out) == PENDING:
                break
    return tuple(out)


def segment_meta(store: Store, names: Pseudonymiser) -> dict[str, SegmentMeta]:
    """Every segment's filter values, from one narrow query (no text, no lemmas)."""
    speakers: dict[str | None, str | None] = {}
    out = {}
    rows = store.conn.execute(
        "SELECT id, role, source, speaker, stage, colour, journey FROM segments"
    )
    for r in rows:
        speaker = r["speaker"]
        if speaker not in speakers:
            speakers[speaker] = names.speaker(speaker)
        label = f"Rejse {r['journey']}" if r["journey"] else (speakers[speaker] or r["source"])
        out[r["id"]] = SegmentMeta(
            r["id"], r["role"], r["source"], label, r["stage"] or "", r["colour"] or ""
        )
    return out


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


class SnapshotCache:
    """The current Snapshot, rebuilt only when the store's version moves."""

    def __init__(
        self, study: Study, journeys: Sequence[Journey], include_suggestions: float | None
    ) -> None:
        from journeylab.themes.explorer_data import FindingsCache

        self.study = study
        self.findings = FindingsCache(study, journeys, include_suggestions)
        self._watcher = Watcher(study.store_path)
        self._lock = threading.Lock()
        self._value: Snapshot | None = None
        self.builds = 0  # how many times a snapshot was built (tests and bench read it)

    def get(self, store: Store) -> Snapshot:
        # One build at a time: requests that arrive during a rebuild wait for it
        # instead of each rebuilding the same findings.
        with self._lock:
            version = self._watcher.version()
            if self._value is None or self._value.version != version:
                self._value = self._build(store, version)
                self.builds += 1
            return self._value

    def _build(self, store: Store, version: tuple[int, ...]) -> Snapshot:
        from journeylab.themes.report import overview_svg
        from journeylab.themes.templating import strings

        findings = self.findings.build(store)
        names = pseudonymiser(self.study, store)
        sizes = dict(findings.group_sizes)
        t = strings(self.study.language)
        return Snapshot(
            version=version,
            findings=findings,
            themes=store.themes(),
            names=names,
            sources=store.sources(),
            meta=segment_meta(store, names),
            by_anchor={short_slug(th.anchor): th for th in findings.themes},
            charts={th.name: overview_svg(th, t, sizes) for th in findings.themes},
        )

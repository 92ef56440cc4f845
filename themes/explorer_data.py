"""What the explorer's pages show: findings (cached), segment views with coding state.

Every function opens nothing itself; the caller passes an open `Store`, so each
request holds its connection for a few milliseconds only (two coders' writes
interleave through SQLite's WAL instead of waiting on a long-lived connection).
All user text leaving this module has been through the study's Pseudonymiser.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace

from journeylab.coding.model import Coding, CodingStatus, Role, Segment, Theme
from journeylab.coding.records import coder_kind, coding_from_row, segment_from_row
from journeylab.coding.store import Store, open_store
from journeylab.coding.study import Study
from journeylab.journeys.model import Journey
from journeylab.themes.findings import Findings, SourceInfo, build_findings
from journeylab.themes.privacy import Pseudonymiser

# A person's act on a segment and what it leaves behind.
COUNTED = (CodingStatus.ACCEPTED, CodingStatus.MANUAL)


@dataclass(frozen=True)
class ThemeMark:
    """One theme's state on one segment, as the coding controls show it."""

    name: str
    index: int  # 1-based position in the codebook (the keyboard shortcut)
    state: str  # "coded" | "suggested" | "rejected" | "none"
    mine: bool  # the explorer's coder holds a person coding for it
    score: float | None = None
    memo: str | None = None  # the memo of the coder's coding (a span's selected words)


@dataclass(frozen=True)
class SegmentView:
    id: str
    source: str
    kind: str
    text: str  # pseudonymised
    role: str
    speaker: str | None  # pseudonym
    stage: str | None
    colour: str | None
    journey: str | None
    marks: tuple[ThemeMark, ...]
    memos: tuple[str, ...] = ()

    @property
    def coded(self) -> tuple[ThemeMark, ...]:
        return tuple(m for m in self.marks if m.state == "coded")

    @property
    def suggested(self) -> tuple[ThemeMark, ...]:
        """The machine's open suggestions, highest score first (ties in codebook order).

        The block offers the first for "Godkend (a)" / "Afvis (r)"; codebook order
        (the marks' order) once made a weak suggestion win over a strong one.
        """
        ranked = sorted(
            (m for m in self.marks if m.state == "suggested"),
            key=lambda m: (-(m.score if m.score is not None else -1.0), m.index),
        )
        return tuple(ranked)


@dataclass(frozen=True)
class SearchResult:
    segment: SegmentView
    parts: tuple[tuple[str, bool], ...]  # (pseudonymised text, is a match)


class FindingsCache:
    """Builds the study's Findings from the store (explorer_cache decides when)."""

    def __init__(
        self, study: Study, journeys: Sequence[Journey], include_suggestions: float | None
    ) -> None:
        self.study = study
        self.journeys = list(journeys)
        self.include_suggestions = include_suggestions

    def build(self, store: Store) -> Findings:
        from journeylab.coding.codebook import with_default_colours
        from journeylab.coding.model import Codebook

        records = store.sources()
        statuses = [*COUNTED, CodingStatus.REJECTED]
        if self.include_suggestions is not None:
            statuses.append(CodingStatus.SUGGESTED)
        codebook = with_default_colours(
            Codebook(self.study.title, self.study.language, tuple(store.themes()))
        )
        sources = [
            SourceInfo(r.path, r.kind, r.title, r.participants, r.municipality, r.date)
            for r in records
        ]
        return build_findings(
            self.study,
            codebook,
            store.segments(),
            store.codings(statuses=statuses),
            self.journeys,
            sources,
            include_suggestions=self.include_suggestions,
        )


def pseudonymiser(study: Study, store: Store) -> Pseudonymiser:
    return Pseudonymiser.from_sources(study, store.sources())


def codings_for(store: Store, ids: Sequence[str]) -> dict[str, list[Coding]]:
    """Every coding of the given segments, by segment id (chunked IN queries)."""
    out: dict[str, list[Coding]] = defaultdict(list)
    unique = list(dict.fromkeys(ids))
    for i in range(0, len(unique), 500):
        chunk = unique[i : i + 500]
        rows = store.conn.execute(
            f"SELECT * FROM codings WHERE segment_id IN ({','.join('?' * len(chunk))})", chunk
        ).fetchall()
        for row in rows:
            out[row["segment_id"]].append(coding_from_row(row))
    return out


def marks_for(themes: Sequence[Theme], codings: Sequence[Coding], coder: str) -> list[ThemeMark]:
    """The state of every theme on a segment for *coder*, from all its codings."""
    marks = []
    for index, theme in enumerate(themes, start=1):
        mine = [c for c in codings if c.theme == theme.name and c.coder == coder]
        people = [c for c in codings if c.theme == theme.name and coder_kind(c.coder) == "person"]
        machine = [
            c
            for c in codings
            if c.theme == theme.name
            and coder_kind(c.coder) == "machine"
            and c.status is CodingStatus.SUGGESTED
        ]
        score = max((c.score for c in machine if c.score is not None), default=None)
        if any(c.status in COUNTED for c in people):
            state = "coded"
        elif any(c.status is CodingStatus.REJECTED for c in people):
            state = "rejected"
        elif machine:
            state = "suggested"
        else:
            state = "none"
        memo = next((c.memo for c in mine if c.memo), None)
        marks.append(ThemeMark(theme.name, index, state, bool(mine), score, memo))
    return marks


def segment_views(
    store: Store,
    segments: Sequence[Segment],
    themes: Sequence[Theme],
    coder: str,
    names: Pseudonymiser,
) -> list[SegmentView]:
    """Segments with their coding state and memos, ready for `_segment.html`."""
    by_segment = codings_for(store, [s.id for s in segments])
    memos = memos_for(store, [s.id for s in segments], names)
    return [
        SegmentView(
            id=s.id,
            source=s.source,
            kind=s.kind.value,
            text=names.text(s.text),
            role=s.role.value,
            speaker=names.speaker(s.speaker),
            stage=s.stage,
            colour=s.colour,
            journey=s.journey,
            marks=tuple(
                replace(m, memo=names.text(m.memo)) if m.memo else m
                for m in marks_for(themes, by_segment.get(s.id, []), coder)
            ),
            memos=tuple(memos.get(s.id, ())),
        )
        for s in segments
    ]


def memos_for(store: Store, ids: Sequence[str], names: Pseudonymiser) -> dict[str, list[str]]:
    """The segment memos of the given segments, oldest first, pseudonymised."""
    out: dict[str, list[str]] = defaultdict(list)
    unique = list(dict.fromkeys(ids))
    for i in range(0, len(unique), 500):
        chunk = unique[i : i + 500]
        rows = store.conn.execute(
            "SELECT target, text FROM memos WHERE target_kind = 'segment'"
            f" AND target IN ({','.join('?' * len(chunk))}) ORDER BY id",
            chunk,
        ).fetchall()
        for row in rows:
            out[row["target"]].append(names.text(row["text"]))
    return out


def segments_by_id(store: Store, ids: Sequence[str]) -> list[Segment]:
    """The segments with these ids, in the order given (unknown ids skipped)."""
    found: dict[str, Segment] = {}
    unique = list(dict.fromkeys(ids))
    for i in range(0, len(unique), 500):
        chunk = unique[i : i + 500]
        rows = store.conn.execute(
            f"SELECT * FROM segments WHERE id IN ({','.join('?' * len(chunk))})", chunk
        ).fetchall()
        found.update((r["id"], segment_from_row(r)) for r in rows)
    return [found[i] for i in unique if i in found]


def role_label(role: str) -> str:
    return {
        Role.UNG.value: "Ung",
        Role.MEDARBEJDER.value: "Medarbejder",
        Role.LEDER.value: "Leder",
        Role.INTERVIEWER.value: "Interviewer",
    }.get(role, role)


def open_for(study: Study) -> Store:
    """A short-lived store connection for one request."""
    return open_store(study)

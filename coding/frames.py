"""The pandas API: a study's tables as DataFrames, for notebooks and the spreadsheet export.

    >>> import journeylab
    >>> s = journeylab.open_study("examples/fjordby")   # after `journeylab import`
    >>> s.codings.groupby("theme").size()
    >>> s.crosstab                                      # theme x role, coded segments

Tables: `segments` (one row a segment), `codings` (one row a coding, with coder
and status), `themes`, `journeys` (one row a sticky note), `participants`
(one row a speaker or journey), `crosstab` (theme x role: segments with an
accepted or manual coding) and `memos`. Speakers and free texts (segment and note
text, memos, the codebook's texts, note actors, journey pseudonyms, participant
units) are pseudonymised unless `pseudonymise=False` is given (for the analyst's
own machine only).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from journeylab.coding.model import CodingStatus, Role, SegmentKind
from journeylab.coding.store import open_store
from journeylab.coding.study import Study, load_study
from journeylab.journeys.analysis import notes_frame
from journeylab.themes.privacy import Pseudonymiser

SEGMENT_COLUMNS = (
    "segment_id", "source", "kind", "position", "start", "end", "role", "speaker",
    "turn_index", "journey", "step", "colour", "stage", "text",
)  # fmt: skip
CODING_COLUMNS = (
    "segment_id", "source", "role", "speaker", "theme", "coder", "status", "score", "rank",
    "memo", "text",
)  # fmt: skip
THEME_COLUMNS = (
    "theme", "parent", "description", "color", "emergent", "keywords", "include", "exclude",
    "examples",
)  # fmt: skip
MEMO_COLUMNS = ("about", "target", "author", "text")
PARTICIPANT_COLUMNS = ("participant", "source", "speaker", "role", "unit", "segments")
ROLES = tuple(r.value for r in Role)
COUNTED = (CodingStatus.ACCEPTED, CodingStatus.MANUAL)


@dataclass(frozen=True)
class StudyFrames:
    """A study's tables as pandas DataFrames (see the module doc)."""

    study: Study
    segments: pd.DataFrame
    codings: pd.DataFrame
    themes: pd.DataFrame
    journeys: pd.DataFrame
    participants: pd.DataFrame
    crosstab: pd.DataFrame
    memos: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(MEMO_COLUMNS)))

    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables by name, in the order the spreadsheet export writes them."""
        return {
            "segments": self.segments,
            "codings": self.codings,
            "themes": self.themes,
            "journeys": self.journeys,
            "participants": self.participants,
            "crosstab": self.crosstab.reset_index(),
            "memos": self.memos,
        }


def _join(values: tuple[str, ...]) -> str:
    return "; ".join(values)


def study_frames(study: Study, *, pseudonymise: bool = True) -> StudyFrames:
    """The DataFrames of an imported study."""
    from journeylab.journeys.overview import study_journeys

    with open_store(study) as store:
        records = store.sources()
        segments = store.segments()
        codings = store.codings()
        themes = store.themes()
        memos = store.memos()
    participants = [p for r in records for p in r.participants]
    privacy = Pseudonymiser.from_study(study, participants) if pseudonymise else None

    def text(value: str | None) -> str | None:
        # Not only None: a pandas column holds NaN where a note has no actor.
        return privacy.text(value) if privacy is not None and isinstance(value, str) else value

    def texts(values: tuple[str, ...]) -> str:
        return _join(tuple(text(v) or "" for v in values))

    def speaker(value: str | None) -> str | None:
        return privacy.speaker(value) if privacy is not None else value

    seg_rows = [
        (s.id, s.source, s.kind.value, s.position, s.start, s.end, s.role.value,
         speaker(s.speaker), s.turn_index, s.journey, s.step, s.colour, s.stage, text(s.text))
        for s in segments
    ]  # fmt: skip
    seg_frame = pd.DataFrame(seg_rows, columns=list(SEGMENT_COLUMNS))
    by_id = {s.id: s for s in segments}
    coding_rows = []
    for c in codings:
        seg = by_id.get(c.segment_id)
        coding_rows.append(
            (c.segment_id, seg.source if seg else None, seg.role.value if seg else None,
             speaker(seg.speaker) if seg else None, c.theme, c.coder, c.status.value, c.score,
             c.rank, text(c.memo), text(seg.text) if seg else None)
        )  # fmt: skip
    coding_frame = pd.DataFrame(coding_rows, columns=list(CODING_COLUMNS))
    theme_frame = pd.DataFrame(
        [
            (t.name, t.parent, text(t.description), t.color, t.emergent, texts(t.keywords),
             texts(t.include), texts(t.exclude), texts(t.examples))
            for t in themes
        ],
        columns=list(THEME_COLUMNS),
    )  # fmt: skip
    journeys = study_journeys(study)
    notes = notes_frame(journeys)
    notes.insert(1, "pseudonym", notes["journey"].map({j.id: j.pseudonym for j in journeys}))
    # Every free text a person typed goes through the pseudonymiser, as in the report:
    # an actor "mentor (Åse Ørum)" is as much the note's text as the note itself.
    if privacy is not None:
        for column in ("text", "actor", "pseudonym"):
            notes[column] = notes[column].map(text)

    people: dict[tuple[str, str], list[object]] = {}
    for s in segments:
        who = s.journey if s.kind is SegmentKind.NOTE else s.speaker
        key = (f"journey:{who}", s.source) if s.kind is SegmentKind.NOTE else (s.source, who or "")
        row = people.setdefault(key, [None, s.source, speaker(s.speaker), s.role.value, None, 0])
        row[5] = int(str(row[5])) + 1
    for r in records:
        for p in r.participants:
            row = people.setdefault(
                (r.path, p.name), [None, r.path, speaker(p.name), p.role.value, None, 0]
            )
            row[4] = text(p.unit)
    part_rows = [
        [k[0] if k[0].startswith("journey:") else f"{k[0]}|{v[2] or ''}", *v[1:]]
        for k, v in sorted(people.items())
    ]
    part_frame = pd.DataFrame(part_rows, columns=list(PARTICIPANT_COLUMNS))

    counted = coding_frame[coding_frame["status"].isin([s.value for s in COUNTED])]
    counted = counted.drop_duplicates(["segment_id", "theme"])
    cross = pd.crosstab(counted["theme"], counted["role"]) if len(counted) else pd.DataFrame()
    cross = cross.reindex(index=[t.name for t in themes], columns=list(ROLES), fill_value=0)
    cross = cross.fillna(0).astype("int64")
    cross.index.name, cross.columns.name = "theme", "role"
    return StudyFrames(
        study=study,
        segments=seg_frame,
        codings=coding_frame,
        themes=theme_frame,
        journeys=notes,
        participants=part_frame,
        crosstab=cross,
        memos=pd.DataFrame(
            [(k, text(t), speaker(a), text(x)) for k, t, a, x in memos], columns=list(MEMO_COLUMNS)
        ),
    )


def open_study(path: str | Path, *, pseudonymise: bool = True) -> StudyFrames:
    """Open the study at *path* (run `journeylab import` first) as DataFrames."""
    return study_frames(load_study(path), pseudonymise=pseudonymise)

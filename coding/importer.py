"""`journeylab import`: read the study's files into the store, keeping every person's coding.

Everything is read and validated before the database is opened for writing; the
writes happen in one transaction, so a bad file leaves the store as it was.
Unchanged files (same sha256) are skipped. When a file changed, each person's
coding is re-anchored by its copied text (exact match nearest the old place,
else a whitespace-insensitive match) onto the new segment that overlaps it most;
a coding whose text is gone becomes an orphan, kept and reported, never dropped.
Segment memos are moved the same way, by the same matcher (coding/anchors.py,
coding/memo_anchor.py): a memo whose passage is gone is kept aside and reported,
never put on another passage.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from journeylab.coding.anchors import documents, relocate
from journeylab.coding.anchors import find_anchor as find_anchor  # tests import it here
from journeylab.coding.import_report import ImportReport, OrphanedCoding
from journeylab.coding.memo_anchor import (
    REMOVED,
    OrphanedMemo,
    anchored_memos,
    carry_memos,
    orphan_memo,
)
from journeylab.coding.model import Codebook, Segment, Transcript
from journeylab.coding.real_names import refuse_real_names
from journeylab.coding.segment import add_lemmas, journey_text, segment_journeys, segment_transcript
from journeylab.coding.store import (
    PERSON_STATUSES,
    AnchoredCoding,
    SourceRecord,
    Store,
    now,
    open_store,
)
from journeylab.coding.store_themes import warn_unlisted_themes
from journeylab.coding.study import Study
from journeylab.errors import InputError, JourneyError
from journeylab.journeys.model import Journey

if TYPE_CHECKING:
    from journeylab.journeys.cache import ImportedJourneys

Progress = Callable[[int, int, str], None]
ACTOR = "journeylab"


@dataclass(frozen=True)
class Readers:
    """The file readers the importer uses (injectable for tests)."""

    journeys: Callable[..., list[Journey]]
    transcript: Callable[..., Transcript]
    codebook: Callable[[Path], Codebook]


def default_readers() -> Readers:
    # Imported here: the readers pull in openpyxl/docx/webvtt, which `code` never needs.
    from journeylab.coding.codebook import load_codebook
    from journeylab.coding.transcripts import read_transcript
    from journeylab.journeys.readers import read_journey_file

    return Readers(read_journey_file, read_transcript, load_codebook)


@dataclass(frozen=True)
class _Parsed:
    record: SourceRecord
    segments: list[Segment]


def _sha256(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror}", path=path) from exc


def _parse_journeys(
    study: Study, path: Path, rel: str, digest: str, reading: ImportedJourneys
) -> _Parsed:
    journeys = reading.read(path, rel, digest)
    seen: set[str] = set()
    for j in journeys:
        if j.id in seen:
            raise JourneyError(
                f"journey '{j.id}' appears twice",
                path=path,
                hint="give each journey its own id",
            )
        seen.add(j.id)
    text = "\n\n".join(journey_text(j) for j in journeys)
    record = SourceRecord(
        path=rel,
        kind="journey",
        sha256=digest,
        text=text,
        municipality=next((j.municipality for j in journeys if j.municipality), None),
        attributes=(("journeys", " ".join(j.id for j in journeys)),),
        words=len(text.split()),
    )
    return _Parsed(record, segment_journeys(journeys))


def _journey_ids(record: SourceRecord) -> list[str]:
    return dict(record.attributes).get("journeys", "").split()


def _check_journey_ids(study: Study, files: Sequence[tuple[str, list[str]]]) -> None:
    """A journey id may be used in one file only: notes would be merged or lost."""
    owner: dict[str, str] = {}
    for rel, ids in files:
        for jid in ids:
            if jid in owner and owner[jid] != rel:
                raise JourneyError(
                    f"journey '{jid}' is used in both {owner[jid]} and {rel}",
                    path=study.root / rel,
                    hint="give each journey its own id",
                )
            owner[jid] = rel


def _parse_transcript(study: Study, path: Path, rel: str, digest: str, readers: Readers) -> _Parsed:
    transcript = readers.transcript(path, study, source=rel)
    record = SourceRecord(
        path=rel,
        kind="transcript",
        sha256=digest,
        text=transcript.text,
        title=transcript.title,
        date=transcript.date,
        municipality=transcript.municipality,
        participants=transcript.participants,
        words=len(transcript.text.split()),
    )
    segments = segment_transcript(transcript, lang=study.language, pipeline=study.pipeline)
    return _Parsed(record, segments)


# -- re-anchoring -------------------------------------------------------------


def _carry_over(
    store: Store,
    kept: list[AnchoredCoding],
    old_segments: dict[str, Segment],
    new_segments: list[Segment],
    source_text: str,
    orphaned: list[OrphanedCoding],
) -> int:
    """Re-anchor *kept* codings onto *new_segments*; the number carried over."""
    docs = documents(new_segments, source_text)
    placed: set[tuple[str, str, str]] = set()
    count = 0
    for item in kept:
        old = old_segments.get(item.coding.segment_id)
        found = relocate(docs, old, item.anchor_text, item.anchor_start)
        reason = "the coded text is no longer in the file"
        if found is not None:
            target, anchor_text, anchor_start, anchor_end = found
            slot = (target.id, item.coding.theme, item.coding.coder)
            if slot not in placed:
                placed.add(slot)
                moved = AnchoredCoding(
                    coding=item.coding,
                    source=target.source,
                    anchor_text=anchor_text,
                    anchor_start=anchor_start,
                    anchor_end=anchor_end,
                    created=item.created,
                )
                store.insert_coding(moved, target)
                count += 1
                continue
            reason = f"the same theme by the same coder is already on {target.id}"
        store.add_orphan(item, reason)
        orphaned.append(_orphaned(item, reason))
    return count


@dataclass
class _Carried:
    """What an import carried over or kept aside, summed over the files."""

    codings: int = 0
    memos: int = 0
    orphaned: list[OrphanedCoding] = field(default_factory=list)
    orphaned_memos: list[OrphanedMemo] = field(default_factory=list)


def _move_work(
    store: Store,
    old_rel: str,
    put: SourceRecord | None,
    segments: list[Segment],
    text: str,
    carried: _Carried,
) -> None:
    """Take the person codings and segment memos off *old_rel*, delete it (putting
    *put*, its new version, in its place), and re-anchor them on *segments* by text."""
    old_segments = {s.id: s for s in store.segments(source=old_rel)}
    kept = store.anchored_codings(statuses=PERSON_STATUSES, source=old_rel)
    memos = anchored_memos(store, old_rel)
    store.delete_codings(source=old_rel)  # suggestions go: `code` recomputes them
    store.delete_source(old_rel)
    if put is not None:
        store.put_source(put, segments)
    carried.codings += _carry_over(store, kept, old_segments, segments, text, carried.orphaned)
    moved, lost = carry_memos(store, memos, old_segments, segments, text)
    carried.memos += moved
    carried.orphaned_memos += lost


def _orphaned(item: AnchoredCoding, reason: str) -> OrphanedCoding:
    c = item.coding
    return OrphanedCoding(item.source, c.theme, c.coder, c.status, item.anchor_text, reason)


# -- the import -----------------------------------------------------------------


def import_study(
    study: Study,
    *,
    progress: Progress | None = None,
    readers: Readers | None = None,
) -> ImportReport:
    """Read the study's journeys and transcripts into its store (see the module doc)."""
    from journeylab.journeys.cache import ImportedJourneys

    readers = readers or default_readers()
    journey_reading = ImportedJourneys(study, readers.journeys)  # fills the report's cache
    files = [(p, "journey") for p in study.journey_files()]
    files += [(p, "transcript") for p in study.transcript_files()]
    stored: dict[str, str] = {}
    stored_journeys: dict[str, list[str]] = {}
    sources: list[SourceRecord] = []
    if study.store_path.exists():
        with open_store(study) as store:
            sources = store.sources()
        stored = {s.path: s.sha256 for s in sources}
        stored_journeys = {s.path: _journey_ids(s) for s in sources if s.kind == "journey"}

    # 1. Read and check everything; nothing is written until all files are good.
    codebook = readers.codebook(study.codebook_path)
    parsed: list[_Parsed] = []
    unchanged: list[str] = []
    present: set[str] = set()
    for i, (path, kind) in enumerate(files):
        rel = study.relative(path)
        if progress:
            progress(i, len(files), rel)
        present.add(rel)
        digest = study.import_key(path, _sha256(path))
        if stored.get(rel) == digest:
            unchanged.append(rel)
            if kind == "journey":
                journey_reading.unchanged(rel, digest)
            continue
        if kind == "journey":
            parsed.append(_parse_journeys(study, path, rel, digest, journey_reading))
        else:
            parsed.append(_parse_transcript(study, path, rel, digest, readers))
    kept_files = set(unchanged)
    ids = [(rel, stored_journeys.get(rel, [])) for rel in unchanged]
    ids += [(p.record.path, _journey_ids(p.record)) for p in parsed]
    _check_journey_ids(study, ids)
    # A file name or journey id is in every segment id, and a theme name in every
    # coding: a real name there would reach every sheet, export and URL, so it is
    # refused before anything is written.
    refuse_real_names(
        study,
        sorted(ids),
        [q for src in sources if src.path in kept_files for q in src.participants]
        + [q for p in parsed for q in p.record.participants],
        themes=codebook.names,
    )
    all_new = [seg for p in parsed for seg in p.segments]
    all_new = add_lemmas(all_new, study.language, study.pipeline)
    by_source: dict[str, list[Segment]] = {}
    for seg in all_new:
        by_source.setdefault(seg.source, []).append(seg)
    if progress:
        progress(len(files), len(files), "")
    removed = sorted(set(stored) - present)

    # A file renamed without a change (as a real name in its name asks for) keeps its
    # work: same content, so its codings and memos move to the new name by their text.
    new_files = {p.record.sha256: p.record for p in parsed if p.record.path not in stored}
    renamed = {rel: new_files.pop(stored[rel]) for rel in removed if stored[rel] in new_files}

    # 2. Write it all in one transaction.
    carried = _Carried()
    added: list[str] = []
    changed: list[str] = []
    with open_store(study, create=True) as store, store.transaction():
        store.sync_themes(codebook)
        for item in parsed:
            rel = item.record.path
            segments = by_source.get(rel, [])
            if rel not in stored:
                store.put_source(_stamped(item.record), segments)
                added.append(rel)
                continue
            _move_work(store, rel, _stamped(item.record), segments, item.record.text, carried)
            changed.append(rel)
        for rel in removed:
            if rel in renamed:
                new = renamed[rel]
                _move_work(store, rel, None, by_source.get(new.path, []), new.text, carried)
                continue
            for kept_item in store.anchored_codings(statuses=PERSON_STATUSES, source=rel):
                reason = "the file was removed from the study"
                store.add_orphan(kept_item, reason)
                carried.orphaned.append(_orphaned(kept_item, reason))
            for memo in anchored_memos(store, rel):
                carried.orphaned_memos.append(orphan_memo(store, memo, REMOVED))
            store.delete_codings(source=rel)
            store.delete_source(rel)
        total = store.count_segments()  # not len(segments()): that read all of them
        store.log(
            ACTOR,
            "import",
            {
                "added": added,
                "changed": changed,
                "removed": removed,
                "unchanged": len(unchanged),
                "renamed": {rel: new.path for rel, new in renamed.items()},
                "reanchored": carried.codings,
                "orphaned": len(carried.orphaned),
                "memos_reanchored": carried.memos,
                "memos_orphaned": len(carried.orphaned_memos),
            },
        )
        warn_unlisted_themes(study, store)  # a renamed theme: its person codings left out
    journey_reading.save()  # after the commit: .journeylab/ exists, and all files were good
    return ImportReport(
        added=tuple(added),
        changed=tuple(changed),
        unchanged=tuple(unchanged),
        removed=tuple(removed),
        segments=total,
        reanchored=carried.codings,
        orphaned=tuple(carried.orphaned),
        memos_reanchored=carried.memos,
        orphaned_memos=tuple(carried.orphaned_memos),
    )


def _stamped(record: SourceRecord) -> SourceRecord:
    return replace(record, imported_at=now())

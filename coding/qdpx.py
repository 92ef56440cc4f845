"""REFI-QDA project export (.qdpx): the study for QualCoder, NVivo, ATLAS.ti, MAXQDA.

A .qdpx is a zip with `project.qde` (XML, namespace urn:QDA-XML:project:1.0)
and `sources/<guid>.txt`. Every stored source (transcript or journey file) is a
TextSource with its normalised text (UTF-8, LF line ends); every person's
coding (accepted or manual by default) is a PlainTextSelection over its
segment with one Coding per theme and coder. Positions are zero-based offsets
counted in Unicode code points, end exclusive, into that LF text (the
standard's "characters"; coding/qdpx_read.py also accepts UTF-16 units and
CRLF-counting positions from other tools).

A journey file's TextSource text is its notes one a line; its colours, steps,
stages, ages and actors travel in a Note the source refers to, and coding
statuses other than manual in one project-level Note (coding/qdpx_journeys.py),
so journeylab reads its own projects back without loss.

Memos are Notes with their author as creatingUser (a User, like the coders),
referenced from their target: the project, a Code, a TextSource, or a
PlainTextSelection (one is written for a memo's passage even when nothing on it
is coded). A journey memo is referenced from the file holding the journey and
its Description is ``journeylab:journey <id>`` (coding/qdpx_journeys.py).

GUIDs are uuid5 of the study (title, municipality) and the theme name, source
path or coding key, so a second export of the same study has the same GUIDs.
Texts are pseudonymised piece by piece between selection boundaries so the
positions stay exact, and every text is checked for real names before the
file is written; on a leak nothing is written.
"""

from __future__ import annotations

import itertools
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from lxml import etree

from journeylab.coding.codebook import load_codebook, with_default_colours
from journeylab.coding.model import Codebook, CodingStatus, Segment, SegmentKind
from journeylab.coding.qdc import add_codes, make_guid, pseudonymised_codebook, study_namespace
from journeylab.coding.qdpx_journeys import (
    JOURNEY_MEMO,
    JOURNEY_TARGET,
    STATUS_NOTE,
    STRUCTURE_NOTE,
    journeys_for_export,
    note_bounds,
    status_text,
    structure_text,
)
from journeylab.coding.records import AnchoredCoding, SourceRecord
from journeylab.coding.store import open_store
from journeylab.coding.study import Study
from journeylab.fileio import atomic_output
from journeylab.themes.privacy import Pseudonymiser

NS = "urn:QDA-XML:project:1.0"
ROLE_VARIABLE = "rolle"
KIND_PREFIX = "journeylab:"  # TextSource Description "journeylab:journey" marks journey files
DEFAULT_STATUSES = (CodingStatus.ACCEPTED, CodingStatus.MANUAL)
OWN_NOTE_DESCRIPTIONS = {
    STRUCTURE_NOTE: "Rejsernes trin, farver og faser, så journeylab kan læse rejserne ind igen.",
    STATUS_NOTE: "Kodningernes status (accepteret forslag eller manuel) til journeylab.",
}


def _e(parent: etree._Element, tag: str, **attrs: str) -> etree._Element:
    return etree.SubElement(parent, f"{{{NS}}}{tag}", **attrs)


@dataclass(frozen=True)
class ExportQdpxReport:
    path: Path
    sources: int
    codes: int
    codings: int
    users: tuple[str, ...]


def journey_offsets(record: SourceRecord, segments: Sequence[Segment]) -> dict[str, int]:
    """Where each journey's text starts in a journey file's text (notes one a line,
    journeys separated by a blank line, as the importer joins them)."""
    starts: dict[str, int] = {}
    ends: dict[str, int] = {}
    order: list[str] = []
    for seg in sorted(segments, key=lambda s: s.position):
        key = seg.journey or ""
        if key not in ends:
            order.append(key)
        ends[key] = max(ends.get(key, 0), seg.end)
    offset = 0
    for key in order:
        starts[key] = offset
        offset += ends[key] + 2
    return starts


def segment_span(seg: Segment, record: SourceRecord, starts: dict[str, int]) -> tuple[int, int]:
    """The segment's [start, end) in its source's whole text."""
    if seg.kind is SegmentKind.NOTE:
        base = starts.get(seg.journey or "", 0)
        start, end = base + seg.start, base + seg.end
        if record.text[start:end] != seg.text:  # a hand-changed store: find the note
            found = record.text.find(seg.text)
            start, end = (found, found + len(seg.text)) if found >= 0 else (0, 0)
        return start, end
    return seg.start, seg.end


def pseudonymise_spans(
    text: str, cuts: Iterable[int], privacy: Pseudonymiser
) -> tuple[str, dict[int, int]]:
    """*text* with real names replaced, cut into pieces at *cuts* so that every cut
    offset can be mapped into the new text (the returned old -> new offsets)."""
    points = sorted({0, len(text), *(c for c in cuts if 0 <= c <= len(text))})
    pieces: list[str] = []
    mapping: dict[int, int] = {0: 0}
    length = 0
    for a, b in itertools.pairwise(points):
        piece = privacy.text(text[a:b])
        pieces.append(piece)
        length += len(piece)
        mapping[b] = length
    return "".join(pieces), mapping


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def build_project(
    study: Study,
    *,
    statuses: Sequence[CodingStatus] = DEFAULT_STATUSES,
) -> tuple[bytes, dict[str, str], ExportQdpxReport, Pseudonymiser]:
    """project.qde and the source texts (zip name -> text), before anything is written."""
    ns_uuid = study_namespace(study)

    def guid(kind: str, key: str) -> str:
        return make_guid(ns_uuid, kind, key)

    with open_store(study) as store:
        records = store.sources()
        segments = store.segments()
        anchored = store.anchored_codings(statuses=statuses)
        themes = store.themes()
        memos = store.memos()
    codebook = (
        Codebook(study.title, study.language, tuple(themes))
        if themes
        else load_codebook(study.codebook_path)
    )
    codebook = with_default_colours(codebook)
    privacy = Pseudonymiser.from_sources(study, records)
    # Descriptions are free text like any other (the report pseudonymises them too);
    # names stay as they are, since GUIDs and every coding hang on them.
    codebook = pseudonymised_codebook(codebook, privacy)
    seg_by_id = {s.id: s for s in segments}
    by_source: dict[str, list[Segment]] = {}
    for s in segments:
        by_source.setdefault(s.source, []).append(s)
    codings_by_seg: dict[str, list[AnchoredCoding]] = {}
    for a in anchored:
        if a.coding.segment_id in seg_by_id and codebook.theme(a.coding.theme) is not None:
            codings_by_seg.setdefault(a.coding.segment_id, []).append(a)

    # Notes (memos): project-wide ones hang off the project, others off their target,
    # each with its author as creatingUser. A journey memo hangs off the file holding
    # the journey (the schema gives a Case no NoteRef); its Description names the
    # journey. A memo whose target is not exported (a passage whose span is lost, a
    # journey no longer in any file) hangs off the project: a Note nothing refers to
    # is shown nowhere in most tools.
    journey_files = {s.journey: s.source for s in segments if s.kind is SegmentKind.NOTE}
    note_targets: dict[tuple[str, str], list[str]] = {}
    notes: list[tuple[str, str, str, str | None]] = []  # guid, author, text, journey
    for i, (kind, target, author, text) in enumerate(memos):
        g = guid("memo", f"{i}|{kind}|{target}|{text}")
        journey = None
        if kind == "source" and target.startswith(JOURNEY_TARGET):
            journey = target[len(JOURNEY_TARGET) :]
            target = journey_files.get(journey, "")
        notes.append((g, author, privacy.text(text), journey))
        note_targets.setdefault((kind, target), []).append(g)
    referenced: set[str] = set()

    def refs(kind: str, target: str) -> list[str]:
        found = note_targets.get((kind, target), [])
        referenced.update(found)
        return found

    memo_segments = {t for k, t in note_targets if k == "segment"}
    coders = sorted({a.coding.coder for a in anchored if a.coding.segment_id in codings_by_seg})
    authors = sorted({a for _, a, _, _ in notes} - set(coders))
    stamp = _now()
    root = etree.Element(
        f"{{{NS}}}Project",
        nsmap={None: NS},
        name=privacy.text(study.title),
        origin="journeylab",
        creationDateTime=stamp,
    )
    users = _e(root, "Users") if coders or authors else None
    for name in [*coders, *authors]:
        assert users is not None
        _e(users, "User", guid=guid("user", name), name=privacy.speaker(name) or name, id=name)
    add_codes(
        _e(root, "CodeBook"),
        NS,
        codebook,
        lambda name: guid("theme", name),
        lambda name: refs("theme", name),
    )

    # Cases: one per participant (speaker of a transcript, or a journey), with a role.
    variables = _e(root, "Variables")
    role_guid = guid("variable", ROLE_VARIABLE)
    variable = _e(variables, "Variable", guid=role_guid, name=ROLE_VARIABLE, typeOfVariable="Text")
    _e(variable, "Description").text = "ung, medarbejder, leder eller interviewer"
    cases: dict[str, tuple[str, str, set[str]]] = {}  # key -> (name, role, sources)
    for seg in segments:
        who = seg.journey if seg.kind is SegmentKind.NOTE else seg.speaker
        key = f"{seg.source}|{who}" if seg.kind is not SegmentKind.NOTE else f"journey:{who}"
        name = privacy.speaker(seg.speaker) or who or seg.source
        cases.setdefault(key, (name, seg.role.value, set()))[2].add(seg.source)
    if cases:
        cases_el = _e(root, "Cases")
        for key, (name, role, sources) in sorted(cases.items()):
            case = _e(cases_el, "Case", guid=guid("case", key), name=name)
            value = _e(case, "VariableValue")
            _e(value, "VariableRef", targetGUID=role_guid)
            _e(value, "TextValue").text = role
            for src in sorted(sources):
                _e(case, "SourceRef", targetGUID=guid("source", src))

    texts: dict[str, str] = {}
    n_codings = 0
    # journeylab's own notes: each journey file's structure, and the coding statuses.
    own_notes: list[tuple[str, str, str]] = []  # guid, name, YAML
    statuses_out: dict[str, CodingStatus] = {}
    sources_el = _e(root, "Sources") if records else None
    for record in records:
        assert sources_el is not None
        segs = by_source.get(record.path, [])
        starts = journey_offsets(record, segs) if record.kind == "journey" else {}
        # A passage with a memo but no exported coding still gets a selection for its memo.
        coded = [s for s in segs if s.id in codings_by_seg or s.id in memo_segments]
        spans = {s.id: segment_span(s, record, starts) for s in coded}
        journeys = (
            journeys_for_export(study.root, record, segs) if record.kind == "journey" else None
        )
        cuts = [p for span in spans.values() for p in span] + note_bounds(journeys or [])
        text, moved = pseudonymise_spans(record.text, cuts, privacy)
        src_guid = guid("source", record.path)
        texts[f"sources/{src_guid}.txt"] = text
        source = _e(
            sources_el,
            "TextSource",
            guid=src_guid,
            name=record.path,
            plainTextPath=f"internal://{src_guid}.txt",
            creationDateTime=stamp,
        )
        _e(source, "Description").text = KIND_PREFIX + record.kind
        for seg in coded:
            start, end = spans[seg.id]
            if end <= start:
                continue
            sel = _e(
                source,
                "PlainTextSelection",
                guid=guid("selection", seg.id),
                name=" ".join(text[moved[start] : moved[end]].split())[:60],
                startPosition=str(moved[start]),
                endPosition=str(moved[end]),
            )
            for a in codings_by_seg.get(seg.id, []):
                c = a.coding
                coding = _e(
                    sel,
                    "Coding",
                    guid=guid("coding", f"{seg.id}|{c.theme}|{c.coder}"),
                    creatingUser=guid("user", c.coder),
                )
                _e(coding, "CodeRef", targetGUID=guid("theme", c.theme))
                if c.status is not CodingStatus.MANUAL:
                    statuses_out[coding.get("guid") or ""] = c.status
                n_codings += 1
            for target in refs("segment", seg.id):
                _e(sel, "NoteRef", targetGUID=target)
        for target in refs("source", record.path):
            _e(source, "NoteRef", targetGUID=target)
        structure = structure_text(journeys, privacy, text) if journeys else None
        if structure is not None:
            own_notes.append((guid("journeys", record.path), STRUCTURE_NOTE, structure))
            _e(source, "NoteRef", targetGUID=own_notes[-1][0])
    if statuses_out:
        own_notes.append((guid("status", STATUS_NOTE), STATUS_NOTE, status_text(statuses_out)))
    if notes or own_notes:
        notes_el = _e(root, "Notes")
        for g, author, text, journey in notes:
            note = _e(notes_el, "Note", guid=g, name=text.split("\n")[0][:60] or "memo")
            # The memo's author, as a User like the coders (coding/qdpx_read.py reads it back).
            note.set("creatingUser", guid("user", author))
            if journey is not None:
                _e(note, "Description").text = JOURNEY_MEMO + journey
            _e(note, "PlainTextContent").text = text
        for g, name, text in own_notes:
            note = _e(notes_el, "Note", guid=g, name=name)
            _e(note, "Description").text = OWN_NOTE_DESCRIPTIONS[name]
            _e(note, "PlainTextContent").text = text
    study_notes = refs("study", "") + refs("study", study.title)
    for target in study_notes + [g for g, *_ in notes if g not in referenced]:
        _e(root, "NoteRef", targetGUID=target)
    data = etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)
    report = ExportQdpxReport(
        path=Path(),
        sources=len(records),
        codes=len(codebook.themes),
        codings=n_codings,
        users=tuple(coders),
    )
    return bytes(data), texts, report, privacy


def export_qdpx(
    study: Study,
    out: str | Path,
    *,
    statuses: Sequence[CodingStatus] = DEFAULT_STATUSES,
) -> ExportQdpxReport:
    """Write the study as a REFI-QDA project (.qdpx), checked for real names, atomically."""
    out = Path(out)
    data, texts, report, privacy = build_project(study, statuses=statuses)
    privacy.check(data.decode("utf-8"), path=out)
    for name, text in texts.items():
        privacy.check(text, path=f"{out}!{name}")
    with atomic_output(out) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("project.qde", data)
        for name, text in sorted(texts.items()):
            zf.writestr(name, text.encode("utf-8"))
    return ExportQdpxReport(out, report.sources, report.codes, report.codings, report.users)

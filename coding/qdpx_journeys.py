"""Journeys and coding statuses through a REFI-QDA project, without loss.

The standard has no place for sticky-note colours, steps or stages, nor for a
coding's status. A journey file is therefore exported as a TextSource whose
plain text is the file's normalised text (each journey's notes one a line,
journeys separated by a blank line: what every other tool shows and codes),
plus a Note named ``journeylab:journeys`` referenced from that source, holding
the journeys in the YAML journey format (journeys/writers.journey_to_dict).
The statuses other than "manual" go into one project-level Note named
``journeylab:status`` (coding GUID -> status).

On import, a source whose structure note parses and whose journeys give exactly
its text is written back as a journey file, so a normal import re-creates the
note segments; selections then land on the notes by their offsets. A project
from another tool has no such notes and is read as before.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from pathlib import Path

import yaml

from journeylab.coding.model import CodingStatus, Segment, SegmentKind
from journeylab.coding.records import SourceRecord
from journeylab.coding.segment import journey_text
from journeylab.errors import JourneylabError
from journeylab.journeys.model import Colour, Journey, Note, Step, parse_stage
from journeylab.journeys.writers import journey_to_dict, write_table, write_yaml
from journeylab.themes.privacy import Pseudonymiser

STRUCTURE_NOTE = "journeylab:journeys"
STATUS_NOTE = "journeylab:status"
FORMAT_VERSION = 1
# A journey's memo is a Note referenced from the file that holds the journey (the
# schema gives a Case no NoteRef); the Note's Description names the journey so the
# import can put it back on the journey. coding/memos.py stores a journey memo as
# a source memo on "journey:<id>".
JOURNEY_MEMO = "journeylab:journey "
JOURNEY_TARGET = "journey:"
JOURNEY_SUFFIXES = (".yaml", ".yml", ".csv", ".xlsx")


def file_text(journeys: Sequence[Journey]) -> str:
    """A journey file's text as the importer stores it."""
    return "\n\n".join(journey_text(j) for j in journeys)


def journey_bases(journeys: Sequence[Journey]) -> dict[str, int]:
    """Where each journey's text starts in the file's text."""
    bases: dict[str, int] = {}
    offset = 0
    for journey in journeys:
        bases[journey.id] = offset
        offset += len(journey_text(journey)) + 2
    return bases


def note_bounds(journeys: Sequence[Journey]) -> list[int]:
    """Every note's start and end in the file's text (cuts that keep notes whole)."""
    out: list[int] = []
    for journey, base in zip(journeys, journey_bases(journeys).values(), strict=True):
        offset = base
        for note in journey.notes:
            out += [offset, offset + len(note.text)]
            offset += len(note.text) + 1
    return out


def _from_segments(segments: Sequence[Segment]) -> list[Journey] | None:
    """The journeys as far as the store knows them (no ages or actors)."""
    order: list[str] = []
    by_journey: dict[str, list[Segment]] = {}
    for seg in sorted(segments, key=lambda s: s.position):
        if seg.kind is not SegmentKind.NOTE or seg.journey is None:
            return None
        if seg.journey not in by_journey:
            order.append(seg.journey)
        by_journey.setdefault(seg.journey, []).append(seg)
    journeys = []
    for jid in order:
        steps: dict[int, list[Note]] = {}
        for seg in by_journey[jid]:
            stage = parse_stage(seg.stage) if seg.stage else None
            colour = Colour(seg.colour) if seg.colour in set(Colour) else None
            if colour is None or seg.step is None:
                return None
            steps.setdefault(seg.step, []).append(Note(colour, seg.text, stage=stage))
        built = []
        for notes in steps.values():
            if notes[0].colour is not Colour.YELLOW:
                return None
            event, rest = notes[0], notes[1:]
            # A side note's stage is its step's unless it says otherwise.
            rest = [
                n if n.stage != event.stage else dataclasses.replace(n, stage=None) for n in rest
            ]
            green = tuple(n for n in rest if n.colour is Colour.GREEN)
            red = tuple(n for n in rest if n.colour is Colour.RED)
            if any(n.colour is Colour.YELLOW for n in rest):
                return None
            built.append(Step(event, green, red))
        speaker = by_journey[jid][0].speaker
        journeys.append(Journey(jid, tuple(built), pseudonym=speaker if speaker != jid else None))
    return journeys


def journeys_for_export(
    root: Path, record: SourceRecord, segments: Sequence[Segment]
) -> list[Journey] | None:
    """The journeys of a stored journey file: read from the file when it still gives the
    stored text, else rebuilt from the segments; None when neither fits the text."""
    from journeylab.journeys.readers import read_journey_file

    try:
        journeys = read_journey_file(root / record.path, source=record.path)
    except (JourneylabError, OSError):
        journeys = []
    if journeys and file_text(journeys) == record.text:
        return journeys
    rebuilt = _from_segments(segments)
    return rebuilt if rebuilt and file_text(rebuilt) == record.text else None


def _clean(value: str | None, privacy: Pseudonymiser) -> str | None:
    return privacy.text(value) if value is not None else None


def _pseudonymised(journey: Journey, privacy: Pseudonymiser) -> Journey:
    def note(n: Note) -> Note:
        return dataclasses.replace(
            n,
            text=privacy.text(n.text),
            actor=_clean(n.actor, privacy),
            date=_clean(n.date, privacy),
        )

    steps = tuple(
        Step(note(s.event), tuple(map(note, s.green)), tuple(map(note, s.red)))
        for s in journey.steps
    )
    return dataclasses.replace(
        journey,
        steps=steps,
        pseudonym=_clean(journey.pseudonym, privacy),
        gender=_clean(journey.gender, privacy),
        municipality=_clean(journey.municipality, privacy),
        attributes=tuple((k, privacy.text(v)) for k, v in journey.attributes),
    )


def structure_text(
    journeys: Sequence[Journey], privacy: Pseudonymiser, exported: str
) -> str | None:
    """The structure note's YAML, or None when the pseudonymised journeys do not give
    exactly the *exported* text (then the source goes out as plain text only)."""
    clean = [_pseudonymised(j, privacy) for j in journeys]
    if file_text(clean) != exported:
        return None
    data = {"journeylab": FORMAT_VERSION, "journeys": [journey_to_dict(j) for j in clean]}
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def status_text(statuses: Mapping[str, CodingStatus]) -> str:
    """The status note's YAML: coding GUID -> status, for statuses other than manual."""
    return yaml.safe_dump({k: v.value for k, v in sorted(statuses.items())}, sort_keys=False)


def memo_journey(description: str | None) -> str | None:
    """The journey a memo Note is about, from its Description (None for other notes)."""
    text = (description or "").strip()
    if not text.startswith(JOURNEY_MEMO):
        return None
    return text[len(JOURNEY_MEMO) :].strip() or None


def read_statuses(text: str | None) -> dict[str, CodingStatus]:
    """Coding GUID -> status from a status note (empty when it is absent or damaged)."""
    try:
        data = yaml.safe_load(text or "")
    except yaml.YAMLError:
        return {}
    if not isinstance(data, dict):
        return {}
    out: dict[str, CodingStatus] = {}
    for key, value in data.items():
        if str(value) in {s.value for s in CodingStatus}:
            out[str(key)] = CodingStatus(str(value))
    return out


def read_structure(text: str, expected: str, path: Path, name: str) -> list[Journey] | str:
    """The journeys in a structure note, or the reason they cannot be used."""
    from journeylab.journeys.readers import journey_from_dict

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return "its journey structure is not valid YAML"
    items = data.get("journeys") if isinstance(data, dict) else None
    if not isinstance(items, list) or not items:
        return "its journey structure holds no journeys"
    try:
        journeys = [journey_from_dict(item, Path(f"{path}!{name}")) for item in items]
    except JourneylabError as exc:
        return f"its journey structure is damaged ({exc})"
    if len({j.id for j in journeys}) != len(journeys):
        return "its journey structure gives a journey id twice"
    if file_text(journeys) != expected:
        return "its text no longer matches its journey structure (edited in another tool?)"
    return journeys


def journey_file_name(name: str, journeys: Sequence[Journey], taken: set[str]) -> str:
    """A safe file name in journeys/ that reads back as these journeys."""
    base = Path(name.replace("\\", "/")).name or "rejser"
    stem, suffix = Path(base).stem, Path(base).suffix.lower()
    stem = "".join(c if c.isalnum() or c in "-_ ." else "_" for c in stem).strip(". ") or "rejser"
    if suffix not in JOURNEY_SUFFIXES or (suffix in (".yaml", ".yml") and len(journeys) > 1):
        suffix = ".yaml" if len(journeys) == 1 else ".csv"  # a YAML file holds one journey
    candidate, n = f"{stem}{suffix}", 2
    while candidate.lower() in taken:
        candidate, n = f"{stem}-{n}{suffix}", n + 1
    taken.add(candidate.lower())
    return candidate


def write_journeys(journeys: Sequence[Journey], path: Path) -> None:
    """Write the journeys in the format the file name asks for."""
    if path.suffix.lower() in (".yaml", ".yml"):
        write_yaml(journeys[0], path)
    else:
        write_table(journeys, path)


def file_spans(segments: Sequence[Segment], bases: Mapping[str, int]) -> list[Segment]:
    """Note segments with offsets into the whole file's text (as the selections count)."""
    out = []
    for seg in segments:
        base = bases.get(seg.journey or "")
        moved = (
            seg
            if base is None
            else dataclasses.replace(seg, start=base + seg.start, end=base + seg.end)
        )
        out.append(moved)
    return out

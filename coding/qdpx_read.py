"""REFI-QDA project import: a .qdpx from any tool becomes a new journeylab study.

Everything is read and checked first; the study is then built in a temporary
folder (study.toml, codebook.yaml, transcripts/*.txt, then a normal `import`
and the codings) and moved to its place only when all of it worked, so a bad
project never leaves a half-made folder behind.

Positions are read in the convention that fits the selections best (see
coding/qdpx_positions.py: code points or UTF-16 units, CRLF as one or two).
A journey file exported by journeylab comes back as a journey file (same
name, same journeys) when its structure note fits its text (see
coding/qdpx_journeys.py), so its notes are segments again and the selections
land on them; the codings keep their status from the status note. Texts
without speaker labels (prose from another tool, or a journey file whose
structure is missing or no longer fits) get one label line in front
("Deltager: ", or "Ung: " for a journeylab journey file) so a normal import
reads them; positions are shifted by it. Parts journeylab cannot read (audio,
video, pictures, PDF and their selections) are listed in the report's warnings.

Memos come back on their target (study, theme, file, passage; a journeylab
journey memo on its journey when that journey is read back, else where it is
referenced, with a warning) with their Note's creatingUser as author, or "qdpx"
when the project names none; a Note nothing refers to becomes a study memo. A
passage memo is stored with its anchor as `journeylab memo` stores it.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from journeylab.coding.codebook import dump_codebook, with_default_colours
from journeylab.coding.model import Codebook, CodingStatus, Segment
from journeylab.coding.qdc import children, parse_codes
from journeylab.coding.qdpx_journeys import (
    JOURNEY_TARGET,
    STATUS_NOTE,
    STRUCTURE_NOTE,
    file_spans,
    journey_bases,
    journey_file_name,
    read_statuses,
    read_structure,
    write_journeys,
)
from journeylab.coding.qdpx_parse import (
    ProjectNote,
    author_of,
    case_roles,
    fail,
    open_project,
    read_notes,
    read_sources,
    read_users,
    referenced_notes,
)
from journeylab.coding.qdpx_positions import (
    Source,
    choose_convention,
    lf_text,
    mapper,
    piecewise_nfc,
)
from journeylab.errors import InputError, JourneylabError
from journeylab.journeys.model import Journey

_PREFIX_OTHER = "Deltager: "
_PREFIX_JOURNEY = "Ung: "


@dataclass(frozen=True)
class ImportQdpxReport:
    folder: Path
    sources: tuple[str, ...]  # transcripts and journey files written, relative to the study
    themes: int
    codings: int
    coders: tuple[str, ...]
    positions: str  # the convention the positions were read in
    warnings: tuple[str, ...]


def _file_name(name: str, taken: set[str]) -> str:
    base = Path(name.replace("\\", "/")).name or "tekst"
    stem, suffix = Path(base).stem, Path(base).suffix.lower()
    stem = "".join(c if c.isalnum() or c in "-_ ." else "_" for c in stem).strip(". ") or "tekst"
    suffix = suffix if suffix in (".txt", ".md") else ".txt"
    candidate, n = f"{stem}{suffix}", 2
    while candidate.lower() in taken:
        candidate, n = f"{stem}-{n}{suffix}", n + 1
    taken.add(candidate.lower())
    return candidate


def _study_toml(title: str, roles: dict[str, str]) -> str:
    def q(s: str) -> str:
        return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'

    lines = ["[study]", f"title = {q(title)}", 'language = "da"', 'codebook = "codebook.yaml"', ""]
    lines += ["[roles]", 'default = "medarbejder"']
    lines += [f"{q(k)} = {q(v)}" for k, v in sorted(roles.items()) if k.lower() != "default"]
    return "\n".join(lines) + "\n"


def import_qdpx(
    path: str | Path, folder: str | Path, *, positions: str = "auto"
) -> ImportQdpxReport:
    """Make a new study in *folder* from the REFI-QDA project at *path*."""
    path, folder = Path(path), Path(folder)
    if positions not in ("auto", "codepoints", "utf16"):
        raise InputError(f"unknown position unit '{positions}'", hint="auto, codepoints or utf16")
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise InputError(
            "the folder for the new study is not empty",
            path=folder,
            hint="give a new folder name; import-qdpx never overwrites a study",
        )
    warnings: list[str] = []
    zf, root = open_project(path)
    with zf:
        users = read_users(root)
        books = [c for b in children(root, "CodeBook") for c in children(b, "Codes")]
        parsed = parse_codes(books[0], path) if books else []
        if not parsed:
            raise fail(
                "the project has no codes", path, root, hint="add at least one code to the project"
            )
        code_names = {p.guid: p.theme.name for p in parsed}
        sources = read_sources(root, zf, path, warnings)
        # journeylab's own notes (journey structure, statuses) are data, not memos.
        every_note = read_notes(root, users)
        own = {
            n.guid: (n.name, n.text) for n in every_note if n.name in (STRUCTURE_NOTE, STATUS_NOTE)
        }
        notes = {n.guid: n for n in every_note if n.guid not in own and n.text}
        # A memo nothing refers to (a free memo in another tool) becomes a study memo.
        referenced = referenced_notes(root)
        free = [n for g, n in notes.items() if g not in referenced]
        code_notes = [
            (code_names.get(c.get("guid") or ""), r.get("targetGUID"))
            for c in root.iter(
                f"{{{etree.QName(root).namespace}}}Code" if etree.QName(root).namespace else "Code"
            )
            for r in children(c, "NoteRef")
        ]
    for src in sources:
        for sel in src.selections:
            for code, _user, _guid in sel.codes:
                if code not in code_names:
                    raise InputError(
                        f"a Coding in '{src.name}' refers to code {code}, which is not in the"
                        " codebook",
                        path=path,
                        where=f"element PlainTextSelection {sel.guid}",
                    )
    convention = choose_convention(sources, positions, path)
    codebook = with_default_colours(Codebook(path.stem, "da", tuple(p.theme for p in parsed)))
    staging = Path(tempfile.mkdtemp(prefix="journeylab-qdpx-"))
    try:
        report = _build(
            staging,
            root,
            path,
            sources,
            codebook,
            (code_names, users, notes, own),
            convention,
            warnings,
        )
        _theme_memos(staging, code_notes, notes, free)
        if folder.exists():
            folder.rmdir()
        folder.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(staging), str(folder))
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return ImportQdpxReport(folder, *report[1:])


def _build(
    staging: Path,
    root: etree._Element,
    path: Path,
    sources: Sequence[Source],
    codebook: Codebook,
    lookups: tuple[
        dict[str, str], dict[str, str], dict[str, ProjectNote], dict[str, tuple[str, str]]
    ],
    convention: str,
    warnings: list[str],
) -> tuple[Path, tuple[str, ...], int, int, tuple[str, ...], str, tuple[str, ...]]:
    from journeylab.coding.importer import import_study
    from journeylab.coding.store import open_store
    from journeylab.coding.study import load_study
    from journeylab.coding.transcripts import read_transcript
    from journeylab.fileio import write_text_atomic

    code_names, users, notes, own = lookups
    statuses = read_statuses(next((t for n, t in own.values() if n == STATUS_NOTE), None))
    title = root.get("name") or path.stem
    write_text_atomic(staging / "study.toml", _study_toml(title, case_roles(root)))
    write_text_atomic(staging / "codebook.yaml", dump_codebook(codebook))
    study = load_study(staging)
    taken: set[str] = set()
    taken_journeys: set[str] = set()
    bases: dict[str, dict[str, int]] = {}  # journey file -> where each journey starts
    placed: list[tuple[str, Source, dict[int, int], int]] = []  # rel, source, map, shift
    for src in sources:
        convert = mapper(src.raw, convention)
        cuts = {
            p
            for sel in src.selections
            if not sel.whole
            for p in (convert(sel.start), convert(sel.end))
            if p is not None
        }
        text, nfc = piecewise_nfc(lf_text(src.raw), sorted(cuts))
        moved: dict[int, int] = {}
        for sel in src.selections:
            for p in (sel.start, sel.end):
                lf = convert(p)
                if lf is not None:
                    moved[p] = nfc[lf]
        journeys = _journeys_of(src, own, text, path, warnings)
        if journeys is not None:
            rel = f"journeys/{journey_file_name(src.name, journeys, taken_journeys)}"
            write_journeys(journeys, staging / rel)
            bases[rel] = journey_bases(journeys)
            placed.append((rel, src, moved, 0))
            continue
        rel = f"transcripts/{_file_name(src.name, taken)}"
        target = staging / rel
        shift = 0
        write_text_atomic(target, text)
        try:
            read_transcript(target, study, source=rel)
        except JourneylabError:
            # Plain prose from another tool: one speaker, so the text stays as it was.
            prefix = _PREFIX_JOURNEY if src.journey else _PREFIX_OTHER
            shift = len(prefix)
            write_text_atomic(target, prefix + text)
        placed.append((rel, src, moved, shift))
    import_study(study)
    read_back = {j for b in bases.values() for j in b}  # journey ids in the new study
    codings: set[tuple[str, str, str]] = set()
    with open_store(study) as store, store.transaction():

        def memo(guid: str | None, kind: str, target: str, where: str) -> None:
            """Store the memo *guid* on its target; a journey memo on its journey."""
            note = notes.get(guid or "")
            if note is None:
                return
            if note.journey is not None and note.journey in read_back:
                kind, target = "source", JOURNEY_TARGET + note.journey
            elif note.journey is not None:
                warnings.append(
                    f"the memo on journey {note.journey} is kept on {where}: the journey was"
                    " not read back"
                )
            store.add_memo(kind, target, note.author, note.text)

        for rel, src, moved, shift in placed:
            segs = file_spans(store.segments(source=rel), bases.get(rel, {}))
            for g in src.notes:
                memo(g, "source", rel, f"'{rel}'")
            for sel in src.selections:
                if sel.whole:
                    span = (0, max((s.end for s in segs), default=0))
                else:
                    span = (moved[sel.start] + shift, moved[sel.end] + shift)
                hits = _segments_for(segs, *span)
                if not hits:
                    warnings.append(
                        f"selection {sel.guid} in '{src.name}' covers no text journeylab codes"
                        f" (only a speaker label or blank lines); its codings are left out"
                        + (f" and its memos are kept on '{rel}'" if sel.notes else "")
                    )
                    for g in sel.notes:
                        memo(g, "source", rel, f"'{rel}'")
                    continue
                for code, user, coding_guid in sel.codes:
                    coder = author_of(user, users)
                    status = statuses.get(coding_guid, CodingStatus.MANUAL)
                    for seg in hits:
                        store.set_coding(seg.id, code_names[code], coder, status)
                        codings.add((seg.id, code_names[code], coder))
                for g in sel.notes:
                    memo(g, "segment", hits[0].id, f"passage {hits[0].id}")
        for ref in children(root, "NoteRef"):
            memo(ref.get("targetGUID"), "study", "", "the study")
    coders = tuple(sorted({c for _, _, c in codings}))
    files = tuple(rel for rel, *_ in placed)
    return staging, files, len(codebook.themes), len(codings), coders, convention, tuple(warnings)


def _journeys_of(
    src: Source, own: dict[str, tuple[str, str]], text: str, path: Path, warnings: list[str]
) -> list[Journey] | None:
    """The journeys a journeylab journey source carries, when they fit its text."""
    structure = [own[g][1] for g in src.notes if own.get(g, ("", ""))[0] == STRUCTURE_NOTE]
    if not structure:
        return None
    found = read_structure(structure[0], text, path, src.name)
    if isinstance(found, str):
        warnings.append(f"'{src.name}' was imported as a transcript, not as journeys: {found}")
        return None
    return found


def _theme_memos(
    staging: Path,
    code_notes: Sequence[tuple[str | None, str | None]],
    notes: dict[str, ProjectNote],
    free: Sequence[ProjectNote],
) -> None:
    """Memos on codes, and the memos nothing refers to (as study memos)."""
    from journeylab.coding.store import open_store
    from journeylab.coding.study import load_study

    with open_store(load_study(staging)) as store, store.transaction():
        for theme, guid in code_notes:
            note = notes.get(guid or "")
            if theme and note is not None:
                store.add_memo("theme", theme, note.author, note.text)
        for note in free:
            store.add_memo("study", "", note.author, note.text)


def _segments_for(segs: Sequence[Segment], start: int, end: int) -> list[Segment]:
    """The segments a selection codes: those it covers at least half of, else the one it
    overlaps most."""
    overlaps = [(min(end, s.end) - max(start, s.start), s) for s in segs]
    overlaps = [(o, s) for o, s in overlaps if o > 0]
    half = [s for o, s in overlaps if o * 2 >= (s.end - s.start) or o * 2 >= (end - start)]
    if half:
        return half
    return [max(overlaps, key=lambda x: x[0])[1]] if overlaps else []

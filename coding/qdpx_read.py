"""REFI-QDA project import: a .qdpx from any tool becomes a new journeylab study.

Everything is read and checked first; the study is then built in a temporary
folder (study.toml, codebook.yaml, transcripts/*.txt, then a normal `import`
and the codings) and moved to its place only when all of it worked, so a bad
project never leaves a half-made folder behind.

Positions are read in the convention that fits the selections best (see
coding/qdpx_positions.py: code points or UTF-16 units, CRLF as one or two).
Texts without speaker labels (prose from another tool) get one label line in
front ("Deltager: ", or "Ung: " for a journeylab journey file) so a normal
import reads them; positions are shifted by it. Parts journeylab cannot read (audio, video,
pictures, PDF and their selections) are listed in the report's warnings.
"""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from journeylab.coding.codebook import dump_codebook, with_default_colours
from journeylab.coding.model import Codebook, CodingStatus, Segment, parse_role
from journeylab.coding.qdc import child_text, children, local, parse_codes, parse_xml
from journeylab.coding.qdpx import KIND_PREFIX
from journeylab.coding.qdpx_positions import (
    Selection,
    Source,
    choose_convention,
    lf_text,
    mapper,
    piecewise_nfc,
)
from journeylab.errors import InputError, JourneylabError

FOREIGN = ("PictureSource", "PDFSource", "AudioSource", "VideoSource")
DEFAULT_CODER = "qdpx"
_PREFIX_OTHER = "Deltager: "
_PREFIX_JOURNEY = "Ung: "


@dataclass(frozen=True)
class ImportQdpxReport:
    folder: Path
    sources: tuple[str, ...]  # transcripts written, relative to the study
    themes: int
    codings: int
    coders: tuple[str, ...]
    positions: str  # the convention the positions were read in
    warnings: tuple[str, ...]


def _fail(message: str, path: Path, element: etree._Element, hint: str | None = None) -> InputError:
    where = f"line {element.sourceline}, element {local(element)}"
    guid = element.get("guid")
    return InputError(message, path=path, where=f"{where} {guid}" if guid else where, hint=hint)


def _decode(data: bytes, path: str) -> str:
    codec = "utf-16" if data.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8-sig"
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        raise InputError("a source text is not UTF-8", path=path, hint="export it again") from exc


def _open(path: Path) -> tuple[zipfile.ZipFile, etree._Element]:
    if not path.is_file():
        raise InputError("no such file", path=path, hint="check the name and folder")
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(
            "not a REFI-QDA project: the file is not a zip archive",
            path=path,
            hint="export a .qdpx project from your QDA program",
        ) from exc
    names = [n for n in zf.namelist() if n.lower().endswith(".qde") and "/" not in n]
    if not names:
        zf.close()
        raise InputError(
            "not a REFI-QDA project: there is no project.qde in it",
            path=path,
            hint="export a .qdpx project (not a .qdc codebook) from your QDA program",
        )
    try:
        root = parse_xml(zf.read(names[0]), Path(f"{path}!{names[0]}"))
    except BaseException:
        zf.close()
        raise
    if local(root) != "Project":
        zf.close()
        raise _fail("the root element is not Project", path, root)
    return zf, root


def _text_of(src: etree._Element, zf: zipfile.ZipFile, path: Path) -> str | None:
    content = child_text(src, "PlainTextContent")
    if content is not None:
        return content
    where = src.get("plainTextPath") or ""
    name = where.split("internal://", 1)[1] if where.startswith("internal://") else None
    wanted = [f"sources/{name}"] if name else []
    base = where.replace("\\", "/").rsplit("/", 1)[-1]
    wanted += [n for n in zf.namelist() if base and n.rsplit("/", 1)[-1] == base]
    for entry in wanted:
        if entry in zf.namelist():
            return _decode(zf.read(entry), f"{path}!{entry}")
    return None


def _selection(el: etree._Element, path: Path) -> Selection:
    try:
        start, end = int(el.get("startPosition", "")), int(el.get("endPosition", ""))
    except ValueError as exc:
        raise _fail("startPosition/endPosition must be whole numbers", path, el) from exc
    return Selection(
        guid=el.get("guid") or "",
        start=start,
        end=end,
        codes=_codings(el, path),
        notes=[n.get("targetGUID") or "" for n in children(el, "NoteRef")],
    )


def _codings(el: etree._Element, path: Path) -> list[tuple[str, str | None]]:
    out = []
    for coding in children(el, "Coding"):
        refs = children(coding, "CodeRef")
        if not refs or not refs[0].get("targetGUID"):
            raise _fail("a Coding has no CodeRef", path, coding)
        out.append((refs[0].get("targetGUID") or "", coding.get("creatingUser")))
    return out


def _count(el: etree._Element) -> int:
    return sum(1 for d in el.iter() if isinstance(d.tag, str) and local(d) == "Coding")


def _read_sources(
    root: etree._Element, zf: zipfile.ZipFile, path: Path, warnings: list[str]
) -> list[Source]:
    out: list[Source] = []
    for group in children(root, "Sources"):
        for src in group:
            kind, name = local(src), src.get("name") or src.get("guid") or "?"
            if kind in FOREIGN:
                warnings.append(
                    f"{kind} '{name}' was not imported (journeylab reads text sources only);"
                    f" its {_count(src)} codings are left out"
                )
                continue
            if kind != "TextSource":
                continue
            text = _text_of(src, zf, path)
            if text is None:
                warnings.append(
                    f"TextSource '{name}' was not imported: its text"
                    f" ({src.get('plainTextPath') or 'no path'}) is not in the project;"
                    f" its {_count(src)} codings are left out"
                )
                continue
            selections = [_selection(s, path) for s in children(src, "PlainTextSelection")]
            whole = _codings(src, path)
            if whole:
                selections.append(Selection(src.get("guid") or "", 0, -1, whole, [], True))
            out.append(
                Source(
                    guid=src.get("guid") or "",
                    name=name,
                    raw=text.lstrip("\ufeff"),
                    journey=(child_text(src, "Description") or "").strip()
                    == KIND_PREFIX + "journey",
                    selections=selections,
                    notes=[n.get("targetGUID") or "" for n in children(src, "NoteRef")],
                )
            )
    return out


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


def _case_roles(root: etree._Element) -> dict[str, str]:
    """Case name -> role, from a Text variable named rolle/role on the case."""
    names = {
        v.get("guid"): (v.get("name") or "").lower()
        for g in children(root, "Variables")
        for v in children(g, "Variable")
    }
    out: dict[str, str] = {}
    for group in children(root, "Cases"):
        for case in children(group, "Case"):
            for value in children(case, "VariableValue"):
                ref = children(value, "VariableRef")
                var = names.get(ref[0].get("targetGUID")) if ref else None
                role = parse_role(child_text(value, "TextValue") or "")
                if var in ("rolle", "role") and role is not None and case.get("name"):
                    out[str(case.get("name"))] = role.value
    return out


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
    zf, root = _open(path)
    with zf:
        users = {
            u.get("guid"): (u.get("name") or u.get("id") or DEFAULT_CODER)
            for g in children(root, "Users")
            for u in children(g, "User")
        }
        books = [c for b in children(root, "CodeBook") for c in children(b, "Codes")]
        parsed = parse_codes(books[0], path) if books else []
        if not parsed:
            raise _fail(
                "the project has no codes", path, root, hint="add at least one code to the project"
            )
        code_names = {p.guid: p.theme.name for p in parsed}
        sources = _read_sources(root, zf, path, warnings)
        notes = {
            n.get("guid"): child_text(n, "PlainTextContent") or n.get("name") or ""
            for g in children(root, "Notes")
            for n in children(g, "Note")
        }
        code_notes = [
            (code_names.get(c.get("guid") or ""), r.get("targetGUID"))
            for c in root.iter(
                f"{{{etree.QName(root).namespace}}}Code" if etree.QName(root).namespace else "Code"
            )
            for r in children(c, "NoteRef")
        ]
    for src in sources:
        for sel in src.selections:
            for code, _user in sel.codes:
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
            staging, root, path, sources, codebook, code_names, users, notes, convention, warnings
        )
        _theme_memos(staging, code_notes, notes)
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
    code_names: dict[str, str],
    users: dict[str | None, str],
    notes: dict[str | None, str],
    convention: str,
    warnings: list[str],
) -> tuple[Path, tuple[str, ...], int, int, tuple[str, ...], str, tuple[str, ...]]:
    from journeylab.coding.importer import import_study
    from journeylab.coding.store import open_store
    from journeylab.coding.study import load_study
    from journeylab.coding.transcripts import read_transcript
    from journeylab.fileio import write_text_atomic

    title = root.get("name") or path.stem
    write_text_atomic(staging / "study.toml", _study_toml(title, _case_roles(root)))
    write_text_atomic(staging / "codebook.yaml", dump_codebook(codebook))
    study = load_study(staging)
    taken: set[str] = set()
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
    codings: set[tuple[str, str, str]] = set()
    with open_store(study) as store, store.transaction():
        for rel, src, moved, shift in placed:
            segs = store.segments(source=rel)
            for note in src.notes:
                if notes.get(note):
                    store.add_memo("source", rel, DEFAULT_CODER, notes[note] or "")
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
                    )
                    continue
                for code, user in sel.codes:
                    coder = users.get(user, DEFAULT_CODER) if user else DEFAULT_CODER
                    for seg in hits:
                        store.set_coding(seg.id, code_names[code], coder, CodingStatus.MANUAL)
                        codings.add((seg.id, code_names[code], coder))
                for note in sel.notes:
                    if notes.get(note):
                        store.add_memo("segment", hits[0].id, DEFAULT_CODER, notes[note] or "")
        for g in children(root, "NoteRef"):
            if notes.get(g.get("targetGUID")):
                store.add_memo("study", "", DEFAULT_CODER, notes[g.get("targetGUID")] or "")
    coders = tuple(sorted({c for _, _, c in codings}))
    files = tuple(rel for rel, *_ in placed)
    return staging, files, len(codebook.themes), len(codings), coders, convention, tuple(warnings)


def _theme_memos(
    staging: Path, code_notes: Sequence[tuple[str | None, str | None]], notes: dict[str | None, str]
) -> None:
    from journeylab.coding.store import open_store
    from journeylab.coding.study import load_study

    with open_store(load_study(staging)) as store, store.transaction():
        for theme, note in code_notes:
            if theme and notes.get(note):
                store.add_memo("theme", theme, DEFAULT_CODER, notes[note])


def _segments_for(segs: Sequence[Segment], start: int, end: int) -> list[Segment]:
    """The segments a selection codes: those it covers at least half of, else the one it
    overlaps most."""
    overlaps = [(min(end, s.end) - max(start, s.start), s) for s in segs]
    overlaps = [(o, s) for o, s in overlaps if o > 0]
    half = [s for o, s in overlaps if o * 2 >= (s.end - s.start) or o * 2 >= (end - start)]
    if half:
        return half
    return [max(overlaps, key=lambda x: x[0])[1]] if overlaps else []

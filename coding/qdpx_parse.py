"""Reading a REFI-QDA project file: the zip, project.qde and its text sources.

Only reading and checking happens here (coding/qdpx_read.py builds the study):
text sources with their selections and codings, the parts journeylab cannot
read (listed as warnings), the roles given as case variables, the users and the
notes (memos, with their authors).
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from journeylab.coding.model import parse_role
from journeylab.coding.qdc import child_text, children, local, parse_xml
from journeylab.coding.qdpx import KIND_PREFIX
from journeylab.coding.qdpx_journeys import memo_journey
from journeylab.coding.qdpx_positions import Selection, Source
from journeylab.errors import InputError

FOREIGN = ("PictureSource", "PDFSource", "AudioSource", "VideoSource")
DEFAULT_CODER = "qdpx"  # coder and memo author when the project names no User


@dataclass(frozen=True)
class ProjectNote:
    """A Note: its text, its author (its creatingUser's name) and, for a journeylab
    journey memo, the journey it is about."""

    guid: str
    name: str
    text: str
    author: str
    journey: str | None


def read_users(root: etree._Element) -> dict[str, str]:
    """User GUID -> the name journeylab records as coder or memo author."""
    return {
        u.get("guid") or "": (u.get("name") or u.get("id") or DEFAULT_CODER)
        for g in children(root, "Users")
        for u in children(g, "User")
    }


def author_of(user: str | None, users: dict[str, str]) -> str:
    """The name of a creatingUser; DEFAULT_CODER when there is none or it is unknown
    (projects from older journeylab versions or other tools)."""
    return users.get(user, DEFAULT_CODER) if user else DEFAULT_CODER


def read_notes(root: etree._Element, users: dict[str, str]) -> list[ProjectNote]:
    return [
        ProjectNote(
            guid=n.get("guid") or "",
            name=n.get("name") or "",
            text=child_text(n, "PlainTextContent") or n.get("name") or "",
            author=author_of(n.get("creatingUser"), users),
            journey=memo_journey(child_text(n, "Description")),
        )
        for g in children(root, "Notes")
        for n in children(g, "Note")
    ]


def referenced_notes(root: etree._Element) -> set[str]:
    """The GUIDs any element of the project refers to as a note."""
    return {
        el.get("targetGUID") or ""
        for el in root.iter()
        if isinstance(el.tag, str) and local(el) in ("NoteRef", "MemberNote")
    }


def fail(message: str, path: Path, element: etree._Element, hint: str | None = None) -> InputError:
    where = f"line {element.sourceline}, element {local(element)}"
    guid = element.get("guid")
    return InputError(message, path=path, where=f"{where} {guid}" if guid else where, hint=hint)


def _decode(data: bytes, path: str) -> str:
    codec = "utf-16" if data.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8-sig"
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        raise InputError("a source text is not UTF-8", path=path, hint="export it again") from exc


def open_project(path: Path) -> tuple[zipfile.ZipFile, etree._Element]:
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
        raise fail("the root element is not Project", path, root)
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
        raise fail("startPosition/endPosition must be whole numbers", path, el) from exc
    return Selection(
        guid=el.get("guid") or "",
        start=start,
        end=end,
        codes=_codings(el, path),
        notes=[n.get("targetGUID") or "" for n in children(el, "NoteRef")],
    )


def _codings(el: etree._Element, path: Path) -> list[tuple[str, str | None, str]]:
    out = []
    for coding in children(el, "Coding"):
        refs = children(coding, "CodeRef")
        if not refs or not refs[0].get("targetGUID"):
            raise fail("a Coding has no CodeRef", path, coding)
        out.append(
            (refs[0].get("targetGUID") or "", coding.get("creatingUser"), coding.get("guid") or "")
        )
    return out


def _count(el: etree._Element) -> int:
    return sum(1 for d in el.iter() if isinstance(d.tag, str) and local(d) == "Coding")


def read_sources(
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


def case_roles(root: etree._Element) -> dict[str, str]:
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

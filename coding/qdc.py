"""REFI-QDA codebooks (.qdc): the themes as Codes, out and in.

The Code elements are shared with the project export (coding/qdpx.py), so both
write and read codes the same way: GUIDs are uuid5 of the study and the theme
name (stable across exports), one level of hierarchy (a sub-theme's Code nests
in its parent's), colour and description kept. Reading is forgiving: minimal
codebooks from other tools (only guid, name, isCodable) and dotted names for
hierarchy ("Skole.Fravær") are accepted; elements are matched by local name,
so the order and the namespace prefix do not matter.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from lxml import etree

from journeylab.coding.codebook import (
    dump_codebook,
    load_codebook,
    parse_codebook,
    with_default_colours,
)
from journeylab.coding.model import Codebook, Theme
from journeylab.coding.study import Study
from journeylab.errors import CodebookError, InputError
from journeylab.fileio import atomic_output, write_text_atomic
from journeylab.themes.privacy import Pseudonymiser
from journeylab.themes.privacy_journeys import study_pseudonymiser

CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
ORIGIN = "journeylab"
NO_DESCRIPTION = "Importeret uden beskrivelse."
MODES = ("replace", "merge")


def study_namespace(study: Study) -> uuid.UUID:
    """The uuid5 namespace of a study: its title and municipality, not its folder."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"journeylab:{study.title}|{study.municipality or ''}")


def make_guid(namespace: uuid.UUID, kind: str, key: str) -> str:
    """A stable GUID for one thing of a study (kind: theme, source, user, ...)."""
    return str(uuid.uuid5(namespace, f"{kind}:{key}"))


def local(element: etree._Element) -> str:
    """An element's name without its namespace."""
    tag = element.tag
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def children(element: etree._Element, name: str) -> list[etree._Element]:
    return [c for c in element if local(c) == name]


def child_text(element: etree._Element, name: str) -> str | None:
    found = children(element, name)
    return found[0].text if found and found[0].text is not None else None


def add_codes(
    parent: etree._Element,
    ns: str,
    codebook: Codebook,
    guid_of: Callable[[str], str],
    note_refs: Callable[[str], Iterable[str]] | None = None,
) -> None:
    """Append <Codes> with one <Code> per theme (sub-themes nested) to *parent*."""
    codes = etree.SubElement(parent, f"{{{ns}}}Codes")
    by_parent: dict[str | None, list[Theme]] = {}
    names = set(codebook.names)
    for t in codebook.themes:
        by_parent.setdefault(t.parent if t.parent in names else None, []).append(t)

    def add(into: etree._Element, theme: Theme) -> None:
        code = etree.SubElement(
            into,
            f"{{{ns}}}Code",
            guid=guid_of(theme.name),
            name=theme.name,
            isCodable="true",
        )
        if theme.color:
            code.set("color", theme.color)
        etree.SubElement(code, f"{{{ns}}}Description").text = theme.description
        for target in note_refs(theme.name) if note_refs else ():
            etree.SubElement(code, f"{{{ns}}}NoteRef", targetGUID=target)
        for sub in by_parent.get(theme.name, []):
            add(code, sub)

    for top in by_parent.get(None, []):
        add(codes, top)


def _colour(value: str | None) -> str | None:
    if not value:
        return None
    value = value.strip().upper()
    if len(value) == 4:  # "#ABC" -> "#AABBCC"
        value = "#" + "".join(c * 2 for c in value[1:])
    return value if len(value) == 7 else None


@dataclass(frozen=True)
class ParsedCode:
    guid: str
    theme: Theme


def parse_codes(codes: etree._Element, path: Path) -> list[ParsedCode]:
    """The themes of a <Codes> element; deeper levels are attached to their top-level code."""
    out: list[ParsedCode] = []
    taken: set[str] = set()

    def visit(code: etree._Element, parent: str | None) -> None:
        guid, raw = code.get("guid"), (code.get("name") or "").strip()
        if not guid or not raw:
            raise InputError(
                "a Code has no guid or no name",
                path=path,
                where=f"line {code.sourceline}, element Code",
                hint="every Code needs guid and name attributes",
            )
        name, n = raw, 2
        while name in taken:  # other tools allow equal names under different parents
            name, n = f"{raw} ({n})", n + 1
        taken.add(name)
        description = " ".join((child_text(code, "Description") or "").split())
        theme = Theme(
            name=name,
            description=description or NO_DESCRIPTION,
            color=_colour(code.get("color")),
            parent=parent,
        )
        out.append(ParsedCode(guid, theme))
        for sub in children(code, "Code"):
            visit(sub, parent or name)  # one level only: grandchildren join the top code

    for code in children(codes, "Code"):
        visit(code, None)
    by_name = {p.theme.name: p.theme for p in out}
    fixed = []
    for p in out:
        t = p.theme
        head = t.name.rsplit(".", 1)[0] if "." in t.name else None
        if t.parent is None and head in by_name:
            parent = by_name[head]
            t = replace(t, parent=parent.parent or parent.name)
        fixed.append(ParsedCode(p.guid, t))
    return fixed


def codebook_xml(codebook: Codebook, namespace: uuid.UUID) -> bytes:
    """The codebook as a .qdc document."""
    root = etree.Element(f"{{{CODEBOOK_NS}}}CodeBook", nsmap={None: CODEBOOK_NS}, origin=ORIGIN)
    add_codes(root, CODEBOOK_NS, codebook, lambda name: make_guid(namespace, "theme", name))
    return bytes(etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True))


def pseudonymised_codebook(codebook: Codebook, privacy: Pseudonymiser) -> Codebook:
    """*codebook* with real names replaced in its descriptions (what a .qdc carries
    besides the names, which stay: GUIDs and codings hang on them)."""
    themes = tuple(replace(t, description=privacy.text(t.description)) for t in codebook.themes)
    return replace(codebook, themes=themes)


def export_codebook(study: Study, out: str | Path) -> Path:
    """Write the study's codebook as a REFI-QDA .qdc file: descriptions pseudonymised,
    the whole file checked for real names (PrivacyError: nothing written), atomically."""
    out = Path(out)
    privacy = study_pseudonymiser(study)
    codebook = pseudonymised_codebook(load_codebook(study.codebook_path), privacy)
    data = codebook_xml(codebook, study_namespace(study))
    privacy.check(data.decode("utf-8"), path=out)
    with atomic_output(out) as tmp:
        tmp.write_bytes(data)
    return out


def parse_xml(data: bytes, path: Path) -> etree._Element:
    """Parse XML safely (no entities, no network); InputError with the line when broken."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if exc.lineno else None
        raise InputError(
            f"not valid XML: {exc.msg}",
            path=path,
            where=f"line {line}" if line else None,
            hint="the file is damaged or not a REFI-QDA file",
        ) from exc


def read_qdc(path: str | Path) -> Codebook:
    """A Codebook from a .qdc file (any tool's)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror}", path=path) from exc
    root = parse_xml(data, path)
    codes = children(root, "Codes") if local(root) == "CodeBook" else []
    if not codes:
        raise InputError(
            "no <Codes> in the codebook",
            path=path,
            where=f"element {local(root)}",
            hint="a .qdc file has a CodeBook root with a Codes element",
        )
    themes = tuple(p.theme for p in parse_codes(codes[0], path))
    if not themes:
        raise CodebookError("the codebook has no codes", path=path, where="element Codes")
    return Codebook(name=path.stem, language="da", themes=themes)


def merge_codebooks(old: Codebook, new: Codebook) -> Codebook:
    """*old* with *new*'s themes: same names updated (keeping old keywords etc.), others added."""
    incoming = {t.name: t for t in new.themes}
    themes = []
    for t in old.themes:
        n = incoming.pop(t.name, None)
        if n is None:
            themes.append(t)
            continue
        themes.append(
            replace(
                t,
                description=n.description if n.description != NO_DESCRIPTION else t.description,
                color=n.color or t.color,
                parent=n.parent if n.parent is not None else t.parent,
                keywords=n.keywords or t.keywords,
                include=n.include or t.include,
                exclude=n.exclude or t.exclude,
                examples=n.examples or t.examples,
            )
        )
    themes.extend(t for t in new.themes if t.name in incoming)
    return replace(old, themes=tuple(themes))


def import_codebook(path: str | Path, study: Study, *, mode: str = "replace") -> Codebook:
    """Replace (or merge into) the study's codebook.yaml from a .qdc or .yaml file.

    The result is checked by the codebook parser before codebook.yaml is written
    (atomically), so a bad file leaves the study's codebook as it was.
    """
    if mode not in MODES:
        raise InputError(f"unknown mode '{mode}'", hint=f"choose one of: {', '.join(MODES)}")
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".qdc":
        new = read_qdc(path)
    elif suffix in (".yaml", ".yml"):
        new = load_codebook(path)
    else:
        raise InputError(
            f"cannot import a codebook from a '{suffix}' file",
            path=path,
            hint="give a REFI-QDA .qdc file or a codebook .yaml",
        )
    if mode == "merge" and study.codebook_path.is_file():
        new = merge_codebooks(load_codebook(study.codebook_path), new)
    else:
        new = replace(new, name=new.name, language=study.language)
    text = dump_codebook(with_default_colours(new))
    result = parse_codebook(text, study.codebook_path)  # the same checks as a hand edit
    write_text_atomic(study.codebook_path, text)
    return result

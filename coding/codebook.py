"""The codebook file (codebook.yaml): reading, checking and writing themes.

Errors name the line in the YAML file (from the parser's node marks), so a
consultant who edits the codebook by hand can find the mistake at once.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

from journeylab.coding.model import Codebook, Theme
from journeylab.coding.study import preset_path
from journeylab.errors import CodebookError
from journeylab.fileio import read_text, write_text_atomic
from journeylab.yamlfast import compose

# Okabe–Ito: distinguishable with the common forms of colour blindness; the
# black of the original palette is replaced by a brown that reads on dark text.
PALETTE = (
    "#E69F00",
    "#56B4E9",
    "#009E73",
    "#F0E442",
    "#0072B2",
    "#D55E00",
    "#CC79A7",
    "#9C755F",
    "#999999",
)

_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")
_LISTS = ("include", "exclude", "keywords", "examples")
_FIELDS = ("name", "description", *_LISTS, "color", "colour", "parent", "emergent")


def _line(node: yaml.Node) -> str:
    return f"line {node.start_mark.line + 1}"


def _get(node: yaml.MappingNode, key: str) -> yaml.Node | None:
    for k, v in node.value:
        if isinstance(k, yaml.ScalarNode) and k.value == key:
            return v
    return None


def _text(node: yaml.Node | None) -> str | None:
    """A scalar's text (numbers as written), or None for null/absent."""
    if node is None or not isinstance(node, yaml.ScalarNode):
        return None
    if node.tag == "tag:yaml.org,2002:null":
        return None
    return unicodedata.normalize("NFC", str(node.value)).strip()


def _compose(text: str, path: Path) -> yaml.Node:
    try:
        node = compose(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}" if mark is not None else None
        raise CodebookError(
            f"not valid YAML: {exc.problem or exc.context}",
            path=path,
            where=where,
            hint="check the indentation and quote texts that contain a colon",
        ) from exc
    except yaml.YAMLError as exc:
        raise CodebookError(f"not valid YAML: {exc}", path=path) from exc
    if not isinstance(node, yaml.MappingNode):
        raise CodebookError(
            "the codebook must be a mapping with 'themes:'",
            path=path,
            where=_line(node) if node is not None else None,
            hint="see docs/FORMATS.md, 'Codebook'",
        )
    return node


def _string_list(node: yaml.Node | None, field: str, name: str, path: Path) -> tuple[str, ...]:
    if node is None or (isinstance(node, yaml.ScalarNode) and _text(node) is None):
        return ()
    if not isinstance(node, yaml.SequenceNode):
        raise CodebookError(
            f"'{field}' of theme '{name}' must be a list",
            path=path,
            where=_line(node),
            hint=f"write one item a line under '{field}:', each starting with '- '",
        )
    out = []
    for item in node.value:
        text = _text(item)
        if not isinstance(item, yaml.ScalarNode):
            raise CodebookError(
                f"an item of '{field}' in theme '{name}' is not a text",
                path=path,
                where=_line(item),
                hint="write each item as plain text; quote it if it contains a colon",
            )
        if text:
            out.append(text.lower() if field == "keywords" else text)
    return tuple(out)


def _theme(node: yaml.Node, path: Path) -> Theme:
    if not isinstance(node, yaml.MappingNode):
        raise CodebookError(
            "a theme must be a mapping with name and description",
            path=path,
            where=_line(node),
            hint="start the theme with '- name: ...'",
        )
    name = _text(_get(node, "name"))
    if not name:
        raise CodebookError(
            "a theme has no name", path=path, where=_line(node), hint="add 'name: ...'"
        )
    for k, _v in node.value:
        if isinstance(k, yaml.ScalarNode) and k.value not in _FIELDS:
            raise CodebookError(
                f"theme '{name}' has an unknown field '{k.value}'",
                path=path,
                where=_line(k),
                hint=f"use {', '.join(f for f in _FIELDS if f != 'colour')}",
            )
    desc_node = _get(node, "description")
    description = _text(desc_node)
    if not description:
        raise CodebookError(
            f"theme '{name}' has no description",
            path=path,
            where=_line(desc_node or node),
            hint="describe the theme in a sentence or two under 'description:'",
        )
    colour_node = _get(node, "color") or _get(node, "colour")
    colour = _text(colour_node)
    if colour is not None and not _COLOUR.match(colour):
        raise CodebookError(
            f"theme '{name}' has a bad colour '{colour}'",
            path=path,
            where=_line(colour_node) if colour_node is not None else None,
            hint='write it as "#RRGGBB" in quotes, e.g. "#0072B2"',
        )
    emergent_node = _get(node, "emergent")
    emergent = False
    if emergent_node is not None and _text(emergent_node) is not None:
        if emergent_node.tag != "tag:yaml.org,2002:bool":
            raise CodebookError(
                f"'emergent' of theme '{name}' must be true or false",
                path=path,
                where=_line(emergent_node),
            )
        emergent = str(emergent_node.value).lower() in ("true", "yes", "on")
    lists = {f: _string_list(_get(node, f), f, name, path) for f in _LISTS}
    return Theme(
        name=name,
        description=description,
        include=lists["include"],
        exclude=lists["exclude"],
        keywords=lists["keywords"],
        examples=lists["examples"],
        color=colour.upper() if colour else None,
        parent=_text(_get(node, "parent")) or None,
        emergent=emergent,
    )


def _check_parents(themes: list[Theme], nodes: list[yaml.Node], path: Path) -> None:
    by_name = {t.name: t for t in themes}
    for theme, node in zip(themes, nodes, strict=True):
        if theme.parent is None:
            continue
        where = _line(_get(node, "parent") or node)  # type: ignore[arg-type]
        parent = by_name.get(theme.parent)
        if parent is None:
            raise CodebookError(
                f"theme '{theme.name}' has an unknown parent '{theme.parent}'",
                path=path,
                where=where,
                hint="the parent must be the name of another theme in this codebook",
            )
        seen = {theme.name}
        current: Theme | None = parent
        while current is not None and current.parent is not None:
            if current.name in seen or current.parent in seen:
                raise CodebookError(
                    f"theme '{theme.name}' is its own ancestor (a parent cycle)",
                    path=path,
                    where=where,
                    hint="a parent must be a top-level theme",
                )
            seen.add(current.name)
            current = by_name.get(current.parent)
        if parent.parent is not None or parent.name == theme.name:
            raise CodebookError(
                f"theme '{theme.name}' has parent '{parent.name}', which has a parent itself",
                path=path,
                where=where,
                hint="themes may have one level of sub-themes: the parent must be top-level",
            )


def parse_codebook(text: str, path: str | Path = "codebook.yaml") -> Codebook:
    """A Codebook from YAML text; CodebookError (with a line) when it breaks the rules."""
    path = Path(path)
    root = _compose(text, path)
    themes_node = _get(root, "themes")  # type: ignore[arg-type]
    if not isinstance(themes_node, yaml.SequenceNode) or not themes_node.value:
        raise CodebookError(
            "the codebook has no themes",
            path=path,
            where=_line(themes_node or root),
            hint="add 'themes:' with a list of themes, each with name and description",
        )
    themes: list[Theme] = []
    first_line: dict[str, str] = {}
    for item in themes_node.value:
        theme = _theme(item, path)
        if theme.name in first_line:
            raise CodebookError(
                f"two themes are named '{theme.name}'",
                path=path,
                where=f"{first_line[theme.name]} and {_line(item)}",
                hint="give each theme its own name",
            )
        first_line[theme.name] = _line(item)
        themes.append(theme)
    _check_parents(themes, list(themes_node.value), path)
    name = _text(_get(root, "name")) or path.stem  # type: ignore[arg-type]
    language = _text(_get(root, "language")) or "da"  # type: ignore[arg-type]
    if language not in ("da", "en"):
        raise CodebookError(
            f"language must be 'da' or 'en', not '{language}'",
            path=path,
            where=_line(_get(root, "language") or root),  # type: ignore[arg-type]
        )
    return with_default_colours(Codebook(name=name, language=language, themes=tuple(themes)))


def load_codebook(path: str | Path) -> Codebook:
    """Read and check codebook.yaml (see docs/FORMATS.md, 'Codebook')."""
    return parse_codebook(read_text(path), path)


def load_preset(name: str) -> Codebook:
    """One of the codebooks shipped with journeylab (coding.study.PRESETS)."""
    return load_codebook(preset_path(name))


def with_default_colours(codebook: Codebook) -> Codebook:
    """The codebook with a palette colour on every theme that has none, unused ones first."""
    used = {t.color.upper() for t in codebook.themes if t.color}
    free = [c for c in PALETTE if c not in used] or list(PALETTE)
    themes = []
    n = 0
    for t in codebook.themes:
        if t.color is None:
            t = replace(t, color=free[n % len(free)])
            n += 1
        themes.append(t)
    return replace(codebook, themes=tuple(themes))


def codebook_to_dict(codebook: Codebook) -> dict[str, Any]:
    """Plain data in the codebook.yaml layout; empty optional fields are left out."""
    themes = []
    for t in codebook.themes:
        d: dict[str, Any] = {"name": t.name, "description": t.description}
        for f in _LISTS:
            values = getattr(t, f)
            if values:
                d[f] = list(values)
        if t.color:
            d["color"] = t.color
        if t.parent:
            d["parent"] = t.parent
        if t.emergent:
            d["emergent"] = True
        themes.append(d)
    return {"name": codebook.name, "language": codebook.language, "themes": themes}


def dump_codebook(codebook: Codebook) -> str:
    """The codebook as YAML text, Danish letters kept as they are."""
    return yaml.safe_dump(
        codebook_to_dict(codebook), allow_unicode=True, sort_keys=False, width=100
    )


def write_codebook(codebook: Codebook, path: str | Path) -> None:
    """Write *codebook* to *path* atomically; load_codebook reads back the same codebook."""
    write_text_atomic(path, dump_codebook(codebook))

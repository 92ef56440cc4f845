"""Shared pieces of the journey SVGs: palette, labels, text wrapping, element building.

Elements are built with xml.etree, so every user text is escaped by the
serialiser rather than by hand; control characters that XML cannot hold are
dropped before they reach it.
"""

from __future__ import annotations

import re
import textwrap
import xml.etree.ElementTree as ET
from collections.abc import Mapping

from journeylab.errors import InputError
from journeylab.journeys.model import Colour, Stage

SVG_NS = "http://www.w3.org/2000/svg"
FONT = "'Segoe UI', 'Helvetica Neue', Arial, 'Liberation Sans', sans-serif"
TEXT = "#1f2430"  # near-black: >= 7:1 contrast on every note colour
MUTED = "#4b5563"

# Sticky-note colours saturated enough to survive a washed-out projector.
FILL = {Colour.YELLOW: "#ffd84d", Colour.GREEN: "#9fdc93", Colour.RED: "#f7a1a1"}
STROKE = {Colour.YELLOW: "#b8860b", Colour.GREEN: "#2e7d32", Colour.RED: "#b3261e"}
MARK_18 = "#5b21b6"

STAGE_FILL = {
    Stage.EARLY_CHILDHOOD: "#e3eefa",
    Stage.SCHOOL: "#ece6f6",
    Stage.UDSKOLING: "#f8ecdc",
    Stage.YOUTH_EDUCATION: "#dff1ee",
    Stage.TRANSITION_18: "#f9e1ea",
    Stage.ADULT: "#e7eaef",
}

STAGE_LABELS: dict[str, dict[Stage, str]] = {
    "da": {
        Stage.EARLY_CHILDHOOD: "Tidlig barndom",
        Stage.SCHOOL: "Skole",
        Stage.UDSKOLING: "Udskoling",
        Stage.YOUTH_EDUCATION: "Ungdomsuddannelse",
        Stage.TRANSITION_18: "Overgang til voksen",
        Stage.ADULT: "Voksen",
    },
    "en": {
        Stage.EARLY_CHILDHOOD: "Early childhood",
        Stage.SCHOOL: "School",
        Stage.UDSKOLING: "Last school years",
        Stage.YOUTH_EDUCATION: "Youth education",
        Stage.TRANSITION_18: "Transition at 18",
        Stage.ADULT: "Adult",
    },
}

WORDS: dict[str, dict[str, str]] = {
    "da": {
        "journey": "Rejse",
        "steps": "trin",
        "step": "Trin",
        "green": "grønne",
        "red": "røde",
        "age": "{age} år",
        "ages": "{lo}–{hi} år",
        "age_18": "18 år",
        "event": "Hændelse",
        "positive": "Godt",
        "negative": "Svært",
        "overview": "Oversigt over brugerrejser",
        "no_ages": "ingen aldre angivet",
        "axis": "Alder",
        "maps": "Rejsekort",
        "desc": (
            "Brugerrejse {id}{who}: {steps} trin{span}. Gule sedler er hændelser i "
            "rækkefølge; {green} grønne sedler over trinene er det gode, {red} røde "
            "sedler under er det svære. Baggrundsfelter viser livsfaser."
        ),
        "overview_desc": (
            "{n} brugerrejser på en fælles aldersakse. Hver markør er et trin: "
            "plus når der er flest grønne sedler, minus når der er flest røde, "
            "prik når de står lige. Den lodrette linje er 18 år."
        ),
    },
    "en": {
        "journey": "Journey",
        "steps": "steps",
        "step": "Step",
        "green": "green",
        "red": "red",
        "age": "age {age}",
        "ages": "age {lo}–{hi}",
        "age_18": "Age 18",
        "event": "Event",
        "positive": "Good",
        "negative": "Difficult",
        "overview": "Overview of user journeys",
        "no_ages": "no ages given",
        "axis": "Age",
        "maps": "Journey maps",
        "desc": (
            "User journey {id}{who}: {steps} steps{span}. Yellow notes are events in "
            "order; {green} green notes above the steps are what was good, {red} red "
            "notes below what was difficult. Background bands show life stages."
        ),
        "overview_desc": (
            "{n} user journeys on a common age axis. Each marker is a step: plus where "
            "green notes outnumber red, minus where red outnumber green, a dot where "
            "they are even. The vertical line is age 18."
        ),
    },
}

PLUS, MINUS = "+", "−"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def words(lang: str) -> dict[str, str]:
    """The label set for *lang*; InputError for a language without one."""
    if lang not in WORDS:
        raise InputError(f"no map labels for language {lang!r}", hint="use da or en")
    return WORDS[lang]


def clean(text: str) -> str:
    """*text* without characters XML 1.0 cannot carry, whitespace collapsed."""
    return " ".join(_CONTROL.sub("", text).split())


# The fewest letters a broken word leaves on either side of its hyphen: "en ung-" /
# "domsuddannelse" reads badly, and a short fragment is more likely to be a word of
# its own (or a listed name, which the final name check then refuses).
_MIN_PART = 3


class _Wrapper(textwrap.TextWrapper):
    """textwrap, except that a word longer than a line is broken with a visible hyphen.

    textwrap calls `_handle_long_word` only for a word that does not fit on a line
    by itself, so ordinary text wraps exactly as before (same lines, same note
    heights). textwrap itself breaks such a word without a hyphen and fills the
    rest of the current line with its first letters, which gave "…uddann" / "else
    på": the fragment "else" then matched a listed name Else and the name check
    refused the whole map.
    """

    def _handle_long_word(
        self, reversed_chunks: list[str], cur_line: list[str], cur_len: int, width: int
    ) -> None:
        chunk = reversed_chunks[-1]
        if width < 2:  # no room for a letter and a hyphen
            head = max(1, width)
            cur_line.append(chunk[:head])
            reversed_chunks[-1] = chunk[head:]
            return
        room = width - cur_len - 1  # letters that fit before the hyphen
        head = min(room, len(chunk) - _MIN_PART)
        if cur_line and head < _MIN_PART:
            return  # too little room here: the word starts the next line instead
        head = max(head, 1)
        part = chunk[:head]
        cur_line.append(part if part.endswith("-") else part + "-")
        reversed_chunks[-1] = chunk[head:]


def wrap(text: str, width: int, max_lines: int) -> list[str]:
    """*text* wrapped to *width* characters, at most *max_lines* lines, '…' when cut.

    A word is broken only when it alone is longer than a line, and then with a
    hyphen at the break ("ungdomsuddannel-" / "se").
    """
    lines = _Wrapper(width=width, break_long_words=True).wrap(clean(text)) or [""]
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][: width - 1].rstrip().rstrip("-").rstrip() + "…"
    return lines


def format_age(age: float, lang: str) -> str:
    """15.0 -> '15', 15.5 -> '15,5' in Danish and '15.5' in English."""
    text = f"{age:g}" if age != int(age) else str(int(age))
    return text.replace(".", ",") if lang == "da" else text


def num(value: float) -> str:
    """A coordinate without float noise."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def sub(
    parent: ET.Element, tag: str, attrs: Mapping[str, object] | None = None, text: str = ""
) -> ET.Element:
    """Append a child element; numbers become short coordinate strings."""
    child = ET.SubElement(parent, tag)
    for key, value in (attrs or {}).items():
        child.set(key, num(value) if isinstance(value, int | float) else clean(str(value)))
    if text:
        child.text = clean(text)
    return child


def svg_root(width: float, height: float, title: str, desc: str) -> ET.Element:
    """An <svg role="img"> with <title>, <desc> and the shared font style."""
    root = ET.Element("svg")
    attrs = {
        "xmlns": SVG_NS,
        "width": num(width),
        "height": num(height),
        "viewBox": f"0 0 {num(width)} {num(height)}",
        "role": "img",
        "aria-labelledby": "map-title map-desc",
        "font-family": FONT,
    }
    for key, value in attrs.items():
        root.set(key, value)
    sub(root, "title", {"id": "map-title"}, title)
    sub(root, "desc", {"id": "map-desc"}, desc)
    sub(root, "rect", {"class": "background", "width": width, "height": height, "fill": "#ffffff"})
    return root


def text_lines(
    parent: ET.Element,
    lines: list[str],
    x: float,
    y: float,
    *,
    size: float,
    leading: float,
    **attrs: str,
) -> ET.Element:
    """A <text> with one <tspan> a line, the first baseline at *y*."""
    node = sub(parent, "text", {"x": x, "y": y, "font-size": size, "fill": TEXT, **attrs})
    for i, line in enumerate(lines):
        sub(node, "tspan", {"x": x, "dy": 0 if i == 0 else leading}, line or " ")
    return node


def symbol_badge(parent: ET.Element, colour: Colour, x: float, y: float, label: str) -> None:
    """The non-colour cue: a dark disc with '+', '−' or the step number."""
    sub(parent, "circle", {"cx": x, "cy": y, "r": 10, "fill": STROKE[colour]})
    sub(
        parent,
        "text",
        {
            "x": x,
            "y": y + 5 if label in (PLUS, MINUS) else y + 4,
            "font-size": 16 if label in (PLUS, MINUS) else 11,
            "font-weight": "bold",
            "text-anchor": "middle",
            "fill": "#ffffff",
            "class": "symbol",
        },
        label,
    )


def serialise(root: ET.Element) -> str:
    """The SVG document as text, with an XML declaration."""
    body = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'

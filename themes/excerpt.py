"""The journey-map excerpt of a theme section: its coded notes placed by life stage.

A compact inline SVG in the shape of the journey maps: one column per life
stage that has notes, the stage line across the middle, green notes stacked
above it and red notes below (with "+" and "−" as the non-colour cue). Built
with xml.etree so every note text is escaped by the serialiser.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from typing import Any

from markupsafe import Markup

from journeylab.journeys.model import Colour, Stage
from journeylab.journeys.svgkit import (
    FILL,
    FONT,
    MINUS,
    PLUS,
    STAGE_FILL,
    STROKE,
    SVG_NS,
    TEXT,
    sub,
    wrap,
)

COL_W = 180.0
NOTE_W = 168.0
WRAP = 27  # characters a line at 11 px in a 168 px note
MAX_LINES = 3
LEADING = 13.0
PAD = 6.0
GAP = 5.0
BAND = 26.0  # the stage line's label band
MAX_PER_SIDE = 4
_ORDER = {s.value: s.order for s in Stage}


def _note_height(text: str) -> float:
    return len(wrap(text, WRAP, MAX_LINES)) * LEADING + 2 * PAD


def _stack_height(texts: Sequence[str], more: bool) -> float:
    height = sum(_note_height(t) + GAP for t in texts)
    return height + (16.0 if more else 0.0)


def excerpt_svg(
    notes: Sequence[Any],
    *,
    stage_labels: Mapping[str, str],
    unknown_label: str,
    title: str,
    more_label: str = "+{n}",
    ident: str = "excerpt",
) -> Markup:
    """The notes (JourneyNote-like: colour, stage, text) of a theme as one inline SVG.

    Returns "" when no green or red note is coded to the theme.
    """
    stages: dict[str | None, dict[str, list[str]]] = {}
    for note in notes:
        if note.colour not in (Colour.GREEN.value, Colour.RED.value):
            continue
        stages.setdefault(note.stage, {"green": [], "red": []})[note.colour].append(note.text)
    if not stages:
        return Markup("")
    order = sorted(stages, key=lambda s: _ORDER.get(s or "", len(_ORDER)))
    shown = {s: {c: v[:MAX_PER_SIDE] for c, v in stages[s].items()} for s in order}
    up, down = (
        max(_stack_height(shown[s][c], len(stages[s][c]) > MAX_PER_SIDE) for s in order)
        for c in ("green", "red")
    )
    width = COL_W * len(order)
    height = up + BAND + down + 4
    line_y = up + BAND / 2
    root = ET.Element("svg")
    for key, value in {
        "xmlns": SVG_NS,
        "class": "excerpt",
        "width": f"{width:.0f}",
        "height": f"{height:.0f}",
        "viewBox": f"0 0 {width:.0f} {height:.0f}",
        "role": "img",
        "aria-labelledby": f"{ident}-title",
        "font-family": FONT,
    }.items():
        root.set(key, value)
    sub(root, "title", {"id": f"{ident}-title"}, title)
    sub(root, "line", {"x1": 0, "y1": line_y, "x2": width, "y2": line_y,
                       "stroke": "#6b7280", "stroke-width": 2})  # fmt: skip
    for col, stage in enumerate(order):
        x0 = col * COL_W + (COL_W - NOTE_W) / 2
        fill = STAGE_FILL.get(Stage(stage), "#eef1f4") if stage in _ORDER else "#eef1f4"
        label = stage_labels.get(stage or "", unknown_label)
        if len(label) > 24:  # "Overgangen til voksen (18 år)": the bracket does not fit
            label = label.split(" (")[0]
        sub(root, "rect", {"x": x0, "y": up + 3, "width": NOTE_W, "height": BAND - 6,
                           "rx": 10, "fill": fill, "stroke": "#9aa3ad"})  # fmt: skip
        sub(root, "text", {"x": x0 + NOTE_W / 2, "y": up + BAND / 2 + 4, "font-size": 11,
                           "font-weight": "bold", "text-anchor": "middle", "fill": TEXT,
                           "class": "stage"}, label)  # fmt: skip
        for colour in (Colour.GREEN, Colour.RED):
            texts = shown[stage][colour.value]
            hidden = len(stages[stage][colour.value]) - len(texts)
            y = up if colour is Colour.GREEN else up + BAND
            for text in texts:
                h = _note_height(text)
                top = y - GAP - h if colour is Colour.GREEN else y + GAP
                group = sub(root, "g", {"class": f"note note-{colour.value}"})
                sub(group, "rect", {"x": x0, "y": top, "width": NOTE_W, "height": h, "rx": 3,
                                    "fill": FILL[colour], "stroke": STROKE[colour]})  # fmt: skip
                sub(group, "text", {"x": x0 + 6, "y": top + PAD + 10, "font-size": 12,
                                    "font-weight": "bold", "fill": STROKE[colour]},
                    PLUS if colour is Colour.GREEN else MINUS)  # fmt: skip
                node = sub(group, "text", {"x": x0 + 18, "y": top + PAD + 9, "font-size": 11,
                                           "fill": TEXT})  # fmt: skip
                for i, line in enumerate(wrap(text, WRAP, MAX_LINES)):
                    sub(node, "tspan", {"x": x0 + 18, "dy": 0 if i == 0 else LEADING}, line)
                y = top if colour is Colour.GREEN else top + h
            if hidden:
                ty = y - GAP - 4 if colour is Colour.GREEN else y + GAP + 11
                sub(root, "text", {"x": x0 + NOTE_W / 2, "y": ty, "font-size": 11,
                                   "text-anchor": "middle", "fill": "#4b5563", "class": "more"},
                    more_label.format(n=hidden))  # fmt: skip
    return Markup(ET.tostring(root, encoding="unicode"))

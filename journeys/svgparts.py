"""The parts a journey map is drawn from: its layout, the stage bands, the notes in
their columns, the 18-year and transition marks, and the legend (journeys/svgmap.py
puts them together)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass

from journeylab.journeys.model import Colour, Journey, Note, Stage, Step
from journeylab.journeys.svgkit import (
    FILL,
    MARK_18,
    MINUS,
    MUTED,
    PLUS,
    STAGE_FILL,
    STAGE_LABELS,
    STROKE,
    TEXT,
    format_age,
    sub,
    symbol_badge,
    text_lines,
    words,
    wrap,
)

MARGIN = 28
NOTE_W = 156
COL_W = 184  # note width plus the gap between columns
YELLOW_H = 156  # yellow notes are square, like the real ones
EVENT_WRAP, EVENT_LINES = 19, 5
NOTE_WRAP, NOTE_LINES = 16, 6
LEADING = 17
NOTE_GAP = 10
TITLE_H = 104
BAND_LABEL_H = 34
LEGEND_H = 56


@dataclass(frozen=True)
class Layout:
    """Vertical positions shared by every column."""

    band_top: float
    yellow_y: float
    red_top: float
    band_bottom: float
    height: float
    width: float


def _note_height(note: Note) -> float:
    lines = len(wrap(note.text, NOTE_WRAP, NOTE_LINES))
    return 22 + lines * LEADING


def _stack_height(notes: tuple[Note, ...]) -> float:
    return sum(_note_height(n) + NOTE_GAP for n in notes)


def layout(journey: Journey, title_width: float) -> Layout:
    green = max((_stack_height(s.green) for s in journey.steps), default=0.0)
    red = max((_stack_height(s.red) for s in journey.steps), default=0.0)
    band_top = TITLE_H
    yellow_y = band_top + BAND_LABEL_H + 8 + green + 6
    red_top = yellow_y + YELLOW_H + 34
    band_bottom = red_top + red + 6
    width = max(2 * MARGIN + len(journey.steps) * COL_W, title_width)
    return Layout(band_top, yellow_y, red_top, band_bottom, band_bottom + LEGEND_H, width)


def col_x(index: int) -> float:
    return MARGIN + index * COL_W + (COL_W - NOTE_W) / 2


def _stage_runs(steps: tuple[Step, ...]) -> list[tuple[Stage, int, int]]:
    """Consecutive steps sharing a stage: (stage, first index, last index)."""
    runs: list[tuple[Stage, int, int]] = []
    for i, step in enumerate(steps):
        if step.stage is None:
            continue
        if runs and runs[-1][0] is step.stage and runs[-1][2] == i - 1:
            runs[-1] = (step.stage, runs[-1][1], i)
        else:
            runs.append((step.stage, i, i))
    return runs


def mark_transition(root: ET.Element, index: int, label: str, lay: Layout) -> None:
    """A declared transition point (study.toml [transitions]) in the gap before a step.

    A thin dashed line with its label written upwards along it, so it never
    covers a note; the 18-year mark stays the bold one.
    """
    x = col_x(index) - (COL_W - NOTE_W) / 2
    group = sub(root, "g", {"class": "transition", "data-before-step": index + 1})
    sub(group, "title", text=label)
    line = {"x1": x, "x2": x, "y1": lay.band_top, "y2": lay.band_bottom}
    sub(group, "line", line | {"stroke": MUTED, "stroke-width": 2, "stroke-dasharray": "4 4"})
    tx, ty = x + 5, lay.band_bottom - 8
    attrs = {"font-size": 13, "fill": MUTED, "transform": f"rotate(-90 {tx} {ty})"}
    sub(group, "text", {"x": tx, "y": ty} | attrs, label)


def bands(root: ET.Element, journey: Journey, lay: Layout, lang: str) -> None:
    labels = STAGE_LABELS[lang]
    for stage, first, last in _stage_runs(journey.steps):
        x0 = MARGIN + first * COL_W + 2
        x1 = MARGIN + (last + 1) * COL_W - 2
        group = sub(root, "g", {"class": "stage-band", "data-stage": stage.value})
        sub(group, "title", text=labels[stage])
        sub(
            group,
            "rect",
            {
                "x": x0,
                "y": lay.band_top,
                "width": x1 - x0,
                "height": lay.band_bottom - lay.band_top,
                "rx": 8,
                "fill": STAGE_FILL[stage],
            },
        )
        label = wrap(labels[stage], max(6, int((x1 - x0) / 8.5)), 1)
        sub(
            group,
            "text",
            {
                "x": (x0 + x1) / 2,
                "y": lay.band_top + 23,
                "font-size": 15,
                "font-weight": "bold",
                "text-anchor": "middle",
                "fill": MUTED,
                "letter-spacing": "0.04em",
            },
            label[0].upper(),
        )


def _note(
    root: ET.Element, note: Note, number: int, x: float, y: float, h: float, tip: str
) -> None:
    colour = note.colour
    group = sub(root, "g", {"class": f"note {colour.value}", "data-step": number})
    actor = f" ({note.actor})" if note.actor and colour is Colour.YELLOW else ""
    sub(group, "title", text=f"{tip}{note.text}{actor}")
    yellow = colour is Colour.YELLOW
    # Shape carries meaning too: yellow square, green rounded, red sharp with a heavy edge.
    rx = {Colour.YELLOW: 2, Colour.GREEN: 14, Colour.RED: 0}[colour]
    sub(
        group,
        "rect",
        {"x": x + 3, "y": y + 4, "width": NOTE_W, "height": h, "rx": rx, "fill": "#000000"}
        | {"opacity": 0.12},
    )
    sub(
        group,
        "rect",
        {
            "x": x,
            "y": y,
            "width": NOTE_W,
            "height": h,
            "rx": rx,
            "fill": FILL[colour],
            "stroke": STROKE[colour],
            "stroke-width": 2.5 if colour is Colour.RED else 1.5,
        },
    )
    if yellow:
        symbol_badge(group, colour, x + 16, y + 16, str(number))
        lines = wrap(note.text, EVENT_WRAP, EVENT_LINES)
        text_lines(group, lines, x + 10, y + 46, size=14, leading=LEADING, **{"font-weight": "600"})
        if note.actor:
            who = wrap(note.actor, EVENT_WRAP, 1)
            attrs = {"font-style": "italic", "fill": MUTED}
            text_lines(group, who, x + 10, y + h - 10, size=12, leading=LEADING, **attrs)
    else:
        symbol_badge(group, colour, x + 15, y + 15, PLUS if colour is Colour.GREEN else MINUS)
        lines = wrap(note.text, NOTE_WRAP, NOTE_LINES)
        text_lines(group, lines, x + 31, y + 20, size=13, leading=LEADING)


def column(root: ET.Element, step: Step, index: int, lay: Layout, lang: str) -> None:
    w = words(lang)
    x = col_x(index)
    number = index + 1
    age = f" ({w['age'].format(age=format_age(step.age, lang))})" if step.age is not None else ""
    _note(root, step.event, number, x, lay.yellow_y, YELLOW_H, f"{w['step']} {number}{age}: ")
    # Green stacks read top-down in the order told, ending just above the step.
    y = lay.yellow_y - 6 - _stack_height(step.green)
    for note in step.green:
        h = _note_height(note)
        _note(root, note, number, x, y, h, f"{w['positive']} ({w['step']} {number}): ")
        y += h + NOTE_GAP
    y = lay.red_top
    for note in step.red:
        h = _note_height(note)
        _note(root, note, number, x, y, h, f"{w['negative']} ({w['step']} {number}): ")
        y += h + NOTE_GAP
    if step.age is not None:
        sub(
            root,
            "text",
            {
                "class": "age",
                "x": x + NOTE_W / 2,
                "y": lay.yellow_y + YELLOW_H + 22,
                "font-size": 14,
                "font-weight": "bold",
                "text-anchor": "middle",
                "fill": TEXT,
            },
            w["age"].format(age=format_age(step.age, lang)),
        )


def mark_18(root: ET.Element, index: int, lay: Layout, lang: str) -> None:
    x = MARGIN + index * COL_W
    group = sub(root, "g", {"class": "age-18", "data-before-step": index + 1})
    sub(group, "title", text=words(lang)["age_18"])
    line = {"x1": x, "x2": x, "y1": lay.band_top - 6, "y2": lay.band_bottom + 6}
    style = {"stroke": MARK_18, "stroke-width": 4, "stroke-dasharray": "10 6"}
    sub(group, "line", line | style)
    label = words(lang)["age_18"]
    pill_w = 12 + 9 * len(label)
    pill = {"x": x - pill_w / 2, "y": lay.band_top - 30, "width": pill_w, "height": 26, "rx": 13}
    sub(group, "rect", pill | {"fill": MARK_18})
    attrs = {"font-size": 14, "font-weight": "bold", "text-anchor": "middle", "fill": "#ffffff"}
    sub(group, "text", {"x": x, "y": lay.band_top - 12} | attrs, label)


def legend(root: ET.Element, lay: Layout, lang: str) -> None:
    w = words(lang)
    y = lay.band_bottom + 20
    x = float(MARGIN)
    group = sub(root, "g", {"class": "legend"})
    for colour, label, symbol in (
        (Colour.YELLOW, w["event"], "1"),
        (Colour.GREEN, w["positive"], PLUS),
        (Colour.RED, w["negative"], MINUS),
    ):
        rx = {Colour.YELLOW: 2, Colour.GREEN: 8, Colour.RED: 0}[colour]
        box = {"x": x, "y": y, "width": 24, "height": 24, "rx": rx, "fill": FILL[colour]}
        sub(group, "rect", box | {"stroke": STROKE[colour], "stroke-width": 1.5})
        sub(
            group,
            "text",
            {"x": x + 12, "y": y + 17, "font-size": 14, "font-weight": "bold"}
            | {"text-anchor": "middle", "fill": TEXT},
            symbol,
        )
        sub(group, "text", {"x": x + 32, "y": y + 17, "font-size": 14, "fill": TEXT}, label)
        x += 44 + 8.5 * len(label)

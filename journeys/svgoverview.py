"""All journeys as rows on one age axis, for comparing them at a glance."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence

from journeylab.journeys.model import Colour, Journey, Stage, Step
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
    serialise,
    sub,
    svg_root,
    words,
    wrap,
)

MARGIN = 28
LABEL_W = 190
TOP = 128  # title, stage legend and axis labels
ROW_H = 50
RADIUS = 11
SPREAD = 0.8  # steps told at the same age share this much of the year


def placed_ages(steps: Sequence[Step]) -> list[float | None]:
    """Each step's position on the age axis.

    A step without an age sits between its neighbours with ages (linearly by
    step number), or at the nearest one at either end; steps told at the same
    age are spread over the following `SPREAD` of a year so they do not overlap.
    None for all steps when no step has an age.
    """
    known = [(i, s.age) for i, s in enumerate(steps) if s.age is not None]
    if not known:
        return [None] * len(steps)
    base: list[float] = []
    for i in range(len(steps)):
        before = [(j, a) for j, a in known if j <= i]
        after = [(j, a) for j, a in known if j >= i]
        if before and after and before[-1][0] != after[0][0]:
            (j0, a0), (j1, a1) = before[-1], after[0]
            base.append(a0 + (a1 - a0) * (i - j0) / (j1 - j0))
        else:
            base.append((before[-1] if before else after[0])[1])
    placed: list[float | None] = []
    i = 0
    while i < len(base):
        j = i
        while j + 1 < len(base) and base[j + 1] == base[i]:
            j += 1
        n = j - i + 1
        placed.extend(base[i] + SPREAD * k / n for k in range(n))
        i = j + 1
    return placed


def _stage_runs(steps: Sequence[Step]) -> list[tuple[Stage, int, int]]:
    runs: list[tuple[Stage, int, int]] = []
    for i, step in enumerate(steps):
        if step.stage is None:
            continue
        if runs and runs[-1][0] is step.stage and runs[-1][2] == i - 1:
            runs[-1] = (step.stage, runs[-1][1], i)
        else:
            runs.append((step.stage, i, i))
    return runs


def _balance_style(step: Step) -> tuple[str, Colour, str]:
    balance = len(step.green) - len(step.red)
    if balance > 0:
        return "positive", Colour.GREEN, PLUS
    if balance < 0:
        return "negative", Colour.RED, MINUS
    return "even", Colour.YELLOW, "·"


def _row(
    root: ET.Element,
    front: ET.Element,
    journey: Journey,
    y: float,
    xs: list[float | None],
    width: float,
    lang: str,
) -> None:
    w = words(lang)
    group = sub(root, "g", {"class": "journey-row", "data-journey": journey.id})
    who = f" · {journey.pseudonym}" if journey.pseudonym else ""
    sub(group, "title", text=f"{w['journey']} {journey.id}{who}")
    sub(
        group,
        "line",
        {"x1": MARGIN, "x2": width - MARGIN, "y1": y + ROW_H / 2}
        | {"y2": y + ROW_H / 2, "stroke": "#e5e7eb", "stroke-width": 1},
    )
    label = wrap(f"{journey.id}{who}", 22, 1)[0]
    attrs = {"font-size": 15, "font-weight": "bold", "fill": TEXT}
    sub(group, "text", {"x": MARGIN, "y": y - 1} | attrs, label)
    green, red = journey.count(Colour.GREEN), journey.count(Colour.RED)
    counts = f"{len(journey.steps)} {w['steps']} · {PLUS}{green} {MINUS}{red}"
    sub(group, "text", {"x": MARGIN, "y": y + 16, "font-size": 12, "fill": MUTED}, counts)
    placed = [(i, x) for i, x in enumerate(xs) if x is not None]
    if not placed:
        attrs = {"font-size": 13, "font-style": "italic", "fill": MUTED}
        sub(group, "text", {"x": MARGIN + LABEL_W, "y": y + 5} | attrs, w["no_ages"])
        return
    for stage, first, last in _stage_runs(journey.steps):
        x_first, x_last = xs[first], xs[last]
        if x_first is None or x_last is None:
            continue
        prev = xs[first - 1] if first > 0 else None
        nxt = xs[last + 1] if last + 1 < len(xs) else None
        left = (prev + x_first) / 2 if prev is not None else x_first - RADIUS - 6
        right = (x_last + nxt) / 2 if nxt is not None else x_last + RADIUS + 6
        band = sub(group, "g", {"class": "stage-band", "data-stage": stage.value})
        sub(band, "title", text=STAGE_LABELS[lang][stage])
        box = {"x": left, "y": y - 17, "width": max(right - left, 4), "height": 34, "rx": 6}
        sub(band, "rect", box | {"fill": STAGE_FILL[stage]})
    # Markers go on the front layer, above the 18-year line that crosses the bands.
    group = sub(front, "g", {"class": "journey-steps", "data-journey": journey.id})
    points = " ".join(f"{x:.1f},{y:.1f}" for _, x in placed)
    sub(
        group, "polyline", {"points": points, "fill": "none", "stroke": MUTED} | {"stroke-width": 2}
    )
    for i, x in placed:
        step = journey.steps[i]
        kind, colour, symbol = _balance_style(step)
        marker = sub(group, "g", {"class": f"step {kind}", "data-step": i + 1})
        age = (
            f" ({w['age'].format(age=format_age(step.age, lang))})" if step.age is not None else ""
        )
        tip = (
            f"{w['step']} {i + 1}{age}: {step.event.text} — "
            f"{len(step.green)} {w['green']}, {len(step.red)} {w['red']}"
        )
        sub(marker, "title", text=tip)
        sub(
            marker,
            "circle",
            {"cx": x, "cy": y, "r": RADIUS, "fill": FILL[colour]}
            | {"stroke": STROKE[colour], "stroke-width": 2},
        )
        attrs = {"font-size": 15, "font-weight": "bold", "text-anchor": "middle", "fill": TEXT}
        sub(marker, "text", {"x": x, "y": y + 5} | attrs, symbol)


def _axis(root: ET.Element, lo: int, hi: int, scale: float, bottom: float, lang: str) -> None:
    group = sub(root, "g", {"class": "axis"})
    x0 = MARGIN + LABEL_W
    step = 1 if scale >= 30 else 2
    for age in range(lo, hi + 1):
        x = x0 + (age - lo) * scale
        sub(group, "line", {"x1": x, "x2": x, "y1": TOP - 8, "y2": bottom, "stroke": "#eef0f3"})
        if (age - lo) % step == 0:
            attrs = {"font-size": 12, "text-anchor": "middle", "fill": MUTED}
            sub(group, "text", {"x": x, "y": TOP - 14} | attrs, str(age))
    sub(
        group,
        "text",
        {"x": MARGIN, "y": TOP - 14, "font-size": 12, "fill": MUTED},
        words(lang)["axis"],
    )


def _stage_legend(root: ET.Element, journeys: list[Journey], lang: str) -> None:
    present = {s.stage for j in journeys for s in j.steps if s.stage}
    x = float(MARGIN)
    group = sub(root, "g", {"class": "legend"})
    for stage in Stage:
        if stage not in present:
            continue
        label = STAGE_LABELS[lang][stage]
        sub(
            group,
            "rect",
            {"x": x, "y": 66, "width": 18, "height": 18, "rx": 4}
            | {"fill": STAGE_FILL[stage], "stroke": "#c7cbd1"},
        )
        sub(group, "text", {"x": x + 24, "y": 80, "font-size": 13, "fill": TEXT}, label)
        x += 38 + 7.2 * len(label)


def overview_svg(journeys: Iterable[Journey], *, lang: str = "da") -> str:
    """All journeys as rows on a common age axis, a marker per step coloured by balance."""
    w = words(lang)
    journeys = list(journeys)
    placed = [placed_ages(j.steps) for j in journeys]
    ages = [a for row in placed for a in row if a is not None]
    lo = math.floor(min([*ages, 18.0])) - 1 if ages else 14
    hi = math.ceil(max([*ages, 18.0])) + 1 if ages else 20
    crowd = max((row.count(a) for row in placed for a in row if a is not None), default=1)
    same_year = max(
        (
            sum(1 for b in row if b is not None and math.floor(b) == math.floor(a))
            for row in placed
            for a in row
            if a is not None
        ),
        default=1,
    )
    scale = max(40.0, 26.0 * max(crowd, same_year))
    width = max(2 * MARGIN + LABEL_W + (hi - lo) * scale, 640)
    height = TOP + max(len(journeys), 1) * ROW_H + MARGIN
    bottom = TOP + len(journeys) * ROW_H
    title = w["overview"]
    root = svg_root(width, height, title, w["overview_desc"].format(n=len(journeys)))
    sub(
        root,
        "text",
        {"x": MARGIN, "y": 38, "font-size": 24, "font-weight": "bold"}
        | {"fill": TEXT, "class": "heading"},
        title,
    )
    _stage_legend(root, journeys, lang)
    _axis(root, lo, hi, scale, bottom, lang)

    def to_x(age: float | None) -> float | None:
        return None if age is None else MARGIN + LABEL_W + (age - lo) * scale

    front = ET.Element("g", {"class": "steps"})
    for n, (journey, row) in enumerate(zip(journeys, placed, strict=True)):
        y = TOP + n * ROW_H + ROW_H / 2 - 4
        _row(root, front, journey, y, [to_x(a) for a in row], width, lang)
    if ages:
        x = to_x(18.0)
        group = sub(root, "g", {"class": "age-18"})
        sub(group, "title", text=w["age_18"])
        sub(
            group,
            "line",
            {"x1": x, "x2": x, "y1": TOP - 8, "y2": max(bottom, TOP + 10)}
            | {"stroke": MARK_18, "stroke-width": 3, "stroke-dasharray": "8 5"},
        )
        attrs = {"font-size": 13, "font-weight": "bold", "text-anchor": "middle", "fill": MARK_18}
        sub(group, "text", {"x": x, "y": TOP - 34} | attrs, w["age_18"])
    root.append(front)
    return serialise(root)

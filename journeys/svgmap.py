"""The journey map as SVG text: yellow steps on a line, green above, red below.

Made by the project, not a plotting library, so the map is plain markup the
report and the explorer can inline, and tests can count notes by CSS class
(`note yellow|green|red`, `stage-band`, `age-18`).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from journeylab.fileio import write_text_atomic
from journeylab.journeys.model import Colour, Journey, Step
from journeylab.journeys.svgkit import (
    MUTED,
    TEXT,
    format_age,
    serialise,
    sub,
    svg_root,
    words,
)
from journeylab.journeys.svgoverview import overview_svg
from journeylab.journeys.svgparts import (
    COL_W,
    EVENT_WRAP,
    MARGIN,
    NOTE_W,
    NOTE_WRAP,
    YELLOW_H,
    bands,
    col_x,
    column,
    layout,
    legend,
    mark_18,
    mark_transition,
)

# COL_W and MARGIN: report_docx.py sizes the maps it puts in Word by them.
__all__ = [
    "COL_W",
    "EVENT_WRAP",
    "MARGIN",
    "NOTE_WRAP",
    "journey_svg",
    "overview_svg",
    "write_maps",
]


def age_boundary(steps: tuple[Step, ...], age: float) -> int | None:
    """Index of the first step aged *age*+ after a step known to be younger, or None."""
    seen_young = False
    for i, step in enumerate(steps):
        if step.age is None:
            continue
        if step.age < age:
            seen_young = True
        elif seen_young:
            return i
    return None


def age_18_boundary(steps: tuple[Step, ...]) -> int | None:
    """Index of the first step aged 18+ after a step known to be under 18, or None."""
    return age_boundary(steps, 18)


def _title(journey: Journey, lang: str) -> tuple[str, str, str]:
    """(heading, counts line, description) for the map."""
    w = words(lang)
    who = f" · {journey.pseudonym}" if journey.pseudonym else ""
    heading = f"{w['journey']} {journey.id}{who}"
    green, red = journey.count(Colour.GREEN), journey.count(Colour.RED)
    ages = [s.age for s in journey.steps if s.age is not None]
    span = ""
    if ages:
        span = w["ages"].format(lo=format_age(min(ages), lang), hi=format_age(max(ages), lang))
    parts = [f"{len(journey.steps)} {w['steps']}", f"{green} {w['green']}", f"{red} {w['red']}"]
    counts = " · ".join([*parts, span] if span else parts)
    desc = w["desc"].format(
        id=journey.id,
        who=f" ({journey.pseudonym})" if journey.pseudonym else "",
        steps=len(journey.steps),
        span=f", {span}" if span else "",
        green=green,
        red=red,
    )
    return heading, counts, desc


def journey_svg(
    journey: Journey, *, lang: str = "da", transitions: Sequence[tuple[float, str]] = ()
) -> str:
    """The journey map of one journey as an SVG document (Danish labels by default).

    *transitions* are declared transition points (age, label), drawn where the
    journey crosses them; the 18-year mark is always drawn.
    """
    words(lang)
    heading, counts, desc = _title(journey, lang)
    lay = layout(journey, 2 * MARGIN + 11 * max(len(heading), len(counts)))
    root = svg_root(lay.width, lay.height, f"{heading} — {counts}", desc)
    sub(
        root,
        "text",
        {"x": MARGIN, "y": 38, "font-size": 26, "font-weight": "bold"}
        | {"fill": TEXT, "class": "heading"},
        heading,
    )
    sub(
        root,
        "text",
        {"x": MARGIN, "y": 64, "font-size": 16, "fill": MUTED, "class": "counts"},
        counts,
    )
    bands(root, journey, lay, lang)
    if journey.steps:
        # The time line runs through the yellow notes, behind them, with an arrowhead.
        y = lay.yellow_y + YELLOW_H / 2
        x0, x1 = col_x(0), col_x(len(journey.steps) - 1) + NOTE_W + 14
        sub(
            root,
            "line",
            {"class": "timeline", "x1": x0, "x2": x1, "y1": y, "y2": y}
            | {"stroke": MUTED, "stroke-width": 4},
        )
        arrow = f"{x1},{y - 8} {x1 + 14},{y} {x1},{y + 8}"
        sub(root, "polygon", {"points": arrow, "fill": MUTED})
    for index, step in enumerate(journey.steps):
        column(root, step, index, lay, lang)
    boundary = age_18_boundary(journey.steps)
    if boundary is not None:
        mark_18(root, boundary, lay, lang)
    labels: dict[int, list[str]] = {}
    for age, label in sorted(transitions):
        at = None if age == 18 else age_boundary(journey.steps, age)  # 18 has its own mark
        if at is not None and at != boundary:
            labels.setdefault(at, []).append(label)
    for at, names in labels.items():
        mark_transition(root, at, " · ".join(names), lay)
    legend(root, lay, lang)
    return serialise(root)


def _file_stem(journey_id: str, taken: set[str]) -> str:
    """A safe, unique file name stem for a journey id."""
    stem = re.sub(r"[^\w.-]+", "_", journey_id).strip("._") or "rejse"
    candidate, n = stem, 2
    while candidate.casefold() in taken:
        candidate, n = f"{stem}-{n}", n + 1
    taken.add(candidate.casefold())
    return candidate


def _index_html(links: list[tuple[str, str]], overview: str, lang: str) -> str:
    w = words(lang)
    items = "\n".join(
        f'    <li><a href="{html.escape(href)}">{html.escape(label)}</a></li>'
        for href, label in links
    )
    title = html.escape(w["maps"])
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{title}</title>\n"
        "<style>body{font-family:system-ui,sans-serif;margin:2rem;color:#1f2430}"
        "img{max-width:100%;border:1px solid #ddd}li{margin:.3rem 0}</style>\n"
        f"</head>\n<body>\n<h1>{title}</h1>\n"
        f'<p><a href="{html.escape(overview)}"><img src="{html.escape(overview)}" '
        f'alt="{html.escape(w["overview"])}"></a></p>\n'
        f"<ul>\n{items}\n</ul>\n</body>\n</html>\n"
    )


def write_maps(
    journeys: Iterable[Journey],
    outdir: str | Path,
    *,
    lang: str = "da",
    transitions: Sequence[tuple[float, str]] = (),
) -> list[Path]:
    """Write `<id>.svg` per journey, the overview and an index.html; return the paths.

    The overview is `oversigt.svg` in Danish and `overview.svg` in English. Each
    file is written atomically.
    """
    w = words(lang)
    journeys = list(journeys)
    outdir = Path(outdir)
    overview_name = "oversigt.svg" if lang == "da" else "overview.svg"
    taken = {overview_name.removesuffix(".svg"), "index"}
    written: list[Path] = []
    links: list[tuple[str, str]] = []
    for journey in journeys:
        name = f"{_file_stem(journey.id, taken)}.svg"
        path = outdir / name
        write_text_atomic(path, journey_svg(journey, lang=lang, transitions=transitions))
        written.append(path)
        who = f" · {journey.pseudonym}" if journey.pseudonym else ""
        links.append((name, f"{journey.id}{who} ({len(journey.steps)} {w['steps']})"))
    overview = outdir / overview_name
    write_text_atomic(overview, overview_svg(journeys, lang=lang))
    written.append(overview)
    index = outdir / "index.html"
    write_text_atomic(index, _index_html(links, overview_name, lang))
    written.append(index)
    return written

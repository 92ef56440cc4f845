"""Images and page layout for the Word documents: the project's SVGs as PNG pictures.

The charts and maps are the same SVGs the HTML report inlines, rasterised with
cairosvg (a maintained SVG renderer, no browser needed), so the Word report
shows what the HTML shows. Every picture carries alt text (the inline shape's
``docPr/@descr``) for screen readers. Journeys are pseudonymised before they
are drawn, because a PNG cannot be checked for names afterwards: the writers
check the SVG source text instead.
"""

from __future__ import annotations

import dataclasses
import io
import re
import struct
import xml.etree.ElementTree as ET
from collections.abc import Callable
from xml.sax.saxutils import escape

import cairosvg
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.shape import InlineShape
from docx.shared import Emu, Inches, Length
from docx.text.run import Run

from journeylab.journeys.model import Journey, Note
from journeylab.journeys.svgkit import FONT
from journeylab.themes.templating import bar_svg

RENDER_FONT = "Liberation Sans"
DPI = 200  # pixels per inch of page width: sharp in print, small enough to mail
ALT = {
    "da": {
        "overview": "Temaoversigt: andel af de unge og af medarbejderne, der berører hvert tema",
        "share": "{name}: {share} % af deltagerne berører temaet",
        "notes": "{n} grønne og {m} røde post-its",
    },
    "en": {
        "overview": "Themes overview: share of young people and of employees touching each theme",
        "share": "{name}: {share} % of the participants touch the theme",
        "notes": "{n} green and {m} red notes",
    },
}


def alt_strings(lang: str) -> dict[str, str]:
    """The alt-text phrases for *lang* (Danish when unknown)."""
    return ALT.get(lang, ALT["da"])


def png_size(png: bytes) -> tuple[int, int]:
    """(width, height) in pixels from a PNG's IHDR chunk."""
    width, height = struct.unpack(">II", png[16:24])
    return int(width), int(height)


def svg_png(svg: str, width_px: int) -> bytes:
    """The SVG text rendered to PNG at *width_px* pixels wide."""
    # cairo takes only the first family of a list; Segoe UI is rarely installed, and
    # the fallback (DejaVu) is wider than the layout assumes. Liberation Sans matches Arial.
    svg = svg.replace(FONT, RENDER_FONT)
    data: bytes = cairosvg.svg2png(bytestring=svg.encode("utf-8"), output_width=width_px)
    return data


_ROOT_SIZE = re.compile(r'(<svg\b[^>]*?) width="[^"]*"([^>]*?) viewBox="[^"]*"')


def svg_window(svg: str, x0: float, x1: float, height: float) -> str:
    """The SVG cropped to the columns between *x0* and *x1* (its root viewBox moved)."""
    w = x1 - x0
    return _ROOT_SIZE.sub(
        lambda m: (
            f'{m.group(1)} width="{w:.0f}"{m.group(2)} viewBox="{x0:.0f} 0 {w:.0f} {height:.0f}"'
        ),
        svg,
        count=1,
    )


def set_alt_text(shape: InlineShape, text: str) -> None:
    """Alt text of a picture: what Word shows as its description to a screen reader."""
    doc_pr = shape._inline.docPr
    doc_pr.set("descr", " ".join(text.split()))
    doc_pr.set("title", " ".join(text.split())[:120])


def alt_texts(doc: DocumentObject) -> list[str]:
    """The alt text of every picture in *doc* (body and tables), in document order."""
    body = doc.element.body
    return [str(e.get("descr", "")) for e in body.iter() if e.tag.endswith("}docPr")]


def usable_width(doc: DocumentObject) -> Emu:
    """The text width of the document's last section."""
    s = doc.sections[-1]
    return Emu(int(s.page_width or 0) - int(s.left_margin or 0) - int(s.right_margin or 0))


def usable_height(doc: DocumentObject) -> Emu:
    """The text height of the last section, less room for a heading above the picture."""
    s = doc.sections[-1]
    height = int(s.page_height or 0) - int(s.top_margin or 0) - int(s.bottom_margin or 0)
    return Emu(max(0, height - int(Inches(1.2))))


def add_svg(
    run: Run,
    svg: str,
    alt: str,
    *,
    width: Length,
    max_height: Length | None = None,
    seen: list[str] | None = None,
) -> InlineShape:
    """Put *svg* into *run* as a PNG *width* wide (smaller if taller than *max_height*).

    *seen* collects the SVG text so the writer can check it for names before saving."""
    if seen is not None:
        seen.append(svg)
    px = max(200, min(4000, round(width / Inches(1) * DPI)))
    png = svg_png(svg, px)
    w, h = png_size(png)
    if max_height is not None and w and width * h / w > max_height:
        shape = run.add_picture(io.BytesIO(png), height=max_height)
    else:
        shape = run.add_picture(io.BytesIO(png), width=width)
    set_alt_text(shape, alt)
    return shape


def titled_svg(rows: list[tuple[str, str]], width: int = 420) -> str:
    """One SVG of several small charts, each under its own (escaped) title line.

    *rows* are (title, chart SVG); the charts are nested <svg> elements.
    """
    parts: list[str] = []
    y = 0
    for title, chart in rows:
        parts.append(
            f'<text x="0" y="{y + 13}" font-size="12" font-weight="bold" fill="#222">'
            f"{escape(title)}</text>"
        )
        height = _attr(chart, "height")
        parts.append(chart.replace("<svg ", f'<svg x="0" y="{y + 18}" ', 1))
        y += 18 + height + 10
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{y}" '
        f'viewBox="0 0 {width} {y}" font-family="sans-serif">{"".join(parts)}</svg>'
    )


def svg_description(svg: str) -> str:
    """The <title> and <desc> of an SVG's root, joined: the picture's alt text."""
    root = ET.fromstring(svg)
    parts = [
        " ".join((child.text or "").split())
        for child in root
        if child.tag.rsplit("}", 1)[-1] in ("title", "desc")
    ]
    return ". ".join(p for p in parts if p)


def svg_size(svg: str) -> tuple[float, float]:
    """(width, height) of an SVG's root element, in its own units."""
    return float(_attr(svg, "width")), float(_attr(svg, "height"))


def _attr(svg: str, name: str) -> int:
    start = svg.index("<svg")
    head = svg[start : svg.index(">", start)]
    marker = f' {name}="'
    start = head.index(marker) + len(marker)
    return round(float(head[start : head.index('"', start)]))


def share_chart(share: float, label: str, colour: str | None) -> str:
    """The one-bar share chart of a table row, as SVG text."""
    return str(bar_svg([(share, label)], title=label, colour=colour))


def _note(note: Note, text: Callable[[str], str]) -> Note:
    return dataclasses.replace(
        note, text=text(note.text), actor=text(note.actor) if note.actor else note.actor
    )


def pseudonymise_journey(journey: Journey, text: Callable[[str], str]) -> Journey:
    """The journey with every note, actor, pseudonym and municipality passed through *text*."""
    steps = tuple(
        dataclasses.replace(
            s,
            event=_note(s.event, text),
            green=tuple(_note(n, text) for n in s.green),
            red=tuple(_note(n, text) for n in s.red),
        )
        for s in journey.steps
    )
    return dataclasses.replace(
        journey,
        id=text(journey.id),
        steps=steps,
        pseudonym=text(journey.pseudonym) if journey.pseudonym else journey.pseudonym,
        municipality=text(journey.municipality) if journey.municipality else None,
        attributes=tuple((k, text(v)) for k, v in journey.attributes),
    )


def start_section(doc: DocumentObject, *, landscape: bool) -> None:
    """A new page in a new section, landscape or portrait (page size swapped to suit)."""
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    width, height = int(section.page_width or 0), int(section.page_height or 0)
    if landscape != (width > height):
        section.page_width, section.page_height = Emu(height), Emu(width)
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT

"""The report as a Word document (python-docx), for consultants to finish in Word.

The same `Findings` and the same locale strings as the HTML report. Headings use
Word's own Heading 1/2/3 styles (so the navigation pane and a table of contents
work), quotes the built-in "Quote" style with their role tag, the theme
overview and the data basis are Word tables. The charts and maps are the
HTML report's own SVGs rendered to PNG (themes/docx_images.py): the overview
bar chart, each theme's journey-map excerpt, and an appendix in landscape with
each journey's map, followed by the same map as a table of shaded cells (green
above, the yellow steps, red below) that a screen reader can read and a
consultant can edit. Every picture has alt text. All document text, alt text
and the SVG each picture is drawn from are checked for real names before
anything is written; the file is written atomically.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from docx import Document
from docx.document import Document as DocumentObject
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Emu, Inches
from docx.table import _Cell

from journeylab.coding.study import Study
from journeylab.fileio import atomic_output
from journeylab.journeys.model import Journey
from journeylab.journeys.svgmap import COL_W, MARGIN, journey_svg
from journeylab.themes.docx_images import (
    add_svg,
    alt_strings,
    alt_texts,
    pseudonymise_journey,
    start_section,
    svg_description,
    svg_size,
    svg_window,
    titled_svg,
    usable_height,
    usable_width,
)
from journeylab.themes.docx_meta import set_metadata
from journeylab.themes.findings import Findings, ThemeFindings
from journeylab.themes.privacy import Pseudonymiser
from journeylab.themes.quantifiers import capitalise
from journeylab.themes.quotes import quote_tag
from journeylab.themes.recommendations import PartnershipSection, support_lines
from journeylab.themes.templating import long_date, strings
from journeylab.themes.written import Bullet

STEPS_PER_PICTURE = 8
JOURNEYS_APPENDIX = {"da": "Bilag: Brugerrejserne", "en": "Appendix: The user journeys"}
_FILL = {"yellow": "FFE699", "green": "C6EFCE", "red": "FFC7CE"}


def _shade(cell: _Cell, colour: str) -> None:
    props = cell._tc.get_or_add_tcPr()
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), colour)
    props.append(shading)


def _table(doc: DocumentObject, header: list[str], rows: list[list[str]]) -> None:
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = text


def _quant(q: Any, lang: str, analyst: bool) -> str:
    phrase = capitalise(q.phrase(lang))
    return f"{phrase} ({q.exact(lang)})" if analyst else phrase


def _bullet(b: Bullet, lang: str, analyst: bool, t: dict[str, Any]) -> str:
    """An analyst's bullet as the HTML report's `bullet` macro writes it."""
    if b.quantity is None:
        text = b.text
    else:
        phrase = b.quantity.phrase(lang)
        phrase = phrase if b.before else capitalise(phrase)
        if analyst:
            phrase = f"{phrase} ({b.quantity.exact(lang)})"
        text = f"{b.before} {phrase}" if b.before else phrase
        text += f" {b.after}" if b.spaced else b.after
    return f"{text} [{t['rep_draft']}]" if analyst and b.draft else text


def _overview_chart(doc: DocumentObject, f: Findings, t: dict[str, Any], lang: str,
                    svgs: list[str]) -> None:  # fmt: skip
    """The overview's bar chart: each theme's two bars under its name, as one picture."""
    from journeylab.themes.report import overview_svg

    sizes = dict(f.group_sizes)
    rows = [(theme.name, str(overview_svg(theme, t, sizes))) for theme in f.themes]
    if not rows:
        return
    shares = []
    for theme in f.themes:
        parts = []
        for key in ("unge", "medarbejdere"):
            size = sizes.get(key, 0)
            share = round(100 * theme.group(key).count / size) if size else 0
            parts.append(f"{t[f'bar_{key}']} {share} %")
        shares.append(f"{theme.name}: {', '.join(parts)}")
    alt = f"{alt_strings(lang)['overview']}. {'; '.join(shares)}."
    width = min(usable_width(doc), Inches(5.5))
    add_svg(doc.add_paragraph().add_run(), titled_svg(rows), alt, width=width, seen=svgs)


def _excerpt(doc: DocumentObject, theme: ThemeFindings, t: dict[str, Any], lang: str,
             svgs: list[str]) -> None:  # fmt: skip
    from journeylab.themes.report import theme_excerpt

    svg = str(theme_excerpt(theme, t))
    if not svg:
        return
    green = sum(1 for n in theme.notes if n.colour == "green")
    red = sum(1 for n in theme.notes if n.colour == "red")
    alt = (f"{str(t['rep_map_alt']).format(theme=theme.name)}: "
           f"{alt_strings(lang)['notes'].format(n=green, m=red)}.")  # fmt: skip
    add_svg(doc.add_paragraph().add_run(), svg, alt, width=usable_width(doc),
            max_height=usable_height(doc), seen=svgs)  # fmt: skip


def _theme(doc: DocumentObject, f: Findings, theme: ThemeFindings, number: int, t: dict[str, Any],
           lang: str, analyst: bool, svgs: list[str]) -> None:  # fmt: skip
    doc.add_heading(f"4.{number} {theme.name}", level=2)
    doc.add_paragraph(theme.description)
    if theme.quotes:
        doc.add_heading(str(t["quotes"]), level=3)
    for q in theme.quotes:
        doc.add_paragraph(f"»{q.text}«", style="Quote")
        tag = doc.add_paragraph(f"– {quote_tag(q.role, q.municipality, lang)}", style="Quote")
        if analyst and q.suggested:
            tag.add_run(f" [{t['suggested']}]")
    for key in ("unge", "medarbejdere"):
        group = theme.group(key)
        doc.add_heading(str(t[f"say_{key}"]), level=3)
        if group.bullets:  # the analyst's own (findings.yaml), as the HTML report shows them
            for b in group.bullets:
                doc.add_paragraph(_bullet(b, lang, analyst, t), style="List Bullet")
            continue
        if not group.statements:
            doc.add_paragraph(str(t[f"nobody_{key}"]))
            continue
        for st in group.statements:
            one = "_one" if st.quantity.count == 1 else ""
            verb = t[f"verb_{key}{one}"] if st.topic else t[f"touch_{key}{one}"]
            topic = f" {st.topic}" if st.topic else ""
            doc.add_paragraph(f"{_quant(st.quantity, lang, analyst)} {verb}{topic}.",
                              style="List Bullet")  # fmt: skip
        if group.leaders is not None and group.leaders.count:
            phrase = group.leaders.phrase(lang)
            doc.add_paragraph(str(t["leaders_among"]).format(q=phrase), style="List Bullet")
    doc.add_heading(str(t["from_journeys"]), level=3)
    notes = [n for n in theme.notes if n.colour != "yellow"]
    _excerpt(doc, theme, t, lang, svgs)
    if not theme.notes:
        doc.add_paragraph(str(t["no_notes"]))
    for n in notes:
        stage = t["stage"].get(n.stage, t["stage_unknown"]) if n.stage else t["stage_unknown"]
        step = f" ({t['at_step']}: {n.step})" if n.step else ""
        doc.add_paragraph(f"{t['colour'][n.colour]} – {stage}: {n.text}{step}",
                          style="List Bullet")  # fmt: skip


def _partnership(doc: DocumentObject, p: PartnershipSection, t: dict[str, Any], lang: str,
                 analyst: bool) -> None:  # fmt: skip
    """The partnership section: the study's own findings under each recommendation."""
    doc.add_heading(str(t["rec_title"]), level=1)
    doc.add_paragraph(str(t["rec_intro"]).format(programme=p.programme))
    for r in p.items:
        doc.add_heading(f"{r.id} {r.title}", level=2)
        if r.text:
            doc.add_paragraph(r.text)
        meta = f"{t['rec_programme_themes']}: {'; '.join(r.programme_themes)}"
        if r.transitions:
            meta += f" · {t['rec_transitions']}: {', '.join(r.transitions)}"
        doc.add_paragraph(meta)
        doc.add_heading(str(t["rec_supported_by"]), level=3)
        if not r.support:
            doc.add_paragraph(str(t["rec_no_support"]))
        for s in r.support:
            para = doc.add_paragraph(style="List Bullet")
            para.add_run(s.theme.name).bold = True
            para.add_run(f" ({str(t['rec_via']).format(themes='; '.join(s.via))})")
            groups = support_lines(s, t, lang, analyst)
            if not groups:
                doc.add_paragraph(str(t["rec_no_findings"]), style="List Bullet 2")
            for heading, lines in groups:
                doc.add_paragraph(heading, style="List Bullet 2")
                for line in lines:
                    doc.add_paragraph(line, style="List Bullet 3")
        if r.considerations:
            doc.add_heading(str(t["rec_considerations"]), level=3)
        for c in r.considerations:
            # Bullets: Word would continue one numbered list across the recommendations.
            doc.add_paragraph(c, style="List Bullet")


def _journey_map(doc: DocumentObject, journey: Journey, names: Pseudonymiser, t: dict[str, Any],
                 lang: str, svgs: list[str]) -> None:  # fmt: skip
    # Pseudonymised before drawing: a name inside a PNG could not be found afterwards.
    journey = pseudonymise_journey(journey, names.text)
    title = journey.pseudonym or journey.id
    doc.add_heading(f"{journey.id}: {title} ({t['made_up']})", level=2)
    svg = journey_svg(journey, lang=lang)
    alt = svg_description(svg) or title
    width, height = svg_size(svg)
    count = len(journey.steps)
    page = usable_width(doc)
    # Every part of one map at one scale: the scale at which a full part fills the page.
    full = 2 * MARGIN + STEPS_PER_PICTURE * COL_W if count > STEPS_PER_PICTURE else width
    # A long journey scaled to one page width would print its notes too small to read:
    # one picture per run of steps, the SVG's viewBox moved along the time line.
    for first in range(0, max(count, 1), STEPS_PER_PICTURE):
        last = min(count, first + STEPS_PER_PICTURE)
        x0 = 0.0 if first == 0 else MARGIN + first * COL_W
        x1 = width if last == count else MARGIN + last * COL_W
        part = svg if (first, last) == (0, count) else svg_window(svg, x0, x1, height)
        text = alt if first == 0 else f"{alt} ({t['at_step']} {first + 1}–{last})"
        size = Emu(min(int(page), round(page * (x1 - x0) / full)))
        add_svg(doc.add_paragraph().add_run(), part, text, width=size,
                max_height=usable_height(doc), seen=svgs)  # fmt: skip
    # The same map as shaded cells: readable by a screen reader, editable in Word.
    for first in range(0, len(journey.steps), 12):  # a page is only so wide
        steps = journey.steps[first : first + 12]
        table = doc.add_table(rows=3, cols=len(steps))
        table.style = "Table Grid"
        for i, step in enumerate(steps):
            cells = [table.rows[r].cells[i] for r in range(3)]
            texts = ["\n".join(n.text for n in step.green), step.event.text,
                     "\n".join(n.text for n in step.red)]  # fmt: skip
            for cell, text, colour in zip(cells, texts, ("green", "yellow", "red"), strict=True):
                cell.text = text
                if text:
                    _shade(cell, _FILL[colour])


def build_docx(
    findings: Findings,
    journeys: list[Journey],
    names: Pseudonymiser,
    *,
    lang: str = "da",
    analyst: bool = False,
    svgs: list[str] | None = None,
    partnership: PartnershipSection | None = None,
) -> DocumentObject:
    """The report as a python-docx Document (not saved).

    *svgs* collects the SVG text of every picture, for the name check;
    *partnership* adds the programme's recommendations before the considerations.
    """
    svgs = [] if svgs is None else svgs
    t = strings(lang)
    f = findings
    doc = Document()
    set_metadata(doc, title=f.title, lang=lang)
    doc.add_heading(f.title, level=0)
    sub = " – ".join(
        x for x in (str(t["report_kind"]), f.municipality, long_date(f.date, lang)) if x
    )
    doc.add_paragraph(sub)
    if analyst:
        doc.add_paragraph(str(t["analyst_version"]))
    doc.add_heading(f"1 {t['background']}", level=1)
    for para in f.background.split("\n\n") if f.background else [str(t["no_background"])]:
        doc.add_paragraph(para)

    doc.add_heading(f"2 {t['method']}", level=1)
    doc.add_paragraph(str(t["method_intro"]))
    basis, notes = f.basis, dict(f.basis.notes)
    roles = ", ".join(
        f"{n} {t['role_one'][r] if n == 1 else t['role_many'][r]}" for r, n in basis.participants
    )
    _table(
        doc,
        [str(t["participants_line"]), ""],
        [
            [str(t["journeys_line"]).format(n=""), str(basis.journeys)],
            [str(t["focus_groups_line"]).format(n=""), str(len(basis.focus_groups))],
            [str(t["participants_line"]), roles],
            [str(t["notes_line"]).format(yellow=notes.get("yellow", 0),
                                         green=notes.get("green", 0), red=notes.get("red", 0)), ""],
            [str(t["segments_line"]).format(coded=basis.segments_coded, total=basis.segments),
             ""],
        ],
    )  # fmt: skip
    for g in basis.focus_groups:
        people = ", ".join(f"{n} {t['role_many'][r]}" for r, n in g.roles)
        doc.add_paragraph(f"{g.title}{f' ({long_date(g.date, lang)})' if g.date else ''}: {people}",
                          style="List Bullet")  # fmt: skip
    doc.add_paragraph(str(t["coding_text"]).format(n=len(f.themes)))
    doc.add_paragraph(str(t["quantifier_text"]))

    doc.add_heading(f"3 {t['overview']}", level=1)
    sizes = dict(f.group_sizes)
    rows = []
    for theme in f.themes:
        cells = [theme.name, theme.description]
        for key in ("unge", "medarbejdere"):
            q = theme.group(key).quantity
            size = sizes.get(key, 0)
            share = round(100 * q.count / size) if size else 0
            cells.append(f"{_quant(q, lang, analyst)} ({share} %)")
        rows.append(cells)
    _table(doc, [str(t["theme"]), str(t["description"]), str(t["unge"]),
                 str(t["medarbejdere"])], rows)  # fmt: skip
    _overview_chart(doc, f, t, lang, svgs)

    doc.add_heading(f"4 {t['themes']}", level=1)
    for number, theme in enumerate(f.themes, start=1):
        _theme(doc, f, theme, number, t, lang, analyst, svgs)

    if partnership is not None:
        _partnership(doc, partnership, t, lang, analyst)
    doc.add_heading(f"5 {t['considerations']}", level=1)
    for c in f.considerations or (str(t["no_considerations"]),):
        doc.add_paragraph(c, style="List Number" if f.considerations else None)
    if journeys:
        # Journey maps are wide: their own landscape pages, then back to portrait.
        start_section(doc, landscape=True)
        doc.add_heading(JOURNEYS_APPENDIX.get(lang, JOURNEYS_APPENDIX["da"]), level=1)
        for journey in journeys:
            _journey_map(doc, journey, names, t, lang, svgs)
        start_section(doc, landscape=False)
    if analyst:
        doc.add_heading(str(t["appendix"]), level=1)
        doc.add_heading(str(t["crosstab"]), level=2)
        header = [str(t["theme"]), *(str(t["role"][r]) for r, _ in f.basis.participants)]
        _table(doc, header, [[name, *(str(n) for n in cells)] for name, cells in f.crosstab])
    doc.add_paragraph(str(t["footer"]))
    return doc


def document_text(doc: DocumentObject) -> str:
    """The title in its properties, every paragraph, table cell and picture alt text of
    *doc*, one a line (what the name check reads)."""
    # The core title is shown by Word, Explorer and SharePoint without opening the file.
    parts = [doc.core_properties.title or ""]
    parts.extend(p.text for p in doc.paragraphs)
    parts.extend(alt_texts(doc))
    for table in doc.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def write_docx_report(
    study: Study,
    out: str | Path,
    *,
    lang: str | None = None,
    analyst: bool = False,
    include_suggestions: float | None = None,
) -> Path:
    """`journeylab report --format docx`: load, build, check for names, write atomically."""
    from journeylab.journeys.overview import study_journeys
    from journeylab.themes.recommendations import load_membership, load_partnership
    from journeylab.themes.report import load_findings

    out = Path(out)
    membership = load_membership(study)  # a bad programme fails before the slow part
    language = lang or study.language  # the made-up name's marker is the report's language
    findings, participants = load_findings(
        study, include_suggestions=include_suggestions, language=language
    )
    names = Pseudonymiser.from_study(study, participants, language=language)
    partnership = load_partnership(study, findings, names.text, membership) if membership else None
    svgs: list[str] = []
    doc = build_docx(findings, study_journeys(study), names, lang=lang or study.language,
                     analyst=analyst, svgs=svgs, partnership=partnership)  # fmt: skip
    names.check(document_text(doc), path=out)
    for svg in svgs:
        names.check(svg, path=out)
    buffer = io.BytesIO()
    doc.save(buffer)
    with atomic_output(out) as tmp:
        tmp.write_bytes(buffer.getvalue())
        tmp.chmod(0o644)  # mkstemp makes it private; a report is meant to be shared
    return out

"""The report as a Word document (python-docx), for consultants to finish in Word.

The same `Findings` and the same locale strings as the HTML report. Headings use
Word's own Heading 1/2/3 styles (so the navigation pane and a table of contents
work), quotes the built-in "Quote" style with their role tag, the theme
overview and the data basis are Word tables. Charts are drawn as tables too:
the overview's shares as bars of block characters, and each journey as a map
of shaded cells (green above, the yellow steps, red below), because SVG -> PNG
needs cairosvg, which is not among the project's dependencies. All document
text is checked for real names before anything is written; the file is
written atomically.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from docx import Document
from docx.document import Document as DocumentObject
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.table import _Cell

from journeylab.coding.study import Study
from journeylab.fileio import write_bytes_atomic
from journeylab.journeys.model import Journey
from journeylab.themes.findings import Findings, ThemeFindings
from journeylab.themes.privacy import Pseudonymiser
from journeylab.themes.quantifiers import capitalise
from journeylab.themes.quotes import quote_tag
from journeylab.themes.templating import strings

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


def _bar(share: float, width: int = 10) -> str:
    filled = round(max(0.0, min(1.0, share)) * width)
    return "█" * filled + "░" * (width - filled) + f" {round(share * 100)} %"


def _quant(q: Any, lang: str, analyst: bool) -> str:
    phrase = capitalise(q.phrase(lang))
    return f"{phrase} ({q.exact(lang)})" if analyst else phrase


def _theme(doc: DocumentObject, f: Findings, theme: ThemeFindings, number: int, t: dict[str, Any],
           lang: str, analyst: bool) -> None:  # fmt: skip
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
    if not theme.notes:
        doc.add_paragraph(str(t["no_notes"]))
    for n in notes:
        stage = t["stage"].get(n.stage, t["stage_unknown"]) if n.stage else t["stage_unknown"]
        step = f" ({t['at_step']}: {n.step})" if n.step else ""
        doc.add_paragraph(f"{t['colour'][n.colour]} – {stage}: {n.text}{step}",
                          style="List Bullet")  # fmt: skip


def _journey_map(
    doc: DocumentObject, journey: Journey, names: Pseudonymiser, t: dict[str, Any]
) -> None:
    title = journey.pseudonym or journey.id
    doc.add_heading(f"{journey.id}: {names.text(title)} ({t['made_up']})", level=3)
    steps = journey.steps[:12]  # a page is only so wide; the rest continues below
    for first in range(0, len(journey.steps), 12):
        steps = journey.steps[first : first + 12]
        table = doc.add_table(rows=3, cols=len(steps))
        table.style = "Table Grid"
        for i, step in enumerate(steps):
            cells = [table.rows[r].cells[i] for r in range(3)]
            texts = ["\n".join(n.text for n in step.green), step.event.text,
                     "\n".join(n.text for n in step.red)]  # fmt: skip
            for cell, text, colour in zip(cells, texts, ("green", "yellow", "red"), strict=True):
                cell.text = names.text(text)
                if text:
                    _shade(cell, _FILL[colour])


def build_docx(
    findings: Findings,
    journeys: list[Journey],
    names: Pseudonymiser,
    *,
    lang: str = "da",
    analyst: bool = False,
) -> DocumentObject:
    """The report as a python-docx Document (not saved)."""
    t = strings(lang)
    f = findings
    doc = Document()
    doc.core_properties.title = f.title
    doc.add_heading(f.title, level=0)
    sub = " – ".join(x for x in (str(t["report_kind"]), f.municipality, f.date) if x)
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
        doc.add_paragraph(f"{g.title}{f' ({g.date})' if g.date else ''}: {people}",
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
            cells.append(f"{_quant(q, lang, analyst)}\n{_bar(q.count / size if size else 0.0)}")
        rows.append(cells)
    _table(doc, [str(t["theme"]), str(t["description"]), str(t["unge"]),
                 str(t["medarbejdere"])], rows)  # fmt: skip

    doc.add_heading(f"4 {t['themes']}", level=1)
    for number, theme in enumerate(f.themes, start=1):
        _theme(doc, f, theme, number, t, lang, analyst)
    if journeys:
        doc.add_heading(str(t["from_journeys"]), level=2)
        for journey in journeys:
            _journey_map(doc, journey, names, t)

    doc.add_heading(f"5 {t['considerations']}", level=1)
    for c in f.considerations or (str(t["no_considerations"]),):
        doc.add_paragraph(c, style="List Number" if f.considerations else None)
    if analyst:
        doc.add_heading(str(t["appendix"]), level=1)
        doc.add_heading(str(t["crosstab"]), level=2)
        header = [str(t["theme"]), *(str(t["role"][r]) for r, _ in f.basis.participants)]
        _table(doc, header, [[name, *(str(n) for n in cells)] for name, cells in f.crosstab])
    doc.add_paragraph(str(t["footer"]))
    return doc


def document_text(doc: DocumentObject) -> str:
    """Every paragraph and table cell of *doc*, one a line (what the name check reads)."""
    parts = [p.text for p in doc.paragraphs]
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
    from journeylab.themes.report import load_findings

    out = Path(out)
    findings, participants = load_findings(study, include_suggestions=include_suggestions)
    names = Pseudonymiser.from_study(study, participants)
    doc = build_docx(
        findings, study_journeys(study), names, lang=lang or study.language, analyst=analyst
    )
    names.check(document_text(doc), path=out)
    buffer = io.BytesIO()
    doc.save(buffer)
    write_bytes_atomic(out, buffer.getvalue())
    return out

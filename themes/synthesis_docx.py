"""The partnership synthesis as a Word document: same content and order as synthesis.html.

Built from the same `Synthesis` model, so the scoping is the model's: material a
municipality keeps for itself (``client_only``) is in the text only of its own
version (``scope=key``). Headings use Word's Heading styles, quotes the "Quote"
style with their role-and-municipality tag, the counts are Word tables, and each
municipality's share of a theme is a small bar chart (the HTML's own SVG as a
PNG, with alt text). Everything, alt texts and chart SVGs included, is checked
against every member study's real names before the file is written atomically.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from docx import Document
from docx.document import Document as DocumentObject
from docx.shared import Inches

from journeylab.fileio import atomic_output
from journeylab.themes.docx_images import add_svg, alt_strings, share_chart
from journeylab.themes.docx_meta import set_metadata
from journeylab.themes.programme import Programme, load_programme_codebook
from journeylab.themes.quantifiers import capitalise
from journeylab.themes.quotes import quote_tag
from journeylab.themes.report_docx import document_text
from journeylab.themes.synthesis import (
    ProgrammeTheme,
    Synthesis,
    TransitionFindings,
    load_members,
    member_codebooks,
    privacy_checkers,
    synthesise,
)
from journeylab.themes.templating import long_date, number, strings, years

ROLES = ("ung", "medarbejder", "leder")


def _table(doc: DocumentObject, header: list[str], rows: list[list[str]]) -> Any:
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in rows:
        for cell, text in zip(table.add_row().cells, row, strict=True):
            cell.text = text
    return table


def _basis(doc: DocumentObject, s: Synthesis, t: dict[str, Any], lang: str) -> None:
    doc.add_heading(f"2 {t['syn_basis']}", level=1)
    doc.add_paragraph(str(t["method_intro"]))
    header = [str(t["syn_municipality"]), str(t["syn_journeys"]), str(t["syn_focus_groups"]),
              *(str(t["role"][r]) for r in ROLES), str(t["syn_words"]),
              str(t["syn_client_only"])]  # fmt: skip
    rows = []
    for b in s.basis:
        roles = dict(b.participants)
        rows.append([b.municipality, str(b.journeys), str(b.focus_groups),
                     *(str(roles.get(r, 0)) for r in ROLES), number(b.words, lang),
                     str(b.client_only)])  # fmt: skip
    _table(doc, header, rows)
    doc.add_paragraph(str(t["quantifier_text"]))


def _mapping(doc: DocumentObject, s: Synthesis, t: dict[str, Any]) -> None:
    doc.add_heading(f"3 {t['syn_mapping']}", level=1)
    doc.add_paragraph(" ".join(str(t["syn_mapping_intro"]).split()))
    rows = [[r.municipality, r.local, ", ".join(r.programme) if r.programme else
             str(t["syn_none"])] for r in s.mapping]  # fmt: skip
    _table(doc, [str(t["syn_municipality"]), str(t["syn_local_theme"]),
                 str(t["syn_programme_themes"])], rows)  # fmt: skip


def _theme(doc: DocumentObject, s: Synthesis, theme: ProgrammeTheme, n: int, t: dict[str, Any],
           lang: str, svgs: list[str]) -> None:  # fmt: skip
    doc.add_heading(f"4.{n} {theme.name}", level=2)
    doc.add_paragraph(theme.description)
    lines = [str(t["syn_across"]).format(n=theme.touched, m=len(s.basis))]
    if theme.agree:
        lines.append(str(t["syn_agree"]))
    lines += [str(t[f"syn_{so.direction}"]).format(m=so.municipality) for so in theme.standouts]
    lines += [str(t["syn_absent"]).format(m=m) for m in theme.absent]
    doc.add_paragraph(" ".join(lines))
    table = _table(doc, [str(t["syn_municipality"]), str(t["unge"]), str(t["medarbejdere"]),
                         str(t["syn_share"])], [])  # fmt: skip
    for row in theme.municipalities:
        cells = table.add_row().cells
        cells[0].text = row.municipality
        cells[1].text = f"{capitalise(row.unge.phrase(lang))} ({row.unge.exact(lang)})"
        cells[2].text = (f"{capitalise(row.medarbejdere.phrase(lang))} "
                         f"({row.medarbejdere.exact(lang)})")  # fmt: skip
        percent = round(row.share * 100)
        cells[3].text = f"{percent} %"
        alt = alt_strings(lang)["share"].format(name=row.municipality, share=percent)
        svg = share_chart(row.share, f"{percent} %", theme.color)
        add_svg(cells[3].paragraphs[0].add_run(), svg, alt, width=Inches(1.6), seen=svgs)
    for q in theme.quotes:
        doc.add_paragraph(f"»{q.text}«", style="Quote")
        doc.add_paragraph(f"– {quote_tag(q.role, q.municipality, lang)}", style="Quote")


def _transition(doc: DocumentObject, tr: TransitionFindings, t: dict[str, Any], lang: str) -> None:
    doc.add_heading(f"{tr.point.label} ({years(tr.point.age, lang)})", level=2)
    header = [str(t[k]) for k in ("syn_municipality", "syn_reaching", "syn_before", "syn_after",
                                  "syn_actor_changes", "syn_waits")]  # fmt: skip
    rows = [[name, str(r.reaching), f"{r.green_before} / {r.red_before}",
             f"{r.green_after} / {r.red_after}", str(r.actor_changes), str(r.waits)]
            for name, r in [*tr.municipalities, ("Σ", tr.total)]]  # fmt: skip
    _table(doc, header, rows)
    if tr.examples:
        doc.add_heading(str(t["syn_examples"]), level=3)
    for ex in tr.examples:
        chip = f"{t['colour'][ex.colour]}, {t['syn_side'][ex.side]}"
        doc.add_paragraph(f"{chip}: {ex.text} – {ex.municipality}", style="List Bullet")


def _recommendations(doc: DocumentObject, s: Synthesis, t: dict[str, Any], lang: str) -> None:
    doc.add_heading(f"6 {t['syn_recommendations']}", level=1)
    if not s.recommendations:
        doc.add_paragraph(str(t["syn_no_recommendations"]))
    for rf in s.recommendations:
        r = rf.recommendation
        doc.add_heading(f"{r.id} {r.title}", level=2)
        if r.text:
            doc.add_paragraph(r.text)
        doc.add_heading(str(t["syn_supported_by"]), level=3)
        for theme in rf.themes:
            line = str(t["syn_theme_line"]).format(
                theme=theme.name, unge=capitalise(theme.unge.phrase(lang)),
                med=theme.medarbejdere.phrase(lang), n=theme.touched, m=len(s.basis),
            )  # fmt: skip
            doc.add_paragraph(line, style="List Bullet")
        for tr in rf.transitions:
            line = str(t["syn_transition_line"]).format(
                label=tr.point.label, red=tr.total.red_after, green=tr.total.green_after,
                changes=tr.total.actor_changes, reaching=tr.total.reaching,
            )  # fmt: skip
            doc.add_paragraph(line, style="List Bullet")
        if r.considerations:
            doc.add_heading(str(t["syn_considerations"]), level=3)
        for c in r.considerations:
            doc.add_paragraph(c, style="List Number")


def build_synthesis_docx(
    s: Synthesis, *, lang: str = "da", svgs: list[str] | None = None
) -> DocumentObject:
    """The synthesis as a python-docx Document (not saved); *svgs* collects chart SVGs."""
    svgs = [] if svgs is None else svgs
    t = strings(lang)
    doc = Document()
    set_metadata(doc, title=f"{s.title} – {s.scope}" if s.scope else s.title, lang=lang)
    doc.add_heading(s.title, level=0)
    doc.add_paragraph(" – ".join(x for x in (str(t["syn_kind"]), long_date(s.date, lang)) if x))
    doc.add_paragraph(" · ".join(s.municipalities))
    if s.scope:
        doc.add_paragraph(str(t["syn_own_version"]).format(m=s.scope)).runs[0].bold = True
    doc.add_heading(f"1 {t['background']}", level=1)
    for para in s.background.split("\n\n") if s.background else [str(t["no_background"])]:
        doc.add_paragraph(para)
    _basis(doc, s, t, lang)
    _mapping(doc, s, t)
    doc.add_heading(f"4 {t['syn_themes']}", level=1)
    _table(doc, [str(t["theme"]), str(t["unge"]), str(t["medarbejdere"]),
                 str(t["syn_municipality"])],
           [[th.name, capitalise(th.unge.phrase(lang)),
             capitalise(th.medarbejdere.phrase(lang)), f"{th.touched} / {len(s.basis)}"]
            for th in s.themes])  # fmt: skip
    for n, theme in enumerate(s.themes, start=1):
        _theme(doc, s, theme, n, t, lang, svgs)
    doc.add_heading(f"5 {t['syn_transitions']}", level=1)
    doc.add_paragraph(" ".join(str(t["syn_transitions_intro"]).split()))
    for tr in s.transitions:
        _transition(doc, tr, t, lang)
    _recommendations(doc, s, t, lang)
    doc.add_paragraph(str(t["syn_footer"]))
    return doc


def write_synthesis_docx(
    programme: Programme,
    out: str | Path,
    *,
    lang: str | None = None,
    scope: str | None = None,
    prepare: bool = False,
) -> Path:
    """Build the synthesis (shared, or *scope*'s own version), check it against every
    member study's real names (PrivacyError: nothing written), then write it atomically."""
    from journeylab.themes.mapping import load_mapping

    out = Path(out)
    if scope is not None:
        programme.member(scope)  # an unknown key is an error before any work
    codebook = load_programme_codebook(programme)
    members = load_members(programme, prepare=prepare, language=lang or programme.language)
    mapping = load_mapping(programme.mapping_path, member_codebooks(members), codebook)
    synthesis = synthesise(programme, codebook, members, mapping, scope=scope)
    svgs: list[str] = []
    doc = build_synthesis_docx(synthesis, lang=lang or programme.language, svgs=svgs)
    text = "\n".join([document_text(doc), *svgs])
    for checker in privacy_checkers(members):
        checker.check(text, path=out)
    buffer = io.BytesIO()
    doc.save(buffer)
    with atomic_output(out) as tmp:
        tmp.write_bytes(buffer.getvalue())
        tmp.chmod(0o644)  # mkstemp makes it private; a report is meant to be shared
    return out

"""The Word report: real headings, every theme with its quotes, tables, no leaks."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import docx
import pytest

from journeylab.coding.importer import import_study
from journeylab.coding.model import CodingStatus
from journeylab.coding.store import open_store
from journeylab.coding.study import Study
from journeylab.errors import PrivacyError
from journeylab.themes.report import load_findings
from journeylab.themes.report_docx import write_docx_report

T = "transcripts/fokusgruppe.txt"
TRANSCRIPT = """\
---
title: Fokusgruppe med medarbejdere
participants:
  Interviewer: {role: interviewer}
  Lone: {role: medarbejder, pseudonym: Medarbejder 1}
  Karsten: {role: leder}
---
Interviewer: Hvordan oplever I overgangen?

Lone: Vi ser tit, at de unge får en ny sagsbehandler, når de fylder 18 år,
og så skal de fortælle det hele forfra til en ny voksen.

Karsten: Skolen og UU taler ikke nok sammen, og fraværet bliver opdaget
alt for sent i udskolingen hos os.
"""


@pytest.fixture
def study(make_study: Callable[..., Study]) -> Study:
    study = make_study({T: TRANSCRIPT})
    import_study(study)
    with open_store(study) as store:
        for seg in store.segments(source=T):
            if seg.speaker == "Lone":
                store.set_coding(seg.id, "Relationen", "anna", CodingStatus.MANUAL)
            if seg.speaker == "Karsten":
                store.set_coding(seg.id, "Skolen", "anna", CodingStatus.MANUAL)
        note = next(s for s in store.segments() if s.text == "God klasselærer")
        store.set_coding(note.id, "Skolen", "anna", CodingStatus.MANUAL)
    return study


def test_docx_has_headings_quotes_and_sections(study: Study, tmp_path: Path) -> None:
    out = write_docx_report(study, tmp_path / "rapport.docx")
    doc = docx.Document(str(out))
    findings, _ = load_findings(study)
    headings = {p.text: p.style.name for p in doc.paragraphs if p.style.name.startswith("Heading")}
    for number, theme in enumerate(findings.themes, start=1):
        assert headings[f"4.{number} {theme.name}"] == "Heading 2"
    assert "Heading 1" in headings.values() and "Heading 3" in headings.values()
    says = [p.text for p in doc.paragraphs if p.style.name == "Heading 3"]
    assert says.count("Hvad siger de unge?") == len(findings.themes)
    assert says.count("Hvad siger medarbejderne?") == len(findings.themes)
    quotes = [p.text for p in doc.paragraphs if p.style.name == "Quote"]
    assert any(theme.quotes for theme in findings.themes)
    for theme in findings.themes:
        for q in theme.quotes:
            assert f"»{q.text}«" in quotes
    assert any(t.startswith("– leder i") for t in quotes)  # the role tag, never a name
    assert len(doc.tables) >= 2  # the data basis and the theme overview, as Word tables
    overview = next(t for t in doc.tables if t.rows[0].cells[0].text == "Tema")
    assert [r.cells[0].text for r in overview.rows[1:]] == [t.name for t in findings.themes]


def test_journey_maps_are_shaded_tables(study: Study, tmp_path: Path) -> None:
    doc = docx.Document(str(write_docx_report(study, tmp_path / "r.docx")))
    cells = [c for t in doc.tables for row in t.rows for c in row.cells]
    shaded = [c for c in cells if c._tc.xpath("./w:tcPr/w:shd")]
    assert any(c.text == "God klasselærer" for c in shaded)


def test_english_and_analyst_versions(study: Study, tmp_path: Path) -> None:
    doc = docx.Document(str(write_docx_report(study, tmp_path / "r.docx", lang="en",
                                              analyst=True)))  # fmt: skip
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Hvad siger" not in text
    assert "n = " in text  # the counts behind the quantifiers


def test_names_are_checked_before_writing(
    study: Study, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from journeylab.themes import report_docx

    real = report_docx.build_docx

    def leaky(*args: object, **kwargs: object) -> object:
        doc = real(*args, **kwargs)  # type: ignore[arg-type]
        doc.add_paragraph("Rikke Holm sagde det selv.")
        return doc

    monkeypatch.setattr(report_docx, "build_docx", leaky)
    out = tmp_path / "r.docx"
    with pytest.raises(PrivacyError):
        write_docx_report(study, out)
    assert not out.exists()

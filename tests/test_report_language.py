"""The made-up-name marker follows the report's language, not the study's.

Kept apart from test_report.py (the renderer): this runs report_study end to end
on an imported study, so load_findings and build_findings get the language too.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from journeylab.coding.importer import import_study
from journeylab.coding.model import CodingStatus
from journeylab.coding.store import open_store
from journeylab.coding.study import Study
from journeylab.themes.report import report_study

T = "transcripts/samtale.txt"
TRANSCRIPT = """\
---
title: Samtale
participants:
  Interviewer: {role: interviewer}
  Lone: {role: medarbejder, pseudonym: Medarbejder 1}
---
Interviewer: Hvordan går det?

Lone: Rikke Holm ringede til mig om sagsbehandleren, og Holms mor var med.
"""


@pytest.fixture
def study(make_study: Callable[..., Study]) -> Study:
    study = make_study({T: TRANSCRIPT})  # a Danish study; "Rikke Holm" = "Sofie"
    import_study(study)
    with open_store(study) as store:
        lone = next(s for s in store.segments(source=T) if s.speaker == "Lone")
        store.set_coding(lone.id, "Relationen", "anna", CodingStatus.MANUAL)
    return study


@pytest.mark.parametrize(
    ("lang", "marker", "other"),
    [("en", "(made-up name)", "(opdigtet navn)"), ("da", "(opdigtet navn)", "(made-up name)")],
)
def test_the_report_language_picks_the_marker(
    study: Study, tmp_path: Path, lang: str, marker: str, other: str
) -> None:
    out = report_study(study, tmp_path / f"r-{lang}.html", lang=lang, analyst=True)
    text = out.read_text(encoding="utf-8")
    assert f"Sofie {marker} ringede" in text
    assert f"Sofies {marker} mor" in text  # the surname alone, possessive
    assert other not in text


@pytest.mark.parametrize(
    ("lang", "marker", "other"),
    [("en", "(made-up name)", "(opdigtet navn)"), ("da", "(opdigtet navn)", "(made-up name)")],
)
def test_the_word_report_language_picks_the_marker(
    study: Study, tmp_path: Path, lang: str, marker: str, other: str
) -> None:
    from docx import Document

    from journeylab.themes.report_docx import write_docx_report

    out = write_docx_report(study, tmp_path / f"r-{lang}.docx", lang=lang, analyst=True)
    text = "\n".join(p.text for p in Document(str(out)).paragraphs)
    text += "\n".join(c.text for t in Document(str(out)).tables for r in t.rows for c in r.cells)
    assert f"Sofie {marker}" in text
    assert other not in text

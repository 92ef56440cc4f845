"""The spreadsheet export: every sheet with the right rows; CSV per table; no leaks."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import load_workbook

from journeylab.coding.export import export_study
from journeylab.coding.importer import import_study
from journeylab.coding.model import CodingStatus
from journeylab.coding.store import open_store
from journeylab.coding.study import Study
from journeylab.coding.workbook import SHEETS, export_tables
from journeylab.errors import InputError, PrivacyError

T = "transcripts/fokusgruppe.txt"


@pytest.fixture
def study(make_study: Callable[..., Study]) -> Study:
    study = make_study()
    import_study(study)
    with open_store(study) as store:
        for seg in store.segments()[:4]:
            store.set_coding(seg.id, "Relationen", "anna", CodingStatus.MANUAL)
        store.set_coding(store.segments()[0].id, "Skolen", "bo", CodingStatus.ACCEPTED)
    return study


def test_xlsx_has_every_sheet_with_the_right_rows(study: Study, tmp_path: Path) -> None:
    out = tmp_path / "studie.xlsx"
    export_tables(study, out)
    wb = load_workbook(out)
    assert wb.sheetnames == list(SHEETS.values())
    with open_store(study) as store:
        n_segments, n_codings = len(store.segments()), len(store.codings())
    rows = {name: wb[name].max_row - 1 for name in wb.sheetnames}
    assert rows["segmenter"] == n_segments
    assert rows["kodninger"] == n_codings == 5
    assert rows["temaer"] == 3
    assert rows["rejser"] == 7
    assert rows["tema_x_rolle"] == 3
    header = wb["kodninger"][1]
    assert header[0].font.bold and wb["kodninger"].freeze_panes == "A2"
    assert [c.value for c in header][:7] == [
        "segment_id", "source", "role", "speaker", "theme", "coder", "status"
    ]  # fmt: skip
    text_col = wb["segmenter"].column_dimensions["N"].width
    assert text_col > wb["segmenter"].column_dimensions["D"].width  # sized to the content


def test_csv_folder_one_file_a_table(study: Study, tmp_path: Path) -> None:
    files = export_study(study, tmp_path / "tabeller", fmt="csv")
    assert sorted(p.name for p in files) == sorted(f"{n}.csv" for n in SHEETS.values())
    with (tmp_path / "tabeller" / "kodninger.csv").open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert {(r["theme"], r["coder"]) for r in rows} == {("Relationen", "anna"), ("Skolen", "bo")}


def test_csv_to_a_file_keeps_the_coding_sheet(study: Study, tmp_path: Path) -> None:
    out = tmp_path / "kodning.csv"
    assert export_study(study, out, fmt="csv") == [out]
    assert out.read_text(encoding="utf-8-sig").startswith("source,segment_id")


def test_a_leak_writes_nothing(
    study: Study, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from journeylab.themes.privacy import Pseudonymiser

    monkeypatch.setattr(Pseudonymiser, "text", lambda self, text: text)
    monkeypatch.setattr(Pseudonymiser, "speaker", lambda self, label: label)
    out = tmp_path / "studie.xlsx"
    with pytest.raises(PrivacyError):
        export_tables(study, out)
    assert not out.exists()


def test_unknown_format(study: Study, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="unknown format"):
        export_study(study, tmp_path / "x.pdf", fmt="pdf")

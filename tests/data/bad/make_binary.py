"""Regenerate the binary bad files (xlsx, docx, UTF-16): python tests/data/bad/make_binary.py."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from pathlib import Path

from docx import Document
from openpyxl import Workbook

HERE = Path(__file__).parent


def _book(rows: list[list[object]]) -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.title = "rejser"
    for row in rows:
        ws.append(row)
    return wb


def main() -> None:
    j = HERE / "journeys"
    header = ["rejse", "farve", "tekst", "alder", "dato"]
    # Merged cells: the journey id sits in the first row of the merge only.
    wb = _book([header, ["J01", "gul", "Starter i skolen"], [None, "grøn", "God lærer"]])
    wb.active.merge_cells("A2:A3")
    wb.save(j / "merged_cells.xlsx")
    # A formula without a cached value reads as an empty text.
    wb = _book([header, ["J01", "gul", '=CONCAT("Starter"," i skolen")']])
    wb.save(j / "formula_text.xlsx")
    # A date typed into the age column.
    wb = _book([header, ["J01", "gul", "Starter i skolen", datetime(2012, 8, 1)]])
    wb.save(j / "date_as_age.xlsx")
    wb = _book([header, ["J01", "blå", "Starter i skolen"]])
    wb.save(j / "unknown_colour.xlsx")
    # A zip that is no workbook.
    with zipfile.ZipFile(j / "zip_not_workbook.xlsx", "w") as z:
        z.writestr("hello.txt", "hej")
    (j / "truncated.xlsx").write_bytes((j / "unknown_colour.xlsx").read_bytes()[:900])
    text = "rejse,farve,tekst\nJ01,gul,Starter i skolen\nJ01,lilla,Noget\n"
    (j / "utf16_unknown_colour.csv").write_bytes(text.encode("utf-16"))

    t = HERE / "transcripts"
    with zipfile.ZipFile(t / "zip_not_docx.docx", "w") as z:
        z.writestr("notes/readme.txt", "ikke et Word-dokument")
    doc = Document()
    doc.add_paragraph("Lone: Vi ser mange skift af sagsbehandler.")
    buf = io.BytesIO()
    doc.save(buf)
    (t / "truncated.docx").write_bytes(buf.getvalue()[: len(buf.getvalue()) // 2])
    doc = Document()
    doc.add_paragraph("Vi talte om skolen, men ingen sagde deres navn.")
    doc.save(t / "no_speakers.docx")

    s = HERE / "sheets"
    wb = Workbook()
    wb.active.append(["nothing", "here"])
    wb.save(s / "wrong_header.xlsx")
    with zipfile.ZipFile(s / "zip_not_sheet.xlsx", "w") as z:
        z.writestr("a.txt", "x")


if __name__ == "__main__":
    main()

"""The spreadsheet export: every table of the study in one XLSX, or one CSV a table.

Sheets (Danish names, the same order as `StudyFrames.tables`): segmenter,
kodninger, temaer, rejser, deltagere, tema_x_rolle. Header bold on a fill,
frozen and filtered; columns sized to their content (capped). CSV files are
UTF-8 with a BOM so Excel reads æ, ø, å. Every text is checked for real names
before anything is written.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from journeylab.coding.frames import StudyFrames, study_frames
from journeylab.coding.study import Study
from journeylab.errors import InputError
from journeylab.fileio import atomic_output
from journeylab.themes.privacy import Pseudonymiser

SHEETS = {
    "segments": "segmenter",
    "codings": "kodninger",
    "themes": "temaer",
    "journeys": "rejser",
    "participants": "deltagere",
    "crosstab": "tema_x_rolle",
    "memos": "memoer",
}
MAX_WIDTH = 70


def _check(frames: StudyFrames, out: Path) -> None:
    from journeylab.coding.store import open_store

    with open_store(frames.study) as store:
        participants = [p for r in store.sources() for p in r.participants]
    privacy = Pseudonymiser.from_study(frames.study, participants)
    for name, frame in frames.tables().items():
        privacy.check(frame.to_csv(index=False), path=f"{out} ({SHEETS[name]})")


def write_xlsx(frames: StudyFrames, out: str | Path) -> Path:
    """One workbook with a sheet per table; atomically, after the name check."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    out = Path(out)
    _check(frames, out)
    wb = Workbook()
    first = wb.active
    if first is not None:
        wb.remove(first)
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="FFE699")
    for key, frame in frames.tables().items():
        ws = wb.create_sheet(SHEETS[key])
        ws.append([str(c) for c in frame.columns])
        for row in frame.itertuples(index=False):
            ws.append([None if pd.isna(v) else v for v in row])
        for cell in ws[1]:
            cell.font, cell.fill = bold, fill
        ws.freeze_panes = "A2"
        ws.auto_filter.ref = ws.dimensions
        for i, column in enumerate(frame.columns, start=1):
            longest = max([len(str(column)), *(len(str(v)) for v in frame[column].head(500))])
            ws.column_dimensions[get_column_letter(i)].width = min(MAX_WIDTH, longest + 2)
            if longest > MAX_WIDTH:
                for (cell,) in ws.iter_rows(min_row=2, min_col=i, max_col=i):
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
    with atomic_output(out) as tmp:
        wb.save(tmp)
    return out


def write_csv_folder(frames: StudyFrames, folder: str | Path) -> list[Path]:
    """One CSV a table in *folder* (segmenter.csv, ...); each written atomically."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise InputError(
            "is a file, not a folder",
            path=folder,
            hint="--format csv writes one file a table: give a folder",
        )
    _check(frames, folder)
    written = []
    for key, frame in frames.tables().items():
        path = folder / f"{SHEETS[key]}.csv"
        with atomic_output(path) as tmp:
            frame.to_csv(tmp, index=False, encoding="utf-8-sig")
        written.append(path)
    return written


def export_tables(study: Study, out: str | Path, *, fmt: str = "xlsx") -> list[Path]:
    """`journeylab export --format xlsx|csv`: the study's tables to a workbook or a folder."""
    frames = study_frames(study)
    if fmt == "xlsx":
        return [write_xlsx(frames, out)]
    if fmt == "csv":
        return write_csv_folder(frames, out)
    raise InputError(f"unknown format '{fmt}'", hint="choose xlsx or csv")

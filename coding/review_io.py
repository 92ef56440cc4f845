"""Review sheets on disk: xlsx (openpyxl) and csv, written atomically and read back strictly."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from journeylab.coding.model import CodingStatus, Theme
from journeylab.coding.review import (
    COLUMNS,
    GUIDE,
    HEADERS,
    LISTS,
    NO,
    REQUIRED,
    SHEET,
    TOP,
    YES,
    ReviewResult,
    SheetRow,
)
from journeylab.coding.study import Study
from journeylab.errors import PrivacyError, SheetError
from journeylab.fileio import atomic_output, read_text, write_text_atomic

if TYPE_CHECKING:
    from journeylab.themes.privacy import Pseudonymiser

WIDTHS = {"id": 14, "source": 18, "speaker": 14, "role": 12, "text": 60, "memo": 30, "new": 20}
TO_FILL = PatternFill("solid", fgColor="FFF2CC")  # the columns a person fills in


def write_xlsx(path: Path, rows: Sequence[SheetRow], themes: Sequence[str]) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = SHEET
    keys = [k for k, _ in COLUMNS]
    ws.append([label for _, label in COLUMNS])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        values = row.values()
        ws.append([values[k] for k in keys])
        # Plain text always: a note starting with "=" must not become a formula.
        for col in ("text", "speaker", "source", "shown"):
            cell = ws.cell(row=ws.max_row, column=keys.index(col) + 1)
            cell.data_type = "s"
    last = max(2, len(rows) + 1)
    for i, key in enumerate(keys, start=1):
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = WIDTHS.get(key, 16)
        # The record of what the sheet showed is for journeylab, not the person.
        ws.column_dimensions[letter].hidden = key == "shown"
        wrap = key in ("text", "memo")
        for cell in ws[letter][1:]:
            cell.alignment = Alignment(wrap_text=wrap, vertical="top")
            if key in REQUIRED and key not in ("id", "text"):
                cell.fill = TO_FILL
    ws.freeze_panes = "B2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(keys))}{last}"

    # The theme list lives on its own sheet: inline lists are limited to 255 characters.
    lists = wb.create_sheet(LISTS)
    for i, name in enumerate(themes, start=1):
        lists.cell(row=i, column=1, value=name).data_type = "s"
    lists.sheet_state = "hidden"
    theme_dv = DataValidation(
        type="list",
        formula1=f"={LISTS}!$A$1:$A${max(1, len(themes))}",
        allow_blank=True,
        showErrorMessage=False,  # a new theme goes in "nyt tema", but don't block typing
        promptTitle="Tema",
        prompt="Vælg et tema fra kodebogen",
    )
    accept_dv = DataValidation(type="list", formula1='"ja,nej"', allow_blank=True)
    accept_dv.error = "Skriv ja eller nej"
    ws.add_data_validation(theme_dv)
    ws.add_data_validation(accept_dv)
    for key in ("t1", "t2", "t3"):
        letter = get_column_letter(keys.index(key) + 1)
        theme_dv.add(f"{letter}2:{letter}{last}")
    letter = get_column_letter(keys.index("accept") + 1)
    accept_dv.add(f"{letter}2:{letter}{last}")

    guide = wb.create_sheet("Vejledning")
    guide.append(["Kolonne", "Sådan bruger du den"])
    for cell in guide[1]:
        cell.font = Font(bold=True)
    for name, text in GUIDE:
        guide.append([name, text])
    guide.column_dimensions["A"].width = 22
    guide.column_dimensions["B"].width = 90
    for row_cells in guide.iter_rows(min_row=2):
        for cell in row_cells:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    with atomic_output(path) as tmp:
        wb.save(tmp)


def write_csv(path: Path, rows: Sequence[SheetRow]) -> None:
    buf = io.StringIO()
    # Semicolons and a BOM: what Excel with Danish settings opens without a wizard.
    writer = csv.writer(buf, delimiter=";", lineterminator="\n")
    writer.writerow([label for _, label in COLUMNS])
    for row in rows:
        values = row.values()
        writer.writerow([values[k] for k, _ in COLUMNS])
    write_text_atomic(path, "\ufeff" + buf.getvalue())


@dataclass(frozen=True)
class SheetRecord:
    line: int  # the row number a spreadsheet shows
    values: dict[str, str]


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value).split())


def read_rows(path: Path) -> list[SheetRecord]:
    """The sheet's rows keyed by column id; SheetError when the file or header is wrong."""
    if not path.is_file():
        raise SheetError("no such file", path=path)
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        try:
            wb = load_workbook(path, read_only=True, data_only=True)
        except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
            raise SheetError(
                f"cannot read the workbook: {exc}", path=path, hint="save it as .xlsx"
            ) from exc
        ws = wb[SHEET] if SHEET in wb.sheetnames else wb.worksheets[0]
        table = [[_cell(v) for v in row] for row in ws.iter_rows(values_only=True)]
        wb.close()
    elif suffix == ".csv":
        text = read_text(path)
        first = text.split("\n", 1)[0]
        delimiter = ";" if first.count(";") >= first.count(",") else ","
        table = [
            [_cell(v) for v in row] for row in csv.reader(io.StringIO(text), delimiter=delimiter)
        ]
    else:
        raise SheetError("a review sheet must be .xlsx or .csv", path=path)
    if not table:
        raise SheetError("the sheet is empty", path=path)
    by_label = {label: key for key, label in COLUMNS}
    header = [by_label.get(h.strip().lower(), "") for h in table[0]]
    missing = [HEADERS[k] for k in REQUIRED if k not in header]
    if missing:
        raise SheetError(
            "missing column(s): " + ", ".join(f"'{m}'" for m in missing),
            path=path,
            where="row 1",
            hint="export a fresh sheet with journeylab review and keep its header row",
        )
    out = []
    for number, row in enumerate(table[1:], start=2):
        values = {k: (row[i] if i < len(row) else "") for i, k in enumerate(header) if k}
        if any(values.values()):
            out.append(SheetRecord(number, values))
    return out


def _err(path: Path, record: SheetRecord, key: str, message: str, hint: str) -> SheetError:
    return SheetError(
        message, path=path, where=f"row {record.line}, column '{HEADERS[key]}'", hint=hint
    )


def _refuse_a_name(pseudo: Pseudonymiser, path: Path, record: SheetRecord, theme: str) -> None:
    """A new theme's name is shown as written in every report: no real name in it."""
    name = pseudo.find(theme)
    if name is not None:
        raise PrivacyError(
            f"the new theme '{theme}' contains a real name ('{name}', {pseudo.origin(name)})",
            path=path,
            where=f"row {record.line}, column '{HEADERS['new']}'",
            hint="theme names are not pseudonymised: write the theme without the name and "
            "read the sheet again; nothing was read",
        )


def apply_rows(
    study: Study, path: Path, records: Sequence[SheetRecord], *, coder: str
) -> ReviewResult:
    """Check every row against the store, then write them all in one transaction."""
    from journeylab.coding import store_themes
    from journeylab.coding.review import (
        fold,
        parse_shown,
        suggestions_by_segment,
    )
    from journeylab.coding.store import open_store
    from journeylab.themes.privacy import Pseudonymiser

    with open_store(study) as store:
        pseudo = Pseudonymiser.from_sources(study, store.sources())
        known = {t.name for t in store.themes()}
        folded = {name.casefold(): name for name in known}
        suggested = suggestions_by_segment(store.codings(statuses=[CodingStatus.SUGGESTED]))
        plans = []
        new_themes: dict[str, str] = {}
        seen: dict[str, int] = {}
        for rec in records:
            v = rec.values
            sid = v.get("id", "")
            seg = store.segment(sid) if sid else None
            if seg is None:
                raise _err(
                    path,
                    rec,
                    "id",
                    f"unknown segment id '{sid}'",
                    "do not edit the id column; export a fresh sheet",
                )
            if sid in seen:
                raise _err(
                    path,
                    rec,
                    "id",
                    f"segment '{sid}' is also on row {seen[sid]}",
                    "keep one row per segment",
                )
            seen[sid] = rec.line
            # The sheet shows the text pseudonymised; compare it as shown.
            if " ".join(pseudo.text(seg.text).split()) != v.get("text", ""):
                raise _err(
                    path,
                    rec,
                    "text",
                    "the text no longer matches the study",
                    "do not edit the text column; re-export after journeylab import",
                )
            new = v.get("new", "")
            if new and new.casefold() not in folded:
                _refuse_a_name(pseudo, path, rec, new)
                new_themes.setdefault(new.casefold(), new)
            themes: list[str] = []
            for key in ("new", *(f"t{i}" for i in range(1, TOP + 1))):
                name = v.get(key, "")
                if not name:
                    continue
                canonical = folded.get(name.casefold()) or new_themes.get(name.casefold())
                if canonical is None:
                    raise _err(
                        path,
                        rec,
                        key,
                        f"unknown theme '{name}'",
                        "pick one from the list, or write a new theme in 'nyt tema'",
                    )
                themes.append(canonical)
            accept = v.get("accept", "").lower()
            if accept and accept not in YES | NO:
                raise _err(
                    path,
                    rec,
                    "accept",
                    f"'{v['accept']}' is not ja or nej",
                    "write ja, nej or leave it empty",
                )
            top = suggested.get(sid, [])
            if accept and not top:
                raise _err(
                    path,
                    rec,
                    "accept",
                    "there is no suggestion to accept or reject",
                    "leave it empty and choose themes instead",
                )
            plans.append(
                (
                    sid,
                    list(dict.fromkeys(themes)),
                    accept,
                    top[0][0] if top else "",
                    v.get("memo", ""),
                    # None: an older sheet (no column) or a damaged record; nothing is removed.
                    parse_shown(v["shown"], sid) if "shown" in v else None,
                )
            )
        accepted = rejected = manual = memos = 0
        removals: list[tuple[str, str]] = []
        not_shown: list[tuple[str, str]] = []
        unrecorded: list[tuple[str, str]] = []
        with store.transaction():
            for key, name in new_themes.items():
                folded[key] = name
                # Through store_themes with the names: the store's own guard, too.
                store_themes.add_theme(
                    store,
                    Theme(name, f"Nyt tema foreslået af {coder} i et kodeark.", emergent=True),
                    True,
                    coder,
                    names=pseudo,
                )
            mine: dict[str, dict[str, CodingStatus]] = {}
            for c in store.codings(coder=coder):
                mine.setdefault(c.segment_id, {})[c.theme] = c.status
            # A memo already in the store (the sheet read before) is not added again;
            # compared as cells are read, whitespace collapsed.
            noted = {
                (target, author, " ".join(text.split()))
                for _, target, author, text in store.memos("segment")
            }
            for sid, themes, accept, top_theme, memo, shown in plans:
                had = mine.get(sid, {})
                decided = set(themes)
                if accept in YES:
                    store.set_coding(sid, top_theme, coder, CodingStatus.ACCEPTED)
                    accepted += 1
                    decided.add(top_theme)
                elif accept in NO:
                    if top_theme in decided:
                        raise SheetError(
                            f"'{top_theme}' is both rejected and chosen",
                            path=path,
                            where=f"segment '{sid}'",
                            hint="write ja, or remove the theme from 'tema'",
                        )
                    store.set_coding(sid, top_theme, coder, CodingStatus.REJECTED)
                    rejected += 1
                for t in themes:
                    if accept in YES and t == top_theme:
                        continue
                    if had.get(t) in (CodingStatus.MANUAL, CodingStatus.ACCEPTED):
                        continue  # already the person's: unchanged, and an acceptance stays one
                    store.set_coding(sid, t, coder, CodingStatus.MANUAL)
                    manual += 1
                # A blank row is not "remove my codings": only a theme the row showed
                # (its record) and the person cleared goes. A coding made after the sheet
                # was written (another sheet, the explorer) was never on it, so it stays.
                for t, status in had.items():
                    if t in decided or status == CodingStatus.REJECTED:
                        continue
                    if accept in NO and t == top_theme:
                        continue
                    if shown is None:
                        unrecorded.append((sid, t))
                    elif fold(t) in shown:
                        store.remove_coding(sid, t, coder)
                        removals.append((sid, t))
                    else:
                        not_shown.append((sid, t))
                if memo and (sid, coder, memo) not in noted:
                    store.add_memo("segment", sid, coder, memo)
                    noted.add((sid, coder, memo))
                    memos += 1
    return ReviewResult(
        rows=len(plans),
        accepted=accepted,
        rejected=rejected,
        manual=manual,
        removed=len(removals),
        memos=memos,
        new_themes=tuple(new_themes.values()),
        removals=tuple(removals),
        not_shown=tuple(not_shown),
        unrecorded=tuple(unrecorded),
    )

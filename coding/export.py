"""The coding export: one row per segment and theme, as CSV (Excel-friendly) or XLSX.

Every suggested and person coding is a row; a segment without codings still gets
one row with an empty theme, so the sheet shows all the material. With
``unit="turn"`` the sentence windows of a long turn are merged back into the
turn: its full text, and per theme and coder the best score of its windows.
Names are pseudonymised on the way out (speakers and text), and every cell is
checked for real names before anything is written.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from journeylab.coding.model import Coding, CodingStatus, Segment, SegmentKind
from journeylab.coding.store import SourceRecord, open_store
from journeylab.coding.study import Study
from journeylab.errors import InputError
from journeylab.fileio import atomic_output
from journeylab.themes.privacy import Pseudonymiser, file_fix, theme_fix

COLUMNS = (
    "source",
    "segment_id",
    "turn_index",
    "speaker",
    "role",
    "text",
    "theme",
    "score",
    "rank",
    "coder",
    "status",
    "start",
    "end",
)
FORMATS = ("csv", "xlsx")
UNITS = ("segment", "turn")
_WIDTHS = {"source": 28, "segment_id": 30, "speaker": 16, "text": 80, "theme": 28, "coder": 18}
# When a turn's windows disagree, a person's yes wins over a suggestion, which
# wins over a person's no: the turn did carry the theme somewhere.
_PRECEDENCE = {
    CodingStatus.MANUAL: 0,
    CodingStatus.ACCEPTED: 1,
    CodingStatus.SUGGESTED: 2,
    CodingStatus.REJECTED: 3,
}


@dataclass(frozen=True)
class _Unit:
    """One exported unit: a segment, or a turn made of several sentence windows."""

    ids: tuple[str, ...]
    first: Segment
    start: int
    end: int
    text: str


def _units(segments: Sequence[Segment], sources: dict[str, SourceRecord], unit: str) -> list[_Unit]:
    if unit == "segment":
        return [_Unit((s.id,), s, s.start, s.end, s.text) for s in segments]
    groups: dict[tuple[str, int | str], list[Segment]] = {}
    for s in segments:
        merge = s.kind is SegmentKind.SENTENCES and s.turn_index is not None
        key: int | str = s.turn_index if merge and s.turn_index is not None else f"#{s.id}"
        groups.setdefault((s.source, key), []).append(s)
    out = []
    for segs in groups.values():
        start, end = min(s.start for s in segs), max(s.end for s in segs)
        src = sources.get(segs[0].source)
        text = src.text[start:end] if src and len(segs) > 1 else segs[0].text
        out.append(_Unit(tuple(s.id for s in segs), segs[0], start, end, text))
    return out


def _merge(codings: Iterable[Coding]) -> list[Coding]:
    """One coding per (theme, coder): best score, best rank, strongest status."""
    merged: dict[tuple[str, str], Coding] = {}
    for c in codings:
        key = (c.theme, c.coder)
        old = merged.get(key)
        if old is None:
            merged[key] = c
            continue
        scores = [x for x in (old.score, c.score) if x is not None]
        ranks = [x for x in (old.rank, c.rank) if x is not None]
        status = min(old.status, c.status, key=lambda s: _PRECEDENCE[s])
        merged[key] = Coding(
            segment_id=old.segment_id,
            theme=c.theme,
            coder=c.coder,
            status=status,
            score=max(scores) if scores else None,
            rank=min(ranks) if ranks else None,
        )
    return list(merged.values())


def coding_rows(
    study: Study, *, unit: str = "segment", statuses: Iterable[CodingStatus] | None = None
) -> list[dict[str, object]]:
    """The export's rows (plain dicts keyed by COLUMNS), in source and segment order."""
    return _coding_rows(study, unit, statuses)[0]


def _coding_rows(
    study: Study, unit: str, statuses: Iterable[CodingStatus] | None
) -> tuple[list[dict[str, object]], Pseudonymiser]:
    if unit not in UNITS:
        raise InputError(f"unknown unit '{unit}'", hint=f"choose one of: {', '.join(UNITS)}")
    wanted = None if statuses is None else {CodingStatus(s) for s in statuses}
    with open_store(study) as store:
        sources = {s.path: s for s in store.sources()}
        segments = store.segments()
        codings: dict[str, list[Coding]] = {}
        for c in store.codings():
            if wanted is None or c.status in wanted:
                codings.setdefault(c.segment_id, []).append(c)
    privacy = Pseudonymiser.from_sources(study, sources.values())
    rows: list[dict[str, object]] = []
    for u in _units(segments, sources, unit):
        found = [c for i in u.ids for c in codings.get(i, [])]
        if len(u.ids) > 1:
            found = _merge(found)
        found.sort(key=lambda c: (c.coder, c.rank or 10**6, -(c.score or 0.0), c.theme))
        base: dict[str, object] = {
            "source": u.first.source,
            "segment_id": " ".join(u.ids),
            "turn_index": u.first.turn_index,
            "speaker": privacy.speaker(u.first.speaker),
            "role": u.first.role.value,
            "text": privacy.text(u.text),
            "start": u.start,
            "end": u.end,
        }
        choices: list[Coding | None] = list(found) or [None]
        for one in choices:
            row = dict(base)
            if one is not None:
                row["theme"] = one.theme
                row["score"] = round(one.score, 4) if one.score is not None else None
                row["rank"] = one.rank
                row["coder"] = one.coder
                row["status"] = one.status.value
            rows.append({k: row.get(k) for k in COLUMNS})
    return rows, privacy


def _cell_fix(column: str, value: str) -> str | None:
    if column in ("source", "segment_id"):
        return file_fix(value)
    if column == "theme":
        return theme_fix(value)
    return None


def check_coding_rows(privacy: Pseudonymiser, rows: Sequence[dict[str, object]], out: Path) -> None:
    """PrivacyError naming the row and column when any cell would show a real name.

    Text and speakers are pseudonymised in coding_rows; file names, segment ids,
    themes and coders are written as stored, so every cell is checked.
    """
    sheet = "kodning" if Path(out).suffix.lower() == ".xlsx" else None
    privacy.check_rows(rows, out, sheet=sheet, fix=_cell_fix)


def export_codings(
    study: Study,
    out: Path,
    *,
    fmt: str = "csv",
    unit: str = "segment",
    statuses: Iterable[CodingStatus] | None = None,
) -> int:
    """Write the coding sheet to *out* (atomically); the number of rows written.

    A real name in any cell refuses the export (PrivacyError): nothing is written.
    """
    if fmt not in FORMATS:
        raise InputError(f"unknown format '{fmt}'", hint=f"choose one of: {', '.join(FORMATS)}")
    rows, privacy = _coding_rows(study, unit, statuses)
    check_coding_rows(privacy, rows, out)
    with atomic_output(out) as tmp:
        if fmt == "csv":
            _write_csv(tmp, rows)
        else:
            _write_xlsx(tmp, rows)
    return len(rows)


def _write_csv(path: Path, rows: list[dict[str, object]]) -> None:
    # UTF-8 with BOM: Excel otherwise reads æ, ø, å as mojibake.
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)


def _write_xlsx(path: Path, rows: list[dict[str, object]]) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "kodning"
    ws.append(list(COLUMNS))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append([row[c] for c in COLUMNS])
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    for i, name in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = _WIDTHS.get(name, 10)
    wrap = Alignment(wrap_text=True, vertical="top")
    text_col = COLUMNS.index("text") + 1
    for (cell,) in ws.iter_rows(min_row=2, min_col=text_col, max_col=text_col):
        cell.alignment = wrap
    wb.save(path)


STUDY_FORMATS = ("csv", "xlsx", "qdpx", "qdc")


def export_study(
    study: Study, out: str | Path, *, fmt: str = "csv", unit: str = "segment"
) -> list[Path]:
    """`journeylab export --format qdpx|qdc|xlsx|csv`: the files written.

    csv to a path ending in .csv keeps the coding sheet (`export_codings`); csv to
    any other path writes one CSV a table into that folder; xlsx is the workbook
    with every table; qdpx the REFI-QDA project; qdc the codebook alone.
    """
    from journeylab.coding.qdc import export_codebook
    from journeylab.coding.qdpx import export_qdpx
    from journeylab.coding.workbook import export_tables

    out = Path(out)
    if fmt == "csv" and out.suffix.lower() == ".csv":
        export_codings(study, out, fmt="csv", unit=unit)
        return [out]
    if fmt in ("csv", "xlsx"):
        return export_tables(study, out, fmt=fmt)
    if fmt == "qdpx":
        return [export_qdpx(study, out).path]
    if fmt == "qdc":
        return [export_codebook(study, out)]
    raise InputError(f"unknown format '{fmt}'", hint=f"choose one of: {', '.join(STUDY_FORMATS)}")

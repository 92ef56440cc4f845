"""Reading journeys from tables: CSV and XLSX files with one row a note.

A yellow row starts a step; a green or red row belongs to the yellow row above it
in the same journey, or to the yellow row whose step number it names. Steps keep
the order of their yellow rows. Row numbers in messages are the ones a
spreadsheet shows (the header is row 1).
"""

from __future__ import annotations

import csv
import io
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn, TypeVar

from journeylab.errors import InputError, JourneyError, JourneylabWarning
from journeylab.fileio import read_text
from journeylab.journeys.cells import (
    HEADERS,
    REQUIRED_COLUMNS,
    RESERVED_NAMES,
    FieldProblem,
    cell_text,
    column_field,
    fold_name,
    parse_age,
    parse_colour_value,
    parse_date,
    parse_stage_value,
    parse_step_number,
)
from journeylab.journeys.headers import refuse_misspelt_columns
from journeylab.journeys.model import Colour, Journey, Note, Step

SHEET_NAMES = ("journeys", "rejser")
T = TypeVar("T")


@dataclass(frozen=True)
class Header:
    """What each column of a table holds."""

    fields: dict[int, str]  # column index -> field id
    attributes: dict[int, str]  # column index -> journey attribute name
    names: dict[str, str]  # field id -> the header as the user wrote it
    width: int


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def parse_header(cells: Sequence[object], *, path: Path, place: str) -> Header:
    """The header row: known columns (Danish or English), others are journey attributes."""
    fields: dict[int, str] = {}
    attributes: dict[int, str] = {}
    names: dict[str, str] = {}
    for index, cell in enumerate(cells):
        name = cell_text(cell)
        if name is None:
            continue  # an unnamed column holds the user's own scribbles
        known = column_field(name)
        if known is not None:
            if known in names:
                raise JourneyError(
                    f"columns '{names[known]}' and '{name}' both mean {known}",
                    path=path,
                    where=place,
                    hint="keep one of them",
                )
            fields[index] = known
            names[known] = name
        elif fold_name(name) in RESERVED_NAMES:
            raise JourneyError(
                f"column '{name}' is not used in a table",
                path=path,
                where=place,
                hint="write one row a note, with its colour in column 'farve'/'colour'",
            )
        elif name in attributes.values():
            raise JourneyError(f"column '{name}' appears twice", path=path, where=place)
        else:
            attributes[index] = name
    refuse_misspelt_columns(attributes, names, path=path, place=place)
    missing = [f for f in REQUIRED_COLUMNS if f not in names]
    if missing:
        wanted = ", ".join(f"'{HEADERS['da'][f]}' ({HEADERS['en'][f]})" for f in missing)
        raise JourneyError(
            f"missing column {wanted}",
            path=path,
            where=place,
            hint="the first row names the columns: rejse, trin, farve, tekst, fase, alder, "
            "aktør; in English journey, step, colour, text, stage, age, actor",
        )
    return Header(fields, attributes, names, len(cells))


@dataclass
class _DraftStep:
    event: Note
    number: int | None
    row: int
    green: list[Note] = field(default_factory=list)
    red: list[Note] = field(default_factory=list)


@dataclass
class _DraftJourney:
    id: str
    steps: list[_DraftStep] = field(default_factory=list)
    by_number: dict[int, _DraftStep] = field(default_factory=dict)
    facts: dict[str, object] = field(default_factory=dict)
    attributes: dict[str, str] = field(default_factory=dict)
    # green/red notes waiting for their step: (row, colour, note, step or step number)
    pending: list[tuple[int, Colour, Note, _DraftStep | int]] = field(default_factory=list)


class _Table:
    """Turns rows into journeys, raising errors that name the row and column."""

    def __init__(self, header: Header, *, path: Path, source: str, sheet: str | None) -> None:
        self.header = header
        self.path = path
        self.source = source
        self.prefix = f"sheet '{sheet}', " if sheet is not None else ""
        self.journeys: dict[str, _DraftJourney] = {}

    def where(self, row: int, field_id: str | None = None) -> str:
        place = f"{self.prefix}row {row}"
        if field_id is None:
            return place
        name = self.header.names.get(field_id, HEADERS["da"][field_id])
        return f"{place}, column '{name}'"

    def fail(
        self, message: str, row: int, field_id: str | None, hint: str | None = None
    ) -> NoReturn:
        raise JourneyError(message, path=self.path, where=self.where(row, field_id), hint=hint)

    def value(self, row: int, field_id: str, parse: Callable[[object], T], raw: object) -> T:
        """*raw* parsed for *field_id*; a bad value is an error naming row and column."""
        try:
            return parse(raw)
        except FieldProblem as problem:
            self.fail(problem.message, row, field_id, problem.hint)

    def add_row(self, row: int, cells: Sequence[object], *, strict_width: bool) -> None:
        if all(_blank(c) for c in cells):
            return
        if strict_width and any(not _blank(c) for c in cells[self.header.width :]):
            self.fail(
                f"the row has more cells than the header has columns ({self.header.width})",
                row,
                None,
                "put quotes around a text that holds the separator (, or ;)",
            )
        values = {
            field_id: cells[index] if index < len(cells) else None
            for index, field_id in self.header.fields.items()
        }
        journey_id = cell_text(values.get("journey"))
        if journey_id is None:
            self.fail("missing journey id", row, "journey", "write the journey's id, e.g. J01")
        colour = self.value(row, "colour", parse_colour_value, values.get("colour"))
        text = cell_text(values.get("text"))
        if text is None:
            self.fail("missing text", row, "text", "write what the note says, or delete the row")
        note = Note(
            colour=colour,
            text=text,
            age=self.value(row, "age", parse_age, values.get("age")),
            date=self.value(row, "date", parse_date, values.get("date")),
            actor=cell_text(values.get("actor")),
            stage=self.value(row, "stage", parse_stage_value, values.get("stage")),
        )
        number = self.value(row, "step", parse_step_number, values.get("step"))
        draft = self.journeys.setdefault(journey_id, _DraftJourney(journey_id))
        self._journey_facts(row, draft, values, cells)
        if colour is Colour.YELLOW:
            step = _DraftStep(note, number, row)
            if number is not None:
                if number in draft.by_number:
                    first = draft.by_number[number].row
                    self.fail(
                        f"step number {number} is used twice in journey '{journey_id}'"
                        f" (rows {first} and {row})",
                        row,
                        "step",
                        "give each yellow note its own step number",
                    )
                draft.by_number[number] = step
            draft.steps.append(step)
        elif number is not None:
            draft.pending.append((row, colour, note, number))
        elif draft.steps:
            draft.pending.append((row, colour, note, draft.steps[-1]))
        else:
            self.fail(
                f"a {colour.value} note comes before any yellow note in journey '{journey_id}'",
                row,
                "colour",
                "put the yellow note (the step) first, or name its step number in column 'trin'",
            )

    def _journey_facts(
        self, row: int, draft: _DraftJourney, values: dict[str, object], cells: Sequence[object]
    ) -> None:
        # The first non-empty value of a journey column is the journey's.
        for field_id in ("pseudonym", "gender", "municipality"):
            if field_id not in draft.facts and (text := cell_text(values.get(field_id))):
                draft.facts[field_id] = text
        if "interview_age" not in draft.facts:
            age = self.value(row, "interview_age", parse_age, values.get("interview_age"))
            if age is not None:
                draft.facts["interview_age"] = age
        for index, name in self.header.attributes.items():
            text = cell_text(cells[index]) if index < len(cells) else None
            if name not in draft.attributes and text is not None:
                draft.attributes[name] = text

    def finish(self) -> list[Journey]:
        journeys = []
        for draft in self.journeys.values():
            for row, colour, note, target in sorted(draft.pending, key=lambda p: p[0]):
                if isinstance(target, int):
                    step = draft.by_number.get(target)
                    if step is None:
                        self.fail(
                            f"journey '{draft.id}' has no yellow note with step number {target}",
                            row,
                            "step",
                            "give the yellow note that step number, or correct this one",
                        )
                    target = step
                (target.green if colour is Colour.GREEN else target.red).append(note)
            self._order_steps(draft)
            interview_age = draft.facts.get("interview_age")
            journeys.append(
                Journey(
                    id=draft.id,
                    steps=tuple(Step(s.event, tuple(s.green), tuple(s.red)) for s in draft.steps),
                    pseudonym=_str_or_none(draft.facts.get("pseudonym")),
                    age=interview_age if isinstance(interview_age, int | float) else None,
                    gender=_str_or_none(draft.facts.get("gender")),
                    municipality=_str_or_none(draft.facts.get("municipality")),
                    attributes=tuple(sorted(draft.attributes.items())),
                    source=self.source,
                )
            )
        return journeys

    def _order_steps(self, draft: _DraftJourney) -> None:
        """Warn when step numbers disagree with the rows' order (the rows' order is kept)."""
        numbers = [s.number for s in draft.steps if s.number is not None]
        if numbers == sorted(numbers):
            return
        # The rows' order wins (the sheet is what the consultant sees), but say so.
        warnings.warn(
            JourneylabWarning(
                f"{self.path}, journey '{draft.id}': the step numbers are not in the order"
                " of the rows; the rows' order is kept"
            ),
            stacklevel=4,
        )


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None


def table_journeys(
    rows: Iterable[tuple[int, Sequence[object]]],
    *,
    path: Path,
    source: str,
    sheet: str | None = None,
    strict_width: bool = False,
) -> list[Journey]:
    """Journeys from numbered rows; the first non-empty row is the header."""
    table: _Table | None = None
    for number, cells in rows:
        if table is None:
            if all(_blank(c) for c in cells):
                continue
            place = f"sheet '{sheet}', row {number}" if sheet is not None else f"row {number}"
            header = parse_header(cells, path=path, place=place)
            table = _Table(header, path=path, source=source, sheet=sheet)
            continue
        table.add_row(number, cells, strict_width=strict_width)
    if table is None:
        raise JourneyError("the file is empty", path=path, hint="write a header row and notes")
    return table.finish()


_SEPARATOR_NAMES = {";": "semicolon (;)", ",": "comma (,)", "\t": "tab"}


def _sniff_delimiter(text: str, path: Path | None = None) -> str:
    """The separator of the header line: the most frequent of ';', ',' and tab."""
    header = next((line for line in text.split("\n") if line.strip()), "")
    counts = {sep: header.count(sep) for sep in (";", ",", "\t")}
    chosen = max(counts, key=lambda sep: counts[sep])
    if sum(1 for n in counts.values() if n) > 1:
        # A header holding two separators is a guess worth telling the user about.
        warnings.warn(
            JourneylabWarning(
                f"{path or 'the CSV file'}, row 1: read as {_SEPARATOR_NAMES[chosen]}-separated"
                " (the header holds more than one kind of separator)"
            ),
            stacklevel=3,
        )
    return chosen


def read_csv(path: Path, *, source: str) -> list[Journey]:
    """Journeys from a CSV file (comma, semicolon or tab separated)."""
    text = read_text(path, guess_cp1252=True)  # Excel's old CSV export
    if not text.strip():
        raise JourneyError("the file is empty", path=path, hint="write a header row and notes")
    reader = csv.reader(
        io.StringIO(text, newline=""), delimiter=_sniff_delimiter(text, path), strict=True
    )
    rows: list[tuple[int, Sequence[object]]] = []
    start = 1  # the line the current row starts on: a quoted text may span lines
    try:
        for row in reader:
            rows.append((len(rows) + 1, row))
            start = reader.line_num + 1
    except csv.Error as exc:
        unclosed = "end of data" in str(exc)
        if "field larger than field limit" in str(exc):
            raise JourneyError(
                f"a cell is longer than {csv.field_size_limit():,} characters",
                path=path,
                where=f"line {start}",
                hint='a note is a short text: look for a quote (") that is never closed',
            ) from exc
        raise JourneyError(
            'a quote (") is opened but never closed' if unclosed else f"malformed CSV: {exc}",
            path=path,
            where=f"line {start}" if unclosed else f"line {reader.line_num}",
            hint='a text with quotes in it is written "like ""this"" one"',
        ) from exc
    return table_journeys(rows, path=path, source=source, strict_width=True)


def read_xlsx(path: Path, *, source: str) -> list[Journey]:
    """Journeys from an Excel workbook: the sheet named journeys/rejser, else the first."""
    if not path.is_file():
        raise InputError("no such file", path=path, hint="check the name and folder")
    sheets = _read_sheets(path)
    if not sheets:
        raise JourneyError("the workbook has no worksheet", path=path)
    named = [name for name in sheets if fold_name(name) in SHEET_NAMES]
    chosen = named[0] if named else next(iter(sheets))
    rows = sheets[chosen]
    if all(all(_blank(c) for c in cells) for _, cells in rows):
        names = ", ".join(f"'{name}'" for name in sheets)
        raise JourneyError(
            f"sheet '{chosen}' is empty (the workbook has the sheets {names})",
            path=path,
            hint="put the journeys on the first sheet, or name their sheet 'rejser'",
        )
    return table_journeys(rows, path=path, source=source, sheet=chosen)


def _read_sheets(path: Path) -> dict[str, list[tuple[int, Sequence[object]]]]:
    """Every worksheet's rows with their row numbers, read in one go."""
    import openpyxl

    try:
        with warnings.catch_warnings():
            # openpyxl warns about styles and extensions it ignores; none matter here.
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
            try:
                sheets: dict[str, list[tuple[int, Sequence[object]]]] = {}
                for sheet in workbook.worksheets:
                    sheet.reset_dimensions()  # some writers store wrong dimensions
                    sheets[sheet.title] = list(_numbered_rows(sheet))
            finally:
                workbook.close()
    except Exception as exc:  # a damaged workbook fails in many ways inside openpyxl
        raise InputError(
            "is not an Excel workbook (.xlsx) or is damaged",
            path=path,
            hint="open it in Excel and save it as .xlsx, or as 'CSV UTF-8'",
        ) from exc
    return sheets


def _numbered_rows(sheet: Any) -> Iterable[tuple[int, tuple[object, ...]]]:
    """Cell values of each row with the row number Excel shows.

    Read-only mode may leave out empty rows, so the number comes from the cells.
    """
    for index, row in enumerate(sheet.iter_rows(), start=1):
        numbers = [cell.row for cell in row if getattr(cell, "row", None)]
        yield (numbers[0] if numbers else index), tuple(cell.value for cell in row)

"""Writing journeys: YAML (one journey a file) and tables (CSV or XLSX, one row a note).

What is written reads back as the same journey (except `source`). Every file is
written through `atomic_output`, so a failure leaves the old file as it was.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

import yaml

from journeylab.errors import InputError, JourneyError
from journeylab.fileio import atomic_output
from journeylab.journeys.cells import (
    COLOUR_NAMES,
    HEADERS,
    RESERVED_NAMES,
    STAGE_NAMES,
    fold_name,
    format_age,
)
from journeylab.journeys.model import Journey, Note

__all__ = ["journey_to_dict", "table_rows", "write_table", "write_yaml"]

_COLUMNS = ("journey", "step", "colour", "text", "stage", "age", "actor", "date")
_JOURNEY_COLUMNS = ("pseudonym", "gender", "municipality", "interview_age")


def _age_value(age: float | None) -> int | float | None:
    if age is None:
        return None
    return int(age) if float(age).is_integer() else float(age)


def _check(journey: Journey, path: Path) -> None:
    """A journey the readers could not read back is refused before anything is written."""
    if not journey.steps:
        raise JourneyError(
            f"journey '{journey.id}' has no steps", path=path, hint="add at least one yellow note"
        )
    for key, _ in journey.attributes:
        if fold_name(key) in RESERVED_NAMES or not key.strip():
            raise JourneyError(
                f"journey '{journey.id}' has an attribute named '{key}', "
                "which is a journey field name",
                path=path,
                hint="rename the attribute",
            )


def _note_dict(note: Note, *, with_stage: bool) -> dict[str, object]:
    data: dict[str, object] = {"text": note.text}
    if note.age is not None:
        data["age"] = _age_value(note.age)
    if with_stage and note.stage is not None:
        data["stage"] = note.stage.value
    if note.actor is not None:
        data["actor"] = note.actor
    if note.date is not None:
        data["date"] = note.date
    return data


def _side_note(note: Note) -> object:
    """A green or red note: its text alone when that is all it has."""
    data = _note_dict(note, with_stage=True)
    return note.text if list(data) == ["text"] else data


def journey_to_dict(journey: Journey) -> dict[str, object]:
    """The journey in the YAML format (plain dicts, lists, strings and numbers)."""
    data: dict[str, object] = {"journey": journey.id}
    if journey.pseudonym is not None:
        data["pseudonym"] = journey.pseudonym
    if journey.age is not None:
        data["age"] = _age_value(journey.age)
    if journey.gender is not None:
        data["gender"] = journey.gender
    if journey.municipality is not None:
        data["municipality"] = journey.municipality
    for key, value in journey.attributes:
        data[key] = value
    steps = []
    for step in journey.steps:
        item = _note_dict(step.event, with_stage=True)
        if step.green:
            item["green"] = [_side_note(n) for n in step.green]
        if step.red:
            item["red"] = [_side_note(n) for n in step.red]
        steps.append(item)
    data["steps"] = steps
    return data


class _Dumper(yaml.SafeDumper):
    """Indents lists under their key, as the examples in FORMATS.md do."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _str_representer(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    # A note with line breaks is written as a block so it stays readable.
    style = "|" if "\n" in value and value == value.strip() else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str_representer)


def write_yaml(journey: Journey, path: Path) -> None:
    """Write one journey as a YAML file."""
    path = Path(path)
    _check(journey, path)
    text = yaml.dump(
        journey_to_dict(journey),
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        width=100,
    )
    with atomic_output(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def _lang(lang: str) -> str:
    if lang not in HEADERS:
        raise InputError(f"unknown language '{lang}'", hint="use da or en")
    return lang


def table_rows(journeys: Iterable[Journey], *, lang: str = "da") -> list[list[object]]:
    """The header and one row a note; ages as numbers, the rest as text or None."""
    journeys = list(journeys)
    lang = _lang(lang)
    attribute_names: list[str] = []
    for journey in journeys:
        for key, _ in journey.attributes:
            if key not in attribute_names:
                attribute_names.append(key)
    used = [c for c in _JOURNEY_COLUMNS if any(_journey_value(j, c) is not None for j in journeys)]
    header: list[object] = [HEADERS[lang][c] for c in (*_COLUMNS, *used)]
    rows: list[list[object]] = [[*header, *attribute_names]]
    for journey in journeys:
        facts = [_journey_value(journey, c) for c in used]
        attributes = dict(journey.attributes)
        extra = [attributes.get(name) for name in attribute_names]
        for number, step in enumerate(journey.steps, start=1):
            for note in step.notes:
                rows.append(
                    [
                        journey.id,
                        number,
                        COLOUR_NAMES[lang][note.colour],
                        note.text,
                        STAGE_NAMES[lang][note.stage] if note.stage is not None else None,
                        _age_value(note.age),
                        note.actor,
                        note.date,
                        *facts,
                        *extra,
                    ]
                )
    return rows


def _journey_value(journey: Journey, column: str) -> object:
    if column == "interview_age":
        return _age_value(journey.age)
    value: object = getattr(journey, column)
    return value


def write_table(journeys: Iterable[Journey], path: Path, *, lang: str = "da") -> None:
    """Write journeys as a table, one row a note: .csv (semicolons, UTF-8 with BOM) or .xlsx."""
    path = Path(path)
    journeys = list(journeys)
    seen: set[str] = set()
    for journey in journeys:
        _check(journey, path)
        if journey.id in seen:
            raise JourneyError(
                f"journey id '{journey.id}' is given twice",
                path=path,
                hint="give each journey its own id",
            )
        seen.add(journey.id)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise InputError(
            f"cannot write a table as '{path.suffix}'", path=path, hint="use .csv or .xlsx"
        )
    rows = table_rows(journeys, lang=lang)
    if suffix == ".csv":
        _write_csv(rows, path, lang)
    else:
        _write_xlsx(rows, path, "rejser" if lang == "da" else "journeys")


def _write_csv(rows: list[list[object]], path: Path, lang: str) -> None:
    with atomic_output(path) as tmp, tmp.open("w", encoding="utf-8-sig", newline="") as out:
        # Excel opens a UTF-8 file with a BOM and semicolons directly in Danish settings.
        writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
        for row in rows:
            writer.writerow([_csv_cell(value, lang) for value in row])


def _csv_cell(value: object, lang: str) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return format_age(value, lang)
    return str(value)


def _write_xlsx(rows: list[list[object]], path: Path, title: str) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = title
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            cell = sheet.cell(row=r, column=c, value=value)
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"  # a note that starts with '=' is text, not a formula
            if r == 1:
                cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for column, width in zip("ABCD", (8, 6, 8, 60), strict=True):
        sheet.column_dimensions[column].width = width
    with atomic_output(path) as tmp:
        workbook.save(tmp)

"""Reading journeys from CSV and XLSX tables (journeys/tables.py, cells.py), and every
validation error they give."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from journeylab.errors import (
    EncodingError,
    InputError,
    JourneyError,
    JourneylabError,
    JourneylabWarning,
)
from journeylab.journeys.model import Colour, Journey, Stage
from journeylab.journeys.readers import read_journey_file
from tests.conftest import write_csv

DATA = Path(__file__).parent / "data" / "journeys"


def texts(journey: Journey) -> list[tuple[str, str]]:
    return [(note.colour.value, note.text) for note in journey.notes]


def write_xlsx(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return path


# --- tables ------------------------------------------------------------------------


def test_excel_csv_with_bom_crlf_semicolons_and_danish_headers() -> None:
    [journey] = read_journey_file(DATA / "excel_da.csv")
    assert journey.id == "J01"
    assert journey.source == "excel_da.csv"
    assert (journey.pseudonym, journey.gender, journey.municipality) == (
        "Sara",
        "kvinde",
        "Fjordby Kommune",
    )
    assert journey.attributes == (("Uddannelse", "STU"),)
    first, second = journey.steps
    assert first.event.text == "Starter i børnehaveklasse"
    assert first.stage is Stage.SCHOOL and first.age == 6 and first.event.actor == "lærer"
    assert [n.text for n in first.green] == ["Fik en god klasselærer"]
    assert [(n.text, n.age) for n in first.red] == [("Blev drillet i frikvartererne", 7)]
    # A decimal comma, a date, and quoted texts holding the separator.
    assert second.age == 10.5 and second.event.date == "2016-08-01"
    assert [n.text for n in second.green] == ["Plejemor lytter; hun har tid"]
    assert [n.text for n in second.red] == ["Ny skole, nye klassekammerater"]
    assert not any("\r" in n.text for n in journey.notes)


def test_english_comma_csv_with_interleaved_journeys_and_step_numbers() -> None:
    j02, j03 = read_journey_file(DATA / "english_comma.csv", source="journeys/english.csv")
    assert j02.source == j03.source == "journeys/english.csv"
    # The red note names step 2, whose yellow row comes after it.
    assert texts(j02) == [
        ("yellow", "Meets the UU guidance counsellor"),
        ("yellow", "Drops out of upper secondary"),
        ("red", "Nobody followed up after 9th grade"),
    ]
    assert [s.stage for s in j02.steps] == [Stage.UDSKOLING, Stage.YOUTH_EDUCATION]
    # The green row belongs to the yellow row above it in the same journey.
    assert j03.steps[0].green[0].text == "A mentor who called\nevery morning"
    assert j03.steps[0].green[0].actor == "mentor"


@pytest.mark.parametrize(
    ("word", "colour"),
    [
        ("GUL", Colour.YELLOW),
        ("Yellow", Colour.YELLOW),
        ("Grøn", Colour.GREEN),
        ("gron", Colour.GREEN),
        ("GREEN", Colour.GREEN),
        ("RØD", Colour.RED),
        ("rod", Colour.RED),
        (" red ", Colour.RED),
    ],
)
def test_colour_names_in_any_case_and_without_accents(
    tmp_path: Path, word: str, colour: Colour
) -> None:
    path = write_csv(tmp_path, f"rejse;farve;tekst\nJ1;gul;Skole\nJ1;{word};Noten\n")
    [journey] = read_journey_file(path)
    assert journey.notes[1].colour is colour


def test_steps_keep_the_order_of_the_yellow_rows_not_their_numbers(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        "rejse,trin,farve,tekst\nJ1,3,gul,Tre\nJ1,1,gul,En\nJ1,3,grøn,Godt ved tre\n"
        "J1,,rød,Skidt ved en\n",
    )
    [journey] = read_journey_file(path)
    assert [s.event.text for s in journey.steps] == ["Tre", "En"]
    assert [n.text for n in journey.steps[0].green] == ["Godt ved tre"]
    assert [n.text for n in journey.steps[1].red] == ["Skidt ved en"]


def test_tab_separated_utf16_from_excel_unicode_text(tmp_path: Path) -> None:
    path = tmp_path / "rejser.csv"
    path.write_bytes("rejse\tfarve\ttekst\r\nJ1\tgul\tMøde med UU\r\n".encode("utf-16"))
    [journey] = read_journey_file(path)
    assert journey.steps[0].event.text == "Møde med UU"


def test_mixed_header_languages_and_quotes_inside_a_text(tmp_path: Path) -> None:
    path = write_csv(tmp_path, 'Rejse;colour;TEKST\nJ1;gul;Hun sagde "nej" til mig\n')
    [journey] = read_journey_file(path)
    assert journey.steps[0].event.text == 'Hun sagde "nej" til mig'


def test_header_only_csv_has_no_journeys(tmp_path: Path) -> None:
    assert read_journey_file(write_csv(tmp_path, "rejse;farve;tekst\n\n")) == []


def test_xlsx_prefers_the_rejser_sheet_and_converts_cell_types(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "rejser.xlsx",
        {
            "Forside": [["Brugerrejser i Fjordby"]],
            "Rejser": [
                ["Rejse", "Trin", "Farve", "Tekst", "Alder", "Dato", "alder ved interview"],
                [7, 1, "Gul", "Starter i 10. klasse", 16, dt.datetime(2023, 8, 14), 19],
                [],
                [7, 1.0, "rød", 42, 16.5, dt.date(2023, 9, 1), None],
            ],
        },
    )
    [journey] = read_journey_file(path)
    assert journey.id == "7" and journey.age == 19
    step = journey.steps[0]
    assert step.event.date == "2023-08-14" and step.age == 16
    assert [(n.text, n.age, n.date) for n in step.red] == [("42", 16.5, "2023-09-01")]


def test_xlsx_row_numbers_count_empty_rows(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "r.xlsx", {"Ark1": [["rejse", "farve", "tekst"]]})
    workbook = openpyxl.load_workbook(path)
    workbook.active.cell(row=6, column=1, value="J1")
    workbook.active.cell(row=6, column=2, value="lilla")
    workbook.active.cell(row=6, column=3, value="Noten")
    workbook.save(path)
    with pytest.raises(JourneyError, match=r"sheet 'Ark1', row 6, column 'farve'"):
        read_journey_file(path)


# --- validation errors -------------------------------------------------------------

CSV_ERRORS = [
    (
        "rejse;trin;farve;tekst\nJ1;1;gul;a\nJ1;;blå;b\n",
        "row 3, column 'farve': unknown colour 'blå' (use gul/grøn/rød or yellow/green/red)",
    ),
    ("rejse;farve;tekst\nJ1;grøn;a\n", "row 2, column 'farve': a green note comes before"),
    ("rejse;farve;tekst\nJ1;gul;a\nJ2;rød;b\n", "row 3, column 'farve': a red note comes before"),
    ("rejse;farve;tekst\nJ1;gul;a\nJ1;grøn;  \n", "row 3, column 'tekst': missing text"),
    ("rejse;farve;tekst\nJ1;gul;a\n;gul;b\n", "row 3, column 'rejse': missing journey id"),
    ("rejse;farve;tekst\nJ1;;a\n", "row 2, column 'farve': missing colour"),
    (
        "rejse;trin;farve;tekst\nJ1;1;gul;a\nJ1;2;gul;b\nJ1;1;gul;c\n",
        "row 4, column 'trin': step number 1 is used twice in journey 'J1' (rows 2 and 4)",
    ),
    (
        "rejse;trin;farve;tekst\nJ1;1;gul;a\nJ1;4;rød;b\n",
        "row 3, column 'trin': journey 'J1' has no yellow note with step number 4",
    ),
    ("rejse;trin;farve;tekst\nJ1;to;gul;a\n", "row 2, column 'trin': step number 'to'"),
    ("rejse;farve;tekst;fase\nJ1;gul;a;gymnasiet\n", "row 2, column 'fase': unknown stage"),
    ("Rejse;farve;tekst;Alder\nJ1;gul;a;15 år\n", "row 2, column 'Alder': age '15 år' is not a"),
    ("rejse;farve;tekst;alder\nJ1;gul;a;-3\n", "row 2, column 'alder': age '-3' is not an age"),
    ("rejse;farve\nJ1;gul\n", "row 1: missing column 'tekst' (text)"),
    ("rejse;farve;tekst;text\n", "row 1: columns 'tekst' and 'text' both mean text"),
    ("rejse;farve;tekst;grøn\n", "row 1: column 'grøn' is not used in a table"),
    ("rejse,farve,tekst\nJ1,gul,Skole, fritid\n", "row 2: the row has more cells than"),
    ("\n  \n", "the file is empty"),
    (
        'rejse;farve;tekst\nJ1;gul;a\nJ1;gul;"ikke lukket\nJ1;gul;b\n',
        'line 3: a quote (") is opened but never closed',
    ),
    ('rejse;farve;tekst\nJ1;gul;"a"b\n', "line 2: malformed CSV"),
]


@pytest.mark.parametrize(("body", "expected"), CSV_ERRORS)
def test_csv_errors_name_file_row_and_column(tmp_path: Path, body: str, expected: str) -> None:
    path = write_csv(tmp_path, body)
    with pytest.raises(JourneyError) as err:
        read_journey_file(path)
    message = str(err.value)
    assert message.startswith(str(path))
    assert expected in message
    assert "\n" not in message


def test_an_excel_cp1252_csv_is_read_with_a_warning() -> None:
    with pytest.warns(JourneylabWarning, match=r"windows1252\.csv: read as Windows-1252"):
        journeys = read_journey_file(DATA / "windows1252.csv")
    texts = [n.text for j in journeys for n in j.notes]
    assert any(ch in "".join(texts) for ch in "æøå")


def test_a_csv_that_is_no_known_encoding_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "binary.csv"
    path.write_bytes(b"rejse;farve;tekst\nJ01;gul;\x81\x00\xff\n")
    with pytest.raises(EncodingError, match=r"binary\.csv, line 2: the file is not UTF-8"):
        read_journey_file(path)


def test_xlsx_that_is_not_a_workbook(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"not_a_workbook\.xlsx: is not an Excel workbook"):
        read_journey_file(DATA / "not_a_workbook.xlsx")
    other_zip = tmp_path / "zip.xlsx"
    with zipfile.ZipFile(other_zip, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    with pytest.raises(InputError, match=r"zip\.xlsx: is not an Excel workbook"):
        read_journey_file(other_zip)


def test_xlsx_without_a_usable_sheet_names_its_sheets(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "r.xlsx", {"Ark1": [], "Noter": [["rejse", "farve", "tekst"]]})
    with pytest.raises(JourneyError) as err:
        read_journey_file(path)
    assert "sheet 'Ark1' is empty" in str(err.value) and "'Noter'" in str(err.value)


def test_xlsx_errors_name_sheet_row_and_column(tmp_path: Path) -> None:
    rows: list[list[object]] = [["rejse", "farve", "tekst", "alder"], ["J1", "gul", "a", True]]
    path = write_xlsx(tmp_path / "r.xlsx", {"journeys": rows})
    with pytest.raises(JourneyError, match=r"sheet 'journeys', row 2, column 'alder': age"):
        read_journey_file(path)


# --- never anything but our errors -------------------------------------------------

CELLS = st.sampled_from(
    [
        *("rejse", "farve", "tekst", "trin", "alder", "fase", "J1", "gul", "grøn", "rød"),
        *("blå", "1", "2", "", " ", '"', "x;y", "skole", "6,5", "nan", "-1", "\n", "Rejse"),
    ]
)


@pytest.mark.filterwarnings("ignore::journeylab.errors.JourneylabWarning")  # guesses are fine
@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(CELLS, max_size=6), max_size=8), st.sampled_from([";", ","]))
def test_any_csv_gives_journeys_or_our_error(
    tmp_path_factory: pytest.TempPathFactory, rows: list[list[str]], sep: str
) -> None:
    path = tmp_path_factory.mktemp("csv") / "r.csv"
    path.write_text("\n".join(sep.join(row) for row in rows), encoding="utf-8")
    try:
        journeys = read_journey_file(path)
    except JourneylabError as exc:
        assert "\n" not in str(exc)
        return
    for journey in journeys:
        assert journey.id and journey.steps
        assert all(note.text for note in journey.notes)


@settings(max_examples=50, deadline=None)
@given(st.binary(max_size=200))
def test_any_bytes_as_xlsx_give_our_error(
    tmp_path_factory: pytest.TempPathFactory, data: bytes
) -> None:
    path = tmp_path_factory.mktemp("xlsx") / "r.xlsx"
    path.write_bytes(b"PK\x03\x04" + data)
    with pytest.raises(InputError):
        read_journey_file(path)


# --- a misspelt column -------------------------------------------------------------


def test_a_misspelt_optional_column_is_an_error_not_an_attribute(tmp_path: Path) -> None:
    # 'faser' kept as an attribute would lose every row's life stage without a word.
    path = write_csv(tmp_path, "rejse;farve;tekst;faser;alder\nJ1;gul;Skolestart;skole;6\n")
    with pytest.raises(JourneyError) as err:
        read_journey_file(path)
    message = str(err.value)
    assert message.startswith(f"{path}, row 1, column D (no. 4): unknown column 'faser'")
    assert "did you mean 'fase'?" in message


def test_a_misspelt_column_in_a_workbook_names_sheet_and_letter(tmp_path: Path) -> None:
    rows: list[list[object]] = [["journey", "colour", "text", "aktr"], ["J1", "yellow", "a", "x"]]
    path = write_xlsx(tmp_path / "r.xlsx", {"rejser": rows})
    with pytest.raises(JourneyError, match=r"sheet 'rejser', row 1, column D \(no\. 4\): "):
        read_journey_file(path)


def test_an_unknown_header_unlike_any_column_is_still_a_journey_attribute(
    tmp_path: Path,
) -> None:
    path = write_csv(tmp_path, "rejse;farve;tekst;fase;faser;Bydel\nJ1;gul;a;skole;3;Øst\n")
    [journey] = read_journey_file(path)
    # 'faser' beside 'fase' is the user's own column, not a second stage column.
    assert journey.attributes == (("Bydel", "Øst"), ("faser", "3"))
    assert journey.steps[0].stage is Stage.SCHOOL

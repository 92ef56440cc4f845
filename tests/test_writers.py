"""Writing journeys (YAML, CSV, XLSX) and reading them back unchanged."""

from __future__ import annotations

import dataclasses
import unicodedata
from pathlib import Path

import openpyxl
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from journeylab.errors import InputError, JourneyError
from journeylab.journeys.cells import RESERVED_NAMES, fold_name
from journeylab.journeys.model import Colour, Journey, Note, Stage, Step
from journeylab.journeys.readers import journey_from_dict, read_journey_file
from journeylab.journeys.writers import journey_to_dict, write_table, write_yaml

# Note texts: Danish letters, emoji, quotes, separators, YAML and CSV specials, line
# breaks inside a note. Not generated: leading/trailing white space (readers strip
# it) and control characters other than line break and tab (XLSX cannot hold them).
SPECIALS = "æøåÆØÅé😞👍🏽\"';,:#-=&*!|>%@\n\t []{}?"
TEXT = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cc", "Cs", "Co", "Cn", "Zl", "Zp"),
        blacklist_characters="\ufeff\ufffe\uffff",
    )
    | st.sampled_from(SPECIALS),
    min_size=1,
    max_size=30,
).filter(lambda t: t == t.strip() and t == unicodedata.normalize("NFC", t))
WORD = st.text(alphabet="abcæøåXYZ0123456789 -", min_size=1, max_size=12).filter(
    lambda t: t == t.strip()
)
# Ages with two decimals at most: XLSX (like Excel) keeps 15 significant digits.
AGE = st.none() | st.integers(0, 99) | st.floats(0, 120).map(lambda age: round(age, 2))
DATE = st.none() | st.dates().map(lambda d: d.isoformat()) | WORD
STAGE = st.none() | st.sampled_from(Stage)


def notes(colour: Colour) -> st.SearchStrategy[Note]:
    return st.builds(
        Note,
        colour=st.just(colour),
        text=TEXT,
        age=AGE,
        date=DATE,
        actor=st.none() | TEXT,
        stage=STAGE,
    )


STEP = st.builds(
    Step,
    event=notes(Colour.YELLOW),
    green=st.lists(notes(Colour.GREEN), max_size=3).map(tuple),
    red=st.lists(notes(Colour.RED), max_size=3).map(tuple),
)
ATTRIBUTE_NAME = WORD.filter(lambda k: fold_name(k) not in RESERVED_NAMES)
ATTRIBUTES = st.dictionaries(ATTRIBUTE_NAME, TEXT, max_size=2).map(
    lambda d: tuple(sorted(d.items()))
)
JOURNEY = st.builds(
    Journey,
    id=WORD,
    steps=st.lists(STEP, min_size=1, max_size=4).map(tuple),
    pseudonym=st.none() | TEXT,
    age=AGE,
    gender=st.none() | WORD,
    municipality=st.none() | TEXT,
    attributes=ATTRIBUTES,
    source=st.none(),
)
JOURNEYS = st.lists(JOURNEY, min_size=1, max_size=3, unique_by=lambda j: j.id)


def without_source(journeys: list[Journey]) -> list[Journey]:
    return [dataclasses.replace(j, source=None) for j in journeys]


@settings(max_examples=150, deadline=None)
@given(JOURNEY)
def test_yaml_round_trip(tmp_path_factory: pytest.TempPathFactory, journey: Journey) -> None:
    path = tmp_path_factory.mktemp("yaml") / "rejse.yaml"
    write_yaml(journey, path)
    assert without_source(read_journey_file(path)) == [journey]


@settings(max_examples=100, deadline=None)
@given(JOURNEYS, st.sampled_from(["da", "en"]))
def test_csv_round_trip(
    tmp_path_factory: pytest.TempPathFactory, journeys: list[Journey], lang: str
) -> None:
    path = tmp_path_factory.mktemp("csv") / "rejser.csv"
    write_table(journeys, path, lang=lang)
    assert without_source(read_journey_file(path)) == journeys


@settings(max_examples=40, deadline=None)
@given(JOURNEYS, st.sampled_from(["da", "en"]))
def test_xlsx_round_trip(
    tmp_path_factory: pytest.TempPathFactory, journeys: list[Journey], lang: str
) -> None:
    path = tmp_path_factory.mktemp("xlsx") / "rejser.xlsx"
    write_table(journeys, path, lang=lang)
    assert without_source(read_journey_file(path)) == journeys


@settings(max_examples=100, deadline=None)
@given(JOURNEY)
def test_dict_round_trip_through_plain_yaml(journey: Journey) -> None:
    # What another program makes of the file (safe_load: ints, floats, dates) reads back too.
    data = yaml.safe_load(yaml.safe_dump(journey_to_dict(journey), allow_unicode=True))
    assert dataclasses.replace(journey_from_dict(data, Path("x.yaml")), source=None) == journey


SARA = Journey(
    id="J01",
    pseudonym="Sara",
    age=19,
    steps=(
        Step(
            Note(Colour.YELLOW, "Starter i børnehaveklasse", age=6, stage=Stage.SCHOOL),
            green=(Note(Colour.GREEN, "Fik en god klasselærer"),),
            red=(Note(Colour.RED, "Blev drillet", age=7.5),),
        ),
        Step(Note(Colour.YELLOW, "=Fylder 18; ny sagsbehandler", stage=Stage.TRANSITION_18)),
    ),
    attributes=(("uddannelse", "STU"),),
)


def test_csv_is_excel_friendly_danish(tmp_path: Path) -> None:
    path = tmp_path / "rejser.csv"
    write_table([SARA], path)
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM tells Excel it is UTF-8
    lines = data.decode("utf-8-sig").split("\r\n")
    assert lines[0] == (
        "rejse;trin;farve;tekst;fase;alder;aktør;dato;pseudonym;alder ved interview;uddannelse"
    )
    assert lines[1] == "J01;1;gul;Starter i børnehaveklasse;skole;6;;;Sara;19;STU"
    assert lines[3] == "J01;1;rød;Blev drillet;;7,5;;;Sara;19;STU"
    assert lines[4].startswith('J01;2;gul;"=Fylder 18; ny sagsbehandler";overgang til voksen;')


def test_english_headers_and_colours(tmp_path: Path) -> None:
    path = tmp_path / "journeys.csv"
    write_table([SARA], path, lang="en")
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("journey;step;colour;text;stage;age;actor;date;pseudonym")
    assert lines[2].startswith("J01;1;green;Fik en god klasselærer;")
    assert "7.5" in lines[3]


def test_xlsx_sheet_headers_numbers_and_formula_like_text(tmp_path: Path) -> None:
    path = tmp_path / "rejser.xlsx"
    write_table([SARA], path, lang="en")
    sheet = openpyxl.load_workbook(path).active
    assert sheet.title == "journeys"
    assert sheet["A1"].value == "journey" and sheet["A1"].font.bold
    assert sheet["F2"].value == 6 and sheet["F4"].value == 7.5
    # A note starting with '=' is stored as text: Excel must not run it as a formula.
    assert sheet["D5"].data_type == "s"
    assert sheet["D5"].value == "=Fylder 18; ny sagsbehandler"


def test_yaml_looks_like_the_documented_format(tmp_path: Path) -> None:
    path = tmp_path / "J01.yaml"
    write_yaml(SARA, path)
    text = path.read_text(encoding="utf-8")
    assert text.startswith("journey: J01\npseudonym: Sara\nage: 19\nuddannelse: STU\nsteps:\n")
    assert "  - text: Starter i børnehaveklasse\n    age: 6\n    stage: school\n" in text
    assert "    green:\n      - Fik en god klasselærer\n" in text  # text-only notes: a string
    assert "      - text: Blev drillet\n        age: 7.5\n" in text


@pytest.mark.parametrize("name", ["rejser.csv", "rejser.xlsx", "J01.yaml"])
def test_refused_journeys_leave_the_old_file(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"old")
    empty = dataclasses.replace(SARA, steps=())
    with pytest.raises(JourneyError, match="'J01' has no steps"):
        if name.endswith(".yaml"):
            write_yaml(empty, path)
        else:
            write_table([empty], path)
    assert path.read_bytes() == b"old"
    assert list(tmp_path.iterdir()) == [path]


def test_table_refuses_duplicate_ids_and_field_named_attributes(tmp_path: Path) -> None:
    with pytest.raises(JourneyError, match="'J01' is given twice"):
        write_table([SARA, SARA], tmp_path / "r.csv")
    clash = dataclasses.replace(SARA, attributes=(("Farve", "blå"),))
    with pytest.raises(JourneyError, match="attribute named 'Farve'"):
        write_table([clash], tmp_path / "r.xlsx")
    with pytest.raises(InputError, match=r"use \.csv or \.xlsx"):
        write_table([SARA], tmp_path / "r.ods")
    with pytest.raises(InputError, match="unknown language 'de'"):
        write_table([SARA], tmp_path / "r.csv", lang="de")
    assert not (tmp_path / "r.csv").exists() and not (tmp_path / "r.xlsx").exists()


def test_yaml_to_xlsx_to_yaml_keeps_everything(tmp_path: Path) -> None:
    write_yaml(SARA, tmp_path / "a.yaml")
    [first] = read_journey_file(tmp_path / "a.yaml")
    write_table([first], tmp_path / "b.xlsx")
    [second] = read_journey_file(tmp_path / "b.xlsx")
    write_yaml(second, tmp_path / "c.yaml")
    assert (tmp_path / "c.yaml").read_text("utf-8") == (tmp_path / "a.yaml").read_text("utf-8")

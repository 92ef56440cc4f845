"""A journey table's header that looks like a misspelt known column (journeys/headers.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from journeylab.errors import JourneyError
from journeylab.journeys.headers import column_letter, near_column, refuse_misspelt_columns


@pytest.mark.parametrize(
    ("header", "meant"),
    [
        ("faser", ("stage", "fase")),
        ("Alderr", ("age", "alder")),
        ("aktr", ("actor", "aktør")),  # the Danish spelling is suggested, not the folded one
        ("tekts", ("text", "tekst")),
        ("colur", ("colour", "colour")),
        ("Stag", ("stage", "stage")),
        ("pseudonymer", ("pseudonym", "pseudonym")),
        ("alder ved interviw", ("interview_age", "alder ved interview")),
    ],
)
def test_a_header_one_slip_from_a_known_name_is_caught(header: str, meant: tuple[str, str]) -> None:
    assert near_column(header) == meant


@pytest.mark.parametrize(
    "header",
    # Words a consultant adds as attributes of a journey stay attributes.
    ["Uddannelse", "kommentar", "sted", "bydel", "interview date", "id", "nr", "æ", "skole"],
)
def test_an_attribute_of_ones_own_is_not_a_misspelling(header: str) -> None:
    assert near_column(header) is None


def test_a_header_close_to_a_column_the_table_already_has_is_an_attribute() -> None:
    # With 'fase' present, 'faser' cannot be meant as it: a second stage column would clash.
    assert near_column("faser", taken={"stage"}) is None
    assert near_column("faser", taken={"age"}) == ("stage", "fase")


@pytest.mark.parametrize(
    ("index", "letter"), [(0, "A"), (4, "E"), (25, "Z"), (26, "AA"), (52, "BA")]
)
def test_column_letters_are_the_spreadsheets(index: int, letter: str) -> None:
    assert column_letter(index) == letter


def test_the_error_names_the_file_row_column_and_the_meant_name(tmp_path: Path) -> None:
    path = tmp_path / "rejser.csv"
    with pytest.raises(JourneyError) as err:
        refuse_misspelt_columns(
            {4: "faser", 7: "Uddannelse"}, {"journey"}, path=path, place="row 1"
        )
    assert str(err.value).startswith(
        f"{path}, row 1, column E (no. 5): unknown column 'faser' (did you mean 'fase'?"
    )
    refuse_misspelt_columns({7: "Uddannelse"}, {"journey"}, path=path, place="row 1")

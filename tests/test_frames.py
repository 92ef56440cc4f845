"""The pandas API: open_study gives the study's tables as DataFrames."""

from __future__ import annotations

from collections.abc import Callable

import pytest

import journeylab
from journeylab.coding.model import CodingStatus
from journeylab.coding.store import open_store
from journeylab.coding.study import Study
from journeylab.errors import StoreError
from tests.conftest import code_small_study


@pytest.fixture
def study(make_study: Callable[..., Study]) -> Study:
    return code_small_study(
        make_study(),
        ("Lone", "Relationen", "anna", CodingStatus.ACCEPTED),
        ("Lone", "Relationen", "bo", CodingStatus.MANUAL),
        ("Karsten", "Skolen", "anna", CodingStatus.MANUAL),
        ("Karsten", "Relationen", "anna", CodingStatus.REJECTED),
        ("note", "Skolen", "anna", CodingStatus.MANUAL),
    )


def test_tables_have_one_row_per_thing(study: Study) -> None:
    s = journeylab.open_study(study.root)
    with open_store(study) as store:
        assert len(s.segments) == len(store.segments())
        assert len(s.codings) == len(store.codings()) == 5
    assert list(s.themes["theme"]) == ["Relationen", "Skolen", "Overgangen til voksen"]
    assert len(s.journeys) == 7  # one row a sticky note in rejser.csv
    assert set(s.journeys["colour"]) == {"yellow", "green", "red"}
    assert set(s.codings["status"]) == {"accepted", "manual", "rejected"}
    people = s.participants.set_index("speaker")
    assert people.loc["Karsten", "role"] == "leder"
    assert people.loc["Medarbejder 1", "segments"] == 1


def test_crosstab_counts_coded_segments_by_role(study: Study) -> None:
    cross = journeylab.open_study(study.root).crosstab
    # Lone's turn is coded twice (anna, bo) but is one segment; the rejection does not count
    assert cross.loc["Relationen", "medarbejder"] == 1
    assert cross.loc["Relationen", "leder"] == 0
    assert cross.loc["Skolen", "leder"] == 1
    assert cross.loc["Skolen", "ung"] == 1
    assert cross.loc["Overgangen til voksen"].sum() == 0


def test_names_are_pseudonymised_unless_asked(study: Study) -> None:
    s = journeylab.open_study(study.root)
    assert "Lone" not in s.segments["speaker"].tolist()
    assert "Medarbejder 1" in s.codings["speaker"].tolist()
    raw = journeylab.open_study(study.root, pseudonymise=False)
    assert "Lone" in raw.segments["speaker"].tolist()


def test_a_study_without_a_store_says_so(make_study: Callable[..., Study]) -> None:
    study = make_study()
    with pytest.raises(StoreError, match="import"):
        journeylab.open_study(study.root)

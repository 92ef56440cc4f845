"""The pandas API: open_study gives the study's tables as DataFrames."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

import journeylab
from journeylab.coding.model import CodingStatus
from journeylab.coding.store import open_store
from journeylab.coding.study import Study
from journeylab.coding.workbook import export_tables
from journeylab.errors import StoreError
from tests.conftest import code_small_study
from tests.test_privacy_journeys import named_study, real_names_in


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


def test_actor_unit_and_codebook_texts_are_pseudonymised(tmp_path: Path) -> None:
    study = named_study(tmp_path / "s")
    s = journeylab.open_study(study.root)
    for name, frame in s.tables().items():
        assert real_names_in(frame.to_csv(index=False)) == [], name
    # The named texts are there, with their made-up names.
    assert "mentor (Karen (opdigtet navn))" in set(s.journeys["actor"])
    assert "Familiecentret hos Viggo (opdigtet navn)" in set(s.participants["unit"])
    relationen = s.themes.set_index("theme").loc["Relationen"]
    assert relationen["description"].startswith(
        "Temaet udsprang af Viggos (opdigtet navn) og Karens (opdigtet navn) sag."
    )
    assert relationen["examples"].startswith("Viggo (opdigtet navn) sagde det.")
    # A note without an actor stays without one (not "nan", not an error).
    assert s.journeys["actor"].isna().any()
    raw = journeylab.open_study(study.root, pseudonymise=False)
    assert "mentor (Åse Ørum)" in set(raw.journeys["actor"])
    assert "Familiecentret hos Søren" in set(raw.participants["unit"])


def test_workbook_and_csv_folder_are_written_without_real_names(tmp_path: Path) -> None:
    # These used to refuse: the actor, unit and description reached the check unreplaced.
    study = named_study(tmp_path / "s")
    (xlsx,) = export_tables(study, tmp_path / "studie.xlsx", fmt="xlsx")
    with zipfile.ZipFile(xlsx) as z:
        cells = "\n".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml"))
    assert real_names_in(cells) == []
    assert "mentor (Karen (opdigtet navn))" in cells and "hos Viggo (opdigtet navn)" in cells
    folder = export_tables(study, tmp_path / "tabeller", fmt="csv")
    texts = "\n".join(p.read_text(encoding="utf-8-sig") for p in folder)
    assert real_names_in(texts) == []
    assert "Viggos (opdigtet navn) og Karens (opdigtet navn) sag" in texts

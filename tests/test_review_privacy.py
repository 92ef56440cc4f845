"""Review sheets never carry a real name: every cell is checked, and a new theme that
names a person is refused on reading, before anything is applied."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import load_workbook

from journeylab.coding import store_themes
from journeylab.coding.importer import import_study
from journeylab.coding.model import CodingStatus, Theme
from journeylab.coding.review import HEADERS, read_review_sheet, write_review_sheet
from journeylab.coding.store import open_store
from journeylab.coding.study import Study, load_study
from journeylab.errors import PrivacyError
from journeylab.themes.privacy import Pseudonymiser

NOTE = "journeys/rejser.csv#J01:3"
TURN_LONE = "transcripts/fokusgruppe.txt#1"


@pytest.fixture
def study(make_study: Callable[..., Study]) -> Study:
    study = make_study()
    import_study(study)
    return study


def named_after_import(study: Study, real: str, fake: str) -> Study:
    """The consultant adds a name to [names] after the material was imported."""
    toml = study.toml_path.read_text(encoding="utf-8")
    study.toml_path.write_text(toml + f'"{real}" = "{fake}"\n', encoding="utf-8")
    return load_study(study.root)


def col(label: str) -> int:
    return [*HEADERS.values()].index(label) + 1


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_a_name_in_a_file_name_joined_by_underscore_refuses_the_sheet(
    make_study: Callable[..., Study], tmp_path: Path, suffix: str
) -> None:
    # The usual file name style (fokusgruppe_familie_skole.md): "_" must end the word.
    first = make_study({"transcripts/fokusgruppe_Åse.txt": "Åse: Vi taler om skolen.\n"})
    import_study(first)
    study = named_after_import(first, "Åse", "Karen")
    out = tmp_path / f"ark{suffix}"
    with pytest.raises(PrivacyError) as info:
        write_review_sheet(study, out, coder="anna")
    message = str(info.value)
    assert message.startswith(str(out))
    assert "column 'id'" in message and "('Åse')" in message
    assert "rename the file" in message and "nothing was written" in message
    assert "add the name to [names]" not in message
    assert not out.exists()


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_a_theme_that_names_a_person_refuses_the_sheet(
    study: Study, tmp_path: Path, suffix: str
) -> None:
    # An emergent theme from before names were checked, coded on the note.
    with open_store(study) as store:
        store.add_theme(Theme("Rikkes netværk", "Fra et gammelt ark."))
        store.set_coding(NOTE, "Rikkes netværk", "anna", CodingStatus.MANUAL)
    out = tmp_path / f"ark{suffix}"
    with pytest.raises(PrivacyError) as info:
        write_review_sheet(study, out, coder="anna")
    message = str(info.value)
    assert "column 'tema 1'" in message and "('Rikke')" in message
    assert "rename the theme 'Rikkes netværk'" in message
    assert not out.exists()


def test_the_hidden_theme_list_is_checked_too(study: Study, tmp_path: Path) -> None:
    with open_store(study) as store:
        store.add_theme(Theme("Holms sag", "Uden kodninger."))  # the surname of Rikke Holm
    out = tmp_path / "ark.xlsx"
    with pytest.raises(PrivacyError, match=r"sheet 'Temaer', row 4, column 'A'.*\('Holm'\)"):
        write_review_sheet(study, out, coder="anna")
    assert not out.exists()
    csv_sheet = tmp_path / "ark.csv"  # a CSV sheet carries no theme list
    write_review_sheet(study, csv_sheet, coder="anna")
    assert "Holm" not in csv_sheet.read_text(encoding="utf-8-sig")


def test_a_new_theme_naming_a_person_is_refused_and_nothing_is_read(
    study: Study, tmp_path: Path
) -> None:
    out = tmp_path / "ark.xlsx"
    write_review_sheet(study, out, coder="anna")
    wb = load_workbook(out)
    ws = wb["Kodning"]
    ids = {ws.cell(r, 1).value: r for r in range(2, ws.max_row + 1)}
    ws.cell(ids[TURN_LONE], col("tema 1")).value = "Relationen"  # a good row first
    ws.cell(ids[NOTE], col("nyt tema")).value = "RIKKES netværk"
    wb.save(out)
    with pytest.raises(PrivacyError) as info:
        read_review_sheet(study, out, coder="anna")
    message = str(info.value)
    assert message.startswith(f"{out}, row {ids[NOTE]}, column 'nyt tema':")
    assert "'RIKKES netværk'" in message and "part of 'Rikke Holm' in [names]" in message
    with open_store(study) as store:
        assert store.codings(coder="anna") == []
        assert "RIKKES netværk" not in {t.name for t in store.themes()}
    # The person corrects the cell and reads again: the other row is still there.
    wb = load_workbook(out)
    wb["Kodning"].cell(ids[NOTE], col("nyt tema")).value = "Familiens netværk"
    wb.save(out)
    result = read_review_sheet(study, out, coder="anna")
    assert result.new_themes == ("Familiens netværk",)
    with open_store(study) as store:
        assert {(c.segment_id, c.theme) for c in store.codings(coder="anna")} == {
            (TURN_LONE, "Relationen"),
            (NOTE, "Familiens netværk"),
        }


def test_the_store_refuses_a_theme_naming_a_person_when_given_the_names(study: Study) -> None:
    names = Pseudonymiser.from_study(study)
    with open_store(study) as store:
        with pytest.raises(PrivacyError, match=r"'Rikke_Holm-tema'.*\('Rikke_Holm'"):
            store_themes.add_theme(store, Theme("Rikke_Holm-tema", "x"), True, "anna", names=names)
        store_themes.add_theme(store, Theme("Holmgang", "x"), True, "anna", names=names)
        assert {t.name for t in store.themes()} >= {"Holmgang"}
        assert "Rikke_Holm-tema" not in {t.name for t in store.themes()}

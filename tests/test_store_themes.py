"""coding/store_themes.py: syncing themes, and the warning when a person's codings use a
theme the codebook no longer has (renamed or removed in codebook.yaml)."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from journeylab.coding.autocode import code_study
from journeylab.coding.importer import import_study
from journeylab.coding.model import CodingStatus, Theme
from journeylab.coding.store import open_store
from journeylab.coding.store_themes import unlisted_themes
from journeylab.coding.study import Study, load_study
from journeylab.errors import JourneylabWarning
from journeylab.themes.report import load_findings
from tests.conftest import CODEBOOK, code_small_study, write_study

A, R, M, S = (
    CodingStatus.ACCEPTED,
    CodingStatus.REJECTED,
    CodingStatus.MANUAL,
    CodingStatus.SUGGESTED,
)


def _renamed(study: Study, old: str, new: str) -> Study:
    """codebook.yaml with theme *old* called *new*, as a consultant would edit it."""
    study.codebook_path.write_text(CODEBOOK.replace(f"name: {old}", f"name: {new}"), "utf-8")
    return load_study(study.root)


@pytest.fixture
def study(tmp_path: Path) -> Study:
    # Two people coded Skolen (one of them said no), a machine suggested it once.
    return code_small_study(
        write_study(tmp_path / "s"),
        ("Karsten", "Skolen", "AB", A),
        ("note", "Skolen", "CD", M),
        ("Lone", "Skolen", "CD", R),
        ("Lone", "Skolen", "machine:ensemble", S),
        ("Lone", "Relationen", "AB", M),
    )


def _theme_warnings(caught: list[warnings.WarningMessage]) -> list[str]:
    return [
        str(w.message)
        for w in caught
        if issubclass(w.category, JourneylabWarning) and "person codin" in str(w.message)
    ]


def test_import_warns_once_per_theme_with_the_count_and_the_fix(study: Study) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        import_study(study)
    assert _theme_warnings(caught) == []  # while the codebook has every coded theme
    study = _renamed(study, "Skolen", "Skolegangen")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        import_study(study)
    [message] = _theme_warnings(caught)
    # The three codings people made (accepted, added, rejected); not the suggestion.
    assert message.startswith(f"{study.codebook_path}: 3 person codings use the theme 'Skolen', ")
    assert "no longer in the codebook; they are left out of reports" in message
    assert "rename it back in codebook.yaml" in message
    # The fix names the new codebook theme (no person codings yet, a close name).
    assert message.endswith(f"journeylab theme rename {study.root} Skolen Skolegangen")
    with open_store(study) as store:  # nothing a person did was deleted
        assert len(store.codings(theme="Skolen", statuses=(A, R, M))) == 3


def test_a_removed_theme_gets_a_placeholder_for_the_new_name(study: Study) -> None:
    text = CODEBOOK.split("  - name: Skolen")[0] + "  - name: Overgangen til voksen"
    text += CODEBOOK.split("  - name: Overgangen til voksen")[1]
    study.codebook_path.write_text(text, "utf-8")
    with pytest.warns(JourneylabWarning, match=r"3 person codings .* Skolen NEW$") as caught:
        import_study(load_study(study.root))
    assert len(_theme_warnings(list(caught))) == 1


def test_one_person_coding_is_said_in_the_singular(tmp_path: Path) -> None:
    study = code_small_study(write_study(tmp_path / "s"), ("Lone", "Skolen", "AB", M))
    with pytest.warns(JourneylabWarning, match=r": 1 person coding uses the theme 'Skolen'"):
        import_study(_renamed(study, "Skolen", "Skolegangen"))


def test_code_warns_before_the_next_import(study: Study) -> None:
    # codebook.yaml changed, import not run yet: code reads the file, so it knows.
    study = _renamed(study, "Skolen", "Skolegangen")
    with pytest.warns(JourneylabWarning, match=r"3 person codings use the theme 'Skolen'"):
        code_study(study, suggest_fn=lambda *args, **kwargs: [])


def test_the_report_warns_about_the_codings_it_leaves_out(study: Study) -> None:
    study = _renamed(study, "Skolen", "Skolegangen")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import_study(study)
    with pytest.warns(JourneylabWarning, match=r"3 person codings use the theme 'Skolen'"):
        load_findings(study, written=False)


def test_an_emergent_theme_is_in_the_codebook(study: Study) -> None:
    from journeylab.coding.codebook import load_codebook

    with open_store(study) as store:
        store.add_theme(Theme("Fællesskab", "Venner."))
        store.set_coding(store.segments()[0].id, "Fællesskab", "AB", M)
        assert unlisted_themes(store) == []
        assert unlisted_themes(store, load_codebook(study.codebook_path)) == []


def test_unlisted_themes_reads_the_given_codebook_not_the_stored_one(study: Study) -> None:
    from journeylab.coding.codebook import load_codebook

    study = _renamed(study, "Skolen", "Skolegangen")  # not imported: the store still has it
    with open_store(study) as store:
        assert unlisted_themes(store) == []
        assert unlisted_themes(store, load_codebook(study.codebook_path)) == [("Skolen", 3)]

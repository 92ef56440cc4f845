"""coding/theme_ops.py: renaming (merging) and removing a theme that is in the store."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from journeylab.coding.importer import import_study
from journeylab.coding.model import CodingStatus, Theme
from journeylab.coding.store import open_store
from journeylab.coding.study import Study, load_study
from journeylab.coding.theme_ops import remove_theme, rename_theme
from journeylab.errors import InputError, PrivacyError, StoreError
from tests.conftest import CODEBOOK, write_study

A, R, M, S = (
    CodingStatus.ACCEPTED,
    CodingStatus.REJECTED,
    CodingStatus.MANUAL,
    CodingStatus.SUGGESTED,
)


@pytest.fixture
def study(tmp_path: Path) -> Study:
    study = write_study(tmp_path / "s")
    import_study(study)
    return study


def _ids(study: Study) -> dict[str, str]:
    with open_store(study) as store:
        turns = store.segments(source="transcripts/fokusgruppe.txt")
        return {
            "Lone": next(s.id for s in turns if s.speaker == "Lone"),
            "Karsten": next(s.id for s in turns if s.speaker == "Karsten"),
            "note": next(s.id for s in store.segments() if s.text == "God klasselærer"),
        }


def _codings(study: Study) -> set[tuple[str, str, str, str]]:
    with open_store(study) as store:
        return {(c.segment_id, c.theme, c.coder, c.status.value) for c in store.codings()}


def _emergent(study: Study, name: str, *codings: tuple[str, str, CodingStatus]) -> None:
    ids = _ids(study)
    with open_store(study) as store:
        store.add_theme(Theme(name, "Fra et kodeark."))
        for whose, coder, status in codings:
            store.set_coding(ids[whose], name, coder, status)


def test_rename_an_emergent_theme_moves_its_codings_and_keeps_its_description(
    study: Study,
) -> None:
    _emergent(study, "Netværk", ("Lone", "AB", M), ("note", "machine:ensemble", S))
    ids = _ids(study)
    result = rename_theme(study, "Netværk", "Fællesskab", actor="AB")
    assert (result.person, result.suggestions, result.merged) == (1, 1, 0)
    assert not result.merged_into_existing and not result.old_in_codebook
    assert _codings(study) == {
        (ids["Lone"], "Fællesskab", "AB", "manual"),
        (ids["note"], "Fællesskab", "machine:ensemble", "suggested"),
    }
    with open_store(study) as store:
        themes = {t.name: t for t in store.themes()}
        assert "Netværk" not in themes
        assert themes["Fællesskab"].emergent and themes["Fællesskab"].description == (
            "Fra et kodeark."
        )
        [entry] = [e for e in store.audit_log() if e.action == "rename_theme"]
    assert entry.actor == "AB" and entry.detail["old"] == "Netværk"
    assert entry.detail["new"] == "Fællesskab" and entry.detail["person_codings"] == 1


def test_merging_keeps_one_coding_per_coder_and_the_persons_word(study: Study) -> None:
    ids = _ids(study)
    with open_store(study) as store:
        store.add_theme(Theme("Kontakt", "x"))
        for whose, theme, coder, status in (
            ("Lone", "Kontakt", "AB", M),  # AB: yes on the old theme ...
            ("Lone", "Relationen", "AB", R),  # ... and no on the new one: yes wins
            ("Karsten", "Kontakt", "machine:ensemble", S),  # a suggestion on both: one stays
            ("Karsten", "Relationen", "machine:ensemble", S),
            ("note", "Kontakt", "CD", A),  # CD accepted the old theme; the machine
            ("note", "Relationen", "machine:ensemble", S),  # suggested the new: both stay
            ("Karsten", "Relationen", "CD", R),  # CD said no to the new; the machine
            ("Karsten", "Kontakt", "CD", S),  # suggestion on the old one does not win
        ):
            store.set_coding(ids[whose], theme, coder, status)
        store.set_coding(ids["Lone"], "Kontakt", "AB", M, memo="tillid")
        store.set_coding(ids["Lone"], "Relationen", "AB", R, memo="ikke kun")
    result = rename_theme(study, "Kontakt", "Relationen")
    assert result.merged_into_existing and (result.person, result.suggestions) == (2, 2)
    assert result.merged == 3
    assert _codings(study) == {
        (ids["Lone"], "Relationen", "AB", "manual"),
        (ids["Karsten"], "Relationen", "machine:ensemble", "suggested"),
        (ids["note"], "Relationen", "CD", "accepted"),
        (ids["note"], "Relationen", "machine:ensemble", "suggested"),
        (ids["Karsten"], "Relationen", "CD", "rejected"),
    }
    with open_store(study) as store:
        [kept] = store.codings(coder="AB")
        assert kept.memo == "tillid\n\nikke kun"  # both memos: nothing a person wrote is lost
        assert "Kontakt" not in {t.name for t in store.themes()}
        assert not store.codings(theme="Kontakt")


def test_an_old_codebook_name_is_renamed_and_the_report_counts_it_again(study: Study) -> None:
    ids = _ids(study)
    with open_store(study) as store:
        store.set_coding(ids["Karsten"], "Skolen", "AB", A)
        store.set_coding(ids["note"], "Skolen", "CD", M)
    study.codebook_path.write_text(CODEBOOK.replace("name: Skolen", "name: Skolegangen"), "utf-8")
    study = load_study(study.root)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the warning is test_store_themes'
        import_study(study)
    with open_store(study) as store:
        assert {t for _, t, _, _ in store.counted_codings(None)} == {"Skolen"}
    result = rename_theme(study, "Skolen", "Skolegangen")
    assert result.merged_into_existing and not result.old_in_codebook
    with open_store(study) as store:
        counted = store.counted_codings(None)
        assert sorted((s, t) for s, t, _, _ in counted) == sorted(
            [(ids["Karsten"], "Skolegangen"), (ids["note"], "Skolegangen")]
        )
        assert "Skolen" not in {t.name for t in store.themes()}


def test_renaming_a_codebook_theme_says_it_stays_in_the_codebook(study: Study) -> None:
    ids = _ids(study)
    with open_store(study) as store:
        store.set_coding(ids["Karsten"], "Skolen", "AB", A)
    result = rename_theme(study, "Skolen", "Grundskolen")
    assert result.old_in_codebook and not result.merged_into_existing
    with open_store(study) as store:
        themes = {t.name: t for t in store.themes()}
        assert not themes["Skolen"].emergent and themes["Grundskolen"].emergent
        assert [c.theme for c in store.codings(coder="AB")] == ["Grundskolen"]


def test_theme_memos_follow_the_rename(study: Study) -> None:
    _emergent(study, "Netværk", ("Lone", "AB", M))
    with open_store(study) as store:
        store.add_memo("theme", "Netværk", "AB", "Et nyt mønster.")
    rename_theme(study, "Netværk", "Fællesskab")
    with open_store(study) as store:
        assert store.memos("theme") == [("theme", "Fællesskab", "AB", "Et nyt mønster.")]


def test_rename_refuses_a_real_name_and_changes_nothing(study: Study) -> None:
    _emergent(study, "Netværk", ("Lone", "AB", M))
    before = _codings(study)
    with pytest.raises(PrivacyError, match=r"'Rikkes netværk' contains a real name \('Rikke'"):
        rename_theme(study, "Netværk", "Rikkes netværk")
    assert _codings(study) == before


def test_rename_refuses_an_unknown_theme_naming_the_ones_there_are(study: Study) -> None:
    _emergent(study, "Netværk", ("Lone", "AB", M))
    with pytest.raises(StoreError) as info:
        rename_theme(study, "Netværket", "Fællesskab")
    message = str(info.value)
    assert "there is no theme 'Netværket'" in message
    assert "'Relationen', 'Skolen', 'Overgangen til voksen', 'Netværk'" in message


def test_rename_forgives_case_and_refuses_the_same_name(study: Study) -> None:
    _emergent(study, "Netværk", ("Lone", "AB", M))
    with pytest.raises(InputError, match="called 'Netværk' already"):
        rename_theme(study, "netværk", "Netværk")
    assert rename_theme(study, "netværk", "relationen").new == "Relationen"


def test_a_person_s_codings_are_never_lost_in_a_merge(study: Study) -> None:
    ids = _ids(study)
    _emergent(study, "Kontakt", ("Lone", "AB", R), ("note", "CD", M), ("Karsten", "AB", A))
    with open_store(study) as store:
        store.set_coding(ids["Lone"], "Relationen", "AB", S)
        store.set_coding(ids["note"], "Relationen", "EF", M)
    person_before = {(s, c) for s, _, c, st in _codings(study) if st != "suggested"}
    rename_theme(study, "Kontakt", "Relationen")
    after = _codings(study)
    assert {(s, c) for s, _, c, st in after if st != "suggested"} == person_before
    assert (ids["Lone"], "Relationen", "AB", "rejected") in after


def test_remove_refuses_while_people_coded_the_theme(study: Study) -> None:
    _emergent(study, "Netværk", ("Lone", "AB", M), ("note", "AB", A), ("Karsten", "CD", M))
    before = _codings(study)
    with pytest.raises(StoreError) as info:
        remove_theme(study, "Netværk")
    message = str(info.value)
    assert "3 person codings use the theme 'Netværk' (AB 2, CD 1); nothing was removed" in message
    assert "--drop-codings" in message and "journeylab theme rename" in message
    assert _codings(study) == before


def test_remove_with_drop_codings_deletes_them_and_the_theme(study: Study) -> None:
    _emergent(study, "Netværk", ("Lone", "AB", M), ("note", "machine:ensemble", S))
    with open_store(study) as store:
        store.add_memo("theme", "Netværk", "AB", "Noget om venner.")
    result = remove_theme(study, "Netværk", drop_codings=True, actor="AB")
    assert (result.person, result.suggestions, result.memos) == ((("AB", 1),), 1, 1)
    with open_store(study) as store:
        assert "Netværk" not in {t.name for t in store.themes()}
        assert not store.codings(theme="Netværk")
        assert store.memos("theme")  # a memo is kept
        assert [e.action for e in store.audit_log()][-1] == "remove_theme"


def test_remove_takes_a_theme_only_a_machine_used(study: Study) -> None:
    _emergent(study, "Netværk", ("note", "machine:ensemble", S))
    assert remove_theme(study, "Netværk").suggestions == 1


def test_remove_refuses_a_codebook_theme(study: Study) -> None:
    with pytest.raises(InputError, match=r"'Skolen' is in codebook.yaml.*remove it there"):
        remove_theme(study, "Skolen")
    with open_store(study) as store:
        assert "Skolen" in {t.name for t in store.themes()}


def test_rename_says_when_findings_yaml_still_names_the_old_theme(study: Study) -> None:
    _emergent(study, "Netværk", ("Lone", "AB", M))
    (study.root / "findings.yaml").write_text('"Netværk":\n  - Et punkt.\n', "utf-8")
    assert rename_theme(study, "Netværk", "Fællesskab").findings_mention == "findings.yaml"
    assert rename_theme(study, "Fællesskab", "Venner").findings_mention is None

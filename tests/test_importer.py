"""Import: files into the store, all or nothing, and people's codings survive edits."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from journeylab.coding.importer import ImportReport, find_anchor, import_study
from journeylab.coding.model import CodingStatus, Suggestion
from journeylab.coding.store import open_store
from journeylab.coding.study import Study
from journeylab.errors import InputError

HEAD = """\
---
title: Fokusgruppe
participants:
  Interviewer: {role: interviewer}
  Lone: {role: medarbejder}
  Karsten: {role: leder}
  Bente: {role: medarbejder}
---
"""
Q = "Interviewer: Hvordan går det med overgangene?\n\n"
LONE = "Lone: Vi ser tit, at de unge får en ny sagsbehandler, når de fylder 18 år.\n\n"
KARSTEN = "Karsten: Skolen og UU taler ikke nok sammen.\n\n"
CODED = "Vi ser tit, at de unge får en ny sagsbehandler, når de fylder 18 år."
T = "transcripts/fokusgruppe.txt"


def coded_study(make_study: Callable[..., Study]) -> Study:
    """A study whose Lone turn carries a manual code and a machine suggestion."""
    study = make_study({T: HEAD + Q + LONE + KARSTEN})
    import_study(study)
    with open_store(study) as store:
        [seg] = [s for s in store.segments(source=T) if s.text == CODED]
        store.set_coding(seg.id, "Overgangen til voksen", "anna", CodingStatus.MANUAL, memo="18")
        store.replace_suggestions("machine:rules", [_suggestion(seg.id, "Relationen")])
    return study


def _suggestion(segment_id: str, theme: str) -> Suggestion:
    return Suggestion(segment_id, theme, 0.5, 1, "rules")


def reimport(study: Study, text: str) -> ImportReport:
    (study.root / T).write_text(text, encoding="utf-8")
    return import_study(study)


def person_coding_text(study: Study) -> list[str]:
    with open_store(study) as store:
        out = []
        for c in store.codings(coder="anna"):
            seg = store.segment(c.segment_id)
            assert seg is not None
            out.append(seg.text)
        return out


def test_first_import_adds_sources_segments_and_themes(make_study: Callable[..., Study]) -> None:
    study = make_study()
    seen: list[tuple[int, int, str]] = []
    report = import_study(study, progress=lambda i, n, label: seen.append((i, n, label)))
    assert report.added == ("journeys/rejser.csv", "transcripts/fokusgruppe.txt")
    assert report.segments == 10  # 7 notes and 3 turns
    assert seen[0] == (0, 2, "journeys/rejser.csv") and seen[-1][0] == 2
    with open_store(study) as store:
        assert next(t.name for t in store.themes()) == "Relationen"
        assert all(s.lemmas for s in store.segments())
        assert store.audit_log()[-1].action == "import"
        assert store.source(T).title == "Fokusgruppe med medarbejdere"  # type: ignore[union-attr]


def test_unchanged_files_are_skipped_by_hash(make_study: Callable[..., Study]) -> None:
    study = make_study()
    import_study(study)
    with open_store(study) as store:
        before = {s.path: s.imported_at for s in store.sources()}
    report = import_study(study)
    assert report.unchanged == ("journeys/rejser.csv", "transcripts/fokusgruppe.txt")
    assert report.added == report.changed == ()
    with open_store(study) as store:
        assert {s.path: s.imported_at for s in store.sources()} == before


def test_insertion_before_the_coded_text_reanchors(make_study: Callable[..., Study]) -> None:
    study = coded_study(make_study)
    extra = "Bente: Jeg vil lige sige noget først om familieafdelingen.\n\n"
    report = reimport(study, HEAD + Q + extra + LONE + KARSTEN)
    assert report.changed == (T,) and report.reanchored == 1 and report.orphaned == ()
    assert person_coding_text(study) == [CODED]
    with open_store(study) as store:
        [a] = store.anchored_codings(coder="anna")
        src = store.source(T)
        assert src is not None and src.text[a.anchor_start : a.anchor_end] == CODED
        assert a.coding.memo == "18"
        # The machine's suggestion of a changed file is dropped; `code` recomputes it.
        assert store.codings(coder="machine:rules") == []


def test_edits_inside_other_turns_keep_the_coding(make_study: Callable[..., Study]) -> None:
    study = coded_study(make_study)
    longer_q = "Interviewer: Hvordan går det med overgangene, synes I? Og skolen?\n\n"
    longer_k = "Karsten: Skolen og UU taler ikke nok sammen. Det er et problem.\n\n"
    report = reimport(study, HEAD + longer_q + LONE + longer_k)
    assert report.reanchored == 1
    assert person_coding_text(study) == [CODED]


def test_reordered_turns_take_the_coding_along(make_study: Callable[..., Study]) -> None:
    study = coded_study(make_study)
    reimport(study, HEAD + KARSTEN + Q + LONE)
    assert person_coding_text(study) == [CODED]


def test_coded_text_merged_into_a_longer_turn_follows_it(make_study: Callable[..., Study]) -> None:
    study = coded_study(make_study)
    merged = "Lone: Ja. " + CODED + " Og så går det galt.\n\n"
    reimport(study, HEAD + Q + merged + KARSTEN)
    assert person_coding_text(study) == ["Ja. " + CODED + " Og så går det galt."]


def test_reflowed_line_breaks_still_match(make_study: Callable[..., Study]) -> None:
    study = coded_study(make_study)
    reflowed = LONE.replace("sagsbehandler, når", "sagsbehandler,\nnår")
    report = reimport(study, HEAD + Q + reflowed + KARSTEN)
    assert report.orphaned == ()
    assert len(person_coding_text(study)) == 1


def test_deleted_coded_text_becomes_a_reported_orphan(make_study: Callable[..., Study]) -> None:
    study = coded_study(make_study)
    report = reimport(study, HEAD + Q + KARSTEN)
    [orphan] = report.orphaned
    assert orphan.text == CODED and orphan.theme == "Overgangen til voksen"
    assert orphan.coder == "anna" and orphan.status is CodingStatus.MANUAL
    with open_store(study) as store:
        assert store.codings(coder="anna") == []
        [kept] = store.orphans()
        assert kept.anchor_text == CODED and kept.memo == "18" and kept.source == T


def test_a_removed_file_orphans_its_person_codings(make_study: Callable[..., Study]) -> None:
    study = coded_study(make_study)
    (study.root / T).unlink()
    report = import_study(study)
    assert report.removed == (T,)
    assert [o.text for o in report.orphaned] == [CODED]
    with open_store(study) as store:
        assert store.source(T) is None
        assert store.segments(source=T) == []
        assert len(store.orphans()) == 1


def test_a_renamed_unchanged_file_keeps_its_codings_and_memos(
    make_study: Callable[..., Study],
) -> None:
    # Renaming is what import asks for when a file name holds a real name.
    study = coded_study(make_study)
    with open_store(study) as store:
        [coding] = store.codings(coder="anna")
        store.add_memo("segment", coding.segment_id, "anna", "Et godt sted")
    new = "transcripts/fokusgruppe_2.txt"
    (study.root / T).rename(study.root / new)
    report = import_study(study)
    assert (report.removed, report.added) == ((T,), (new,))
    assert report.reanchored == 1 and report.memos_reanchored == 1
    assert report.orphaned == () and report.orphaned_memos == ()
    assert person_coding_text(study) == [CODED]
    with open_store(study) as store:
        [moved] = store.codings(coder="anna")
        assert moved.segment_id.startswith(new + "#") and moved.memo == "18"
        [(_, target, _, _)] = store.memos("segment")
        assert target == moved.segment_id
        assert store.orphans() == []


def test_a_bad_file_leaves_the_database_byte_identical(make_study: Callable[..., Study]) -> None:
    study = coded_study(make_study)
    before = study.store_path.read_bytes()
    (study.root / T).write_text(HEAD + Q + KARSTEN, encoding="utf-8")  # a change to apply ...
    bad = study.root / "transcripts" / "zz_bad.txt"
    bad.write_bytes("Lone: hej\n".encode("utf-16-le"))  # ... and a file that is not UTF-8
    with pytest.raises(InputError) as err:
        import_study(study)
    assert "zz_bad.txt" in str(err.value)
    assert study.store_path.read_bytes() == before
    assert person_coding_text(study) == [CODED]


def test_a_bad_file_on_first_import_creates_no_database(make_study: Callable[..., Study]) -> None:
    study = make_study({"journeys/b.csv": "journey,colour,text\nJ9,lilla,Hvad er det\n"})
    with pytest.raises(InputError, match=r"b\.csv"):
        import_study(study)
    assert not study.store_path.exists()


def test_journey_csv_change_reanchors_note_codings(make_study: Callable[..., Study]) -> None:
    study = make_study()
    import_study(study)
    note = "Skulle fortælle det hele forfra"
    with open_store(study) as store:
        [seg] = [s for s in store.segments() if s.text == note]
        store.set_coding(seg.id, "Relationen", "anna", CodingStatus.ACCEPTED)
    csv = (study.root / "journeys/rejser.csv").read_text(encoding="utf-8")
    new_row = "J01,gul,Flytter til plejefamilie,school,\n"
    csv = csv.replace("J01,gul,Får ny", new_row + "J01,gul,Får ny")
    (study.root / "journeys/rejser.csv").write_text(csv, encoding="utf-8")
    report = import_study(study)
    assert report.changed == ("journeys/rejser.csv",) and report.reanchored == 1
    with open_store(study) as store:
        [c] = store.codings(coder="anna")
        moved = store.segment(c.segment_id)
        assert moved is not None and moved.text == note and moved.journey == "J01"
        assert c.segment_id != seg.id  # a note was inserted before it
        assert c.status is CodingStatus.ACCEPTED


@pytest.mark.parametrize(
    ("text", "start", "expected"),
    [
        ("aa bb aa bb aa", 0, (0, 2)),
        ("aa bb aa bb aa", 7, (6, 8)),
        ("aa bb aa bb aa", 100, (12, 14)),
        ("xx\n  aa", 0, (5, 7)),
        ("nothing here", 0, None),
    ],
)
def test_find_anchor_prefers_the_occurrence_nearest_the_old_place(
    text: str, start: int, expected: tuple[int, int] | None
) -> None:
    assert find_anchor("aa", start, text) == expected


def test_find_anchor_ignores_changed_whitespace() -> None:
    assert find_anchor("ny  sagsbehandler\nnu", 0, "får en ny sagsbehandler nu") == (7, 26)


def test_a_pseudonym_or_role_added_in_study_toml_reaches_the_store(
    make_study: Callable[..., Study],
) -> None:
    # The QA repro: the speakers are declared in study.toml only; a pseudonym and a
    # changed role are written there after the first import, the file's bytes unchanged.
    from journeylab.coding.check import check_study
    from journeylab.coding.model import Role
    from journeylab.coding.study import load_study

    rel = "transcripts/samtale.txt"
    study = make_study({rel: Q + LONE + KARSTEN})
    toml = study.root / "study.toml"
    first = toml.read_text(encoding="utf-8") + '\n[transcripts."samtale.txt".participants]\n'
    toml.write_text(
        first + 'Interviewer = "interviewer"\nLone = "medarbejder"\nKarsten = "leder"\n',
        encoding="utf-8",
    )
    study = load_study(study.root)
    import_study(study)
    with open_store(study) as store:
        [seg] = [s for s in store.segments(source=rel) if s.text == CODED]
        store.set_coding(seg.id, "Overgangen til voksen", "anna", CodingStatus.MANUAL)
    toml.write_text(
        first + 'Interviewer = "interviewer"\n'
        'Lone = { role = "medarbejder", pseudonym = "Medarbejder 7" }\n'
        'Karsten = "medarbejder"\n',
        encoding="utf-8",
    )
    study = load_study(study.root)
    assert any(f.where == rel and "changed since" in f.message for f in check_study(study).findings)
    assert import_study(study).changed == (rel,)
    with open_store(study) as store:
        [source] = [s for s in store.sources() if s.path == rel]
        people = {p.name: p for p in source.participants}
        karsten = [s for s in store.segments(source=rel) if s.speaker == "Karsten"]
        coded = [store.segment(c.segment_id) for c in store.codings(coder="anna")]
    assert people["Lone"].pseudonym == "Medarbejder 7"
    assert karsten and all(s.role is Role.MEDARBEJDER for s in karsten)
    assert [s.text for s in coded if s] == [CODED]  # the person's coding stayed on its text
    assert import_study(study).changed == ()  # the next import skips the file again

"""Segment memos follow their passage's text on re-import, or are kept aside and reported."""

from __future__ import annotations

from collections.abc import Callable

from journeylab.coding.importer import ImportReport, import_study
from journeylab.coding.memo_anchor import GONE, REMOVED, anchored_memos, orphaned_memos
from journeylab.coding.memos import add_memo, list_memos
from journeylab.coding.store import open_store
from journeylab.coding.study import Study

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
PASSAGE = "Vi ser tit, at de unge får en ny sagsbehandler, når de fylder 18 år."
# The QA repro: two turns, an interviewer's question among them, inserted above.
ABOVE = (
    "Interviewer: Godt. Vi har talt med en del unge, og mange af dem fortæller om skift.\n\n"
    "Bente: Det kender jeg godt fra familieafdelingen.\n\n"
)
T = "transcripts/fokusgruppe.txt"
MEMO = "MEMO: vigtig om tillid"


def memo_study(make_study: Callable[..., Study]) -> tuple[Study, str]:
    """A study with a memo on Lone's turn; (study, that turn's segment id)."""
    study = make_study({T: HEAD + Q + LONE + KARSTEN})
    import_study(study)
    with open_store(study) as store:
        [seg] = [s for s in store.segments(source=T) if s.text == PASSAGE]
    add_memo(study, MEMO, kind="segment", target=seg.id, author="AB")
    return study, seg.id


def reimport(study: Study, text: str) -> ImportReport:
    (study.root / T).write_text(text, encoding="utf-8")
    return import_study(study)


def memo_passages(study: Study) -> dict[str, str]:
    """memo text -> the text of the passage it is on now."""
    with open_store(study) as store:
        out = {}
        for kind, target, _author, text in store.memos("segment"):
            seg = store.segment(target)
            out[text] = seg.text if seg is not None else "<no such segment>"
            assert kind == "segment"
        return out


def test_a_memo_stays_on_its_text_when_turns_are_inserted_above(
    make_study: Callable[..., Study],
) -> None:
    study, old_id = memo_study(make_study)
    report = reimport(study, HEAD + Q + ABOVE + LONE + KARSTEN)
    assert report.changed == (T,) and report.memos_reanchored == 1
    assert report.orphaned_memos == ()
    assert memo_passages(study) == {MEMO: PASSAGE}
    with open_store(study) as store:
        now_there = store.segment(old_id)
        # The old positional id names another passage now; the memo did not stay on it.
        assert now_there is not None and now_there.text != PASSAGE
        [memo] = anchored_memos(store, T)
        assert memo.segment_id != old_id
        source = store.source(T)
        assert source is not None
        assert source.text[memo.anchor_start : memo.anchor_end] == PASSAGE == memo.anchor_text
    [listed] = list_memos(study)
    assert (listed.kind, listed.text) == ("segment", MEMO) and listed.target == memo.segment_id


def test_a_memo_whose_passage_was_deleted_is_kept_aside_and_reported(
    make_study: Callable[..., Study],
) -> None:
    study, old_id = memo_study(make_study)
    report = reimport(study, HEAD + Q + KARSTEN)
    [lost] = report.orphaned_memos
    assert (lost.memo, lost.text, lost.author, lost.source) == (MEMO, PASSAGE, "AB", T)
    assert lost.reason == GONE and lost.segment_id == old_id
    assert report.memos_reanchored == 0
    # Never put on another passage: Karsten's turn now has the old id.
    assert memo_passages(study) == {}
    with open_store(study) as store:
        assert [m.memo for m in orphaned_memos(store)] == [MEMO]
    [line] = report.kept_aside()
    assert MEMO in line and "AB" in line and GONE in line and T in line


def test_a_removed_file_keeps_its_memos_aside(make_study: Callable[..., Study]) -> None:
    study, _ = memo_study(make_study)
    (study.root / T).unlink()
    report = import_study(study)
    assert [(m.memo, m.reason) for m in report.orphaned_memos] == [(MEMO, REMOVED)]
    with open_store(study) as store:
        assert store.memos("segment") == []
        assert [m.text for m in orphaned_memos(store)] == [PASSAGE]


def test_a_memo_on_a_journey_note_follows_the_note(make_study: Callable[..., Study]) -> None:
    study = make_study()
    import_study(study)
    note = "Skulle fortælle det hele forfra"
    with open_store(study) as store:
        [seg] = [s for s in store.segments() if s.text == note]
    add_memo(study, "Forfra igen", kind="segment", target=seg.id, author="AB")
    path = study.root / "journeys/rejser.csv"
    csv = path.read_text(encoding="utf-8")
    path.write_text(
        csv.replace("J01,gul,Får ny", "J01,gul,Flytter til plejefamilie,school,\nJ01,gul,Får ny"),
        encoding="utf-8",
    )
    report = import_study(study)
    assert report.memos_reanchored == 1
    assert memo_passages(study) == {"Forfra igen": note}


def test_the_import_line_counts_memos(make_study: Callable[..., Study]) -> None:
    study, _ = memo_study(make_study)
    report = reimport(study, HEAD + Q + ABOVE + LONE + KARSTEN)
    assert report.summary().endswith("0 codings re-anchored, 1 memos re-anchored")
    quiet = import_study(study)  # nothing changed: the line stays as it was
    assert quiet.summary().endswith("segments; 0 codings re-anchored")


def test_other_memos_are_not_touched_by_a_reimport(make_study: Callable[..., Study]) -> None:
    study, _ = memo_study(make_study)
    add_memo(study, "Temaet er bredt", kind="theme", target="Relationen", author="AB")
    add_memo(study, "Husk workshoppen", kind="study", author="CD")
    reimport(study, HEAD + Q + KARSTEN)
    assert [(m.kind, m.text) for m in list_memos(study)] == [
        ("theme", "Temaet er bredt"),
        ("study", "Husk workshoppen"),
    ]

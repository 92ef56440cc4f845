"""check_study: files, store integrity, dangling codings, orphans and changed sources."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from journeylab.coding.check import CheckReport, check_study
from journeylab.coding.importer import import_study
from journeylab.coding.model import CodingStatus
from journeylab.coding.store import open_store
from journeylab.coding.study import Study, load_study

BAD = Path(__file__).parent / "data" / "bad"


@pytest.fixture
def imported(make_study: Callable[..., Study]) -> Study:
    study = make_study()
    import_study(study)
    with open_store(study) as store:
        segments = store.segments(source="transcripts/fokusgruppe.txt")
        seg = next(s for s in segments if "sagsbehandler" in s.text)
        store.set_coding(seg.id, "Relationen", "AB", CodingStatus.MANUAL)
    return study


def errors(report: CheckReport) -> list[str]:
    return [f.line() for f in report.findings if f.level == "error"]


def raw(study: Study) -> sqlite3.Connection:
    return sqlite3.connect(study.store_path, isolation_level=None)


def test_a_healthy_study_passes(imported: Study) -> None:
    report = check_study(imported)
    assert report.ok, report.lines()
    assert report.files == 2 and report.segments > 0 and report.codings == 1
    assert not [f for f in report.findings if f.level == "warning"]


def test_check_writes_nothing(imported: Study) -> None:
    before = imported.store_path.read_bytes()
    check_study(imported)
    assert imported.store_path.read_bytes() == before
    # A read-only reader of a WAL database may leave an empty log beside it, never content.
    wal = imported.store_path.with_name("study.db-wal")
    assert not wal.exists() or wal.stat().st_size == 0


def test_a_bad_file_is_an_error_naming_it(imported: Study) -> None:
    shutil.copy(BAD / "journeys" / "unknown_colour.csv", imported.root / "journeys" / "x.csv")
    report = check_study(imported)
    assert not report.ok
    [line] = errors(report)
    assert "journeys/x.csv" in line and "row 3" in line and "lilla" in line


def test_a_reader_error_names_the_file_once(imported: Study) -> None:
    # QA pass 2, #6: "error: journeys/x.csv: /tmp/.../journeys/x.csv, row 3: ..."
    shutil.copy(BAD / "journeys" / "unknown_colour.csv", imported.root / "journeys" / "x.csv")
    shutil.copy(BAD / "codebooks" / "parent_cycle.yaml", imported.codebook_path)
    found = errors(check_study(imported))
    assert len(found) == 2
    for line, rel in zip(sorted(found), ("codebook.yaml", "journeys/x.csv"), strict=True):
        assert line.startswith(f"error: {rel}: ") and line.count(rel) == 1, line
        assert str(imported.root) not in line, line
    csv_line = next(e for e in found if "x.csv" in e)
    assert csv_line.startswith("error: journeys/x.csv: row 3, column ")


def test_a_bad_codebook_is_an_error(imported: Study) -> None:
    shutil.copy(BAD / "codebooks" / "parent_cycle.yaml", imported.codebook_path)
    assert any("codebook.yaml" in e and "cycle" in e for e in errors(check_study(imported)))


def test_a_journey_id_in_two_files_is_an_error(imported: Study) -> None:
    shutil.copy(BAD / "journeys" / "dup_b.yaml", imported.root / "journeys" / "dup_b.yaml")
    assert any("'J01' is also in journeys/" in e for e in errors(check_study(imported)))


def test_changed_gone_and_new_files_are_reported(imported: Study) -> None:
    transcript = imported.root / "transcripts" / "fokusgruppe.txt"
    transcript.write_text(transcript.read_text() + "\nLone: Og én ting mere.\n")
    (imported.root / "journeys" / "rejser.csv").rename(imported.root / "journeys" / "nye.csv")
    report = check_study(imported)
    text = "\n".join(report.lines())
    assert "warning: transcripts/fokusgruppe.txt: the file changed since the last import" in text
    assert "warning: journeys/rejser.csv: the file is gone" in text
    assert "info: journeys/nye.csv: a new file" in text
    assert report.ok


def test_codings_pointing_nowhere_are_errors(imported: Study) -> None:
    conn = raw(imported)
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute(
        "INSERT INTO codings (segment_id, theme, coder, status, anchor_text, anchor_start,"
        " anchor_end, source, created, updated) VALUES ('nope', 'Relationen', 'AB', 'manual',"
        " 'en forsvundet sætning', 0, 5, 'transcripts/x.txt', 'now', 'now')"
    )
    conn.execute("UPDATE codings SET theme = 'Slettet tema' WHERE segment_id != 'nope'")
    conn.close()
    found = errors(check_study(imported))
    assert any("en forsvundet sætning" in e and "not in the store" in e for e in found)
    assert any("'Slettet tema', which is not in the codebook" in e for e in found)


def test_orphans_are_listed_with_their_text(imported: Study) -> None:
    transcript = imported.root / "transcripts" / "fokusgruppe.txt"
    lines = [ln for ln in transcript.read_text().splitlines() if "sagsbehandler" not in ln]
    transcript.write_text("\n".join(lines) + "\n")
    import_study(imported)
    report = check_study(imported)
    [orphan] = [f for f in report.findings if f.level == "warning"]
    assert "AB's coding 'Relationen' was kept aside" in orphan.message
    assert "ny sagsbehandler" in orphan.message


def test_a_damaged_store_is_an_error_not_a_crash(imported: Study) -> None:
    for p in imported.store_path.parent.iterdir():
        p.unlink()
    imported.store_path.write_bytes(b"SQLite format 3\x00" + b"\x13" * 4000)
    report = check_study(imported)
    assert not report.ok and "the store" in errors(report)[0]


def test_a_newer_store_is_refused_in_words(imported: Study) -> None:
    conn = raw(imported)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    assert any("newer journeylab" in e for e in errors(check_study(imported)))


def test_no_store_yet_is_a_note(make_study: Callable[..., Study]) -> None:
    report = check_study(make_study())
    assert report.ok and report.segments == 0
    assert any("no database yet" in line for line in report.lines())


# -- memos: a memo must stay on its passage (coding/memo_anchor.py) ---------------

LONE_TURN = "Vi ser tit, at de unge får en ny sagsbehandler, når de fylder 18 år."


def memo_on_lone(study: Study) -> str:
    with open_store(study) as store:
        [seg] = [s for s in store.segments() if s.text == LONE_TURN]
        store.add_memo("segment", seg.id, "AB", "Vigtig om skift")
        note = next(s for s in store.segments() if s.journey)
        store.add_memo("segment", note.id, "AB", "En note")
    return seg.id


def warnings_of(report: CheckReport) -> list[str]:
    return [f.line() for f in report.findings if f.level == "warning"]


def test_memos_on_their_passages_are_fine(imported: Study) -> None:
    memo_on_lone(imported)
    report = check_study(imported)
    assert report.ok and warnings_of(report) == []


def test_a_memo_kept_aside_by_an_import_is_listed(imported: Study) -> None:
    memo_on_lone(imported)
    transcript = imported.root / "transcripts" / "fokusgruppe.txt"
    lines = [ln for ln in transcript.read_text().splitlines() if "sagsbehandler" not in ln]
    transcript.write_text("\n".join(lines) + "\n")
    import_study(imported)
    [memo] = [w for w in warnings_of(check_study(imported)) if "memo" in w]
    assert 'AB\'s memo "Vigtig om skift" was kept aside' in memo
    assert "ny sagsbehandler" in memo and "transcripts/fokusgruppe.txt" in memo


def test_a_memo_whose_passage_left_the_changed_file_is_foretold(imported: Study) -> None:
    memo_on_lone(imported)
    transcript = imported.root / "transcripts" / "fokusgruppe.txt"
    transcript.write_text(transcript.read_text().replace("ny sagsbehandler", "ny rådgiver"))
    found = [w for w in warnings_of(check_study(imported)) if "memo" in w]
    assert len(found) == 1 and "next journeylab import keeps the memo aside" in found[0]


def test_a_memo_whose_passage_changed_or_vanished_is_a_warning(imported: Study) -> None:
    seg_id = memo_on_lone(imported)
    conn = raw(imported)
    # What a re-import before memos kept their text did: the id names other text.
    conn.execute("UPDATE memos SET anchor_text = 'Noget andet' WHERE target = ?", (seg_id,))
    conn.execute(
        "UPDATE memos SET target = 'transcripts/fokusgruppe.txt#99' WHERE text = 'En note'"
    )
    conn.close()
    found = [w for w in warnings_of(check_study(imported)) if "memo" in w]
    assert len(found) == 2
    assert any('"Vigtig om skift" was written on "Noget andet"' in w for w in found)
    assert any('"En note" is on a passage that is no longer in the store' in w for w in found)


# -- real names in file names and journey ids (coding/real_names.py) ---------------


def test_a_real_name_in_a_file_name_or_journey_id_is_an_error(imported: Study) -> None:
    transcript = imported.root / "transcripts" / "fokusgruppe.txt"
    transcript.rename(imported.root / "transcripts" / "fokusgruppe_Rikke.txt")
    csv = imported.root / "journeys" / "rejser.csv"
    csv.write_text(csv.read_text().replace("J02,", "Rikke Holm,"))
    found = errors(check_study(imported))
    assert len(found) == 2
    assert "transcripts/fokusgruppe_Rikke.txt" in found[1] and "rename the file" in found[1]
    assert "journeys/rejser.csv" in found[0] and "column 'journey'" in found[0]
    assert "journey id 'Rikke Holm'" in found[0] and "such as J02" in found[0]  # J02 is free now


def test_a_real_name_in_a_codebook_theme_is_an_error_naming_its_line(imported: Study) -> None:
    # QA pass 2, #2: the workshop explorer showed "Relationen til Søren"; import refuses it.
    codebook = imported.codebook_path.read_text(encoding="utf-8")
    named = codebook.replace("  - name: Skolen\n", "  - name: Skolen og Rikkes lærer\n")
    imported.codebook_path.write_text(named, encoding="utf-8")
    line = named.splitlines().index("  - name: Skolen og Rikkes lærer") + 1
    [found] = errors(check_study(imported))
    assert found.startswith(f"error: codebook.yaml: line {line}: the theme 'Skolen og Rikkes")
    assert "holds a real name ('Rikkes')" in found
    assert found.endswith(
        "(rename the theme in codebook.yaml; until then journeylab import refuses)"
    )


# -- quotes on the terminal carry no real names (QA: a consultant may share the screen)

NAMED_TURN = "Lone siger, at Rikke får en ny sagsbehandler."


def test_kept_aside_quotes_show_made_up_names(make_study: Callable[..., Study]) -> None:
    from tests.conftest import TRANSCRIPT

    study = make_study({"transcripts/fokusgruppe.txt": TRANSCRIPT.replace(LONE_TURN, NAMED_TURN)})
    import_study(study)
    with open_store(study) as store:
        [seg] = [s for s in store.segments() if s.text == NAMED_TURN]
        store.set_coding(seg.id, "Relationen", "AB", CodingStatus.MANUAL)
        store.add_memo("segment", seg.id, "AB", "Rikke igen")
    # The turn goes; "Lone" is a speaker with a pseudonym, "Rikke" is in [names].
    transcript = study.root / "transcripts" / "fokusgruppe.txt"
    lines = transcript.read_text(encoding="utf-8").splitlines()
    transcript.write_text("\n".join(ln for ln in lines if "Rikke" not in ln) + "\n", "utf-8")
    import_study(study)
    kept = [w for w in warnings_of(check_study(study)) if "kept aside" in w]
    assert len(kept) == 2, kept
    for line in kept:
        assert "Rikke" not in line and "Lone" not in line, line
        assert "Medarbejder 1 siger, at Sofie (opdigtet navn) får" in line
    assert 'memo "Sofie (opdigtet navn) igen"' in kept[1]


def test_inconsistent_names_hide_the_quotes_instead_of_crashing(imported: Study) -> None:
    transcript = imported.root / "transcripts" / "fokusgruppe.txt"
    lines = [ln for ln in transcript.read_text().splitlines() if "sagsbehandler" not in ln]
    transcript.write_text("\n".join(lines) + "\n")
    import_study(imported)
    toml = imported.toml_path
    toml.write_text(toml.read_text() + '"Sofie" = "Anna"\n')  # a made-up name listed as real
    report = check_study(load_study(imported.root))
    assert any("also listed as a real name" in e for e in errors(report))
    [orphan] = [f.message for f in report.findings if "kept aside" in f.message]
    assert orphan.endswith('"…"') and "sagsbehandler" not in orphan

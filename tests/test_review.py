from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import load_workbook

from journeylab.coding.importer import import_study
from journeylab.coding.model import CodingStatus, Suggestion
from journeylab.coding.review import HEADERS, read_review_sheet, uncertainty, write_review_sheet
from journeylab.coding.store import open_store
from journeylab.coding.study import Study
from journeylab.errors import SheetError

TURN_LONE = "transcripts/fokusgruppe.txt#1"
TURN_KARSTEN = "transcripts/fokusgruppe.txt#2"
NOTE = "journeys/rejser.csv#J01:3"
MACHINE = "machine:ensemble"


@pytest.fixture
def study(make_study: Callable[..., Study]) -> Study:
    study = make_study()
    import_study(study)
    # Hand-set suggestions so the order and the accept column are known.
    with open_store(study) as store:
        store.replace_suggestions(
            MACHINE,
            [
                Suggestion(TURN_LONE, "Overgangen til voksen", 0.8, 1, MACHINE),
                Suggestion(TURN_LONE, "Relationen", 0.3, 2, MACHINE),
                Suggestion(TURN_KARSTEN, "Skolen", 0.45, 1, MACHINE),
                Suggestion(TURN_KARSTEN, "Relationen", 0.42, 2, MACHINE),
                Suggestion(NOTE, "Relationen", 0.6, 1, MACHINE),
            ],
        )
    return study


def col(name: str) -> int:
    """1-based column index of a header label."""
    return [*HEADERS.values()].index(name) + 1


def rows_by_id(ws) -> dict[str, int]:  # type: ignore[no-untyped-def]
    return {ws.cell(r, 1).value: r for r in range(2, ws.max_row + 1)}


def person_codings(study: Study, coder: str = "anna") -> set[tuple[str, str, CodingStatus]]:
    with open_store(study) as store:
        return {(c.segment_id, c.theme, c.status) for c in store.codings(coder=coder)}


def test_xlsx_sheet_a_consultant_can_use(study: Study, tmp_path: Path) -> None:
    out = tmp_path / "ark.xlsx"
    n = write_review_sheet(study, out, coder="anna")
    assert n == 9  # ten segments, minus the interviewer's turn
    wb = load_workbook(out)
    assert wb.sheetnames[0] == "Kodning" and "Vejledning" in wb.sheetnames
    ws = wb["Kodning"]
    assert [c.value for c in ws[1]] == list(HEADERS.values())
    assert ws.freeze_panes == "B2"
    assert ws.cell(2, col("tekst")).alignment.wrap_text
    assert ws.column_dimensions["E"].width >= 40
    ids = rows_by_id(ws)
    r = ids[TURN_LONE]
    assert ws.cell(r, col("taler")).value == "Medarbejder 1"  # the pseudonym, not "Lone"
    assert ws.cell(r, col("rolle")).value == "medarbejder"
    assert ws.cell(r, col("forslag 1")).value == "Overgangen til voksen"
    assert ws.cell(r, col("sikkerhed 1")).value == pytest.approx(0.8)
    assert ws.cell(r, col("forslag 2")).value == "Relationen"
    # Dropdowns: themes from the (hidden) list sheet, and ja/nej.
    validations = ws.data_validations.dataValidation
    formulas = {dv.formula1 for dv in validations}
    assert '"ja,nej"' in formulas
    theme_dv = next(dv for dv in validations if "Temaer" in (dv.formula1 or ""))
    listed = [c.value for c in wb["Temaer"]["A"]]
    assert listed == ["Relationen", "Skolen", "Overgangen til voksen"]
    letter = ws.cell(1, col("tema 2")).column_letter
    assert f"{letter}2:{letter}10" in str(theme_dv.sqref)
    guide = " ".join(str(c.value) for row in wb["Vejledning"].iter_rows() for c in row)
    assert "accepter forslag 1" in guide and "nyt tema" in guide


def test_round_trip_makes_the_persons_codings(study: Study, tmp_path: Path) -> None:
    out = tmp_path / "ark.xlsx"
    write_review_sheet(study, out, coder="anna")
    wb = load_workbook(out)
    ws = wb["Kodning"]
    ids = rows_by_id(ws)
    ws.cell(ids[TURN_LONE], col("accepter forslag 1")).value = "ja"
    ws.cell(ids[TURN_LONE], col("tema 1")).value = "Relationen"
    ws.cell(ids[TURN_KARSTEN], col("accepter forslag 1")).value = "Nej"
    ws.cell(ids[TURN_KARSTEN], col("tema 1")).value = "Overgangen til voksen"
    ws.cell(ids[TURN_KARSTEN], col("memo")).value = "Handler mest om samarbejde"
    ws.cell(ids[NOTE], col("nyt tema")).value = "Samarbejde på tværs"
    wb.save(out)

    result = read_review_sheet(study, out, coder="anna")
    assert result.accepted == 1 and result.rejected == 1 and result.memos == 1
    assert result.new_themes == ("Samarbejde på tværs",)
    assert person_codings(study) == {
        (TURN_LONE, "Overgangen til voksen", CodingStatus.ACCEPTED),
        (TURN_LONE, "Relationen", CodingStatus.MANUAL),
        (TURN_KARSTEN, "Skolen", CodingStatus.REJECTED),
        (TURN_KARSTEN, "Overgangen til voksen", CodingStatus.MANUAL),
        (NOTE, "Samarbejde på tværs", CodingStatus.MANUAL),
    }
    with open_store(study) as store:
        emergent = [t for t in store.themes() if t.name == "Samarbejde på tværs"]
        assert emergent and emergent[0].emergent
        assert any("samarbejde" in m[-1].lower() for m in store.memos())
        # The machine's suggestions are untouched.
        assert len(store.codings(coder=MACHINE)) == 5

    # Exported again, the sheet shows anna's themes; clearing one removes it.
    write_review_sheet(study, out, coder="anna")
    wb = load_workbook(out)
    ws = wb["Kodning"]
    ids = rows_by_id(ws)
    assert ws.cell(ids[TURN_KARSTEN], col("tema 1")).value == "Overgangen til voksen"
    ws.cell(ids[TURN_KARSTEN], col("tema 1")).value = None
    wb.save(out)
    second = read_review_sheet(study, out, coder="anna")
    assert second.removed == 1
    assert (TURN_KARSTEN, "Overgangen til voksen", CodingStatus.MANUAL) not in person_codings(study)
    assert (TURN_LONE, "Relationen", CodingStatus.MANUAL) in person_codings(study)


def test_csv_round_trip(study: Study, tmp_path: Path) -> None:
    out = tmp_path / "ark.csv"
    write_review_sheet(study, out, coder="bo")
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM, so Excel reads æøå
    rows = list(csv.reader(out.read_text(encoding="utf-8-sig").splitlines(), delimiter=";"))
    header = rows[0]
    for row in rows[1:]:
        if row[0] == NOTE:
            row[header.index("tema 1")] = "relationen"  # case is forgiven
    with out.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, delimiter=";").writerows(rows)
    result = read_review_sheet(study, out, coder="bo")
    assert result.manual == 1
    assert person_codings(study, "bo") == {(NOTE, "Relationen", CodingStatus.MANUAL)}


def edit_and_expect_error(study: Study, tmp_path: Path, edits: dict[tuple[str, str], str]) -> str:
    out = tmp_path / "ark.xlsx"
    write_review_sheet(study, out, coder="anna")
    wb = load_workbook(out)
    ws = wb["Kodning"]
    ids = rows_by_id(ws)
    # A good row first: it must not be written either.
    ws.cell(ids[TURN_LONE], col("tema 1")).value = "Relationen"
    for (sid, column), value in edits.items():
        ws.cell(ids[sid], col(column)).value = value
    wb.save(out)
    with pytest.raises(SheetError) as info:
        read_review_sheet(study, out, coder="anna")
    assert person_codings(study) == set()
    with open_store(study) as store:
        assert len(store.themes()) == 3
    return str(info.value)


def test_unknown_theme_names_row_and_column(study: Study, tmp_path: Path) -> None:
    message = edit_and_expect_error(
        study, tmp_path, {(NOTE, "tema 2"): "Relationnen", (NOTE, "nyt tema"): "Nyt"}
    )
    assert "unknown theme 'Relationnen'" in message
    assert "column 'tema 2'" in message and "row " in message


def test_edited_text_and_id_are_refused(study: Study, tmp_path: Path) -> None:
    message = edit_and_expect_error(study, tmp_path, {(NOTE, "tekst"): "Får ny mentor"})
    assert "no longer matches" in message and "column 'tekst'" in message
    message = edit_and_expect_error(study, tmp_path, {(NOTE, "id"): "journeys/x.csv#J09:1"})
    assert "unknown segment id" in message


def test_bad_accept_value_and_accept_without_suggestion(study: Study, tmp_path: Path) -> None:
    message = edit_and_expect_error(study, tmp_path, {(NOTE, "accepter forslag 1"): "måske"})
    assert "ja or nej" in message
    message = edit_and_expect_error(
        study, tmp_path, {("journeys/rejser.csv#J02:0", "accepter forslag 1"): "ja"}
    )
    assert "no suggestion" in message


def test_missing_columns_and_wrong_suffix(study: Study, tmp_path: Path) -> None:
    bad = tmp_path / "ark.csv"
    bad.write_text("id;tekst\nx;y\n", encoding="utf-8")
    with pytest.raises(SheetError, match="missing column"):
        read_review_sheet(study, bad, coder="anna")
    with pytest.raises(SheetError, match=r"\.xlsx or \.csv"):
        write_review_sheet(study, tmp_path / "ark.ods", coder="anna")
    with pytest.raises(SheetError, match="not a person"):
        read_review_sheet(study, bad, coder="machine:ensemble")


def test_uncertain_first_theme_filter_and_limit(study: Study, tmp_path: Path) -> None:
    out = tmp_path / "ark.csv"
    write_review_sheet(study, out, coder="anna", order="uncertain", limit=3)
    rows = list(csv.reader(out.read_text(encoding="utf-8-sig").splitlines(), delimiter=";"))
    # Unsuggested segments first (the machine knows nothing), then Karsten's close call.
    assert len(rows) == 4
    ordered = write_order(study, tmp_path, order="uncertain")
    suggested = [sid for sid in ordered if sid in (TURN_LONE, TURN_KARSTEN, NOTE)]
    # Margins: Karsten 0.45-0.42, Lone 0.8-0.3, the note 0.6-0 (one suggestion).
    assert suggested == [TURN_KARSTEN, TURN_LONE, NOTE]
    assert write_order(study, tmp_path, theme="Skolen") == [TURN_KARSTEN]
    source_order = write_order(study, tmp_path)
    assert source_order == sorted(source_order, key=lambda s: (s.split("#")[0], s))
    with pytest.raises(SheetError, match="unknown theme"):
        write_review_sheet(study, out, coder="anna", theme="Nope")


def write_order(study: Study, tmp_path: Path, **kwargs: object) -> list[str]:
    out = tmp_path / "order.csv"
    write_review_sheet(study, out, coder="anna", **kwargs)  # type: ignore[arg-type]
    rows = list(csv.reader(out.read_text(encoding="utf-8-sig").splitlines(), delimiter=";"))
    return [r[0] for r in rows[1:]]


def test_uncertainty_prefers_small_margins() -> None:
    assert uncertainty([("a", 0.45), ("b", 0.42)]) > uncertainty([("a", 0.8), ("b", 0.3)])
    assert uncertainty([]) > uncertainty([("a", 0.1)])

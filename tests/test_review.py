from __future__ import annotations

import csv
import json
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


# -- Two sheets, old sheets and re-reading: a sheet removes only what it showed --------


def fill(path: Path, edits: dict[tuple[str, str], str | None]) -> None:
    """Edit cells (segment id, header label) in an xlsx or csv sheet, as a person would."""
    if path.suffix == ".xlsx":
        wb = load_workbook(path)
        ws = wb["Kodning"]
        ids = rows_by_id(ws)
        for (sid, column), value in edits.items():
            ws.cell(ids[sid], col(column)).value = value
        wb.save(path)
        return
    rows = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines(), delimiter=";"))
    header = rows[0]
    for (sid, column), value in edits.items():
        row = next(r for r in rows[1:] if r[0] == sid)
        row[header.index(column)] = value or ""
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f, delimiter=";").writerows(rows)


def add_coding(study: Study, sid: str, theme: str, coder: str = "anna") -> None:
    """A coding made outside the sheet (the explorer, another sheet)."""
    with open_store(study) as store:
        store.set_coding(sid, theme, coder, CodingStatus.MANUAL)


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
@pytest.mark.parametrize("first", ["theme", "all"])
def test_two_overlapping_sheets_keep_both_sheets_codings(
    study: Study, tmp_path: Path, suffix: str, first: str
) -> None:
    # As the README suggests: a sheet per theme, and one of the uncertain segments.
    by_theme = tmp_path / f"relationen{suffix}"
    uncertain = tmp_path / f"usikre{suffix}"
    write_review_sheet(study, by_theme, coder="anna", theme="Relationen")
    write_review_sheet(study, uncertain, coder="anna", order="uncertain")
    fill(by_theme, {(TURN_LONE, "tema 1"): "Relationen", (NOTE, "tema 1"): "Relationen"})
    fill(uncertain, {(TURN_LONE, "tema 1"): "Skolen", (TURN_KARSTEN, "tema 1"): "Skolen"})
    sheets = [by_theme, uncertain] if first == "theme" else [uncertain, by_theme]
    results = [read_review_sheet(study, sheet, coder="anna") for sheet in sheets]
    assert [r.removed for r in results] == [0, 0]
    assert person_codings(study) == {
        (TURN_LONE, "Relationen", CodingStatus.MANUAL),
        (NOTE, "Relationen", CodingStatus.MANUAL),
        (TURN_LONE, "Skolen", CodingStatus.MANUAL),
        (TURN_KARSTEN, "Skolen", CodingStatus.MANUAL),
    }
    # The second sheet did not show the first one's codings on the shared rows: kept.
    assert len(results[1].not_shown) == 2
    assert "kept 2 of your codings that this sheet did not show" in results[1].details()[0]


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_rereading_an_unfilled_old_sheet_removes_nothing(
    study: Study, tmp_path: Path, suffix: str
) -> None:
    add_coding(study, TURN_LONE, "Skolen")
    sheet = tmp_path / f"ark{suffix}"
    write_review_sheet(study, sheet, coder="anna")  # shows Skolen on Lone's row
    add_coding(study, TURN_LONE, "Relationen")  # coded after the sheet was written
    add_coding(study, NOTE, "Relationen")
    before = person_codings(study)
    result = read_review_sheet(study, sheet, coder="anna")
    assert person_codings(study) == before
    assert (result.removed, result.removals, result.manual) == (0, (), 0)
    assert set(result.not_shown) == {(TURN_LONE, "Relationen"), (NOTE, "Relationen")}


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_clearing_a_theme_the_sheet_showed_removes_it_and_names_it(
    study: Study, tmp_path: Path, suffix: str
) -> None:
    add_coding(study, TURN_LONE, "Skolen")
    add_coding(study, NOTE, "Relationen")
    sheet = tmp_path / f"ark{suffix}"
    write_review_sheet(study, sheet, coder="anna")
    add_coding(study, TURN_LONE, "Overgangen til voksen")  # after the sheet: stays
    fill(sheet, {(TURN_LONE, "tema 1"): None, (NOTE, "tema 1"): ""})
    result = read_review_sheet(study, sheet, coder="anna")
    assert result.removed == 2
    assert set(result.removals) == {(TURN_LONE, "Skolen"), (NOTE, "Relationen")}
    assert person_codings(study) == {(TURN_LONE, "Overgangen til voksen", CodingStatus.MANUAL)}
    lines = result.details()
    assert f"removed from {TURN_LONE}: Skolen" in lines
    assert f"removed from {NOTE}: Relationen" in lines


def drop_record(path: Path) -> None:
    """The sheet as an older journeylab wrote it: no column recording what it showed."""
    rows = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines(), delimiter=";"))
    at = rows[0].index(HEADERS["shown"])
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f, delimiter=";").writerows([r[:at] + r[at + 1 :] for r in rows])


def test_an_older_sheet_without_the_record_never_removes(study: Study, tmp_path: Path) -> None:
    add_coding(study, TURN_LONE, "Skolen")
    add_coding(study, NOTE, "Relationen")
    sheet = tmp_path / "ark.csv"
    write_review_sheet(study, sheet, coder="anna")
    drop_record(sheet)
    add_coding(study, TURN_KARSTEN, "Skolen")  # after the sheet: the old rule removed it
    # The person clears a theme and adds one; the added one counts, nothing goes.
    fill(sheet, {(TURN_LONE, "tema 1"): "", (NOTE, "tema 2"): "Skolen"})
    before = person_codings(study)
    result = read_review_sheet(study, sheet, coder="anna")
    assert result.removed == 0 and result.manual == 1
    assert person_codings(study) == before | {(NOTE, "Skolen", CodingStatus.MANUAL)}
    assert set(result.unrecorded) == {(TURN_LONE, "Skolen"), (TURN_KARSTEN, "Skolen")}
    text = "\n".join(result.details())
    assert "kept 2 of your codings" in text and "export a fresh sheet" in text
    assert f"  {TURN_KARSTEN}: Skolen" in text


@pytest.mark.parametrize(
    "record", ["", "not json", '{"id": "journeys/rejser.csv#J01:3", "themes": ["Skolen"]}']
)
def test_a_damaged_record_removes_nothing_on_its_row(
    study: Study, tmp_path: Path, record: str
) -> None:
    add_coding(study, TURN_LONE, "Skolen")
    sheet = tmp_path / "ark.xlsx"
    write_review_sheet(study, sheet, coder="anna")
    # Blank, garbled, or another row's record (a sort that left the hidden column behind).
    fill(sheet, {(TURN_LONE, "tema 1"): None, (TURN_LONE, HEADERS["shown"]): record})
    result = read_review_sheet(study, sheet, coder="anna")
    assert result.removed == 0 and result.unrecorded == ((TURN_LONE, "Skolen"),)
    assert (TURN_LONE, "Skolen", CodingStatus.MANUAL) in person_codings(study)


def test_the_record_is_a_hidden_text_column_after_the_others(study: Study, tmp_path: Path) -> None:
    add_coding(study, TURN_LONE, "Skolen")
    sheet = tmp_path / "ark.xlsx"
    write_review_sheet(study, sheet, coder="anna")
    ws = load_workbook(sheet)["Kodning"]
    headers = [c.value for c in ws[1]]
    assert headers[:17] == [
        "id", "kilde", "taler", "rolle", "tekst", "forslag 1", "sikkerhed 1", "forslag 2",
        "sikkerhed 2", "forslag 3", "sikkerhed 3", "accepter forslag 1", "tema 1", "tema 2",
        "tema 3", "nyt tema", "memo",
    ]  # fmt: skip
    assert headers[17] == HEADERS["shown"]
    letter = ws.cell(1, 18).column_letter
    assert ws.column_dimensions[letter].hidden
    assert letter in str(ws.auto_filter.ref)  # sorting by the filter moves it with its row
    record = ws.cell(rows_by_id(ws)[TURN_LONE], 18).value
    assert json.loads(record) == {"id": TURN_LONE, "themes": ["Skolen"]}


def test_reading_a_sheet_twice_adds_its_memo_once(study: Study, tmp_path: Path) -> None:
    sheet = tmp_path / "ark.xlsx"
    write_review_sheet(study, sheet, coder="anna")
    fill(sheet, {(NOTE, "memo"): "Et  memo", (NOTE, "tema 1"): "Skolen"})
    first = read_review_sheet(study, sheet, coder="anna")
    second = read_review_sheet(study, sheet, coder="anna")
    assert (first.memos, second.memos) == (1, 0)
    with open_store(study) as store:
        assert store.memos("segment") == [("segment", NOTE, "anna", "Et memo")]
        # Another author's identical memo is a memo of its own.
        store.add_memo("segment", TURN_LONE, "bo", "Samme tekst")
    fill(sheet, {(TURN_LONE, "memo"): "Samme tekst"})
    assert read_review_sheet(study, sheet, coder="anna").memos == 1


def test_rereading_keeps_an_acceptance_and_counts_only_new_codings(
    study: Study, tmp_path: Path
) -> None:
    sheet = tmp_path / "ark.xlsx"
    write_review_sheet(study, sheet, coder="anna")
    fill(sheet, {(TURN_LONE, "accepter forslag 1"): "ja", (NOTE, "tema 1"): "Relationen"})
    assert read_review_sheet(study, sheet, coder="anna").manual == 1
    # A fresh sheet shows the accepted theme in 'tema 1'; read as it is, nothing changes.
    write_review_sheet(study, sheet, coder="anna")
    before = person_codings(study)
    result = read_review_sheet(study, sheet, coder="anna")
    assert (result.manual, result.removed) == (0, 0)
    assert person_codings(study) == before
    assert (TURN_LONE, "Overgangen til voksen", CodingStatus.ACCEPTED) in before

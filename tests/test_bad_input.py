"""Every bad file in tests/data/bad/ through the CLI: exit 1, one line naming the file,
the place and what to do, no traceback, and the store and output files untouched."""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from journeylab.cli import main
from journeylab.errors import JourneylabWarning
from journeylab.journeys.readers import read_journey_file
from tests.conftest import STUDY_TOML, write_study

BAD = Path(__file__).parent / "data" / "bad"

# file -> the place the message must name (None: the whole file is wrong).
JOURNEYS = {
    "bad_indent.yaml": "line 5",
    "date_as_age.xlsx": "row 2, column 'alder'",
    "duplicate_step.csv": "row 3, column 'trin'",
    "empty.yaml": None,
    "empty_cells.csv": "row 4, column 'farve'",
    "empty_rows.csv": None,
    "formula_text.xlsx": "row 2, column 'tekst'",
    "green_first.csv": "row 2, column 'farve'",
    "merged_cells.xlsx": "row 3, column 'rejse'",
    "missing_column.csv": "row 1",
    "missing_step.csv": "row 3, column 'trin'",
    "steps_not_list.yaml": "line 2",
    "truncated.xlsx": None,
    "unclosed_quote.csv": "line 2",
    "unknown_colour.csv": "row 3, column 'farve'",
    "unknown_colour.xlsx": "row 2, column 'farve'",
    "utf16_unknown_colour.csv": "row 3, column 'farve'",
    "yaml_unknown_stage.yaml": "line 4",
    "zip_not_workbook.xlsx": None,
}
TRANSCRIPTS = {
    "broken_front_matter.md": "line 3",
    "broken_timestamp.srt": "cue 1",
    "broken_timestamp.vtt": "cue 1, line 3",
    "invalid_utf8.txt": "line 1",
    "missing_number.srt": "cue 2",
    "no_cues.vtt": None,
    "no_speakers.docx": "paragraph 1",
    "no_speakers.txt": "line 1",
    "truncated.docx": None,
    "unclosed_front_matter.md": "line 1",
    "undeclared_speaker.txt": "line 8",
    "unknown_role.md": "line 4",
    "zip_not_docx.docx": None,
}
CODEBOOKS = {
    "duplicate_theme.yaml": "line 3",
    "empty.yaml": None,
    "malformed.yaml": "line 5",
    "no_description.yaml": "line 3",
    "no_themes.yaml": "line 2",
    "parent_cycle.yaml": "line 5",
    "unknown_parent.yaml": "line 5",
}
STUDIES = {
    "bad_language.toml": "[study]",
    "considerations_not_list.toml": "[report]",
    "malformed.toml": "line 1",
    "name_not_text.toml": "[names]",
    "no_title.toml": "[study]",
    "not_utf8.toml": None,
    "participants_not_table.toml": '[transcripts."a.txt"]',
    "study_not_table.toml": "[study]",
    "title_not_text.toml": "[study]",
    "unknown_role.toml": "[roles] 'Lone'",
}
SHEETS = {
    "empty.csv": None,
    "missing_columns.csv": "row 1",
    "unknown_id.csv": "row 2, column 'id'",
    "wrong_header.xlsx": "row 1",
    "zip_not_sheet.xlsx": None,
}
# No [roles] default, so an undeclared speaker has no role.
NO_DEFAULT_TOML = STUDY_TOML.replace('default = "medarbejder"\n', "")


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small study, imported once, with a report already written."""
    root = tmp_path_factory.mktemp("template") / "study"
    write_study(root, {"study.toml": NO_DEFAULT_TOML})
    result = CliRunner().invoke(main, ["import", str(root)])
    assert result.exit_code == 0, result.output
    (root / "out").mkdir()
    (root / "out" / "rapport.html").write_text("<p>den gamle rapport</p>", encoding="utf-8")
    (root / "out" / "kodning.csv").write_text("den gamle eksport\n", encoding="utf-8")
    return root


@pytest.fixture
def study(imported: Path, tmp_path: Path) -> Path:
    root = tmp_path / "study"
    shutil.copytree(imported, root)
    return root


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file of the store and the outputs, byte for byte."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for folder in (root / ".journeylab", root / "out")
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def assert_one_clear_line(result: Result, name: str, where: str | None) -> None:
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    line = lines[0]
    assert line.startswith("Error: ") and "Traceback" not in result.output
    assert name in line
    if where is not None:
        assert where in line, line


def _case(kind: str, table: dict[str, str | None]) -> list[tuple[str, str, str | None]]:
    return [(kind, name, where) for name, where in table.items()]


IMPORT_CASES = (
    _case("journeys", JOURNEYS)
    + _case("transcripts", TRANSCRIPTS)
    + _case("codebooks", CODEBOOKS)
    + _case("studies", STUDIES)
)


@pytest.mark.parametrize(("kind", "name", "where"), IMPORT_CASES)
def test_a_bad_file_stops_import_with_one_line_and_changes_nothing(
    study: Path, kind: str, name: str, where: str | None
) -> None:
    source = BAD / kind / name
    target = {
        "journeys": study / "journeys" / name,
        "transcripts": study / "transcripts" / name,
        "codebooks": study / "codebook.yaml",
        "studies": study / "study.toml",
    }[kind]
    shutil.copy(source, target)
    before = snapshot(study)
    result = CliRunner().invoke(main, ["import", str(study)])
    assert_one_clear_line(result, target.name, where)
    if kind not in ("codebooks", "studies"):
        assert "(" in result.output  # every file-level message carries a hint
    assert snapshot(study) == before


@pytest.mark.parametrize("name", sorted(STUDIES))
def test_a_bad_study_toml_leaves_report_and_export_files_alone(study: Path, name: str) -> None:
    shutil.copy(BAD / "studies" / name, study / "study.toml")
    before = snapshot(study)
    for args in (
        ["report", str(study), "--out", str(study / "out" / "rapport.html")],
        ["export", str(study), "--out", str(study / "out" / "kodning.csv")],
    ):
        result = CliRunner().invoke(main, args)
        assert_one_clear_line(result, "study.toml", STUDIES[name])
    assert snapshot(study) == before


@pytest.mark.parametrize(("name", "where"), sorted(SHEETS.items()))
def test_a_bad_review_sheet_changes_nothing(study: Path, name: str, where: str | None) -> None:
    before = snapshot(study)
    result = CliRunner().invoke(
        main, ["review", str(study), "--read", str(BAD / "sheets" / name), "--coder", "AB"]
    )
    assert_one_clear_line(result, name, where)
    assert snapshot(study) == before


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        ("tekst", "En helt anden tekst", "column 'tekst'"),
        ("tema 1", "Et tema der ikke findes", "column 'tema 1'"),
    ],
)
def test_an_edited_review_sheet_names_row_and_column(
    study: Path, column: str, value: str, expected: str
) -> None:
    sheet = study / "out" / "ark.csv"
    runner = CliRunner()
    wrote = runner.invoke(main, ["review", str(study), "--out", str(sheet), "--coder", "AB"])
    assert wrote.exit_code == 0, wrote.output
    lines = sheet.read_text(encoding="utf-8-sig").splitlines()
    sep = ";" if lines[0].count(";") > lines[0].count(",") else ","
    header = lines[0].split(sep)
    import csv
    import io

    rows = list(csv.reader(io.StringIO("\n".join(lines)), delimiter=sep))
    rows[3][header.index(column)] = value
    out = io.StringIO()
    csv.writer(out, delimiter=sep).writerows(rows)
    sheet.write_text(out.getvalue(), encoding="utf-8")
    before = snapshot(study)
    result = runner.invoke(main, ["review", str(study), "--read", str(sheet), "--coder", "AB"])
    assert_one_clear_line(result, "ark.csv", f"row 4, {expected}")
    assert snapshot(study) == before


def test_a_fifty_megabyte_line_is_refused_clearly(study: Path) -> None:
    before = snapshot(study)
    line = "ord " * 13_000_000
    (study / "journeys" / "lang.csv").write_text(f"rejse,farve,tekst\nJ09,gul,{line}\n")
    result = CliRunner().invoke(main, ["import", str(study)])
    assert_one_clear_line(result, "lang.csv", "line 2")
    assert "longer than" in result.output
    (study / "journeys" / "lang.csv").unlink()
    (study / "transcripts" / "lang.txt").write_text(f"Lone: {line}\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["import", str(study)])
    assert_one_clear_line(result, "lang.txt", "line 1")
    assert snapshot(study) == before


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("bom_crlf.csv", "\ufeffrejse,farve,tekst\r\nJ05,gul,Starter i skolen\r\n".encode()),
        ("utf16.csv", "rejse;farve;tekst\nJ05;gul;Møde med UU\n".encode("utf-16")),
        ("orden.csv", b"rejse,trin,farve,tekst\nJ07,2,gul,Mentor\nJ07,1,gul,Skole\n"),
        (
            "excel.csv",
            "rejse;farve;tekst\nJ08;gul;Flytter til plejefamilie på Fyn\n".encode("cp1252"),
        ),
    ],
)
@pytest.mark.filterwarnings("ignore::journeylab.errors.JourneylabWarning")
def test_files_that_are_only_unusual_are_imported(study: Path, name: str, data: bytes) -> None:
    (study / "journeys" / name).write_bytes(data)
    result = CliRunner().invoke(main, ["import", str(study)])
    assert result.exit_code == 0, result.output
    assert "1 new" in result.output


def test_steps_out_of_number_order_are_kept_in_row_order_with_a_warning() -> None:
    with pytest.warns(JourneylabWarning, match=r"steps_out_of_order\.csv, journey 'J01'"):
        [journey] = read_journey_file(BAD / "journeys" / "steps_out_of_order.csv")
    assert [s.event.text for s in journey.steps] == ["Får en mentor", "Starter i skolen"]


def test_a_guessed_separator_is_announced(tmp_path: Path) -> None:
    path = tmp_path / "rejser.csv"
    path.write_text("rejse;farve;tekst;kommentar, fri\nJ1;gul;Møde med UU;\n", encoding="utf-8")
    with pytest.warns(JourneylabWarning, match=r"semicolon"):
        [journey] = read_journey_file(path)
    assert journey.steps[0].event.text == "Møde med UU"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a clear header is no guess: no warning
        path.write_text("rejse;farve;tekst\nJ1;gul;Møde med UU\n", encoding="utf-8")
        read_journey_file(path)


def test_a_journey_id_used_in_two_files_is_refused(study: Path) -> None:
    shutil.copy(BAD / "journeys" / "dup_b.yaml", study / "journeys" / "dup_b.yaml")
    before = snapshot(study)
    result = CliRunner().invoke(main, ["import", str(study)])  # J01 is also in rejser.csv
    assert_one_clear_line(result, "dup_b.yaml", None)
    assert snapshot(study) == before


def test_an_excel_cp1252_csv_is_imported_and_the_guess_announced(study: Path) -> None:
    data = (BAD / "journeys" / "cp1252_semicolon.csv").read_bytes().replace(b"J01", b"J09")
    (study / "journeys" / "excel.csv").write_bytes(data)
    result = CliRunner().invoke(main, ["import", str(study)])
    assert result.exit_code == 0, result.output
    assert "Warning:" in result.output and "Windows-1252" in result.output

"""The command line, through click's CliRunner: help, errors, and each command's job."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from journeylab.cli import main


def all_commands() -> list[tuple[str, click.Command]]:
    return sorted(main.commands.items())


@pytest.mark.parametrize(("name", "command"), all_commands())
def test_every_command_has_help_ending_with_an_example(name: str, command: click.Command) -> None:
    result = CliRunner().invoke(main, [name, "--help"])
    assert result.exit_code == 0, result.output
    assert "Example:" in result.output
    assert f"journeylab {name}" in result.output.split("Example:")[1]


def test_top_level_help_has_an_example() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0 and "Example:" in result.output


def test_init_then_error_on_second_init(tmp_path: Path) -> None:
    runner = CliRunner()
    first = runner.invoke(main, ["init", str(tmp_path / "s")])
    assert first.exit_code == 0, first.output
    assert (tmp_path / "s" / "study.toml").is_file()
    second = runner.invoke(main, ["init", str(tmp_path / "s")])
    assert second.exit_code == 1
    assert second.output.startswith("Error: ")
    assert "not empty" in second.output and "Traceback" not in second.output
    assert len(second.output.strip().splitlines()) == 1


def test_usage_error_exits_2() -> None:
    result = CliRunner().invoke(main, ["init"])
    assert result.exit_code == 2


def test_unknown_preset_is_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["init", str(tmp_path / "s"), "--codebook", "x"])
    assert result.exit_code == 1
    assert "unknown codebook preset 'x'" in result.output


def _fill_sheet_as_a_person(sheet: Path) -> int:
    """Code every row the way one analyst reads it: a simple, consistent rule."""
    from openpyxl import load_workbook

    rules = [
        ("sagsbehandler", "Relationen"),
        ("18", "Overgangen fra ung til voksen"),
        ("skole", "Skolen og tidlig indsats"),
    ]
    wb = load_workbook(sheet)
    ws = wb["Kodning"]
    header = [c.value for c in ws[1]]
    names = ("tekst", "tema 1", "accepter forslag 1", "forslag 1")
    col = {name: header.index(name) + 1 for name in names}
    filled = 0
    for row in range(2, ws.max_row + 1):
        text = str(ws.cell(row, col["tekst"]).value or "").lower()
        theme = next((t for word, t in rules if word in text), None)
        if theme is None and ws.cell(row, col["forslag 1"]).value:
            ws.cell(row, col["accepter forslag 1"]).value = "nej"
        elif theme is not None:
            ws.cell(row, col["tema 1"]).value = theme
        filled += 1
    wb.save(sheet)
    return filled


def test_person_in_the_loop_on_the_example_study(tmp_path: Path) -> None:
    import shutil

    from journeylab.coding.agreement import study_agreement
    from journeylab.coding.study import example_study_path, load_study

    root = tmp_path / "studie"
    shutil.copytree(example_study_path(), root, ignore=shutil.ignore_patterns(".journeylab"))
    runner = CliRunner()
    for args in (["import", str(root)], ["code", str(root)]):
        result = runner.invoke(main, args)
        assert result.exit_code == 0, result.output
    sheet = tmp_path / "ark.xlsx"
    result = runner.invoke(
        main, ["review", str(root), "--out", str(sheet), "--coder", "AB", "--limit", "120"]
    )
    assert result.exit_code == 0, result.output
    assert _fill_sheet_as_a_person(sheet) == 120
    result = runner.invoke(main, ["review", str(root), "--read", str(sheet), "--coder", "AB"])
    assert result.exit_code == 0, result.output
    assert "120 rows" in result.output
    before = study_agreement(load_study(root), "AB", "machine:ensemble")
    result = runner.invoke(main, ["code", str(root), "--coder", "model"])
    assert result.exit_code == 0, result.output
    after = study_agreement(load_study(root), "AB", "machine:model")
    assert before.kappa is not None and after.kappa is not None
    assert after.kappa > before.kappa
    result = runner.invoke(main, ["agreement", str(root), "--coders", "AB,machine:model"])
    assert result.exit_code == 0, result.output
    assert "kappa" in result.output
    # The segments where the person and the machine still differ, as a sheet to settle.
    settle = tmp_path / "uenige.csv"
    args = ["review", str(root), "--out", str(settle), "--coder", "AB"]
    result = runner.invoke(main, [*args, "--disagreements", "AB,machine:ensemble"])
    assert result.exit_code == 0, result.output
    assert f"Wrote {len(before.disagreements)} segments" in result.output
    assert 0 < len(before.disagreements) < 120


def test_review_needs_out_or_read(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["review", str(tmp_path), "--coder", "AB"])
    assert result.exit_code == 2


@pytest.fixture(scope="module")
def coded_example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import shutil

    from journeylab.coding.study import example_study_path

    root = tmp_path_factory.mktemp("coded") / "studie"
    shutil.copytree(example_study_path(), root, ignore=shutil.ignore_patterns(".journeylab"))
    for args in (["import", str(root)], ["code", str(root)]):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0, result.output
    return root


@pytest.mark.parametrize(("version", "counts"), [("client", False), ("analyst", True)])
def test_report_versions(coded_example: Path, tmp_path: Path, version: str, counts: bool) -> None:
    out = tmp_path / "r.md"
    args = ["report", str(coded_example), "--out", str(out), "--version", version]
    result = CliRunner().invoke(main, [*args, "--include-suggestions", "0.5"])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert ("n = " in text) is counts
    assert text.count("Hvad siger de unge?") == 7


def test_report_without_codings_or_suggestions_still_renders(
    coded_example: Path, tmp_path: Path
) -> None:
    out = tmp_path / "r.html"
    result = CliRunner().invoke(main, ["report", str(coded_example), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").count("Hvad siger medarbejderne?") == 7


def test_export_xlsx_and_csv(coded_example: Path, tmp_path: Path) -> None:
    for name in ("k.xlsx", "k.csv"):
        result = CliRunner().invoke(
            main, ["export", str(coded_example), "--out", str(tmp_path / name)]
        )
        assert result.exit_code == 0, result.output
        assert (tmp_path / name).stat().st_size > 1000


def test_import_of_missing_study_is_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["import", str(tmp_path / "nope")])
    assert result.exit_code == 1
    assert "no such study folder" in result.output and "journeylab init" in result.output


def test_explore_passes_its_options_to_the_server(
    coded_example: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import journeylab.themes.explorer as explorer

    seen: dict[str, object] = {}
    monkeypatch.setattr(explorer, "serve", lambda study, **kw: seen.update(kw, root=study.root))
    args = ["explore", str(coded_example), "--read-only", "--port", "9001", "--host", "0.0.0.0"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert seen["read_only"] is True and seen["port"] == 9001 and seen["host"] == "0.0.0.0"
    assert seen["root"] == coded_example


def test_check_is_ok_on_a_coded_study_and_names_a_missing_file(
    coded_example: Path, tmp_path: Path
) -> None:
    import shutil

    result = CliRunner().invoke(main, ["check", str(coded_example)])
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith(": ok")
    copy = tmp_path / "copy"
    shutil.copytree(coded_example, copy)
    (copy / "journeys" / "J02.yaml").unlink()
    result = CliRunner().invoke(main, ["check", str(copy)])
    assert "journeys/J02.yaml" in result.output and "gone" in result.output


def test_a_guess_is_printed_as_one_warning_line(tmp_path: Path) -> None:
    root = tmp_path / "s"
    assert CliRunner().invoke(main, ["init", str(root)]).exit_code == 0
    (root / "journeys" / "rejser.csv").write_text(
        "rejse;farve;tekst;kommentar, fri\nJ1;gul;Møde med UU;\n", encoding="utf-8"
    )
    result = CliRunner().invoke(main, ["journeys", str(root)])
    assert result.exit_code == 0, result.output
    warning_lines = [line for line in result.output.splitlines() if line.startswith("Warning:")]
    assert len(warning_lines) == 1 and "semicolon" in warning_lines[0]
    assert "warnings.warn" not in result.output


def test_qdpx_round_trip_and_codebook_exchange_through_the_cli(
    coded_example: Path, tmp_path: Path
) -> None:
    runner = CliRunner()
    # A person's coding, so the project carries at least one coding.
    sheet = tmp_path / "ark.xlsx"
    args = ["review", str(coded_example), "--out", str(sheet), "--coder", "AB", "--limit", "30"]
    assert runner.invoke(main, args).exit_code == 0
    _fill_sheet_as_a_person(sheet)
    args = ["review", str(coded_example), "--read", str(sheet), "--coder", "AB"]
    assert runner.invoke(main, args).exit_code == 0
    project = tmp_path / "studie.qdpx"
    result = runner.invoke(main, ["export", str(coded_example), "--out", str(project)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["import-qdpx", str(project), str(tmp_path / "ny")])
    assert result.exit_code == 0, result.output
    assert "AB" in result.output and (tmp_path / "ny" / "study.toml").is_file()
    qdc = tmp_path / "kodebog.qdc"
    assert runner.invoke(main, ["export", str(coded_example), "--out", str(qdc)]).exit_code == 0
    target = tmp_path / "tom"
    assert runner.invoke(main, ["init", str(target), "--codebook", "kl-seks"]).exit_code == 0
    result = runner.invoke(main, ["import-codebook", str(qdc), str(target)])
    assert result.exit_code == 0, result.output
    assert "Wrote 7 themes" in result.output


def test_report_docx_through_the_cli(coded_example: Path, tmp_path: Path) -> None:
    from docx import Document

    out = tmp_path / "rapport.docx"
    args = ["report", str(coded_example), "--out", str(out), "--include-suggestions", "0.5"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    headings = [p.text for p in Document(str(out)).paragraphs if p.style.name == "Heading 3"]
    assert headings.count("Hvad siger de unge?") == 7


def test_findings_scaffold_then_the_report_uses_the_analysts_words(
    coded_example: Path, tmp_path: Path
) -> None:
    import shutil

    import yaml

    root = tmp_path / "s"
    shutil.copytree(coded_example, root)
    runner = CliRunner()
    result = runner.invoke(main, ["findings", str(root)])
    assert result.exit_code == 0, result.output
    path = root / "findings.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    again = runner.invoke(main, ["findings", str(root)])
    assert again.exit_code == 1 and "already exists" in again.output
    path.write_text(
        "Relationen:\n  unge:\n    - De unge savner én voksen, der bliver ved.\n", encoding="utf-8"
    )
    out = tmp_path / "r.md"
    result = runner.invoke(main, ["report", str(root), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "De unge savner én voksen, der bliver ved." in out.read_text(encoding="utf-8")


def test_report_refuses_a_name_it_cannot_tell_the_format_from(coded_example: Path) -> None:
    result = CliRunner().invoke(main, ["report", str(coded_example), "--out", "rapport.pdf"])
    assert result.exit_code == 2 and "rapport.pdf" in result.output
    assert not Path("rapport.pdf").exists()


@pytest.mark.parametrize(
    "args",
    [
        ["report", "{study}", "--out", "{blocked}/rapport.html"],
        ["report", "{study}", "--out", "{blocked}/rapport.md"],
        ["report", "{study}", "--out", "{blocked}/rapport.docx"],
        ["export", "{study}", "--out", "{blocked}/kodning.xlsx"],
        ["export", "{study}", "--format", "csv", "--out", "{blocked}/tabeller"],
        ["journeys", "{study}", "--map", "{blocked}/kort"],
        ["review", "{study}", "--out", "{blocked}/ark.xlsx", "--coder", "AB"],
        ["findings", "{study}", "--out", "{blocked}/findings.yaml"],
        ["init", "{blocked}/ny"],
    ],
    ids=lambda a: " ".join(a[:3]),
)
def test_an_output_folder_that_cannot_be_written_is_one_line(
    coded_example: Path, tmp_path: Path, args: list[str]
) -> None:
    # A file where the output folder should be: refused for root too, unlike permissions.
    blocked = tmp_path / "a-file"
    blocked.write_text("x", encoding="utf-8")
    argv = [a.format(study=coded_example, blocked=blocked) for a in args]
    result = CliRunner().invoke(main, argv)
    assert result.exit_code == 1, result.output
    # `journeys` prints its tables before it writes the maps: the error is the last line.
    errors = [line for line in result.output.splitlines() if "Error" in line]
    assert errors == [result.output.strip().splitlines()[-1]], result.output
    assert errors[0].startswith("Error: ") and "a-file" in errors[0]
    assert "Traceback" not in result.output
    assert blocked.read_text(encoding="utf-8") == "x"


def test_an_os_error_the_library_lets_through_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from journeylab.coding import scaffold

    def read_only(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", str(tmp_path / "s" / "study.toml"))

    monkeypatch.setattr(scaffold, "init_study", read_only)
    result = CliRunner().invoke(main, ["init", str(tmp_path / "s")])
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and "Traceback" not in result.output
    assert "study.toml: Permission denied" in result.output
    assert len(result.output.strip().splitlines()) == 1


# -- small usability fixes (QA pass, cli #13) -------------------------------------


def test_memo_with_only_its_text_inside_a_study(
    make_study: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from journeylab.coding.memos import list_memos

    study = make_study()
    assert CliRunner().invoke(main, ["import", str(study.root)]).exit_code == 0
    monkeypatch.chdir(study.root / "transcripts")  # in a study: its folder or a subfolder
    result = CliRunner().invoke(main, ["memo", "Går igen", "--author", "AB"])
    assert result.exit_code == 0, result.output
    assert [(m.kind, m.text, m.author) for m in list_memos(study)] == [("study", "Går igen", "AB")]
    # Text that is a folder's name stays the STUDY, as before.
    result = CliRunner().invoke(main, ["memo", str(study.root), "--author", "AB"])
    assert result.exit_code == 2 and "TEXT" in result.output


def test_memo_with_one_argument_outside_a_study_still_names_the_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["memo", "Går igen", "--author", "AB"])
    assert result.exit_code == 1 and "Går igen: no such study folder" in result.output


def test_export_to_an_unknown_suffix_is_refused(coded_example: Path, tmp_path: Path) -> None:
    out = tmp_path / "out" / "x.txt"
    result = CliRunner().invoke(main, ["export", str(coded_example), "--out", str(out)])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"Error: {out}: unknown format for .txt (use .csv, .xlsx, .qdpx, .qdc or a folder,"
        " or --format)"
    ]
    assert not (tmp_path / "out").exists()
    # Said outright, it is still a folder of CSVs.
    args = ["export", str(coded_example), "--format", "csv", "--out", str(out)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert out.is_dir() and sorted(p.suffix for p in out.iterdir())[0] == ".csv", result.output


def test_init_prints_a_next_step_that_can_be_copied(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["init", "ny studie"])
    assert result.exit_code == 0, result.output
    assert result.output.rstrip().endswith("then: journeylab import 'ny studie'")


def test_import_quotes_kept_aside_text_with_made_up_names(
    make_study: Callable[..., Any],
) -> None:
    from journeylab.coding.model import CodingStatus
    from journeylab.coding.store import open_store
    from tests.conftest import TRANSCRIPT

    turn = "Vi ser tit, at de unge får en ny sagsbehandler, når de fylder 18 år."
    named = "Lone siger, at Rikke får en ny sagsbehandler."
    study = make_study({"transcripts/fokusgruppe.txt": TRANSCRIPT.replace(turn, named)})
    assert CliRunner().invoke(main, ["import", str(study.root)]).exit_code == 0
    with open_store(study) as store:
        [seg] = [s for s in store.segments() if s.text == named]
        store.set_coding(seg.id, "Relationen", "AB", CodingStatus.MANUAL)
        store.add_memo("segment", seg.id, "AB", "Rikke igen")
    transcript = study.root / "transcripts" / "fokusgruppe.txt"
    transcript.write_text(transcript.read_text(encoding="utf-8").replace(named, "Nej."), "utf-8")
    result = CliRunner().invoke(main, ["import", str(study.root)])
    assert result.exit_code == 0, result.output
    kept = [line for line in result.stderr.splitlines() if line.startswith("kept aside")]
    assert len(kept) == 2, result.stderr
    for line in kept:
        # "Rikke" is in [names]; "Lone" is a speaker whose pseudonym is "Medarbejder 1".
        assert "Rikke" not in line and "Lone" not in line, line
        assert '"Medarbejder 1 siger, at Sofie (opdigtet navn) får' in line
    assert 'memo "Sofie (opdigtet navn) igen"' in kept[1]


def test_memo_list_shows_made_up_names(make_study: Callable[..., Any]) -> None:
    # QA pass 2, #5: `memo --list` printed the real names that import and check replace.
    study = make_study()
    assert CliRunner().invoke(main, ["import", str(study.root)]).exit_code == 0
    runner = CliRunner()
    text = "Rikke Holm og Lone talte om RIKKES skift"
    assert runner.invoke(main, ["memo", str(study.root), text, "--author", "AB"]).exit_code == 0
    result = runner.invoke(main, ["memo", str(study.root), "--list"])
    assert result.exit_code == 0, result.output
    # "Rikke Holm" is in [names]; "Lone" is a speaker shown as "Medarbejder 1".
    assert result.output.splitlines() == [
        "[study] AB: Sofie (opdigtet navn) og Medarbejder 1 talte om Sofies (opdigtet navn) skift"
    ]

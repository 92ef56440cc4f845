"""cli_themes.py: `journeylab theme rename|remove`, and the QA repro it fixes: a theme
renamed in codebook.yaml left its person codings out of every report, silently."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from journeylab.cli import main
from journeylab.cli_themes import theme
from journeylab.coding.model import CodingStatus, Role, Theme
from journeylab.coding.store import open_store
from journeylab.coding.study import Study
from tests.conftest import code_small_study, coded_example, write_study


@pytest.mark.parametrize("name", sorted(theme.commands))
def test_each_theme_command_has_help_with_an_example(name: str) -> None:
    result = CliRunner().invoke(main, ["theme", name, "--help"])
    assert result.exit_code == 0, result.output
    assert f"journeylab theme {name} " in result.output.split("Example:")[1]


def _overview_counts(report: Path, name: str) -> tuple[int, int]:
    """The analyst report's theme overview: *name*'s two 'n = X af Y' (young people, staff)."""
    row = next(line for line in report.read_text("utf-8").splitlines() if f"| [{name}]" in line)
    found = re.findall(r"n = (\d+) af \d+", row)
    return int(found[0]), int(found[1])


def test_qa_repro_renamed_theme_warns_at_import_and_theme_rename_brings_it_back(
    tmp_path: Path,
) -> None:
    study = coded_example(tmp_path / "S", code=False)
    with open_store(study) as store:
        material = [s for s in store.segments() if s.role is not Role.INTERVIEWER]
        for seg in material[:18]:
            store.set_coding(seg.id, "De rette tilbud", "EF", CodingStatus.MANUAL)
    codebook = study.codebook_path.read_text("utf-8")
    assert codebook.count("- name: De rette tilbud") == 1
    study.codebook_path.write_text(
        codebook.replace("- name: De rette tilbud", "- name: De rigtige tilbud"), "utf-8"
    )
    runner = CliRunner()
    imported = runner.invoke(main, ["import", str(study.root)])
    assert imported.exit_code == 0, imported.output
    [line] = [x for x in imported.stderr.splitlines() if "person codings" in x]
    assert line == (
        f"Warning: {study.codebook_path}: 18 person codings use the theme 'De rette tilbud', "
        "which is no longer in the codebook; they are left out of reports — rename it back in "
        f"codebook.yaml, or run: journeylab theme rename {study.root} 'De rette tilbud' "
        "'De rigtige tilbud'"
    )
    before = runner.invoke(
        main, ["report", str(study.root), "--analyst", "--out", str(tmp_path / "r1.md")]
    )
    assert before.exit_code == 0, before.output
    assert "18 person codings use the theme 'De rette tilbud'" in before.stderr
    assert _overview_counts(tmp_path / "r1.md", "De rigtige tilbud") == (0, 0)

    renamed = runner.invoke(
        main, ["theme", "rename", str(study.root), "De rette tilbud", "De rigtige tilbud"]
    )
    assert renamed.exit_code == 0, renamed.output
    assert "'De rette tilbud' merged into 'De rigtige tilbud': 18 person codings" in renamed.stdout
    after = runner.invoke(
        main, ["report", str(study.root), "--analyst", "--out", str(tmp_path / "r2.md")]
    )
    assert after.exit_code == 0, after.output
    assert "person codings" not in after.stderr
    assert sum(_overview_counts(tmp_path / "r2.md", "De rigtige tilbud")) > 0
    with open_store(study) as store:
        assert len(store.codings(theme="De rigtige tilbud", coder="EF")) == 18


@pytest.fixture
def study(tmp_path: Path) -> Study:
    study = code_small_study(write_study(tmp_path / "s"))
    with open_store(study) as store:
        store.add_theme(Theme("Rikkes netværk", "Fra et gammelt ark."))
        for seg in store.segments(roles=[Role.MEDARBEJDER, Role.LEDER]):
            store.set_coding(seg.id, "Rikkes netværk", "AB", CodingStatus.MANUAL)
    return study


def test_an_emergent_theme_naming_a_person_can_be_renamed(study: Study) -> None:
    result = CliRunner().invoke(
        main, ["theme", "rename", str(study.root), "Rikkes netværk", "Netværk"]
    )
    assert result.exit_code == 0, result.output
    assert "'Rikkes netværk' renamed to 'Netværk': 2 person codings" in result.stdout
    with open_store(study) as store:
        assert "Rikkes netværk" not in {t.name for t in store.themes()}


def test_errors_are_one_line(study: Study) -> None:
    runner = CliRunner()
    for args, words in (
        (["rename", "Netværket", "Netværk"], "there is no theme 'Netværket'"),
        (["rename", "Rikkes netværk", "Rikkes venner"], "contains a real name"),
        (["remove", "Rikkes netværk"], "2 person codings use the theme 'Rikkes netværk'"),
        (["remove", "Skolen"], "'Skolen' is in codebook.yaml"),
    ):
        result = runner.invoke(main, ["theme", args[0], str(study.root), *args[1:]])
        assert result.exit_code == 1, result.output
        assert result.output.startswith("Error: ") and words in result.output
        assert len(result.output.strip().splitlines()) == 1


def test_remove_with_drop_codings_says_how_many_went(study: Study) -> None:
    result = CliRunner().invoke(
        main, ["theme", "remove", str(study.root), "Rikkes netværk", "--drop-codings"]
    )
    assert result.exit_code == 0, result.output
    assert (
        "Removed 'Rikkes netværk'" in result.stdout and "2 person codings (AB 2)" in result.stdout
    )

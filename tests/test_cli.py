"""The command line, through click's CliRunner: help, errors, and each command's job."""

from __future__ import annotations

from pathlib import Path

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

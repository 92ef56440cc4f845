"""No real name, in any form, reaches a report, the coding export or a review sheet."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from journeylab.cli import main
from tests.conftest import STUDY_TOML, write_study

# Real names from [names] and speakers' real labels (participants with a pseudonym).
REAL = ("Rikke", "Holm", "Jonas", "Brandt", "Birthe", "Kjær", "Karsten")
TOML = STUDY_TOML.replace(
    '"Rikke Holm" = "Sofie"', '"Rikke Holm" = "Sofie"\n"Jonas Brandt" = "Oliver"'
)
# Genitive, ALL CAPS, lower case, sentence start, inside hyphenated words, full names.
TRANSCRIPT = """---
title: Fokusgruppe
participants:
  Interviewer: {role: interviewer}
  Birthe Kjær: {role: medarbejder, pseudonym: Medarbejder 1}
  Karsten: {role: leder, pseudonym: Leder 1}
---
Interviewer: Hvordan går det med sagsbehandler og skole?

Birthe Kjær: Rikke fik en ny sagsbehandler. RIKKE HOLM sagde, at Rikkes lærer ikke \
lyttede. rikke var ked af det i skolen og fik fravær.

Karsten: Jonas' mor ringede om Rikke-sagen. Jonas Brandts sagsbehandler skiftede tre \
gange, og Birthe talte med jonas om skolen. Karstens team og KARSTEN selv var med.
"""
JOURNEYS = (
    "journey,colour,text,stage,pseudonym\n"
    "J01,gul,Rikke starter i folkeskolen,school,Sofie\n"
    "J01,rød,JONAS drillede; Rikkes lærer skiftede,,\n"
    "J01,gul,Møde om Jonas-sagen hos sagsbehandler,transition_18,\n"
)
PATTERN = re.compile(rf"(?<![^\W\d_])({'|'.join(REAL)})", re.IGNORECASE)


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("leaks") / "study"
    write_study(
        root,
        {
            "study.toml": TOML,
            "transcripts/fokusgruppe.txt": TRANSCRIPT,
            "journeys/rejser.csv": JOURNEYS,
        },
    )
    for args in (["import"], ["code"]):
        result = CliRunner().invoke(main, [args[0], str(root)])
        assert result.exit_code == 0, result.output
    return root


def text_of(path: Path) -> str:
    if path.suffix == ".xlsx":
        with zipfile.ZipFile(path) as z:
            return "\n".join(z.read(n).decode() for n in z.namelist() if n.endswith(".xml"))
    return path.read_text(encoding="utf-8-sig")


def written(study: Path, command: list[str], out: Path) -> str:
    result = CliRunner().invoke(main, [command[0], str(study), "--out", str(out), *command[1:]])
    assert result.exit_code == 0, result.output
    return text_of(out)


def test_the_material_really_holds_the_names(study: Path) -> None:
    # Guards the test itself: the names are in the store, so the outputs had to remove them.
    db = (study / ".journeylab" / "study.db").read_bytes().decode("utf-8", "replace")
    for name in ("Rikkes", "RIKKE", "Rikke-sagen", "Jonas'", "jonas", "Birthe Kjær"):
        assert name in db


@pytest.mark.parametrize(
    ("command", "name"),
    [
        (["report", "--include-suggestions", "0"], "rapport.html"),
        (["report", "--include-suggestions", "0"], "rapport.md"),
        (["report", "--analyst", "--include-suggestions", "0"], "analyse.html"),
        (["export"], "kodning.csv"),
        (["export"], "kodning.xlsx"),
        (["export", "--unit", "turn"], "ture.csv"),
    ],
)
def test_no_real_name_in_reports_or_exports(
    study: Path, tmp_path: Path, command: list[str], name: str
) -> None:
    text = written(study, command, tmp_path / name)
    assert PATTERN.search(text) is None, PATTERN.search(text)
    # The coded passages did reach the file (else the check above proves nothing).
    assert "Sofie" in text or "Oliver" in text


@pytest.mark.parametrize("name", ["ark.csv", "ark.xlsx"])
def test_no_real_name_in_review_sheets(study: Path, tmp_path: Path, name: str) -> None:
    text = written(study, ["review", "--coder", "AB"], tmp_path / name)
    assert PATTERN.search(text) is None, PATTERN.search(text)

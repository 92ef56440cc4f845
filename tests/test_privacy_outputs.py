"""A person called Per or Max refuses no output: the name check skips journeylab's own words.

Per, Max, Kim, Mark, ... are common Danish first names and also words in the tool's
CSS ("max-width"), its fixed English text ("per theme") and its HTML (<li>, <mark>).
These names are listed in [names] but occur nowhere in the material, so whatever the
check would find could only be the tool's own words: every output must be written.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from journeylab.cli import main
from journeylab.coding.store import open_store
from journeylab.coding.study import load_study
from journeylab.themes.synthesis_report import example_programme_path, synthesis_command
from tests.conftest import STUDY_TOML, write_study

# Short Danish first names that are also words: in Danish (sten, mark, ask, tom), in
# English (per, mark, will) or in HTML and CSS (max-width, <li>, <mark>). Ulla and Kim
# are names only, as a control. Bo is left out: "et sted at bo" is in the example
# programme's codebook, which is material.
NAMES = ("Per", "Max", "Kim", "Mark", "Sten", "Ask", "Tom", "Ulla", "Li")
LISTED = "".join(f'"{n}" = "Zakarias{i}"\n' for i, n in enumerate(NAMES))
WORD = re.compile(rf"(?<![^\W_])({'|'.join(NAMES)})(?![^\W_])", re.IGNORECASE)


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("own-words") / "study"
    toml = STUDY_TOML.replace('"Rikke Holm" = "Sofie"\n', f'"Rikke Holm" = "Sofie"\n{LISTED}')
    write_study(root, {"study.toml": toml})
    for command in ("import", "code"):
        result = CliRunner().invoke(main, [command, str(root)])
        assert result.exit_code == 0, result.output
    return root


def test_the_names_are_listed_and_not_in_the_material(study: Path) -> None:
    s = load_study(study)
    assert {real for real, _ in s.names} >= set(NAMES)
    with open_store(s) as store:
        texts = [seg.text for seg in store.segments()]
    assert texts and not any(WORD.search(t) for t in texts)


REPORTS = [
    (lang, analyst, fmt) for lang in ("da", "en") for analyst in (False, True)
    for fmt in ("html", "md", "docx")
]  # fmt: skip


@pytest.mark.parametrize(("lang", "analyst", "fmt"), REPORTS)
def test_every_report_is_written(
    study: Path, tmp_path: Path, lang: str, analyst: bool, fmt: str
) -> None:
    out = tmp_path / f"rapport.{fmt}"
    args = ["report", str(study), "--lang", lang, "--out", str(out), "--include-suggestions", "0"]
    result = CliRunner().invoke(main, args + (["--analyst"] if analyst else []))
    assert result.exit_code == 0, result.output
    assert out.is_file()
    if fmt == "html":  # the words that refused it before are still there, and ignored
        text = out.read_text(encoding="utf-8")
        assert "max-width" in text and "<li" in text


@pytest.mark.parametrize("lang", ["da", "en"])
def test_the_journey_maps_are_written(study: Path, tmp_path: Path, lang: str) -> None:
    out = tmp_path / "kort"
    result = CliRunner().invoke(main, ["journeys", str(study), "--map", str(out), "--lang", lang])
    assert result.exit_code == 0, result.output
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "max-width" in index and list(out.glob("*.svg"))


@pytest.mark.parametrize(
    ("command", "name"),
    [
        (["export"], "kodning.csv"),
        (["export"], "kodning.xlsx"),
        (["export", "--format", "qdpx"], "studie.qdpx"),
        (["review", "--coder", "AB"], "ark.xlsx"),
    ],
)
def test_the_exports_are_written(
    study: Path, tmp_path: Path, command: list[str], name: str
) -> None:
    out = tmp_path / name
    result = CliRunner().invoke(main, [command[0], str(study), "--out", str(out), *command[1:]])
    assert result.exit_code == 0, result.output
    assert out.is_file()
    if out.suffix in (".xlsx", ".qdpx"):
        assert zipfile.is_zipfile(out)


@pytest.fixture(scope="module")
def programme(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example partnership, Aaby listing the names too."""
    root = tmp_path_factory.mktemp("own-words-syn") / "programme"
    shutil.copytree(example_programme_path(), root, ignore=shutil.ignore_patterns(".journeylab"))
    toml = root / "aaby" / "study.toml"
    text = toml.read_text(encoding="utf-8")
    assert "[names]\n" in text
    toml.write_text(text.replace("[names]\n", f"[names]\n{LISTED}", 1), encoding="utf-8")
    return root


@pytest.mark.parametrize(
    ("fmt", "lang", "scope"),
    [
        ("html", "da", None), ("html", "en", None), ("md", "en", None),
        ("docx", "en", None), ("docx", "da", None), ("html", "en", "aaby"),
    ],
)  # fmt: skip
def test_the_synthesis_is_written(
    programme: Path, tmp_path: Path, fmt: str, lang: str, scope: str | None
) -> None:
    out = synthesis_command(
        programme, tmp_path / f"synthese.{fmt}", fmt=fmt, lang=lang, scope=scope
    )
    assert out.is_file()

"""`journeylab demo`: the whole job on the example study, as a user runs it."""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from journeylab.cli import main
from journeylab.coding.study import example_study_path, load_study
from journeylab.themes import demo
from journeylab.themes.demo import run_demo
from tests.test_privacy_journeys import real_names_in


@pytest.fixture(scope="module")
def demo_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    run_demo(out)
    return out


def test_demo_writes_maps_for_every_journey(demo_out: Path) -> None:
    maps = sorted(p.stem for p in (demo_out / "kort").glob("J*.svg"))
    assert maps == [f"J0{i}" for i in range(1, 9)]
    svg = etree.parse(str(demo_out / "kort" / "J01.svg"))
    notes = svg.xpath("//*[contains(concat(' ', @class, ' '), ' note ')]")
    assert len(notes) > 20


def test_demo_report_has_a_section_per_theme(demo_out: Path) -> None:
    html = (demo_out / "rapport.html").read_text(encoding="utf-8")
    assert html.count("Hvad siger de unge?") == 7
    assert html.count("Hvad siger medarbejderne?") == 7
    md = (demo_out / "rapport.md").read_text(encoding="utf-8")
    assert "Relationen" in md and "Organisering og samarbejde" in md


def test_demo_outputs_never_show_a_real_name(demo_out: Path) -> None:
    study = load_study(example_study_path())
    real = [name for name, _ in study.names]
    outputs = [
        demo_out / "rapport.html",
        demo_out / "rapport.md",
        demo_out / "rapport-analytiker.html",
        demo_out / "kodning.csv",
    ]
    for path in outputs:
        text = path.read_text(encoding="utf-8-sig")
        for name in real:
            assert not re.search(rf"\b{re.escape(name)}\b", text), f"{name} in {path.name}"


def test_demo_export_has_suggestions_for_transcripts_and_notes(demo_out: Path) -> None:
    with (demo_out / "kodning.csv").open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    roles = {r["role"] for r in rows if r["theme"]}
    assert {"ung", "medarbejder", "leder"} <= roles
    assert all(r["status"] in ("suggested", "") for r in rows)


def test_demo_command_runs_and_leaves_example_untouched(tmp_path: Path) -> None:
    def snapshot() -> dict[str, int]:
        return {
            str(p): p.stat().st_mtime_ns for p in example_study_path().rglob("*") if p.is_file()
        }

    before = snapshot()
    result = CliRunner().invoke(main, ["demo", "--out", str(tmp_path / "d")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "d" / "rapport.html").is_file()
    assert snapshot() == before
    assert (tmp_path / "d" / "studie" / ".journeylab" / "study.db").is_file()


def test_demo_writes_the_partnership_synthesis(demo_out: Path) -> None:
    html = (demo_out / "synthese.html").read_text(encoding="utf-8")
    for key in ("aaby", "bakkedal", "strandvig"):
        assert (demo_out / f"synthese-{key}.html").is_file()
    assert (demo_out / "synthese.md").is_file()
    assert "<html" in html.lower()


def test_synthesis_command_writes_word(demo_out: Path, tmp_path: Path) -> None:
    from docx import Document

    out = tmp_path / "synthese.docx"
    result = CliRunner().invoke(main, ["synthesis", str(demo_out / "programme"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    titles = [p.text for p in Document(str(out)).paragraphs if p.style.name.startswith("Heading")]
    assert any("Relationen" in t for t in titles)


def test_demo_maps_carry_made_up_names(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The example with a real name in a note, a step's text and an actor ([names] has it).
    example = tmp_path / "eksempel"
    shutil.copytree(example_study_path(), example, ignore=shutil.ignore_patterns(".journeylab"))
    toml = example / "study.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8").replace(
            '"Jonas" = "Oliver"', '"Jonas" = "Oliver"\n"Søren" = "Viggo"\n"Åse Ørum" = "Karen"'
        ),
        encoding="utf-8",
    )
    j01 = example / "journeys" / "J01.yaml"
    original = j01.read_text(encoding="utf-8")
    named = (
        original.replace("Min første lærer var sød", "Søren var sød", 1)
        .replace("actor: psykolog", "actor: mentor (Åse Ørum)", 1)
        .replace("Møde med PPR", "Møde med Søren fra PPR", 1)
    )
    assert named.count("Søren") == 2 and "Åse Ørum" in named
    j01.write_text(named, encoding="utf-8")
    monkeypatch.setattr(demo, "example_study_path", lambda: example)
    done = dict(run_demo(tmp_path / "ud", programme=False))
    kort = done["journey maps"].parent
    files = sorted(kort.iterdir())
    assert len(files) == 10  # eight journeys, the overview and the index
    for path in files:
        assert real_names_in(path.read_text(encoding="utf-8")) == [], path.name
    drawn = (kort / "J01.svg").read_text(encoding="utf-8")
    assert "Viggo (opdigtet navn) var sød" in drawn and "mentor (Karen (opdigtet" in drawn

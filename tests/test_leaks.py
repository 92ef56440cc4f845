"""No real name, in any form, reaches a report, an export, the synthesis or a workshop page."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document
from fastapi.testclient import TestClient

from journeylab.cli import main
from journeylab.coding.importer import import_study
from journeylab.coding.model import CodingStatus
from journeylab.coding.store import open_store
from journeylab.coding.study import load_study
from journeylab.themes.explorer import create_app
from journeylab.themes.synthesis_report import example_programme_path, synthesis_command
from tests import test_explorer_security as security
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


def found(text: str, pattern: re.Pattern[str] = PATTERN) -> str | None:
    """The first real name in *text*, with its surroundings (None when there is none)."""
    hit = pattern.search(text)
    return None if hit is None else text[max(0, hit.start() - 40) : hit.end() + 40]


def docx_text(path: Path) -> str:
    """Everything Word shows (body, tables, headers, footers, properties) and every XML part."""
    doc = Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    for section in doc.sections:
        parts += [p.text for p in (*section.header.paragraphs, *section.footer.paragraphs)]
    props = doc.core_properties
    parts += [props.author or "", props.title or "", props.subject or "", props.comments or ""]
    parts += [props.keywords or "", props.last_modified_by or "", props.category or ""]
    with zipfile.ZipFile(path) as z:  # comments, footnotes, alt texts: whatever else is there
        parts += [z.read(n).decode() for n in z.namelist() if n.endswith((".xml", ".rels"))]
    return "\n".join(parts)


@pytest.mark.parametrize("analyst", [False, True])
def test_no_real_name_in_the_word_report(study: Path, tmp_path: Path, analyst: bool) -> None:
    out = tmp_path / "rapport.docx"
    args = ["report", str(study), "--format", "docx", "--out", str(out)]
    args += ["--include-suggestions", "0"] + (["--analyst"] if analyst else [])
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    text = docx_text(out)
    assert found(text) is None, found(text)
    body = "\n".join(p.text for p in Document(str(out)).paragraphs)
    assert "Sofie" in body or "Oliver" in body  # the coded passages are in the report


def test_no_real_name_in_the_refi_qda_export(study: Path, tmp_path: Path) -> None:
    out = tmp_path / "studie.qdpx"
    result = CliRunner().invoke(main, ["export", str(study), "--format", "qdpx", "--out", str(out)])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(out) as z:
        names = z.namelist()
        sources = [n for n in names if n.startswith("sources/")]
        assert "project.qde" in names and sources
        texts = {n: z.read(n).decode("utf-8") for n in ["project.qde", *sources]}
    for name, text in texts.items():
        assert found(text) is None, (name, found(text))
    assert any("Sofie" in t for n, t in texts.items() if n.startswith("sources/"))
    assert "Medarbejder 1" in texts["project.qde"] or "Medarbejder 1" in "".join(texts.values())


@pytest.mark.parametrize("target", ["studie.xlsx", "tabeller"])
def test_no_real_name_in_the_workbook_or_the_tables(
    study: Path, tmp_path: Path, target: str
) -> None:
    out = tmp_path / target
    fmt = "xlsx" if target.endswith(".xlsx") else "csv"
    result = CliRunner().invoke(main, ["export", str(study), "--format", fmt, "--out", str(out)])
    assert result.exit_code == 0, result.output
    files = [out] if out.is_file() else sorted(out.glob("*.csv"))
    assert len(files) >= (1 if fmt == "xlsx" else 3), files
    for path in files:
        assert found(text_of(path)) is None, (path.name, found(text_of(path)))
    everything = "\n".join(text_of(p) for p in files)
    assert "Sofie" in everything and "Medarbejder 1" in everything


# -- the partnership synthesis ------------------------------------------------------

# Aaby's [names] has "Lene"; Trine, Bent and Hanne are speakers with pseudonyms.
SYNTHESIS_REAL = ("Lene", "Trine", "Bent", "Hanne", "Gitte")
SYNTHESIS_PATTERN = re.compile(rf"(?<![^\W\d_])({'|'.join(SYNTHESIS_REAL)})", re.IGNORECASE)
SYNTHESIS_TURN = (
    "\n\nTrine: Lenes sagsbehandler skiftede igen, og LENE sagde til Bent og hanne, "
    "at Lene-sagen skulle starte forfra. Trines kollega ringede til lene om det.\n"
)


@pytest.fixture(scope="module")
def programme(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example partnership, with a pinned and coded Aaby passage full of real names."""
    root = tmp_path_factory.mktemp("leaks-syn") / "programme"
    shutil.copytree(example_programme_path(), root, ignore=shutil.ignore_patterns(".journeylab"))
    transcript = root / "aaby" / "transcripts" / "fokusgruppe_medarbejdere.md"
    transcript.write_text(transcript.read_text(encoding="utf-8") + SYNTHESIS_TURN, "utf-8")
    aaby = load_study(root / "aaby")
    import_study(aaby)
    with open_store(aaby) as store:
        seg = next(s for s in store.segments() if "Lene-sagen" in s.text)
        store.set_coding(seg.id, "Relationen", "test", CodingStatus.MANUAL)
    toml = root / "aaby" / "study.toml"
    pinned = f'pinned = ["{seg.id}"]\n'
    toml.write_text(toml.read_text(encoding="utf-8").replace("[report]\n", "[report]\n" + pinned))
    return root


@pytest.mark.parametrize(("scope", "fmt"), [(None, "html"), (None, "md"), ("aaby", "html")])
def test_no_real_name_in_the_synthesis(
    programme: Path, tmp_path: Path, scope: str | None, fmt: str
) -> None:
    out = synthesis_command(programme, tmp_path / f"synthese.{fmt}", fmt=fmt, scope=scope)
    text = out.read_text(encoding="utf-8")
    hit = found(text, SYNTHESIS_PATTERN)
    assert hit is None, hit
    assert "Josefine-sagen" in text  # the pinned passage is quoted, its names replaced


def test_the_synthesis_material_really_holds_the_names(programme: Path) -> None:
    with open_store(load_study(programme / "aaby")) as store:
        texts = " ".join(s.text for s in store.segments())
    for name in ("Lenes", "LENE", "Lene-sagen", "hanne", "Trines"):
        assert name in texts


# -- the explorer in workshop (read-only) mode ----------------------------------------


def test_no_real_name_on_any_workshop_page(study: Path) -> None:
    s = load_study(study)
    app = create_app(s, read_only=True, include_suggestions=0.0)
    client = TestClient(app, base_url="http://127.0.0.1")
    urls = security.page_urls(app, s, queries=("sagsbeh", "skole", "Sofie", "Medarbejder"))
    pages = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 404), url
        pages[url] = response.text
        assert found(response.text) is None, (url, found(response.text))
    everything = "\n".join(pages.values())
    assert "Sofie" in everything and "Oliver" in everything and "Medarbejder 1" in everything
    assert any(u.startswith("/kilde?") for u in pages) and any(
        u.startswith("/tema/") for u in pages
    )

"""The synthesis as Word: the HTML's sections in order, scoping, names checked, atomic write."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest

from journeylab.errors import InputError, PrivacyError
from journeylab.themes.docx_images import alt_texts
from journeylab.themes.programme import Programme, load_programme
from journeylab.themes.report_docx import document_text
from journeylab.themes.synthesis import build_synthesis
from journeylab.themes.synthesis_docx import build_synthesis_docx, write_synthesis_docx
from journeylab.themes.synthesis_report import synthesis_command
from tests.conftest import person_coded_programme

SECRET = "budgetmodel"  # words from Aaby's client-only leaders' focus group


@pytest.fixture(scope="module")
def programme(tmp_path_factory: pytest.TempPathFactory) -> Programme:
    """The example programme with person codings, one of them client-only and pinned."""
    return load_programme(
        person_coded_programme(tmp_path_factory.mktemp("syndocx") / "programme", SECRET)
    )


def test_sections_in_the_order_of_the_html(programme: Programme, tmp_path: Path) -> None:
    synthesis = build_synthesis(programme)
    doc = docx.Document(str(write_synthesis_docx(programme, tmp_path / "s.docx")))
    h1 = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert [h.split(" ", 1)[0] for h in h1] == ["1", "2", "3", "4", "5", "6"]
    assert h1[1].endswith("Datagrundlag pr. kommune") and h1[5].endswith("Anbefalinger")
    h2 = [p.text for p in doc.paragraphs if p.style.name == "Heading 2"]
    themes = [f"4.{n} {t.name}" for n, t in enumerate(synthesis.themes, start=1)]
    assert [h for h in h2 if h.startswith("4.")] == themes
    recs = [f"{r.recommendation.id} {r.recommendation.title}" for r in synthesis.recommendations]
    assert recs and h2[-len(recs) :] == recs
    basis = doc.tables[0]
    assert [r.cells[0].text for r in basis.rows[1:]] == list(synthesis.municipalities)
    aaby = next(r for r in basis.rows if r.cells[0].text == "Aaby Kommune")
    assert aaby.cells[1].text == "3" and aaby.cells[-1].text == "1"  # journeys, client-only
    quotes = [p.text for p in doc.paragraphs if p.style.name == "Quote"]
    relationen = next(t for t in synthesis.themes if t.name == "Relationen")
    for q in relationen.quotes:
        assert f"»{q.text}«" in quotes
    assert "– medarbejder i Aaby Kommune" in quotes
    text = document_text(doc)
    assert "Trine" not in text and "Gitte" not in text


def test_share_charts_are_pictures_with_alt_text(programme: Programme) -> None:
    synthesis = build_synthesis(programme)
    svgs: list[str] = []
    doc = build_synthesis_docx(synthesis, svgs=svgs)
    rows = sum(len(t.municipalities) for t in synthesis.themes)
    assert len(doc.inline_shapes) == rows == len(svgs)
    alts = alt_texts(doc)
    assert "Aaby Kommune: 50 % af deltagerne berører temaet" in alts  # Relationen: 4 of 8
    assert all(a.strip() for a in alts)


def test_client_only_material_stays_in_its_own_municipality(
    programme: Programme, tmp_path: Path
) -> None:
    own = docx.Document(str(write_synthesis_docx(programme, tmp_path / "a.docx", scope="aaby")))
    assert SECRET in document_text(own)
    assert any("Aaby Kommune" in p.text for p in own.paragraphs[:4])  # "Kommunens egen version"
    for scope in (None, "bakkedal", "strandvig"):
        out = write_synthesis_docx(programme, tmp_path / f"{scope}.docx", scope=scope, lang="en")
        assert SECRET not in document_text(docx.Document(str(out)))


def test_a_real_name_stops_the_write(programme: Programme, tmp_path: Path) -> None:
    out = tmp_path / "s.docx"
    out.write_bytes(b"old")
    toml = programme.toml_path
    before = toml.read_text(encoding="utf-8")
    toml.write_text(before.replace("Tre kommuner", "Trine og tre kommuner"), encoding="utf-8")
    try:
        with pytest.raises(PrivacyError):
            write_synthesis_docx(load_programme(programme.root), out)
    finally:
        toml.write_text(before, encoding="utf-8")
    assert out.read_bytes() == b"old"
    assert list(tmp_path.iterdir()) == [out]


def test_the_command_writes_docx(programme: Programme, tmp_path: Path) -> None:
    out = synthesis_command(programme.root, tmp_path / "synthese.docx", fmt="docx")
    doc = docx.Document(str(out))
    assert doc.paragraphs[0].text == programme.title
    with pytest.raises(InputError):
        synthesis_command(programme.root, tmp_path / "x.pdf", fmt="pdf")
    assert not (tmp_path / "x.pdf").exists()


@pytest.mark.parametrize(("lang", "tag", "age", "date"),
                         [("da", "da-DK", "(17,5 år)", "1. juni 2026"),
                          ("en", "en-GB", "(17.5 years)", "1 June 2026")])  # fmt: skip
def test_word_knows_the_language_title_ages_and_date(
    programme: Programme, lang: str, tag: str, age: str, date: str
) -> None:
    from tests.test_docx_meta import core, languages, parts, saved

    doc = build_synthesis_docx(build_synthesis(programme), lang=lang)
    xml = parts(saved(doc))
    assert languages(xml["word/styles.xml"]) == (tag, tag)
    props = core(xml["docProps/core.xml"])
    assert props["dc:title"] == programme.title
    assert props["dc:creator"] == props["cp:lastModifiedBy"] == "journeylab"
    assert props["dc:description"] == ""
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 2"]
    assert "Voksenplanen begynder " + age in headings
    assert not any("17,50" in h or "17.50" in h for h in headings)
    assert date in doc.paragraphs[1].text and "2026-06-01" not in doc.paragraphs[1].text

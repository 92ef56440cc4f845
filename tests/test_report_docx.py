"""The Word report: real headings, every theme with its quotes, tables, no leaks."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import docx
import docx.document
import pytest
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn

from journeylab.coding.importer import import_study
from journeylab.coding.model import CodingStatus
from journeylab.coding.store import open_store
from journeylab.coding.study import Study, load_study
from journeylab.errors import PrivacyError
from journeylab.themes.docx_images import png_size
from journeylab.themes.report import load_findings
from journeylab.themes.report_docx import document_text, write_docx_report

T = "transcripts/fokusgruppe.txt"
TRANSCRIPT = """\
---
title: Fokusgruppe med medarbejdere
participants:
  Interviewer: {role: interviewer}
  Lone: {role: medarbejder, pseudonym: Medarbejder 1}
  Karsten: {role: leder}
---
Interviewer: Hvordan oplever I overgangen?

Lone: Vi ser tit, at de unge får en ny sagsbehandler, når de fylder 18 år,
og så skal de fortælle det hele forfra til en ny voksen.

Karsten: Skolen og UU taler ikke nok sammen, og fraværet bliver opdaget
alt for sent i udskolingen hos os.
"""


@pytest.fixture
def study(make_study: Callable[..., Study]) -> Study:
    study = make_study({T: TRANSCRIPT})
    import_study(study)
    with open_store(study) as store:
        for seg in store.segments(source=T):
            if seg.speaker == "Lone":
                store.set_coding(seg.id, "Relationen", "anna", CodingStatus.MANUAL)
            if seg.speaker == "Karsten":
                store.set_coding(seg.id, "Skolen", "anna", CodingStatus.MANUAL)
        note = next(s for s in store.segments() if s.text == "God klasselærer")
        store.set_coding(note.id, "Skolen", "anna", CodingStatus.MANUAL)
    return study


def test_docx_has_headings_quotes_and_sections(study: Study, tmp_path: Path) -> None:
    out = write_docx_report(study, tmp_path / "rapport.docx")
    doc = docx.Document(str(out))
    findings, _ = load_findings(study)
    headings = {p.text: p.style.name for p in doc.paragraphs if p.style.name.startswith("Heading")}
    for number, theme in enumerate(findings.themes, start=1):
        assert headings[f"4.{number} {theme.name}"] == "Heading 2"
    assert "Heading 1" in headings.values() and "Heading 3" in headings.values()
    says = [p.text for p in doc.paragraphs if p.style.name == "Heading 3"]
    assert says.count("Hvad siger de unge?") == len(findings.themes)
    assert says.count("Hvad siger medarbejderne?") == len(findings.themes)
    quotes = [p.text for p in doc.paragraphs if p.style.name == "Quote"]
    assert any(theme.quotes for theme in findings.themes)
    for theme in findings.themes:
        for q in theme.quotes:
            assert f"»{q.text}«" in quotes
    assert any(t.startswith("– leder i") for t in quotes)  # the role tag, never a name
    assert len(doc.tables) >= 2  # the data basis and the theme overview, as Word tables
    overview = next(t for t in doc.tables if t.rows[0].cells[0].text == "Tema")
    assert [r.cells[0].text for r in overview.rows[1:]] == [t.name for t in findings.themes]


def test_journey_maps_are_shaded_tables(study: Study, tmp_path: Path) -> None:
    doc = docx.Document(str(write_docx_report(study, tmp_path / "r.docx")))
    cells = [c for t in doc.tables for row in t.rows for c in row.cells]
    shaded = [c for c in cells if c._tc.xpath("./w:tcPr/w:shd")]
    assert any(c.text == "God klasselærer" for c in shaded)


def _pictures(doc: docx.document.Document) -> list[tuple[str, bytes]]:
    """(alt text, PNG bytes) of every inline picture, in document order."""
    out = []
    for inline in doc.element.body.iter(qn("wp:inline")):
        descr = inline.find(qn("wp:docPr")).get("descr", "")
        blip = next(inline.iter(qn("a:blip")))
        part = doc.part.related_parts[blip.get(qn("r:embed"))]
        out.append((descr, part.blob))
    return out


def test_charts_excerpts_and_journey_maps_are_png_pictures_with_alt_text(
    study: Study, tmp_path: Path
) -> None:
    doc = docx.Document(str(write_docx_report(study, tmp_path / "r.docx")))
    findings, _ = load_findings(study)
    pictures = _pictures(doc)
    assert pictures and all(blob.startswith(b"\x89PNG") for _, blob in pictures)
    assert all(alt.strip() for alt, _ in pictures)
    alts = [alt for alt, _ in pictures]
    assert sum(a.startswith("Temaoversigt") for a in alts) == 1
    with_notes = [t for t in findings.themes if any(n.colour != "yellow" for n in t.notes)]
    assert with_notes  # "God klasselærer" is coded to Skolen
    excerpts = [a for a in alts if a.startswith("Kort over post-its om")]
    assert len(excerpts) == len(with_notes)
    assert all(any(t.name in a for a in excerpts) for t in with_notes)
    maps = [a for a in alts if a.startswith("Rejse ")]
    assert [m.split()[1] for m in maps] == ["J01", "J02"]  # one picture per short journey
    landscape = [s for s in doc.sections if s.orientation == WD_ORIENT.LANDSCAPE]
    assert len(landscape) == 1 and landscape[0].page_width > landscape[0].page_height


def test_a_long_journey_is_drawn_in_parts(make_study: Callable[..., Study], tmp_path: Path) -> None:
    rows = "".join(f"J09,gul,Trin nummer {i},school,Noah\n" for i in range(1, 12))
    study = make_study({"journeys/rejser.csv": "journey,colour,text,stage,pseudonym\n" + rows})
    import_study(study)
    doc = docx.Document(str(write_docx_report(study, tmp_path / "r.docx")))
    maps = [(a, blob) for a, blob in _pictures(doc) if a.startswith("Rejse J09")]
    assert len(maps) == 2  # 11 steps: 8 and 3
    (_, first), (_, second) = maps
    assert png_size(second)[0] < png_size(first)[0]  # a narrower window of the same map


LEAKY_JOURNEY = """\
journey,colour,text,stage,pseudonym
J01,gul,Starter i folkeskolen,school,Sara
J01,grøn,Rikke Holm hjalp mig med lektierne,,
J01,rød,Blev drillet i frikvartererne,,
"""


@pytest.fixture
def leaky_study(make_study: Callable[..., Study]) -> Study:
    """A study whose journey note names a real person (Rikke Holm -> Sofie in [names])."""
    study = make_study({"journeys/rejser.csv": LEAKY_JOURNEY})
    import_study(study)
    with open_store(study) as store:
        note = next(s for s in store.segments() if "lektierne" in s.text)
        store.set_coding(note.id, "Skolen", "anna", CodingStatus.MANUAL)
    return study


def test_a_real_name_in_a_note_reaches_neither_text_nor_image(
    leaky_study: Study, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from journeylab.themes import docx_images

    drawn: list[str] = []
    real = docx_images.cairosvg.svg2png

    def spy(*, bytestring: bytes, output_width: int) -> bytes:
        drawn.append(bytestring.decode("utf-8"))
        return real(bytestring=bytestring, output_width=output_width)  # type: ignore[no-any-return]

    monkeypatch.setattr(docx_images.cairosvg, "svg2png", spy)
    out = write_docx_report(leaky_study, tmp_path / "r.docx")
    assert len(drawn) == len(_pictures(docx.Document(str(out))))
    excerpt = [svg for svg in drawn if 'class="excerpt"' in svg]
    maps = [svg for svg in drawn if "map-title" in svg]
    assert excerpt and maps
    for svg in excerpt + maps:
        assert "Sofie" in svg and "lektierne" in svg  # the note is drawn, pseudonymised
    for svg in drawn:
        assert "Rikke" not in svg and "Holm" not in svg
    doc = docx.Document(str(out))
    assert "Rikke" not in document_text(doc)


def test_a_name_left_in_a_map_stops_the_write(
    leaky_study: Study, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from journeylab.themes import report_docx

    # Only the picture leaks (the text and the table are clean): the SVG check must catch it.
    real = report_docx.journey_svg

    def leaky(journey: object, *, lang: str = "da") -> str:
        return real(journey, lang=lang).replace("Sofie", "Rikke Holm")  # type: ignore[arg-type]

    monkeypatch.setattr(report_docx, "journey_svg", leaky)
    (tmp_path / "ud").mkdir()
    out = tmp_path / "ud" / "r.docx"
    out.write_bytes(b"old")
    with pytest.raises(PrivacyError):
        write_docx_report(leaky_study, out)
    assert out.read_bytes() == b"old"
    assert list(out.parent.iterdir()) == [out]  # no temporary file left behind


def test_english_and_analyst_versions(study: Study, tmp_path: Path) -> None:
    doc = docx.Document(str(write_docx_report(study, tmp_path / "r.docx", lang="en",
                                              analyst=True)))  # fmt: skip
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Hvad siger" not in text
    assert "n = " in text  # the counts behind the quantifiers


def test_names_are_checked_before_writing(
    study: Study, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from journeylab.themes import report_docx

    real = report_docx.build_docx

    def leaky(*args: object, **kwargs: object) -> object:
        doc = real(*args, **kwargs)  # type: ignore[arg-type]
        doc.add_paragraph("Rikke Holm sagde det selv.")
        return doc

    monkeypatch.setattr(report_docx, "build_docx", leaky)
    out = tmp_path / "r.docx"
    with pytest.raises(PrivacyError):
        write_docx_report(study, out)
    assert not out.exists()


@pytest.mark.parametrize(("lang", "tag", "date"), [("da", "da-DK", "4. maj 2026"),
                                                   ("en", "en-GB", "4 May 2026")])  # fmt: skip
def test_word_knows_the_reports_language_title_and_maker(
    make_study: Callable[..., Study], tmp_path: Path, lang: str, tag: str, date: str
) -> None:
    from tests.conftest import STUDY_TOML
    from tests.test_docx_meta import core, languages, parts

    toml = STUDY_TOML.replace('language = "da"', 'language = "da"\ndate = "2026-05-04"')
    study = make_study({"study.toml": toml})
    import_study(study)
    out = write_docx_report(study, tmp_path / "r.docx", lang=lang)
    xml = parts(out.read_bytes())
    assert languages(xml["word/styles.xml"]) == (tag, tag)  # Word proofs Danish as Danish
    props = core(xml["docProps/core.xml"])
    assert props["dc:title"] == study.title
    assert props["dc:creator"] == props["cp:lastModifiedBy"] == "journeylab"
    assert props["dc:description"] == ""
    assert props["dcterms:created"].startswith(str(datetime.now(UTC).year))
    assert "python-docx" not in xml["docProps/core.xml"]
    doc = docx.Document(str(out))
    assert date in doc.paragraphs[1].text and "2026-05-04" not in doc.paragraphs[1].text
    meeting = "12. marts 2026" if lang == "da" else "12 March 2026"  # the focus group's date
    assert any(
        p.text.startswith(f"Fokusgruppe med medarbejdere ({meeting})") for p in doc.paragraphs
    )


# -- the title in the document's properties (QA pass 2, #2) ----------------------------


def test_the_study_title_is_pseudonymised_in_the_core_properties(
    study: Study, tmp_path: Path
) -> None:
    toml = study.toml_path.read_text(encoding="utf-8")
    named = toml.replace('title = "Ungeindsatsen i Testby Kommune"', 'title = "Hos Rikke Holm"')
    assert named != toml
    study.toml_path.write_text(named, encoding="utf-8")
    doc = docx.Document(str(write_docx_report(load_study(study.root), tmp_path / "r.docx")))
    assert doc.core_properties.title == "Hos Sofie (opdigtet navn)"
    assert "Rikke" not in document_text(doc)


def test_a_name_left_in_the_core_title_stops_the_write(
    study: Study, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from journeylab.themes import docx_meta, report_docx

    # Only the properties leak (Word, Explorer and SharePoint show them unopened).
    def leaky(doc: docx.document.Document, *, title: str, lang: str) -> None:
        docx_meta.set_metadata(doc, title=f"{title} (Rikke)", lang=lang)

    monkeypatch.setattr(report_docx, "set_metadata", leaky)
    out = tmp_path / "r.docx"
    with pytest.raises(PrivacyError, match="Rikke"):
        write_docx_report(study, out)
    assert not out.exists()


@pytest.mark.parametrize("analyst", [False, True])
def test_the_analysts_own_bullets_are_in_the_word_report(
    study: Study, tmp_path: Path, analyst: bool
) -> None:
    # findings.yaml is the analyst's text: the HTML and Markdown reports showed it, the
    # Word report printed the tool's drafts instead (found in a QA pass).
    with open_store(study) as store:
        lone = next(s.id for s in store.segments(source=T) if s.speaker == "Lone")
    (study.root / "findings.yaml").write_text(
        "Relationen:\n"
        "  medarbejdere:\n"
        "    - text: ser de unge miste fodfæstet, når sagsbehandleren skifter.\n"
        f'      segments: ["{lone}"]\n'
        "      quantifier: auto\n"
        "      draft: true\n"
        "    - Lederne efterlyser én fælles plan.\n",
        encoding="utf-8",
    )
    out = write_docx_report(study, tmp_path / "r.docx", analyst=analyst)
    bullets = [p.text for p in docx.Document(str(out)).paragraphs if p.style.name == "List Bullet"]
    auto = [b for b in bullets if "miste fodfæstet, når sagsbehandleren skifter." in b]
    assert len(auto) == 1 and auto[0][0].isupper()  # a quantifier first, capitalised
    assert "Lederne efterlyser én fælles plan." in bullets
    assert ("(n = 1 af " in auto[0]) is analyst  # the count only in the analyst version
    assert ("[" in auto[0]) is analyst  # the draft flag only there too

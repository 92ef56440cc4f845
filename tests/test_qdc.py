"""REFI-QDA codebooks: export validates, import replaces or merges, minimal files work."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from journeylab.coding.codebook import load_codebook, write_codebook
from journeylab.coding.model import Codebook, Theme
from journeylab.coding.qdc import export_codebook, import_codebook, read_qdc
from journeylab.coding.study import Study
from journeylab.errors import InputError, PrivacyError
from tests.test_privacy_journeys import named_study, real_names_in

SCHEMA = Path(__file__).parent / "data" / "qdpx" / "Codebook.xsd"


def valid(path: Path) -> bool:
    schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
    return schema.validate(etree.parse(str(path)))


def test_export_validates_and_reads_back(make_study: Callable[..., Study], tmp_path: Path) -> None:
    study = make_study()
    out = export_codebook(study, tmp_path / "kodebog.qdc")
    assert valid(out)
    back = read_qdc(out)
    want = load_codebook(study.codebook_path)
    assert [(t.name, t.description, t.color) for t in back.themes] == [
        (t.name, t.description, t.color) for t in want.themes
    ]


def test_guids_are_stable(make_study: Callable[..., Study], tmp_path: Path) -> None:
    study = make_study()
    a = export_codebook(study, tmp_path / "a.qdc").read_bytes()
    b = export_codebook(study, tmp_path / "b.qdc").read_bytes()
    assert a == b


MINIMAL = """<?xml version="1.0"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>
  <Code guid="00000000-0000-0000-0000-000000000001" name="Skole" isCodable="true"/>
  <Code guid="00000000-0000-0000-0000-000000000002" name="Skole.Fravær" isCodable="true"/>
  <Code guid="00000000-0000-0000-0000-000000000003" name="Relationen" isCodable="true"
        color="#0072b2"><Description>Ny beskrivelse af relationen.</Description></Code>
</Codes></CodeBook>"""


def test_minimal_codebook_with_dotted_names_replaces(
    make_study: Callable[..., Study], tmp_path: Path
) -> None:
    study = make_study()
    path = tmp_path / "min.qdc"
    path.write_text(MINIMAL, encoding="utf-8")
    book = import_codebook(path, study)
    on_disk = load_codebook(study.codebook_path)
    assert on_disk.names == ("Skole", "Skole.Fravær", "Relationen") == book.names
    assert on_disk.theme("Skole.Fravær").parent == "Skole"
    assert on_disk.theme("Skole").description  # a codebook theme always has one


def test_merge_keeps_old_themes_and_their_keywords(
    make_study: Callable[..., Study], tmp_path: Path
) -> None:
    study = make_study()
    path = tmp_path / "min.qdc"
    path.write_text(MINIMAL, encoding="utf-8")
    import_codebook(path, study, mode="merge")
    book = load_codebook(study.codebook_path)
    assert set(book.names) == {"Relationen", "Skolen", "Overgangen til voksen", "Skole",
                               "Skole.Fravær"}  # fmt: skip
    rel = book.theme("Relationen")
    assert rel.description == "Ny beskrivelse af relationen." and rel.color == "#0072B2"
    assert "sagsbehandler" in rel.keywords


def test_yaml_codebook_imports(make_study: Callable[..., Study], tmp_path: Path) -> None:
    study = make_study()
    other = tmp_path / "andet.yaml"
    write_codebook(Codebook("x", "da", (Theme("Fællesskab", "Venner og fritid."),)), other)
    import_codebook(other, study)
    assert load_codebook(study.codebook_path).names == ("Fællesskab",)


@pytest.mark.parametrize(
    "content", ["ikke xml <", "<CodeBook xmlns='urn:QDA-XML:codebook:1.0'/>", "<Other/>"]
)
def test_bad_codebooks_leave_the_study_alone(
    make_study: Callable[..., Study], tmp_path: Path, content: str
) -> None:
    study = make_study()
    before = study.codebook_path.read_bytes()
    path = tmp_path / "bad.qdc"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as err:
        import_codebook(path, study)
    assert "bad.qdc" in str(err.value)
    assert study.codebook_path.read_bytes() == before


names = st.text(alphabet="abcæøå ÆØÅ-", min_size=1, max_size=12).map(str.strip).filter(bool)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(themes=st.lists(st.tuples(names, names), min_size=1, max_size=5, unique_by=lambda t: t[0]))
def test_qdc_round_trip(
    make_study: Callable[..., Study], tmp_path: Path, themes: list[tuple[str, str]]
) -> None:
    study = make_study()
    book = Codebook("t", "da", tuple(Theme(n, d) for n, d in themes))
    write_codebook(book, study.codebook_path)
    out = export_codebook(study, tmp_path / "rt.qdc")
    assert valid(out)
    back = read_qdc(out)
    assert [(t.name, t.description) for t in back.themes] == [
        (n, " ".join(d.split())) for n, d in themes
    ]


@pytest.mark.parametrize("imported", [False, True])
def test_export_pseudonymises_descriptions(tmp_path: Path, imported: bool) -> None:
    # A codebook can be exported before the first import: [names] then, speakers too after.
    study = named_study(tmp_path / "s", imported=imported)
    out = export_codebook(study, tmp_path / "kodebog.qdc")
    text = out.read_text(encoding="utf-8")
    assert real_names_in(text) == []
    assert valid(out)
    relationen = next(t for t in read_qdc(out).themes if t.name == "Relationen")
    assert relationen.description.startswith(
        "Temaet udsprang af Viggos (opdigtet navn) og Karens (opdigtet navn) sag."
    )


def test_a_real_name_that_cannot_be_replaced_writes_no_codebook(tmp_path: Path) -> None:
    # A theme's name is not replaced (codings hang on it), so the check has to stop it.
    study = named_study(tmp_path / "s")
    study.codebook_path.write_text(
        study.codebook_path.read_text(encoding="utf-8").replace(
            "name: Skolen", "name: Sørens skole"
        ),
        encoding="utf-8",
    )
    out = tmp_path / "kodebog.qdc"
    with pytest.raises(PrivacyError, match="Søren"):
        export_codebook(study, out)
    assert not out.exists()

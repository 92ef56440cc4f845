"""Mapping local themes onto programme themes: suggestion, the YAML file, validation."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from journeylab.coding.codebook import load_codebook, load_preset
from journeylab.coding.model import Codebook, Theme
from journeylab.errors import CodebookError
from journeylab.themes.mapping import (
    ThemeLink,
    ThemeMapping,
    dump_mapping,
    load_mapping,
    parse_mapping,
    suggest_mapping,
)
from journeylab.themes.synthesis_report import example_programme_path

PROGRAMME = load_preset("kl-seks")
EXAMPLE = example_programme_path()


def books() -> dict[str, Codebook]:
    return {
        k: load_codebook(EXAMPLE / k / "codebook.yaml") for k in ("aaby", "bakkedal", "strandvig")
    }


@pytest.fixture(scope="module")
def suggested(nlp: object) -> ThemeMapping:
    return suggest_mapping(books(), PROGRAMME)


def test_same_named_themes_map_onto_themselves(suggested: ThemeMapping) -> None:
    for theme in PROGRAMME.themes:
        assert suggested.targets("strandvig", theme.name)[0] == theme.name
    assert suggested.targets("aaby", "Relationen")[0] == "Relationen"


def test_differently_named_themes_map_by_their_content(suggested: ThemeMapping) -> None:
    # Bakkedal's own codebook shares no theme name with the programme.
    assert suggested.targets("bakkedal", "Den faste voksne")[0] == "Relationen"
    assert suggested.targets("bakkedal", "Skolegang og fravær")[0] == "Skole"
    assert suggested.targets("bakkedal", "Hjemmet og familien")[0] == "Familien og tidlig indsats"
    assert suggested.targets("bakkedal", "Tilbud og ventetid")[0] == "De rette tilbud"
    assert suggested.targets("aaby", "Fælles mål og forståelse for kerneopgaven")[0] == (
        "Overgange, fælles mål og opgaveløsning"
    )


def test_written_file_reads_back_the_same(suggested: ThemeMapping, tmp_path: Path) -> None:
    text = dump_mapping(suggested, PROGRAMME)
    assert "# forslag:" in text  # the scores are there for the analyst
    back = parse_mapping(text, tmp_path / "mapping.yaml", books(), PROGRAMME)
    assert [(x.study, x.local, x.programme) for x in back.links] == [
        (x.study, x.local, x.programme) for x in suggested.links
    ]
    assert back.sources("bakkedal", "Relationen") == ("Den faste voksne",)


def test_the_example_mapping_file_is_valid() -> None:
    mapping = load_mapping(EXAMPLE / "mapping.yaml", books(), PROGRAMME)
    assert "Familien og tidlig indsats" in mapping.targets("aaby", "Skolen og tidlig indsats")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('"Den faste voksne": ["Relationen"]', '"Den faste voksne": ["Relationerne"]',
         "'Relationerne' is not a programme theme"),
        ('"Den faste voksne": ["Relationen"]', "", "'Den faste voksne' is not mapped"),
        ('"Den faste voksne": ["Relationen"]', '"Den faste voksne": 7', "must be a list"),
        ('"Tilbud og ventetid"', '"Tilbud"', "'Tilbud' is not a theme in bakkedal"),
        ('  "strandvig":', '  "odense": {}\n  "strandvig":', "'odense' is not a study"),
        ("studies:", "studies: [", "not valid YAML"),
    ],
)  # fmt: skip
def test_bad_mapping_names_study_and_theme(
    old: str, new: str, message: str, tmp_path: Path
) -> None:
    text = (EXAMPLE / "mapping.yaml").read_text(encoding="utf-8")
    assert old in text
    with pytest.raises(CodebookError) as err:
        parse_mapping(text.replace(old, new, 1), tmp_path / "mapping.yaml", books(), PROGRAMME)
    assert message in str(err.value) and "mapping.yaml" in str(err.value)


NAMES = st.text(alphabet="abcæøå ,:#'\"-[]ABCÆØÅ", min_size=1, max_size=20).filter(
    lambda s: s.strip() == s and s.strip()
)


@settings(max_examples=40, deadline=None)
@given(local=st.lists(NAMES, min_size=1, max_size=4, unique=True), pick=st.data())
def test_any_theme_names_survive_the_yaml_file(local: list[str], pick: st.DataObject) -> None:
    programme = Codebook("p", "da", tuple(Theme(n, "x") for n in ["Skole, og: mere", "Tema #2"]))
    codebook = Codebook("l", "da", tuple(Theme(n, "x") for n in local))
    links = tuple(
        ThemeLink("k", n, tuple(pick.draw(st.lists(st.sampled_from(programme.names), unique=True))))
        for n in local
    )
    mapping = ThemeMapping(links)
    back = parse_mapping(
        dump_mapping(mapping, programme), Path("m.yaml"), {"k": codebook}, programme
    )
    assert [(x.local, x.programme) for x in back.links] == [(x.local, x.programme) for x in links]

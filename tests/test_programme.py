"""programme.toml: members, recommendations, transitions and the errors for bad files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from journeylab.errors import StudyError
from journeylab.themes.programme import (
    check_recommendation_themes,
    load_programme,
    load_programme_codebook,
)
from journeylab.themes.synthesis_report import example_programme_path


@pytest.fixture
def programme_dir(tmp_path: Path) -> Path:
    target = tmp_path / "programme"
    shutil.copytree(example_programme_path(), target, ignore=shutil.ignore_patterns(".journeylab"))
    return target


def test_the_example_programme_loads() -> None:
    p = load_programme(example_programme_path())
    assert [m.key for m in p.members] == ["aaby", "bakkedal", "strandvig"]
    assert p.member("aaby").client_only == ("transcripts/fokusgruppe_ledere.md",)
    assert 6 <= len(p.recommendations) <= 10
    assert [t.key for t in p.transitions][:2] == ["uddannelsesplan", "efter_9"]
    codebook = load_programme_codebook(p)
    assert len(codebook.themes) == 6
    check_recommendation_themes(p, codebook)  # every recommendation names real themes
    assert all(r.themes for r in p.recommendations)


def _edit(folder: Path, old: str, new: str) -> None:
    path = folder / "programme.toml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('path = "bakkedal"', 'path = "nowhere"', "no study at 'nowhere'"),
        ('transitions = ["atten"]', 'transitions = ["tyve"]', "unknown transitions: tyve"),
        ('codebook = "kl-seks"', 'codebook = "mangler.yaml"', "no codebook"),
        ('language = "da"', 'language = "fr"', "language must be"),
        ("include_suggestions = 0.5", "include_suggestions = 5", "include_suggestions"),
        ('id = "A2"', 'id = "A1"', "used twice"),
        ("[programme]", "[programme\n", "not valid TOML"),
    ],
)
def test_bad_programme_files_say_what_and_where(
    programme_dir: Path, old: str, new: str, message: str
) -> None:
    _edit(programme_dir, old, new)
    with pytest.raises(StudyError) as err:
        load_programme(programme_dir)
    assert message in str(err.value)
    assert "programme.toml" in str(err.value)


def test_a_recommendation_with_an_unknown_theme_is_an_error(programme_dir: Path) -> None:
    _edit(programme_dir, 'themes = ["Relationen"]', 'themes = ["Relationerne"]')
    p = load_programme(programme_dir)
    with pytest.raises(StudyError, match="Relationerne"):
        check_recommendation_themes(p, load_programme_codebook(p))


def test_missing_programme_and_unknown_member(tmp_path: Path) -> None:
    with pytest.raises(StudyError, match=r"programme\.toml is missing"):
        load_programme(tmp_path)
    p = load_programme(example_programme_path() / "programme.toml")  # the file itself works too
    with pytest.raises(StudyError, match="not a study of the programme"):
        p.member("odense")

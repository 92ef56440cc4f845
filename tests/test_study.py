"""study.toml: loading, roles, names, and errors that say where and what to do."""

from __future__ import annotations

from pathlib import Path

import pytest

from journeylab.coding.model import Role
from journeylab.coding.study import example_study_path, find_study, load_study
from journeylab.errors import StudyError


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "study.toml").write_text(text, encoding="utf-8")
    return tmp_path


def test_example_study_loads_with_names_and_transcript_participants() -> None:
    study = load_study(example_study_path())
    assert study.language == "da"
    assert ("Jonas", "Oliver") in study.names
    meta = study.transcript_meta("fokusgruppe_jobcenter_uu.vtt")
    roles = {p.name: p.role for p in meta.participants}
    assert roles["Interviewer"] is Role.INTERVIEWER
    assert roles["Pernille"] is Role.MEDARBEJDER


def test_roles_table_and_default(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        '[study]\ntitle = "T"\n[roles]\nKarsten = "leader"\ndefault = "medarbejder"\n',
    )
    study = load_study(root)
    assert study.role_for("karsten") is Role.LEDER
    assert study.role_for("Bente") is Role.MEDARBEJDER


def test_without_default_an_unknown_speaker_has_no_role(tmp_path: Path) -> None:
    study = load_study(write(tmp_path, '[study]\ntitle = "T"\n'))
    assert study.role_for("Bente") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[study]\ntitle = "T"\nlanguage = "sv"\n', "language must be 'da' or 'en'"),
        ("[study]\ntitle = 3\n", "'title' must be text"),
        ('[study]\nmunicipality = "X"\n', "no title"),
        ('[study]\ntitle = "T"\n[roles]\nBo = "chef"\n', "unknown role 'chef'"),
        ('[study]\ntitle = "T"\n[names]\n"Bo" = 1\n', "made-up name for 'Bo'"),
        ("[study\ntitle=", "not valid TOML"),
        ('[study]\ntitle = "T"\n[report]\nconsiderations = "one"\n', "considerations"),
    ],
)
def test_bad_study_toml_names_file_and_problem(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(StudyError) as err:
        load_study(write(tmp_path, text))
    assert expected in str(err.value)
    assert "study.toml" in str(err.value)


def test_missing_study_toml_says_how_to_create_one(tmp_path: Path) -> None:
    with pytest.raises(StudyError, match="journeylab init"):
        load_study(tmp_path)


def test_find_study_prefers_current_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, '[study]\ntitle = "Her"\n')
    monkeypatch.chdir(tmp_path)
    assert find_study(None).title == "Her"


def test_find_study_falls_back_to_example(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert find_study(None).root == example_study_path()


def test_find_study_looks_in_the_parent_folders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, '[study]\ntitle = "Her"\n')
    inside = tmp_path / "transcripts" / "gamle"
    inside.mkdir(parents=True)
    monkeypatch.chdir(inside)
    assert find_study(None).root == tmp_path


@pytest.mark.parametrize(
    ("text", "problem", "guess"),
    [
        # The Danish word for the table: without the check, every name would be printed.
        ('[study]\ntitle = "T"\n[navne]\n"Bo" = "Anton"\n', "unknown table [navne]", "[names]"),
        ('[study]\ntitle = "T"\n[name]\n"Bo" = "Anton"\n', "unknown table [name]", "[names]"),
        ('[study]\ntitle = "T"\nlangauge = "en"\n', "unknown key 'langauge'", "'language'"),
        (
            '[study]\ntitle = "T"\n[report]\nquotes_per_them = 3\n',
            "[report]: unknown key 'quotes_per_them'",
            "'quotes_per_theme'",
        ),
        (
            '[study]\ntitle = "T"\n[transcripts."a.md"]\ntitel = "X"\n',
            "unknown key 'titel'",
            "'title'",
        ),
        (
            '[study]\ntitle = "T"\n[transcripts."a.md".participants]\n'
            'Bo = { role = "ung", pseudonm = "Anton" }\n',
            "participant 'Bo': unknown key 'pseudonm'",
            "'pseudonym'",
        ),
    ],
    ids=["navne", "name", "langauge", "report-key", "transcript-key", "participant-key"],
)
def test_a_misspelt_table_or_key_is_an_error_with_a_guess(
    tmp_path: Path, text: str, problem: str, guess: str
) -> None:
    with pytest.raises(StudyError) as err:
        load_study(write(tmp_path, text))
    message = str(err.value)
    assert problem in message
    assert f"did you mean {guess}?" in message
    assert "study.toml" in message
    assert "\n" not in message


def test_every_key_the_documentation_shows_is_known(tmp_path: Path) -> None:
    # docs/FORMATS.md's study.toml block as a user copies it, commented-out keys included.
    text = (Path(__file__).parents[1] / "docs" / "FORMATS.md").read_text(encoding="utf-8")
    block = text.split("## study.toml", 1)[1].split("```toml", 1)[1].split("```", 1)[0]
    block = block.replace("# pipeline", "pipeline").replace("# default", "default")
    study = load_study(write(tmp_path, block))
    assert study.pipeline and study.default_role and study.names


def test_the_example_and_programme_studies_load() -> None:
    examples = example_study_path().parent
    for toml in sorted(examples.rglob("study.toml")):
        assert load_study(toml.parent).title


def test_a_comma_in_a_yaml_flow_mapping_is_explained(tmp_path: Path) -> None:
    from journeylab.coding.study import parse_participants

    raw = {"Bo": {"role": "medarbejder", "unit": "Skolen", "AKT": None}}  # {unit: Skolen, AKT}
    with pytest.raises(StudyError, match="put the value in quotes"):
        parse_participants(raw, tmp_path / "a.md", "participants")


def test_study_toml_is_read_as_nfc(tmp_path: Path) -> None:
    # Written on a Mac or pasted from a PDF: "å" as "a" + a combining ring (U+030A).
    text = (
        '[study]\ntitle = "Ka\u030are"\n[names]\n"Ka\u030are" = "A\u030ase"\n'
        '[report]\nbackground = "Tak til Ka\u030are"\n'
    )
    study = load_study(write(tmp_path, text))
    assert study.title == "K\u00e5re"
    assert study.names == (("K\u00e5re", "\u00c5se"),)
    assert study.background == "Tak til K\u00e5re"

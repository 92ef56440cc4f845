"""A real name in a file name, a journey id or a theme name: refused by import, nothing written."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from click.testing import CliRunner

from journeylab.cli import main
from journeylab.coding.importer import import_study
from journeylab.coding.real_names import free_id, real_name_in
from journeylab.coding.store import open_store
from journeylab.coding.study import Study
from journeylab.errors import PrivacyError
from journeylab.themes.privacy import Pseudonymiser
from tests.conftest import CODEBOOK, STUDY_TOML, TRANSCRIPT, write_study

TOML = STUDY_TOML + '"Åse" = "Karen"\n"Karsten Lund" = "Bo"\n"Jonas" = "Oliver"\n'
JOURNEY = """\
journey: {id}
pseudonym: Sara
steps:
  - text: Starter i folkeskolen
    stage: school
"""


@pytest.fixture
def names(make_study: Callable[..., Study]) -> Pseudonymiser:
    return Pseudonymiser.from_study(make_study({"study.toml": TOML}))


@pytest.mark.parametrize(
    ("identifier", "found"),
    [
        ("transcripts/fokusgruppe_Åse.md", "Åse"),  # "_" is a word boundary here
        ("transcripts/Karsten og Birgitte.docx", "Karsten"),
        ("transcripts/samtale-med-åse.md", "åse"),
        ("journeys/Jonas2.yaml", "Jonas"),
        ("Jonas", "Jonas"),
        ("transcripts/fokusgruppe_Åses.md", "Åses"),
        ("transcripts/fokusgruppe_familie_skole.md", None),
        ("transcripts/Åsebo.md", None),  # not a whole word
        ("journeys/Oliver.yaml", None),  # a made-up name is no leak
        ("J09", None),
    ],
)
def test_a_real_name_is_found_in_an_identifier(
    names: Pseudonymiser, identifier: str, found: str | None
) -> None:
    assert real_name_in(names, identifier) == found


def test_free_id_is_the_next_number() -> None:
    assert free_id(["J01", "J07", "Jonas", "x3"]) == "J08"
    assert free_id([]) == "J01"


def test_a_name_in_a_transcript_file_name_refuses_the_first_import(
    make_study: Callable[..., Study],
) -> None:
    study = make_study({"study.toml": TOML, "transcripts/fokusgruppe_Åse.txt": TRANSCRIPT})
    with pytest.raises(PrivacyError) as err:
        import_study(study)
    message = str(err.value)
    assert "fokusgruppe_Åse.txt" in message and "rename the file" in message
    assert "nothing was imported" in message and "\n" not in message
    assert not (study.root / ".journeylab").exists()


def test_a_refused_reimport_leaves_the_store_and_cache_as_they_were(
    make_study: Callable[..., Study],
) -> None:
    study = make_study({"study.toml": TOML})
    import_study(study)
    before = {p.name: p.read_bytes() for p in (study.root / ".journeylab").iterdir()}
    (study.root / "journeys" / "Karsten Lund.yaml").write_text(
        JOURNEY.format(id="J05"), encoding="utf-8"
    )
    (study.root / "transcripts" / "fokusgruppe.txt").write_text(
        TRANSCRIPT + "\nLone: Og én ting mere.\n", encoding="utf-8"
    )
    with pytest.raises(PrivacyError, match=r"Karsten Lund\.yaml.*e\.g\. J06\.yaml"):
        import_study(study)
    after = {p.name: p.read_bytes() for p in (study.root / ".journeylab").iterdir()}
    assert after == before
    with open_store(study) as store:
        assert "journeys/Karsten Lund.yaml" not in {s.path for s in store.sources()}


def test_a_name_as_journey_id_names_the_field_and_a_free_id(
    make_study: Callable[..., Study],
) -> None:
    study = make_study({"study.toml": TOML, "journeys/J03.yaml": JOURNEY.format(id="Jonas")})
    with pytest.raises(PrivacyError) as err:
        import_study(study)
    assert err.value.path == str(study.root / "journeys" / "J03.yaml")
    assert err.value.where == "field 'journey'"
    assert "'Jonas'" in err.value.message
    assert err.value.hint is not None and "neutral id such as J03" in err.value.hint


def test_a_speaker_label_with_a_pseudonym_is_a_real_name_too(
    make_study: Callable[..., Study],
) -> None:
    # conftest's transcript: Lone speaks as "Medarbejder 1"; her name is real.
    study = make_study({"transcripts/interview_lone.txt": TRANSCRIPT})
    with pytest.raises(PrivacyError, match=r"interview_lone\.txt"):
        import_study(study)


def test_the_cli_prints_one_line_and_writes_nothing(make_study: Callable[..., Study]) -> None:
    study = write_study(
        make_study().root, {"study.toml": TOML, "transcripts/fokusgruppe_Åse.txt": TRANSCRIPT}
    )
    result = CliRunner().invoke(main, ["import", str(study.root)])
    assert result.exit_code == 1
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert any("fokusgruppe_Åse.txt" in ln and "rename the file" in ln for ln in lines)
    assert "Traceback" not in result.output
    assert not study.store_path.exists()


def test_the_hint_names_the_study_toml_table_when_there_is_one(
    make_study: Callable[..., Study],
) -> None:
    toml = TOML + '\n[transcripts."fokusgruppe_Åse.txt"]\ntitle = "Fokusgruppe"\n'
    study = make_study({"study.toml": toml, "transcripts/fokusgruppe_Åse.txt": TRANSCRIPT})
    with pytest.raises(PrivacyError) as err:
        import_study(study)
    assert err.value.hint is not None
    assert '[transcripts."fokusgruppe_Åse.txt"] table in study.toml' in err.value.hint


# -- a codebook theme's name (QA pass 2, #2) -------------------------------------------

NAMED_CODEBOOK = CODEBOOK.replace("  - name: Skolen\n", "  - name: Skolen hos Åse\n")


def test_a_name_in_a_codebook_theme_refuses_the_import_naming_the_line(
    make_study: Callable[..., Study],
) -> None:
    study = make_study({"study.toml": TOML, "codebook.yaml": NAMED_CODEBOOK})
    with pytest.raises(PrivacyError) as err:
        import_study(study)
    assert err.value.path == str(study.codebook_path)
    line = NAMED_CODEBOOK.splitlines().index("  - name: Skolen hos Åse") + 1
    assert err.value.where == f"line {line}"
    assert "the theme 'Skolen hos Åse' holds a real name ('Åse')" in err.value.message
    assert err.value.hint == "rename the theme in codebook.yaml; nothing was imported"
    assert not (study.root / ".journeylab").exists()


def test_a_speaker_label_in_a_theme_name_refuses_the_import_too(
    make_study: Callable[..., Study],
) -> None:
    # Lone speaks as "Medarbejder 1" (conftest's transcript): her name is real.
    codebook = CODEBOOK.replace("  - name: Relationen\n", "  - name: Lones relation\n")
    study = make_study({"codebook.yaml": codebook})
    with pytest.raises(PrivacyError, match=r"the theme 'Lones relation' holds a real name"):
        import_study(study)


def test_a_theme_renamed_with_a_name_refuses_the_reimport_and_keeps_the_store(
    make_study: Callable[..., Study],
) -> None:
    study = make_study({"study.toml": TOML})
    import_study(study)
    before = {p.name: p.read_bytes() for p in (study.root / ".journeylab").iterdir()}
    study.codebook_path.write_text(NAMED_CODEBOOK, encoding="utf-8")
    with pytest.raises(PrivacyError, match="Skolen hos Åse"):
        import_study(study)
    after = {p.name: p.read_bytes() for p in (study.root / ".journeylab").iterdir()}
    assert after == before
    with open_store(study) as store:
        assert "Skolen hos Åse" not in {t.name for t in store.themes()}


def test_the_cli_refuses_a_named_theme_in_one_line(make_study: Callable[..., Study]) -> None:
    study = make_study({"study.toml": TOML, "codebook.yaml": NAMED_CODEBOOK})
    result = CliRunner().invoke(main, ["import", str(study.root)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    [line] = [ln for ln in result.output.splitlines() if ln.strip()]
    assert "codebook.yaml" in line and "'Skolen hos Åse'" in line
    assert "rename the theme in codebook.yaml" in line
    assert not study.store_path.exists()

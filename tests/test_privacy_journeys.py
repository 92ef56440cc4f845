"""Journeys without real names: one definition for the explorer's maps and the map files.

Also home of the study with real names in every free-text field (notes, step text,
actor, participant unit, codebook description and examples) that the map, frames,
workbook, qdc and qdpx tests write out and grep.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from journeylab.coding.importer import import_study
from journeylab.coding.study import Study
from journeylab.journeys.readers import read_journey_file
from journeylab.themes import explorer_routes, privacy_journeys
from journeylab.themes.privacy_journeys import pseudonymised_journey, study_pseudonymiser
from tests.conftest import CODEBOOK, STUDY_TOML, TRANSCRIPT, write_study

# Real names from [names], and Lone: a speaker label with a pseudonym ("Medarbejder 1").
REAL = ("Søren", "Åse", "Ørum", "Rikke", "Holm", "Lone")
MADE_UP = ("Viggo", "Karen", "Sofie", "Medarbejder 1")
NAMED_TOML = STUDY_TOML.replace(
    '"Rikke Holm" = "Sofie"\n', '"Rikke Holm" = "Sofie"\n"Søren" = "Viggo"\n"Åse Ørum" = "Karen"\n'
)
NAMED_JOURNEY = """\
journey: J03
pseudonym: Noah
steps:
  - text: Møde med Søren fra UU
    stage: udskoling
    age: 15
    actor: mentor (Åse Ørum)
    green: [Sørens mor kørte mig til skolen, Lone fra Familiecentret hjalp]
    red: [RIKKE HOLM ringede aldrig tilbage]
  - text: Starter på produktionsskole
    stage: youth_education
    age: 17
    green: [Mentoren lyttede]
"""
NAMED_CODEBOOK = CODEBOOK.replace(
    "description: Den unges relation",
    "description: Temaet udsprang af Sørens og Åse Ørums sag. Den unges relation",
).replace("      - Jeg har haft mange", "      - Søren sagde det.\n      - Jeg har haft mange")
NAMED_TRANSCRIPT = TRANSCRIPT.replace(
    "Lone: {role: medarbejder, pseudonym: Medarbejder 1}",
    "Lone: {role: medarbejder, pseudonym: Medarbejder 1, unit: Familiecentret hos Søren}",
)
_REAL = re.compile(rf"(?<![^\W\d_])({'|'.join(REAL)})(?![^\W\d_])", re.IGNORECASE)


def named_study(root: Path, *, imported: bool = True) -> Study:
    """write_study's study with real names in notes, step text, actor, unit and codebook."""
    assert "Sørens og Åse Ørums" in NAMED_CODEBOOK and "Søren sagde" in NAMED_CODEBOOK
    assert "unit: Familiecentret hos Søren" in NAMED_TRANSCRIPT
    study = write_study(
        root,
        {
            "study.toml": NAMED_TOML,
            "codebook.yaml": NAMED_CODEBOOK,
            "journeys/J03.yaml": NAMED_JOURNEY,
            "transcripts/fokusgruppe.txt": NAMED_TRANSCRIPT,
        },
    )
    if imported:
        import_study(study)
    return study


def real_names_in(text: str) -> list[str]:
    """Every real name in *text* (entities decoded, `_` a word boundary)."""
    return [m.group(1) for m in _REAL.finditer(html.unescape(text).replace("_", " "))]


def test_a_journey_loses_its_real_names_in_every_drawn_text(tmp_path: Path) -> None:
    study = named_study(tmp_path / "s")
    (journey,) = read_journey_file(study.root / "journeys" / "J03.yaml")
    raw = [t for n in journey.notes for t in (n.text, n.actor or "")]
    assert {"Søren", "Åse", "Rikke", "Lone"} <= {n.capitalize() for n in real_names_in(str(raw))}
    clean = pseudonymised_journey(journey, study_pseudonymiser(study))
    drawn = [t for n in clean.notes for t in (n.text, n.actor or "")] + [clean.pseudonym or ""]
    assert real_names_in("\n".join(drawn)) == []
    step = clean.steps[0]
    assert step.event.text == "Møde med Viggo (opdigtet navn) fra UU"
    assert step.event.actor == "mentor (Karen (opdigtet navn))"
    assert [n.text for n in step.green] == [
        "Viggos (opdigtet navn) mor kørte mig til skolen",
        "Medarbejder 1 fra Familiecentret hjalp",
    ]
    assert step.red[0].text == "Sofie (opdigtet navn) ringede aldrig tilbage"
    assert clean.pseudonym == "Noah" and clean.id == journey.id


def test_the_explorer_draws_its_maps_with_the_same_definition() -> None:
    assert explorer_routes.pseudonymised_journey is privacy_journeys.pseudonymised_journey


def test_speaker_labels_count_as_real_names_once_the_study_is_imported(tmp_path: Path) -> None:
    study = named_study(tmp_path / "s", imported=False)
    before = study_pseudonymiser(study)  # no store yet: [names] only, and no error
    assert before.text("Søren og Lone") == "Viggo (opdigtet navn) og Lone"
    import_study(study)
    assert study_pseudonymiser(study).text("Søren og Lone") == (
        "Viggo (opdigtet navn) og Medarbejder 1"
    )

"""`journeylab journeys`: the study's journeys as tables and map files."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from journeylab.cli import main
from journeylab.coding.study import load_study
from journeylab.errors import PrivacyError
from journeylab.journeys.overview import (
    journey_tables,
    study_journeys,
    transitions_frame,
    write_journey_maps,
)
from tests.test_privacy_journeys import NAMED_JOURNEY, named_study, real_names_in

JOURNEY = """\
journey: {id}
pseudonym: {name}
steps:
  - text: Starter i skole
    stage: school
    age: 6
    green: [God lærer]
  - text: Ny sagsbehandler
    stage: udskoling
    age: 14
    actor: sagsbehandler
    red: [Skulle fortælle det hele igen, Ingen ringede tilbage]
  - text: Fylder 18
    stage: overgang til voksen
    age: 18
    red: [Sagen lukker]
"""


def make(tmp_path: Path) -> Path:
    (tmp_path / "study.toml").write_text('[study]\ntitle = "T"\n', encoding="utf-8")
    (tmp_path / "journeys").mkdir()
    for jid, name in (("J02", "Bo"), ("J01", "Ea")):
        (tmp_path / "journeys" / f"{jid}.yaml").write_text(
            JOURNEY.format(id=jid, name=name), encoding="utf-8"
        )
    return tmp_path


def test_journeys_are_read_in_id_order(tmp_path: Path) -> None:
    assert [j.id for j in study_journeys(load_study(make(tmp_path)))] == ["J01", "J02"]


def test_tables_in_danish_show_the_counts(tmp_path: Path) -> None:
    tables = dict(journey_tables(load_study(make(tmp_path)), lang="da"))
    summary = tables["Rejserne"]
    assert "røde" in summary and "grønne" in summary
    row = next(line for line in summary.splitlines() if "J01" in line).split()
    # id, pseudonym, age, steps 3, green 1, red 3
    assert row[1:3] == ["J01", "Ea"] and "3" in row
    assert "Overgange" in tables


def test_tables_in_english(tmp_path: Path) -> None:
    titles = [t for t, _ in journey_tables(load_study(make(tmp_path)), lang="en")]
    assert titles[0] == "The journeys"


def test_maps_written_for_each_journey(tmp_path: Path) -> None:
    paths = write_journey_maps(load_study(make(tmp_path)), tmp_path / "kort")
    names = sorted(p.name for p in paths)
    assert "J01.svg" in names and "J02.svg" in names and "index.html" in names


def test_cli_journeys_with_map(tmp_path: Path) -> None:
    root = make(tmp_path)
    result = CliRunner().invoke(main, ["journeys", str(root), "--map", str(tmp_path / "m")])
    assert result.exit_code == 0, result.output
    assert "Trin pr. livsfase" in result.output
    assert (tmp_path / "m" / "J02.svg").is_file()


def test_cli_journeys_bad_colour_is_one_line(tmp_path: Path) -> None:
    root = make(tmp_path)
    (root / "journeys" / "bad.csv").write_text(
        "rejse;farve;tekst\nJ09;blå;Noget\n", encoding="utf-8"
    )
    result = CliRunner().invoke(main, ["journeys", str(root)])
    assert result.exit_code == 1
    assert "bad.csv" in result.output and "blå" in result.output
    assert "Traceback" not in result.output


def test_declared_transition_points_get_a_table_and_reach_the_maps(tmp_path: Path) -> None:
    root = make(tmp_path)
    toml = root / "study.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8")
        + '[transitions]\nudskoling = { age = 14, label = "Udskolingen" }\n',
        encoding="utf-8",
    )
    tables = dict(journey_tables(load_study(root), lang="da"))
    table = tables["Overgangspunkter (study.toml): grønne og røde sedler før og efter"]
    row = next(line for line in table.splitlines() if "Udskolingen" in line).split()
    # Both journeys: the step at 14 has two red notes after the point, none before.
    assert row[-7:-2] == ["2", "0", "0", "0", "4"]
    paths = write_journey_maps(load_study(root), tmp_path / "kort")
    assert "Udskolingen" in next(p for p in paths if p.name == "J01.svg").read_text("utf-8")


@pytest.mark.parametrize("lang", ["da", "en"])
def test_maps_show_made_up_names_only(tmp_path: Path, lang: str) -> None:
    # Real names in a note, a step's text and its actor, and a speaker's label.
    study = named_study(tmp_path / "s")
    with study.toml_path.open("a", encoding="utf-8") as toml:
        toml.write('[transitions]\nplan = { age = 16, label = "Sørens plan" }\n')
    paths = write_journey_maps(load_study(study.root), tmp_path / "kort", lang=lang)
    assert {p.name for p in paths} >= {"J03.svg", "index.html"}
    for path in paths:
        assert real_names_in(path.read_text(encoding="utf-8")) == [], path.name
    j03 = (tmp_path / "kort" / "J03.svg").read_text(encoding="utf-8")
    for made_up in ("Møde med Viggo", "(Karen", "Viggos", "Sofie"):  # the notes did reach it
        assert made_up in j03
    assert "Viggos (opdigtet navn) plan" in j03  # a label
    assert "Medarbejder 1 fra Familiecentret" in j03
    overview = next(p for p in paths if p.name.endswith("view.svg") or p.name == "oversigt.svg")
    assert "Møde med Viggo" in overview.read_text(encoding="utf-8")


def test_a_real_name_the_pseudonymiser_cannot_replace_writes_no_map(tmp_path: Path) -> None:
    # A journey id is not free text: a name in it is caught by the check, not replaced.
    study = named_study(tmp_path / "s", imported=False)
    (study.root / "journeys" / "J04.yaml").write_text(
        NAMED_JOURNEY.replace("journey: J03", "journey: Søren-2"), encoding="utf-8"
    )
    kort = tmp_path / "kort"
    with pytest.raises(PrivacyError, match="Søren"):
        write_journey_maps(study, kort)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s"]  # no map, no scratch left
    kort.mkdir()
    (kort / "J03.svg").write_text("old map", encoding="utf-8")
    result = CliRunner().invoke(main, ["journeys", str(study.root), "--map", str(kort)])
    assert result.exit_code == 1
    # The tables go to the terminal first; the error is one line after them.
    error = [line for line in result.output.splitlines() if "nothing was written" in line]
    assert len(error) == 1 and "Søren" in error[0] and str(kort) in error[0]
    assert "Traceback" not in result.output
    assert sorted(p.name for p in kort.iterdir()) == ["J03.svg"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kort", "s"]
    assert (kort / "J03.svg").read_text(encoding="utf-8") == "old map"


def _all_tables(root: Path, lang: str) -> dict[str, str]:
    return dict(journey_tables(load_study(root), lang=lang))


def test_danish_tables_name_stages_and_transitions_in_danish(tmp_path: Path) -> None:
    root = make(tmp_path)
    (root / "journeys" / "J03.yaml").write_text(  # a step without a stage
        "journey: J03\nsteps:\n  - text: Flytter\n", encoding="utf-8"
    )
    tables = _all_tables(root, "da")
    text = "\n".join(tables.values())
    for stage_id in ("school", "transition_18", "unknown", "after_9th", "at_18", "True"):
        assert stage_id not in text
    stages = tables["Trin pr. livsfase"].splitlines()
    assert stages[0].split() == [
        *("fase", "skole", "udskoling", "overgang", "til", "voksen", "uden", "livsfase"),
        *("i", "alt"),
    ]
    balance = tables["Grønne og røde sedler pr. livsfase"]
    assert [line.split()[0] for line in balance.splitlines()[2:]] == [
        *("skole", "udskoling", "overgang", "uden")
    ]
    transitions = tables["Overgange"].splitlines()
    assert "efter 9. klasse" in transitions[1] and "18 år" in transitions[2]
    summary = tables["Rejserne"].splitlines()
    assert summary[1].split()[-1] == "ja" and summary[3].split()[-1] == "nej"  # J01, J03
    # Only the print changed: journeylab.open_study() users and the report read the ids.
    journeys = study_journeys(load_study(root))
    assert transitions_frame(journeys)["transition"].tolist()[:2] == ["after_9th", "at_18"]


def test_english_tables_name_stages_and_transitions_in_english(tmp_path: Path) -> None:
    tables = _all_tables(make(tmp_path), "en")
    assert "transition at 18" in tables["Steps per life stage"].splitlines()[0]
    assert "transition_18" not in "\n".join(tables.values())
    transitions = tables["Transitions"]
    assert "after 9th grade" in transitions and "at 18" in transitions
    assert "after_9th" not in transitions and "at_18" not in transitions


def test_found_transitions_take_the_studys_own_labels_without_real_names(
    tmp_path: Path,
) -> None:
    root = make(tmp_path)
    toml = root / "study.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8")
        + '[names]\n"Søren" = "Viggo"\n'
        + "[transitions]\n"
        + 'plan = { age = 15, label = "Uddannelsesplan" }\n'
        + 'skole = { age = 16, label = "Efter folkeskolen" }\n'
        + 'atten = { age = 18, label = "Sørens 18 år" }\n',
        encoding="utf-8",
    )
    tables = _all_tables(root, "da")
    rows = [line for line in tables["Overgange"].splitlines() if "J01" in line]
    assert "Efter folkeskolen" in rows[0] and "Viggos (opdigtet navn) 18 år" in rows[1]
    assert "Uddannelsesplan" not in tables["Overgange"]  # it stands for no found crossing
    points = tables["Overgangspunkter (study.toml): grønne og røde sedler før og efter"]
    assert "Viggos (opdigtet navn) 18 år" in points
    assert "Søren" not in "\n".join(tables.values())


def test_a_listed_name_inside_a_long_word_does_not_block_the_maps(tmp_path: Path) -> None:
    # QA: "ungdomsuddannelse" was broken as "…uddann" / "else på", the fragment "else"
    # matched the listed name Else and the whole map output was refused.
    (tmp_path / "s").mkdir()
    root = make(tmp_path / "s")
    (root / "study.toml").write_text(
        '[study]\ntitle = "T"\n\n[names]\n"Else" = "Inge"\n', encoding="utf-8"
    )
    notes = [
        "Jeg vil gerne starte på en ungdomsuddannelse på et tidspunkt",
        "en ungdomsuddannelse på sigt",
        "Erhvervsuddannelse eller ungdomsuddannelse",
        "Sagsbehandlerskiftet og ungdomsuddannelsesvejledningen",
    ]
    journey = JOURNEY.replace("green: [God lærer]", f"green: [{', '.join(notes)}]")
    (root / "journeys" / "J01.yaml").write_text(
        journey.format(id="J01", name="Ea"), encoding="utf-8"
    )
    paths = write_journey_maps(load_study(root), tmp_path / "kort")
    j01 = (tmp_path / "kort" / "J01.svg").read_text(encoding="utf-8")
    assert "J01.svg" in [p.name for p in paths]
    assert re.search(r">[^<>]*ungdomsud\w*-<", j01)  # broken, with a visible hyphen
    assert ">else" not in j01.lower()

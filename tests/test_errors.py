"""The project's errors print as one line: file, place, problem, what to do."""

from __future__ import annotations

from pathlib import Path

from journeylab.errors import CodebookError, JourneyError, JourneylabError, StudyError


def test_message_names_file_place_and_hint_on_one_line() -> None:
    err = JourneyError(
        "unknown colour 'blå'",
        path=Path("journeys/rejser.csv"),
        where="row 7, column 'farve'",
        hint="use gul/grøn/rød or yellow/green/red",
    )
    assert str(err) == (
        "journeys/rejser.csv, row 7, column 'farve': unknown colour 'blå' "
        "(use gul/grøn/rød or yellow/green/red)"
    )


def test_line_breaks_in_a_message_are_folded() -> None:
    err = CodebookError("bad\nYAML:\n  mapping values", path="codebook.yaml", where="line 3")
    assert "\n" not in err.render()
    assert err.render() == "codebook.yaml, line 3: bad YAML: mapping values"


def test_without_a_path_the_place_still_leads() -> None:
    assert StudyError("no title", where="[study]").render() == "[study]: no title"
    assert isinstance(StudyError("x"), JourneylabError)

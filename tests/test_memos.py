"""Memos on segments, themes, journeys and the study: checked targets, kept, exported."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from journeylab.cli import main
from journeylab.coding.frames import study_frames
from journeylab.coding.importer import import_study
from journeylab.coding.memos import add_memo, list_memos
from journeylab.coding.store import open_store
from journeylab.coding.study import Study
from journeylab.errors import StudyError


@pytest.fixture
def study(make_study: Callable[..., Study]) -> Study:
    s = make_study()
    import_study(s)
    return s


def test_memos_on_every_kind_of_target_are_kept_in_order(study: Study) -> None:
    with open_store(study) as store:
        segment = store.segments()[0].id
        theme = store.themes()[0].name
        journey = next(s.journey for s in store.segments() if s.journey)
    add_memo(study, "Et vigtigt sted", kind="segment", target=segment, author="AB")
    add_memo(study, "Temaet er bredt", kind="theme", target=theme, author="AB")
    add_memo(study, "Rejsen er typisk", kind="journey", target=journey, author="CD")
    add_memo(study, "Husk workshoppen", kind="study", author="CD")
    memos = list_memos(study)
    assert [(m.kind, m.target, m.author) for m in memos] == [
        ("segment", segment, "AB"),
        ("theme", theme, "AB"),
        ("journey", journey, "CD"),
        ("study", "", "CD"),
    ]


@pytest.mark.parametrize(
    ("kind", "target", "message"),
    [
        ("segment", "nope#1", "no segment 'nope#1'"),
        ("theme", "Ukendt", "no theme 'Ukendt'"),
        ("journey", "J99", "no journey 'J99'"),
        ("person", "x", "unknown memo target"),
    ],
)
def test_a_memo_on_something_that_is_not_there_is_refused(
    study: Study, kind: str, target: str, message: str
) -> None:
    with pytest.raises(StudyError, match=message):
        add_memo(study, "tekst", kind=kind, target=target, author="AB")
    assert list_memos(study) == []


def test_memos_reach_the_workbook_pseudonymised(study: Study) -> None:
    add_memo(study, "Rikke Holm nævnes igen", kind="study", author="AB")
    frame = study_frames(study).memos
    assert list(frame["text"]) == ["Sofie (opdigtet navn) nævnes igen"]


def test_memo_command_writes_and_lists(study: Study) -> None:
    runner = CliRunner()
    root = str(study.root)
    result = runner.invoke(
        main, ["memo", root, "Godt citat", "--theme", "Skolen", "--author", "AB"]
    )
    assert result.exit_code == 0, result.output
    listed = runner.invoke(main, ["memo", root, "--list"])
    assert "[theme Skolen] AB: Godt citat" in listed.output
    bad = runner.invoke(
        main, ["memo", root, "x", "--theme", "A", "--journey", "B", "--author", "AB"]
    )
    assert bad.exit_code == 2


def test_memo_without_author_is_a_usage_error(study: Study, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["memo", str(study.root), "tekst"])
    assert result.exit_code == 2

"""What the explorer's segment views offer: the machine's suggestions, strongest first."""

from __future__ import annotations

from journeylab.themes.explorer_data import SegmentView, ThemeMark


def _view(*marks: ThemeMark) -> SegmentView:
    return SegmentView(
        id="t.md#1",
        source="t.md",
        kind="utterance",
        text="Min sagsbehandler skiftede hele tiden",
        role="ung",
        speaker="Ung A",
        stage=None,
        colour=None,
        journey=None,
        marks=marks,
    )


def test_suggestions_come_highest_score_first_not_in_codebook_order() -> None:
    view = _view(
        ThemeMark("Skolen", 1, "suggested", False, 0.19),
        ThemeMark("Relationen", 2, "coded", True),
        ThemeMark("Organisering", 3, "suggested", False, 0.5),
        ThemeMark("Overgangen", 4, "suggested", False, 0.59),
        ThemeMark("De rette tilbud", 5, "rejected", True),
    )
    assert [m.name for m in view.suggested] == ["Overgangen", "Organisering", "Skolen"]


def test_equal_scores_keep_codebook_order_and_a_missing_score_comes_last() -> None:
    view = _view(
        ThemeMark("A", 1, "suggested", False, None),
        ThemeMark("B", 2, "suggested", False, 0.3),
        ThemeMark("C", 3, "suggested", False, 0.3),
        ThemeMark("D", 4, "suggested", False, 0.0),
    )
    assert [m.name for m in view.suggested] == ["B", "C", "D", "A"]

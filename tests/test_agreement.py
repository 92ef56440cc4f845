from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score

from journeylab.coding.agreement import (
    NO_THEME,
    agreement,
    alpha_across,
    coder_themes,
    cohen_kappa,
    interpret,
    krippendorff_alpha,
)
from journeylab.coding.model import Coding, CodingStatus

THEMES = ["Relationen", "De rette tilbud", "Organisering og samarbejde"]
R, T, ORG = THEMES


def manual(seg: str, theme: str, coder: str) -> Coding:
    return Coding(seg, theme, coder, CodingStatus.MANUAL)


def presence(seg_themes: dict[str, list[str]], coder: str) -> list[Coding]:
    return [manual(seg, t, coder) for seg, ts in seg_themes.items() for t in ts]


def test_hand_computed_kappa_and_alpha() -> None:
    # Relationen on six segments: A = 1 1 0 0 1 0, B = 1 0 0 0 1 1.
    # kappa: po = 4/6, pe = .5*.5 + .5*.5 = .5  -> (2/3 - 1/2) / (1/2) = 1/3.
    # alpha (coincidences): o11 = 4, o00 = 4, o01 = o10 = 2, n = 12, n0 = n1 = 6;
    # Do = 4/12, De = 2*6*6/(12*11) = 72/132 -> 1 - (4/12)/(72/132) = 7/18.
    segs = [f"s{i}" for i in range(6)]
    a = [1, 1, 0, 0, 1, 0]
    b = [1, 0, 0, 0, 1, 1]
    codings = [manual(s, R, "anna") for s, x in zip(segs, a, strict=True) if x]
    codings += [manual(s, R, "bo") for s, x in zip(segs, b, strict=True) if x]
    report = agreement(codings, "anna", "bo", [R], segs)
    row = report.theme(R)
    assert row is not None
    assert row.kappa == pytest.approx(1 / 3)
    assert row.alpha == pytest.approx(7 / 18)
    assert (row.both, row.only_a, row.only_b, row.neither) == (2, 1, 1, 2)
    assert row.percent == pytest.approx(400 / 6)
    assert row.label == "nogenlunde"


def test_perfect_agreement_is_almost_perfect() -> None:
    data = {"s1": [R], "s2": [T], "s3": [ORG, R], "s4": [T]}
    codings = presence(data, "anna") + presence(data, "bo")
    report = agreement(codings, "anna", "bo", THEMES, list(data))
    assert report.kappa == pytest.approx(1.0)
    assert report.alpha == pytest.approx(1.0)
    assert report.percent == pytest.approx(100.0)
    assert report.kappa_label == "næsten perfekt"
    assert all(r.kappa == pytest.approx(1.0) for r in report.themes)
    assert report.disagreements == ()


def test_theme_nobody_used_is_undefined_not_nan() -> None:
    data = {"s1": [R], "s2": [T], "s3": [R]}
    codings = presence(data, "anna") + presence(data, "bo")
    report = agreement(codings, "anna", "bo", THEMES, list(data))
    row = report.theme(ORG)
    assert row is not None
    assert row.kappa is None and row.alpha is None
    assert row.label == "ikke defineret"
    assert row.neither == 3
    frame = report.table()
    assert list(frame["tema"]) == THEMES
    assert frame.loc[frame["tema"] == ORG, "vurdering"].item() == "ikke defineret"


def test_one_coder_coded_nothing() -> None:
    data = {"s1": [R], "s2": [T], "s3": [], "s4": [R]}
    report = agreement(presence(data, "anna"), "anna", "bo", THEMES, list(data))
    row = report.theme(R)
    assert row is not None
    assert row.kappa == pytest.approx(0.0)
    assert (row.both, row.only_a, row.only_b) == (0, 2, 0)
    # Every segment anna coded is a disagreement; s3 (nobody) is not.
    assert [d.segment_id for d in report.disagreements] == ["s1", "s2", "s4"]
    assert report.disagreements[0].themes_a == (R,) and report.disagreements[0].themes_b == ()
    assert report.percent == pytest.approx(25.0)  # only s3: both "(intet tema)"


def test_machine_counts_with_its_top_suggestion_only() -> None:
    machine = "machine:ensemble"
    codings = [
        Coding("s1", T, machine, CodingStatus.SUGGESTED, score=0.3, rank=2),
        Coding("s1", R, machine, CodingStatus.SUGGESTED, score=0.7, rank=1),
        Coding("s2", ORG, machine, CodingStatus.SUGGESTED, score=0.6, rank=1),
        Coding("s2", T, machine, CodingStatus.SUGGESTED, score=0.2, rank=2),
        manual("s1", R, "anna"),
        manual("s2", T, "anna"),
        Coding("s2", ORG, "anna", CodingStatus.REJECTED),
    ]
    assert coder_themes(codings, machine) == {"s1": [R], "s2": [ORG]}
    # A rejection is not a coding.
    assert coder_themes(codings, "anna") == {"s1": [R], "s2": [T]}
    report = agreement(codings, machine, "anna", THEMES, ["s1", "s2"])
    assert report.percent == pytest.approx(50.0)
    assert [d.segment_id for d in report.disagreements] == ["s2"]
    row = report.theme(T)
    assert row is not None and (row.only_a, row.only_b) == (0, 1)


def test_accepted_counts_as_the_persons_coding() -> None:
    codings = [Coding("s1", R, "anna", CodingStatus.ACCEPTED), manual("s1", R, "bo")]
    report = agreement(codings, "anna", "bo", [R, T], ["s1", "s2"])
    row = report.theme(R)
    assert row is not None and row.both == 1


def test_top_theme_follows_rank_or_order() -> None:
    codings = [
        Coding("s1", T, "anna", CodingStatus.MANUAL, rank=2),
        Coding("s1", R, "anna", CodingStatus.MANUAL, rank=1),
        manual("s2", ORG, "anna"),
        manual("s2", T, "anna"),
    ]
    assert coder_themes(codings, "anna") == {"s1": [R, T], "s2": [ORG, T]}


def test_english_labels_and_columns() -> None:
    data = {"s1": [R], "s2": [T]}
    report = agreement(
        presence(data, "a") + presence(data, "b"), "a", "b", THEMES, list(data), lang="en"
    )
    assert report.kappa_label == "almost perfect"
    assert "theme" in report.table().columns and "label" in report.table().columns


@pytest.mark.parametrize(
    ("value", "da", "en"),
    [
        (-0.1, "ringe", "poor"),
        (0.0, "ringe", "slight"),
        (0.20, "ringe", "slight"),
        (0.21, "nogenlunde", "fair"),
        (0.5, "moderat", "moderate"),
        (0.61, "betydelig", "substantial"),
        (0.81, "næsten perfekt", "almost perfect"),
        (1.0, "næsten perfekt", "almost perfect"),
        (None, "ikke defineret", "undefined"),
        (math.nan, "ikke defineret", "undefined"),
    ],
)
def test_landis_koch_labels(value: float | None, da: str, en: str) -> None:
    assert interpret(value, "da") == da
    assert interpret(value, "en") == en


def test_alpha_across_three_coders_and_missing() -> None:
    data = {"s1": [R], "s2": [T], "s3": [R, ORG]}
    codings = presence(data, "a") + presence(data, "b") + presence(data, "c")
    assert alpha_across(codings, ["a", "b", "c"], THEMES, list(data)) == pytest.approx(1.0)
    # A third coder who disagrees everywhere pulls alpha down.
    other = {"s1": [T], "s2": [ORG], "s3": [T]}
    worse = alpha_across(
        presence(data, "a") + presence(data, "b") + presence(other, "c"),
        ["a", "b", "c"],
        THEMES,
        list(data),
    )
    assert worse is not None and worse < 0.5
    # nan marks a missing value and is skipped, not counted as a disagreement.
    assert krippendorff_alpha([[1, 0, 1, math.nan], [1, 0, 1, 0]]) == pytest.approx(1.0)
    assert krippendorff_alpha([[0, 0], [0, 0]]) is None


labels = st.lists(st.sampled_from(["R", "T", "ORG", NO_THEME]), min_size=1, max_size=30)


@settings(max_examples=80, deadline=None)
@given(st.data())
def test_kappa_matches_sklearn(data: st.DataObject) -> None:
    a = data.draw(labels)
    b = data.draw(st.lists(st.sampled_from(["R", "T", "ORG"]), min_size=len(a), max_size=len(a)))
    ours = cohen_kappa(a, b)
    if ours is None:
        assert len(set(a) | set(b)) == 1
    else:
        assert ours == pytest.approx(cohen_kappa_score(a, b))


seg_themes = st.dictionaries(
    st.sampled_from([f"s{i}" for i in range(8)]),
    st.lists(st.sampled_from(THEMES), unique=True, max_size=3),
    max_size=8,
)


@settings(max_examples=60, deadline=None)
@given(seg_themes, seg_themes)
def test_agreement_never_crashes_and_counts_add_up(a: dict, b: dict) -> None:
    segs = [f"s{i}" for i in range(8)]
    report = agreement(presence(a, "a") + presence(b, "b"), "a", "b", THEMES, segs)
    for row in report.themes:
        assert row.both + row.only_a + row.only_b + row.neither == len(segs)
        assert row.kappa is None or -1.0 - 1e-9 <= row.kappa <= 1.0 + 1e-9
    assert len(report.table()) == len(THEMES)
    diff = {s for s in segs if set(a.get(s, [])) != set(b.get(s, []))}
    assert {d.segment_id for d in report.disagreements} == diff


def test_confusion_counts_which_top_themes_get_mixed_up() -> None:
    from journeylab.coding.model import Coding, CodingStatus

    def c(seg: str, theme: str, coder: str) -> Coding:
        return Coding(seg, theme, coder, CodingStatus.MANUAL)

    codings = [
        c("s1", "Relationen", "A"), c("s1", "Relationen", "B"),
        c("s2", "Relationen", "A"), c("s2", "Skolen", "B"),
        c("s3", "Skolen", "A"), c("s3", "Skolen", "B"),
    ]  # fmt: skip
    report = agreement(codings, "A", "B", ["Relationen", "Skolen"], ["s1", "s2", "s3"])
    table = report.confusion()
    assert table.loc["Relationen", "Relationen"] == 1
    assert table.loc["Relationen", "Skolen"] == 1
    assert table.loc["Skolen", "Skolen"] == 1

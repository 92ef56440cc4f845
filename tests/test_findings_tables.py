"""The findings' counting: which codings count, computed by the store as by the plain rule."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from journeylab.coding.model import Codebook, CodingStatus, Role, Segment, SegmentKind, Theme
from journeylab.coding.store import SourceRecord, Store, open_store
from journeylab.themes.findings_tables import counted_pairs
from tests.conftest import write_study

TEXT = "Lone: Vi skifter sagsbehandler.\n\nKarsten: Skolen ringer.\n\nLone: Igen."
SEGMENTS = [
    Segment(f"t.txt#{i}", "t.txt", SegmentKind.TURN, i, start, end, TEXT[start:end], role,
            speaker, i, lemmas=lemmas)
    for i, (start, end, role, speaker, lemmas) in enumerate([
        (6, 31, Role.MEDARBEJDER, "Lone", ("vi", "skifte", "sagsbehandler")),
        (42, 56, Role.LEDER, "Karsten", ()),
        (64, 69, Role.UNG, None, ("igen",)),
    ])
]  # fmt: skip
THEMES = ("Relationen", "Skolen")
CODERS = ("anna", "bo", "machine:rules", "machine:similarity")
SCORES = st.one_of(st.none(), st.sampled_from([0.0, 0.2, 0.3, 0.5, 0.7, 1.0]))
CODING = st.tuples(st.sampled_from(list(CodingStatus)), SCORES)


def _store(root: Path) -> Store:
    study = write_study(root)
    store = open_store(study, create=True)
    store.sync_themes(Codebook("t", "da", tuple(Theme(n, "d") for n in THEMES)))
    store.put_source(SourceRecord("t.txt", "transcript", "abc", TEXT), SEGMENTS)
    return store


@settings(max_examples=60, deadline=None)
@given(
    st.dictionaries(
        st.tuples(
            st.sampled_from([s.id for s in SEGMENTS]),
            st.sampled_from(THEMES),
            st.sampled_from(CODERS),
        ),
        CODING,
        max_size=16,
    ),
    st.one_of(st.none(), st.sampled_from([0.0, 0.3, 0.5, 0.71])),
)
def test_the_store_counts_as_the_plain_rule_does(
    codings: dict[tuple[str, str, str], tuple[CodingStatus, float | None]],
    threshold: float | None,
) -> None:
    with tempfile.TemporaryDirectory() as tmp, _store(Path(tmp)) as store:
        for (seg, theme, coder), (status, score) in codings.items():
            store.set_coding(seg, theme, coder, status, score=score)
        plain = counted_pairs(store.codings(), threshold)
        fast = store.counted_codings(threshold)
        assert {(seg, theme): (only, score) for seg, theme, only, score in fast} == plain
        assert len(fast) == len(plain)


def test_a_rejection_stops_the_suggestions_but_not_a_persons_coding(tmp_path: Path) -> None:
    with _store(tmp_path) as store:
        seg = SEGMENTS[0].id
        store.set_coding(seg, "Skolen", "machine:rules", CodingStatus.SUGGESTED, score=0.9)
        store.set_coding(seg, "Skolen", "anna", CodingStatus.REJECTED)
        store.set_coding(seg, "Relationen", "machine:rules", CodingStatus.SUGGESTED, score=0.9)
        store.set_coding(seg, "Relationen", "bo", CodingStatus.REJECTED)
        store.set_coding(seg, "Relationen", "anna", CodingStatus.ACCEPTED, score=0.4)
        assert store.counted_codings(0.3) == [(seg, "Relationen", False, 0.4)]
        assert store.counted_codings(None) == [(seg, "Relationen", False, 0.4)]


def test_segments_quickly_are_the_segments(tmp_path: Path) -> None:
    with _store(tmp_path) as store:
        quick, plain = store.segments_quickly(), store.segments()
    assert quick == plain
    # Segment equality leaves lemmas out: compare them too, and every field's type.
    assert [s.lemmas for s in quick] == [s.lemmas for s in plain]
    assert [vars(s) for s in quick] == [vars(s) for s in plain]
    assert all(type(s.kind) is SegmentKind and type(s.role) is Role for s in quick)

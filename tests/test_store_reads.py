"""The store's read-only queries (coding/store_reads.py): filters, counts, search, light reads."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from journeylab.coding.model import CodingStatus, Role, Segment, SegmentKind, Suggestion
from journeylab.coding.store import SourceRecord, Store, open_store
from journeylab.coding.study import Study
from tests.test_store import CODEBOOK, TEXT, segs


@pytest.fixture
def store(make_study: Callable[..., Study]) -> Iterator[Store]:
    """The same two-segment store as tests/test_store.py's."""
    with open_store(make_study(), create=True) as s:
        s.sync_themes(CODEBOOK)
        s.put_source(SourceRecord("t.txt", "transcript", "abc", TEXT, title="FG"), segs())
        yield s


def test_statuses_filter(store: Store) -> None:
    store.set_coding("t.txt#0", "Skolen", "anna", CodingStatus.ACCEPTED)
    store.set_coding("t.txt#1", "Skolen", "anna", CodingStatus.REJECTED)
    assert [c.segment_id for c in store.codings(statuses=[CodingStatus.ACCEPTED])] == ["t.txt#0"]


def test_search_finds_prefixes_and_phrases_with_snippets(store: Store) -> None:
    [hit] = store.search("sagsbeh")
    assert hit.segment.id == "t.txt#0"
    assert ("sagsbehandler", True) in hit.parts()
    assert [h.segment.id for h in store.search('"ringer for sent"')] == ["t.txt#1"]
    assert store.search('"for ringer"') == []
    assert store.search("skolen sagsbehandler") == []  # all words must match


def test_search_index_follows_deletes(store: Store) -> None:
    store.delete_source("t.txt")
    assert store.search("skolen") == []
    assert store.integrity_ok()


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=40))
def test_search_never_fails_on_odd_input(store: Store, query: str) -> None:
    assert isinstance(store.search(query), list)


def test_min_score_drops_only_weak_suggestions(store: Store) -> None:
    store.replace_suggestions(
        "machine:rules",
        [
            Suggestion("t.txt#0", "Skolen", 0.2, 1, "rules"),
            Suggestion("t.txt#1", "Skolen", 0.6, 1, "rules"),
        ],
    )
    store.set_coding("t.txt#0", "Relationen", "anna", CodingStatus.MANUAL)  # no score
    got = {(c.segment_id, c.theme) for c in store.codings(min_score=0.5)}
    assert got == {("t.txt#1", "Skolen"), ("t.txt#0", "Relationen")}
    assert len(store.codings()) == 3


def test_count_codings_groups_by_theme(store: Store) -> None:
    store.replace_suggestions(
        "machine:rules",
        [
            Suggestion("t.txt#0", "Skolen", 0.2, 1, "rules"),
            Suggestion("t.txt#1", "Skolen", 0.6, 1, "rules"),
            Suggestion("t.txt#1", "Relationen", 0.3, 2, "rules"),
        ],
    )
    store.set_coding("t.txt#0", "Relationen", "anna", CodingStatus.MANUAL)
    suggested = [CodingStatus.SUGGESTED]
    assert store.count_codings(coder="machine:rules", statuses=suggested) == {
        "Skolen": 2,
        "Relationen": 1,
    }
    assert store.count_codings(coder="anna") == {"Relationen": 1}


def test_has_person_codings_ignores_machine_suggestions(store: Store) -> None:
    store.replace_suggestions("machine:rules", [Suggestion("t.txt#0", "Skolen", 0.2, 1, "rules")])
    assert not store.has_person_codings()
    # A rejected suggestion stays under the machine's name: agreement counts people only.
    store.set_coding("t.txt#0", "Skolen", "machine:rules", CodingStatus.REJECTED)
    assert not store.has_person_codings()
    store.set_coding("t.txt#1", "Skolen", "anna", CodingStatus.ACCEPTED)
    assert store.has_person_codings()


def test_count_and_codable_segments_read_what_segments_would(store: Store) -> None:
    assert store.count_segments() == len(store.segments()) == 2
    light = store.codable_segments()
    full = [s for s in store.segments() if s.role is not Role.INTERVIEWER]
    assert [(c.id, c.role, c.text, c.lemmas) for c in light] == [
        (s.id, s.role, s.text, s.lemmas) for s in full
    ]
    assert light[0].lemma_text == "vi skifte sagsbehandler"


def test_codable_segments_leave_the_interviewer_out(store: Store) -> None:
    question = Segment("q.txt#0", "q.txt", SegmentKind.TURN, 0, 0, 9, "Hvordan?", Role.INTERVIEWER)
    store.put_source(SourceRecord("q.txt", "transcript", "q", "Hvordan?"), [question])
    assert store.count_segments() == 3
    assert [c.id for c in store.codable_segments()] == ["t.txt#0", "t.txt#1"]

"""The report's bullets: hints matched against coded segments, counted by participant."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from journeylab.themes.statements import (
    Evidence,
    Matcher,
    _matches,
    build_statements,
    content_words,
    stem,
    supports,
)

WORDS = st.text(alphabet="abdegiknorstæøå", min_size=1, max_size=12)


@given(st.lists(WORDS, max_size=40), WORDS)
def test_the_index_finds_exactly_the_words_the_rule_matches(vocab: list[str], hint: str) -> None:
    expected = {w for w in vocab if _matches(hint, w)}
    assert Matcher(vocab).matching(hint) == expected


def test_inflections_and_compounds_match() -> None:
    assert stem("jobcenteret") == "jobcenter"
    assert _matches("sagsbehandler", "sagsbehandlere")
    assert _matches("skift", "kontaktpersonskift")  # a compound ending in the hint word
    assert not _matches("uge", "kogebog")
    assert _matches("sagsbehandler", "sagsbehandlerskiftet")


def test_a_hint_needs_two_of_its_topical_words() -> None:
    hint = content_words("skift af sagsbehandler eller kontaktperson")
    assert hint == ("skift", "sagsbehandler", "kontaktperson")
    both = Evidence("s1", "J1", "Endnu et skift af sagsbehandler.")
    one = Evidence("s2", "J2", "Min sagsbehandler var god.")
    assert supports(hint, both) and not supports(hint, one)


def test_statements_count_distinct_participants_most_supported_first() -> None:
    evidence = [
        Evidence("a", "J1", "Ny sagsbehandler og skift igen."),
        Evidence("b", "J1", "Endnu et skift af sagsbehandler."),
        Evidence("c", "J2", "Skift af kontaktperson, igen."),
        Evidence("d", "J3", "Ventetid på udredning i psykiatrien.", suggested=True),
    ]
    hints = [
        "ventetid på udredning og psykiatrien",
        "skift af sagsbehandler eller kontaktperson",
    ]
    overall, first, second = build_statements(hints, evidence, group_size=8, noun="ung")
    assert overall.topic == "" and overall.quantity.count == 3 and overall.suggested
    assert first.topic.startswith("skift af sagsbehandler")
    assert first.quantity.count == 2 and set(first.segment_ids) == {"a", "b", "c"}
    assert not first.suggested
    assert second.quantity.count == 1 and second.suggested

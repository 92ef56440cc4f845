"""The report's bullets: hints matched against coded segments, counted by participant."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from journeylab.themes.statements import (
    Evidence,
    HintIndex,
    _matches,
    build_statements,
    content_words,
    stem,
    supports,
    topic_text,
)

WORDS = st.text(alphabet="abdegiknorstæøå", min_size=1, max_size=12)


@given(st.lists(WORDS, max_size=40), WORDS)
def test_the_index_finds_exactly_the_hint_words_the_rule_matches(
    hints: list[str], word: str
) -> None:
    index = HintIndex(hints)
    expected = {h for h in hints if _matches(h, word)}
    assert index.word_hits(word) == expected
    assert index.word_hits(word) == expected  # the second answer comes from its cache


def test_a_texts_hits_come_from_its_words_and_its_lemmas() -> None:
    index = HintIndex(["sagsbehandler", "skift", "udredning"])
    assert index.hits(Evidence("a", "J1", "Kontaktpersonskift og nye Sagsbehandlere")) == {
        "skift",
        "sagsbehandler",
    }
    assert index.hits(Evidence("b", "J1", "noget andet", ("udredning",))) == {"udredning"}
    assert index.hits(Evidence("c", "J1", "noget andet")) == set()


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


def _brute_force(
    hints: list[str], evidence: list[Evidence], size: int, noun: str
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The statements' definition: every segment tested against every hint word."""
    topics = []
    for order, hint in enumerate(hints):
        words = content_words(hint)
        if not words:
            continue
        backing = [
            e for e in evidence if sum(1 for h in words if supports([h], e)) >= min(2, len(words))
        ]
        if backing:
            topics.append((-len({e.participant for e in backing}), order, hint, backing))
    topics.sort(key=lambda t: (t[0], t[1]))
    return tuple((hint, tuple(e.segment_id for e in backing)) for _, _, hint, backing in topics[:4])


SENTENCES = st.lists(WORDS, min_size=1, max_size=8).map(" ".join)


@given(
    st.lists(SENTENCES, max_size=5),
    st.lists(st.tuples(SENTENCES, st.lists(WORDS, max_size=3), st.integers(0, 4)), max_size=12),
)
def test_statements_back_a_hint_exactly_as_testing_every_segment_would(
    hints: list[str], rows: list[tuple[str, list[str], int]]
) -> None:
    evidence = [
        Evidence(f"s{i}", f"p{who}", text, tuple(lemmas))
        for i, (text, lemmas, who) in enumerate(rows)
    ]
    got = build_statements(hints, evidence, 5, "ung")
    topics = tuple((s.topic, s.segment_ids) for s in got[1:])
    expected = _brute_force(hints, evidence, 5, "ung")
    assert [t[1] for t in topics] == [ids for _, ids in expected]
    assert [t[0] for t in topics] == [topic_text(h) for h, _ in expected]


@given(
    st.lists(SENTENCES, max_size=5),
    st.lists(SENTENCES, max_size=5),
    st.lists(st.tuples(SENTENCES, st.lists(WORDS, max_size=3), st.integers(0, 4)), max_size=12),
)
def test_a_shared_index_of_more_hints_gives_the_same_statements(
    hints: list[str], other_hints: list[str], rows: list[tuple[str, list[str], int]]
) -> None:
    # A report shares one index over every theme's hints (themes/findings.py).
    evidence = [
        Evidence(f"s{i}", f"p{who}", text, tuple(lemmas))
        for i, (text, lemmas, who) in enumerate(rows)
    ]
    shared = HintIndex(w for h in hints + other_hints for w in content_words(h))
    alone = build_statements(hints, evidence, 5, "ung")
    assert build_statements(hints, evidence, 5, "ung", index=shared) == alone
    # An index that lacks some hint word is not trusted: a fresh one is made.
    assert build_statements(hints, evidence, 5, "ung", index=HintIndex([])) == alone

"""journeys/svgkit.py: text wrapping of the journey maps and excerpt notes."""

from __future__ import annotations

import re
import textwrap

from hypothesis import given, settings
from hypothesis import strategies as st

from journeylab.journeys.svgkit import wrap

LONG = 60  # max_lines high enough that nothing is cut


def unwrap(lines: list[str]) -> str:
    """The text back from its lines: a line ending in '-' continues the word."""
    text = ""
    for line in lines:
        text += line[:-1] if line.endswith("-") else line + " "
    return text.strip()


def test_a_long_word_is_broken_with_a_hyphen() -> None:
    lines = wrap("Jeg vil gerne starte på en ungdomsuddannelse på et tidspunkt", 16, LONG)
    broken = [line for line in lines if line.endswith("-")]
    assert len(broken) == 1 and broken[0].endswith("ungdomsuddanne-")
    assert all(len(line) <= 16 for line in lines)
    assert unwrap(lines) == "Jeg vil gerne starte på en ungdomsuddannelse på et tidspunkt"


def test_the_qa_case_leaves_no_fragment_that_is_a_word_of_its_own() -> None:
    # QA: "…uddann" / "else på": "else" matched the listed name Else.
    for width in (16, 19, 27):
        for text in ("en ungdomsuddannelse på", "Erhvervsuddannelse eller ungdomsuddannelse"):
            lines = wrap(text, width, LONG)
            words = re.findall(r"[^\W\d_]+", " ".join(lines).lower())
            assert "else" not in words, (width, lines)


def test_a_word_that_fits_on_a_line_is_not_broken() -> None:
    # It moves to the next line whole rather than filling the current one.
    assert wrap("starte på en ungdomsuddannelse nu", 19, LONG) == [
        "starte på en",
        "ungdomsuddannelse",
        "nu",
    ]
    assert wrap("ungdomsuddannelse", 17, LONG) == ["ungdomsuddannelse"]


def test_fragments_keep_at_least_three_letters_each_side() -> None:
    # Not "ung-" / "domsuddannelse" after a nearly full line, nor a one-letter tail.
    assert wrap("starte på en ungdomsuddannelse", 16, LONG)[1] == "ungdomsuddanne-"
    assert wrap("abcdefghij", 8, LONG) == ["abcdefg-", "hij"]
    parts = wrap("xx ungdomsuddannelsesvejledningen", 10, LONG)
    assert parts[0] == "xx ungdom-" and all(len(p.rstrip("-")) >= 3 for p in parts[1:])


def test_a_cut_line_ends_in_an_ellipsis_not_a_hyphen() -> None:
    assert wrap("abcdefghij", 9, 2) == ["abcdefg-", "hij"]
    assert wrap("abcdefghij", 9, 1) == ["abcdefg…"]  # not "abcdefg-…"
    assert wrap("en ungdomsuddannelse på sigt og mere tekst", 16, 1) == ["en ungdomsuddan…"]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.text("abcdefghijklmnopqrstuvwxyzæøå", min_size=1, max_size=40), max_size=12),
    st.integers(min_value=6, max_value=30),
)
def test_any_letters_wrap_within_the_width_and_come_back_whole(
    words: list[str], width: int
) -> None:
    text = " ".join(words)
    lines = wrap(text, width, LONG)
    assert all(len(line) <= width for line in lines)
    assert unwrap(lines) == text
    if all(len(w) <= width for w in words):  # ordinary text: exactly as textwrap wraps it
        assert lines == (textwrap.wrap(text, width) or [""])

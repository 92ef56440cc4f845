"""Careful quantifiers: the thresholds the method documents, in Danish and English."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from journeylab.themes.quantifiers import Quantity, capitalise, quantifier_key, quantify

ORDER = ["none", "few", "one", "several", "many", "most", "all"]


@pytest.mark.parametrize(
    ("count", "size", "expected"),
    [
        (0, 8, "ingen unge"),
        (1, 8, "én ung"),
        (2, 8, "flere unge"),  # 0.25 >= 0.15
        (2, 20, "få unge"),  # 0.10, fewer than 3
        (3, 40, "flere unge"),  # three people are "flere" even in a big group
        (4, 8, "mange unge"),  # 0.50
        (6, 8, "størstedelen af de unge"),  # 0.75
        (8, 8, "alle unge"),
        (1, 1, "én ung"),
    ],
)
def test_danish_thresholds(count: int, size: int, expected: str) -> None:
    assert quantify(count, size, "ung") == expected


def test_danish_nouns_singular_plural_definite() -> None:
    assert quantify(1, 5, "medarbejdere") == "én medarbejder"
    assert quantify(3, 5, "medarbejder") == "mange medarbejdere"
    assert quantify(4, 5, "medarbejder") == "størstedelen af medarbejderne"
    assert quantify(2, 2, "leder") == "alle ledere"
    assert quantify(2, 8, None) == "flere"


def test_english_words() -> None:
    assert quantify(0, 8, "ung", lang="en") == "no young people"
    assert quantify(1, 8, "ung", lang="en") == "one young person"
    assert quantify(2, 20, "medarbejder", lang="en") == "a few employees"
    assert quantify(2, 8, "medarbejder", lang="en") == "several employees"
    assert quantify(4, 8, "ung", lang="en") == "many young people"
    assert quantify(7, 8, "ung", lang="en") == "most young people"
    assert quantify(8, 8, "leder", lang="en") == "all leaders"


def test_count_above_group_is_the_whole_group() -> None:
    assert quantify(5, 3, "ung") == "alle unge"


def test_quantity_keeps_the_exact_count_for_the_analyst() -> None:
    q = Quantity(4, 8, "ung")
    assert q.phrase() == "mange unge"
    assert q.exact() == "n = 4 af 8"
    assert q.exact("en") == "n = 4 of 8"
    assert capitalise(q.phrase()) == "Mange unge"
    assert capitalise("én ung") == "Én ung"


@given(st.integers(0, 200), st.integers(0, 200), st.integers(0, 200))
def test_more_people_never_gives_a_smaller_word(a: int, b: int, size: int) -> None:
    low, high = sorted((a, b))
    # "one" sits between "few" and "several" only for the count 1 itself.
    k_low, k_high = quantifier_key(low, size), quantifier_key(high, size)
    if "one" not in (k_low, k_high):
        assert ORDER.index(k_low) <= ORDER.index(k_high)
    assert quantify(high, size, "ung")  # never empty, never raises


# One (count, size) per rule, so every level is checked on its own.
LEVELS = [(0, 8), (8, 8), (1, 8), (7, 8), (4, 8), (2, 8), (2, 20)]


@pytest.mark.parametrize("lang", ["da", "en"])
def test_the_word_alone_stands_alone_at_every_level(lang: str) -> None:
    # The overview's cell under "Unge"/"Young people" has no noun after the word.
    keys = {quantifier_key(count, size) for count, size in LEVELS}
    assert keys == set(ORDER)
    for count, size in LEVELS:
        word = quantify(count, size, None, lang)
        assert word.split()[-1] not in {"af", "of", "no"}, (count, size, word)
        assert word == word.strip() and word


def test_the_words_alone_in_danish_and_english() -> None:
    assert quantify(7, 8, None) == "størstedelen"
    assert quantify(0, 8, None, lang="en") == "none"
    assert quantify(7, 8, None, lang="en") == "most"
    # With a noun the phrase is unchanged.
    assert quantify(7, 8, "ung") == "størstedelen af de unge"
    assert quantify(0, 8, "ung", lang="en") == "no young people"

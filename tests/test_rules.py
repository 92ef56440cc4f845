"""The rules coder: keywords on words and lemmas, Danish compounds, phrases, negation."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from journeylab.coding.codebook import load_preset
from journeylab.coding.model import Codebook, Segment
from journeylab.coding.rules import (
    LENGTH_UNIT,
    _compile,
    _explain,
    _match_sequence,
    score_rules,
)
from journeylab.coding.scores import segment_lemmas, tokens
from tests.conftest import CB, book, seg


def scores_for(text: str, cb: Codebook = CB) -> dict[str, float]:
    s = score_rules([seg(text)], cb)
    return dict(zip(s.themes, s.matrix[0].tolist(), strict=True))


def test_compound_starting_with_keyword_matches() -> None:
    s = score_rules([seg("Der var sagsbehandlerskift hele tiden")], CB)
    assert s.matrix[0, 0] > 0
    assert "sagsbehandlerskift" in s.explanations[0][0]


@pytest.mark.parametrize("word", ["folkeskolen", "produktionsskole", "skolerne", "skolens"])
def test_keyword_at_the_end_or_inflected_matches(word: str) -> None:
    assert scores_for(f"Jeg gik på {word} dengang")["Skole"] > 0


def test_short_keyword_matches_whole_words_and_hyphen_parts_only() -> None:
    assert scores_for("Det var uundgåeligt")["Vejledning"] == 0
    assert scores_for("Jeg talte med uu om det")["Vejledning"] > 0
    assert scores_for("Min uu-vejleder ringede")["Vejledning"] > 0


def test_phrase_matches_and_its_last_word_may_go_on() -> None:
    assert scores_for("Efter 9. klassen var jeg færdig")["Vejledning"] > 0
    assert scores_for("Efter 9. juni og en klasse")["Vejledning"] == 0


def test_lemma_matches_when_the_surface_does_not() -> None:
    cb = book(("Tro", ("tro",)))
    plain = score_rules([seg("xyz")], cb).matrix[0, 0]
    lem = score_rules([seg("xyz", lemmas=("tro",))], cb).matrix[0, 0]
    assert plain == 0 and lem > 0


def test_negated_keyword_counts_but_weaker() -> None:
    plain = scores_for("Jeg havde tillid til hende")["Relation"]
    negated = scores_for("Jeg havde ikke tillid til hende")["Relation"]
    assert 0 < negated < plain
    s = score_rules([seg("Jeg havde aldrig tillid til hende")], CB)
    assert "ikke tillid" in s.explanations[0][0]


def test_more_matches_score_higher_and_long_segments_need_more() -> None:
    one = scores_for("Ny sagsbehandler.")["Relation"]
    two = scores_for("Ny sagsbehandler, ingen tillid overhovedet, men jeg prøvede.")["Relation"]
    long = scores_for("Ny sagsbehandler. " + "Vi snakkede om vejret og maden. " * 20)["Relation"]
    assert two > one > long > 0


def test_longest_keyword_wins_inside_one_word() -> None:
    cb = book(("Skole", ("skole",)), ("Erhverv", ("erhvervsskole",)))
    s = scores_for("Jeg startede på erhvervsskolen", cb)
    assert s["Erhverv"] > 0 and s["Skole"] == 0


def test_lemmas_computed_when_missing() -> None:
    # "vidste" only matches "vide" through its lemma, which the coder computes itself.
    cb = book(("Viden", ("vide",)))
    assert scores_for("Jeg vidste det godt", cb)["Viden"] > 0


def test_preset_codes_clear_danish_sentences() -> None:
    cb = load_preset("ungeindsats")
    texts = [
        "Ny sagsbehandler igen, og jeg skulle fortælle det hele forfra.",
        "Efter 9. klasse vidste jeg ikke, hvilken uddannelse jeg skulle vælge.",
        "Da jeg fyldte 18, stoppede min kontaktperson, og jobcentret overtog.",
    ]
    s = score_rules([seg(t, i) for i, t in enumerate(texts)], cb)
    top = [s.themes[int(np.argmax(row))] for row in s.matrix]
    assert top == [
        "Relationen",
        "Udskoling og overgangen efter 9. klasse",
        "Overgangen fra ung til voksen",
    ]


@settings(max_examples=50, deadline=None)
@given(st.lists(st.text(max_size=80), min_size=1, max_size=5))
def test_any_text_gives_scores_in_range(texts: list[str]) -> None:
    s = score_rules([seg(t, i) for i, t in enumerate(texts)], CB)
    assert s.matrix.shape == (len(texts), 3)
    assert ((s.matrix >= 0) & (s.matrix <= 1)).all()
    assert all(
        bool(e) == (v > 0)
        for row, m in zip(s.explanations, s.matrix, strict=True)
        for e, v in zip(row, m, strict=True)
    )


# -- the segment index and its cache -------------------------------------------------


def _reference(segments: list[Segment], cb: Codebook) -> tuple[np.ndarray, list[tuple[str, ...]]]:
    """score_rules by the definition: _match_sequence over each segment's words and lemmas."""
    kws = _compile(cb, "da")
    cache: dict[str, frozenset[str]] = {}
    matrix = np.zeros((len(segments), len(kws.themes)))
    explanations = []
    for i, (s, lems) in enumerate(zip(segments, segment_lemmas(segments), strict=True)):
        toks = tokens(s.text)
        on_w, on_l = _match_sequence(toks, kws, cache), _match_sequence(lems, kws, cache)
        row = [""] * len(kws.themes)
        length = max(1.0, math.sqrt(len(toks) / LENGTH_UNIT))
        for t in on_w.keys() | on_l.keys():
            a, b = on_w.get(t, {}), on_l.get(t, {})
            matrix[i, t] = max(sum(map(abs, a.values())), sum(map(abs, b.values()))) / length
            row[t] = _explain(a or b)
        explanations.append(tuple(row))
    return 1.0 - np.exp(-matrix), explanations


PHRASE_CB = book(
    ("Relation", ("sagsbehandler", "tillid", "stole på", "ikke mig")),
    ("Skole", ("skole", "9. klasse", "fra den ene dag til den anden")),
    ("Vejledning", ("uu", "tro på", "en voksen")),
)
WORDS = st.sampled_from(
    [
        "stole",
        "på",
        "ikke",
        "mig",
        "jeg",
        "9.",
        "klasse",
        "klassen",
        "fra",
        "den",
        "ene",
        "dag",
        "til",
        "anden",
        "en",
        "voksen",
        "voksne",
        "tro",
        "troede",
        "skole",
        "folkeskolen",
        "uu",
        "uu-vejleder",
        "sagsbehandlerskift",
        "tillid",
        "aldrig",
        ",",
        ".",
    ]
)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(WORDS, max_size=14).map(" ".join), min_size=1, max_size=6))
def test_indexed_scores_equal_the_per_sequence_definition(texts: list[str]) -> None:
    segments = [seg(t, i) for i, t in enumerate(texts)]
    matrix, explanations = _reference(segments, PHRASE_CB)
    s = score_rules(segments, PHRASE_CB)
    assert np.array_equal(s.matrix, matrix)
    assert list(s.explanations) == explanations


@pytest.mark.parametrize(
    "texts",
    [
        ["jeg kunne ikke stole på nogen", "efter 9. klassen gik det fra den ene dag til den anden"],
        ["tro på en voksen", "aldrig stole på ikke mig", "uu-vejleder", ""],
    ],
)
def test_the_per_sequence_phrase_search_is_the_definition_too(
    texts: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """When phrases cannot be found token by token (phrase_hits gives None), the per-
    segment text search runs: the same scores and explanations."""
    from journeylab.coding import rules

    monkeypatch.setattr(rules, "phrase_hits", lambda *args: None)
    segments = [seg(t, i) for i, t in enumerate(texts)]
    matrix, explanations = _reference(segments, PHRASE_CB)
    s = score_rules(segments, PHRASE_CB)
    assert np.array_equal(s.matrix, matrix)
    assert list(s.explanations) == explanations
    assert any(any(row) for row in explanations)


# Five phrases of equal weight (each its own lemma form), each starting with a different
# word: their order in an explanation is only the order the phrase search visits them in.
TIED_KEYWORDS = ("tro på", "stole på", "ingen hjælp", "ud af", "lige nu")
TIED_TEXT = (
    "lige nu kan jeg stole på nogen , jeg kom ud af skolen og fik ingen hjælp men vil tro på det"
)
_TIED_SCRIPT = f"""
import sys
from journeylab.coding.model import Codebook, Role, Segment, SegmentKind, Theme
from journeylab.coding.rules import score_rules
text = {TIED_TEXT!r}
segment = Segment("t#0", "t", SegmentKind.TURN, 0, 0, len(text), text, Role.UNG,
                  lemmas=tuple(text.split()))
book = Codebook("t", "da", (Theme("Relation", "d", keywords={TIED_KEYWORDS!r}),))
sys.stdout.write(score_rules([segment], book).explanations[0][0])
"""


def test_phrases_are_explained_in_the_order_their_first_words_appear() -> None:
    s = score_rules([seg(TIED_TEXT, 0, tuple(tokens(TIED_TEXT)))], book(("R", TIED_KEYWORDS)))
    assert s.explanations[0][0] == "lige nu, stole på, ud af, ingen hjælp, tro på"


def test_explanations_do_not_depend_on_the_string_hash_seed() -> None:
    """Stored codings, exports and reports must be reproducible from run to run."""
    import os
    import subprocess
    import sys

    outputs = set()
    for seed in ("0", "1", "2", "3", "4", "5"):
        done = subprocess.run(
            [sys.executable, "-c", _TIED_SCRIPT],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        )
        outputs.add(done.stdout)
    assert len(outputs) == 1
    assert outputs.pop().count(", ") == len(TIED_KEYWORDS) - 1


@pytest.mark.parametrize("text_by_text", [False, True])
def test_a_first_word_counts_from_its_first_appearance_not_its_first_match(
    text_by_text: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The word "ud" comes first, but "ud af" only matches last: the definition puts it first,
    and both the search over all segments at once (phrase_hits) and the text-by-text
    fallback must order it the same."""
    if text_by_text:
        from journeylab.coding import rules

        monkeypatch.setattr(rules, "phrase_hits", lambda *args: None)
    text = "jeg vil ud og lige nu kan jeg tro på at komme ud af det"
    segments = [seg(text, 0, tuple(tokens(text)))]
    cb = book(("R", TIED_KEYWORDS))
    s = score_rules(segments, cb)
    assert s.explanations[0][0] == "ud af, lige nu, tro på"
    assert list(s.explanations) == _reference(segments, cb)[1]

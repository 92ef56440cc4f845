"""Quote selection: whole sentences, length bounds, no interviewer, spread, pin and ban."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from journeylab.coding.model import Role
from journeylab.coding.study import load_study
from journeylab.errors import StudyError
from journeylab.themes.quote_text import is_introduction
from journeylab.themes.quotes import (
    Candidate,
    QuoteRules,
    load_quote_rules,
    quote_tag,
    select_quotes,
    split_sentences,
    strength,
    trim,
    word_count,
)

LONG = (
    "Jeg har haft fem forskellige sagsbehandlere på tre år. Hver gang skulle jeg fortælle "
    "det hele forfra. Det betød, at jeg til sidst aldrig sagde noget vigtigt. "
)


def cand(sid: str, text: str, who: str, source: str = "a.txt", role: Role = Role.UNG,
         score: float | None = None) -> Candidate:  # fmt: skip
    return Candidate(sid, text, role, who, source, "Fjordby Kommune", score)


def test_split_sentences_keeps_abbreviations_and_numbers() -> None:
    text = "Han gik ud af 9. klasse. Så kom han fx. på efterskole! Var det godt? Ja."
    assert split_sentences(text) == [
        "Han gik ud af 9. klasse.",
        "Så kom han fx. på efterskole!",
        "Var det godt?",
        "Ja.",
    ]


def test_trim_returns_whole_sentences_within_bounds() -> None:
    text = LONG * 4  # far above 60 words
    quote = trim(text, 8, 30)
    assert quote is not None
    assert 8 <= word_count(quote) <= 30
    assert quote[0].isupper() and quote.endswith(".")
    assert quote in " ".join(text.split())
    assert trim("For kort.", 8, 60) is None
    one_huge_sentence = " ".join(["ord"] * 70) + "."
    assert trim(one_huge_sentence, 8, 60) is None


def test_strength_prefers_first_person_and_evaluative_words() -> None:
    flat = "Der er et møde på rådhuset om tirsdagen klokken ti med afdelingerne."
    strong = "Jeg savnede altid en voksen, der aldrig gav op på mig og betød noget."
    assert strength(strong) > strength(flat)
    assert strength(flat, score=0.9) > strength(flat)


def test_the_interviewer_is_never_quoted() -> None:
    quotes = select_quotes([cand("i#0", LONG, "i|Interviewer", role=Role.INTERVIEWER)])
    assert quotes == ()


def test_at_most_one_quote_per_participant_until_others_are_used() -> None:
    candidates = [
        cand("a#1", LONG, "a|Mikkel", score=0.9),
        cand("a#2", LONG.replace("fem", "seks"), "a|Mikkel", score=0.9),
        cand("a#3", "Min mentor hjalp mig med at komme op om morgenen og i skole.", "a|Amalie"),
        cand("b#1", "Vi ser at de unge bliver sendt rundt mellem afdelingerne hele tiden.",
             "b|Lone", source="b.txt"),
    ]  # fmt: skip
    quotes = select_quotes(candidates, QuoteRules(per_theme=3))
    assert len({q.participant for q in quotes}) == 3
    more = select_quotes(candidates, QuoteRules(per_theme=4))
    assert [q.participant for q in more].count("a|Mikkel") == 2  # only once others are used


def test_new_sources_come_before_a_second_quote_from_one_interview() -> None:
    candidates = [
        cand("a#1", LONG, "a|Mikkel", score=1.0),
        cand("a#2", "Jeg savnede altid nogen, der ringede tilbage, når jeg havde brug for det.",
             "a|Amalie", score=1.0),
        cand("b#1", "Der er mange møder om de unge, og de bliver holdt på rådhuset.", "b|Lone",
             source="b.txt"),
    ]  # fmt: skip
    quotes = select_quotes(candidates, QuoteRules(per_theme=2))
    assert {q.source for q in quotes} == {"a.txt", "b.txt"}


def test_pinned_first_and_banned_never() -> None:
    short = cand("a#9", "Kort og godt.", "a|Amalie")  # too short, but the analyst pinned it
    candidates = [cand("a#1", LONG, "a|Mikkel", score=1.0), short]
    quotes = select_quotes(candidates, QuoteRules(pinned=("a#9",)))
    assert quotes[0].segment_id == "a#9" and quotes[0].pinned
    banned = select_quotes(candidates, QuoteRules(banned=("a#1",)))
    assert "a#1" not in {q.segment_id for q in banned}


def test_rules_are_read_from_study_toml(tmp_path: Path) -> None:
    (tmp_path / "study.toml").write_text(
        '[study]\ntitle = "T"\n[report]\npinned = ["x#1"]\nbanned = ["x#2"]\n'
        "quote_max_words = 40\n",
        encoding="utf-8",
    )
    rules = load_quote_rules(load_study(tmp_path))
    assert rules == QuoteRules(max_words=40, pinned=("x#1",), banned=("x#2",))


def test_bad_rules_name_the_table(tmp_path: Path) -> None:
    (tmp_path / "study.toml").write_text(
        '[study]\ntitle = "T"\n[report]\npinned = "x#1"\n', encoding="utf-8"
    )
    with pytest.raises(StudyError, match=r"\[report\].*pinned"):
        load_quote_rules(load_study(tmp_path))


def test_quote_tag_is_role_and_municipality_only() -> None:
    assert quote_tag(Role.UNG, "Fjordby Kommune") == "ung i Fjordby Kommune"
    assert quote_tag(Role.LEDER, "Fjordby Kommune") == "leder i Fjordby Kommune"
    assert quote_tag(Role.UNG, "Fjordby Kommune", "en") == "young person, Fjordby Kommune"
    assert quote_tag(Role.MEDARBEJDER, None) == "medarbejder"


def _trim_by_brute_force(text: str, min_words: int, max_words: int) -> str | None:
    """trim() by its definition: strength() of every run of whole sentences."""
    sentences = split_sentences(" ".join(text.split()))
    best: tuple[float, int, str] | None = None
    for i in range(len(sentences)):
        for j in range(i, len(sentences)):
            window = " ".join(sentences[i : j + 1])
            total = word_count(window)
            if total > max_words:
                break
            if total >= min_words and (best is None or (strength(window), total) > best[:2]):
                best = (strength(window), total, window)
    return best[2] if best else None


_QUOTE_WORDS = st.sampled_from(
    ["Jeg", "vi", "Det", "var", "aldrig", "altid", "svært", "skolen", "mor", "tryg", "min",
     "Hun", "9.", "klasse", "fx.", "uu-vejleder", "ikke", "Vores", "!", "?", ".", "…", "»"]
)  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(
    st.lists(_QUOTE_WORDS, max_size=80).map(" ".join),
    st.integers(1, 12),
    st.integers(1, 40),
)
def test_trim_picks_the_strongest_run_of_sentences(text: str, lo: int, hi: int) -> None:
    assert trim(text, lo, hi) == _trim_by_brute_force(text, lo, hi)


def _reference_select(cands: list[Candidate], rules: QuoteRules) -> list[str]:
    """The selection without the strength bounds: every candidate trimmed."""
    pool = []
    for c in cands:
        text = trim(c.text, rules.min_words, rules.max_words)
        if text is not None and c.role is not Role.INTERVIEWER and not is_introduction(c.text):
            pool.append((strength(text, c.score), c))
    pool.sort(key=lambda p: (-p[0], p[1].segment_id))
    chosen: list[Candidate] = []
    while pool and len(chosen) < rules.per_theme:
        people = {c.participant for c in chosen}
        sources = {c.source for c in chosen}
        best = max(pool, key=lambda p: (p[1].participant not in people, p[1].source not in sources))
        chosen.append(best[1])
        pool.remove(best)
    return [c.segment_id for c in chosen]


_SENTENCES = st.sampled_from(
    [
        "Jeg savnede altid en voksen.",
        "Det var svært og hårdt at starte forfra igen i en ny klasse.",
        "Hun lyttede.",
        "Sagsbehandleren ringede tilbage efter tre uger, og så var det for sent for mig.",
        "Vi havde ingen plan for overgangen.",
        "Ja. Medarbejder 2, jeg er mentor i Ungecentret, og jeg savner altid en plan.",
        "Skolen sendte et brev hjem til forældrene om fraværet i ottende klasse.",
    ]
)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.lists(_SENTENCES, min_size=1, max_size=5),
            st.sampled_from(["p1", "p2", "p3"]),
            st.sampled_from(["a.txt", "b.txt"]),
            st.sampled_from([None, 0.2, 0.9]),
        ),
        max_size=25,
    ),
    st.integers(1, 4),
)
def test_bounded_selection_equals_trimming_every_candidate(
    rows: list[tuple[list[str], str, str, float | None]], per_theme: int
) -> None:
    cands = [
        Candidate(f"s#{i}", " ".join(sents), Role.UNG, who, src, "Aarhus", score)
        for i, (sents, who, src, score) in enumerate(rows)
    ]
    rules = QuoteRules(min_words=6, max_words=30, per_theme=per_theme)
    got = [q.segment_id for q in select_quotes(cands, rules)]
    assert got == _reference_select(cands, rules)


WORDY = st.lists(
    st.sampled_from(["jeg", "Mig", "vi", "godt", "ALDRIG", "svært", "skolen", "og", "14", "æ"]),
    max_size=40,
).map(" ".join)


@given(WORDY, st.one_of(st.none(), st.floats(0, 1)), st.sampled_from(["da", "en"]))
def test_strength_is_its_definition_on_any_text(text: str, score: float | None, lang: str) -> None:
    from journeylab.themes.quotes import _EVALUATIVE, _FIRST_PERSON, _WORD

    words = [w.lower() for w in _WORD.findall(text)]
    value = 1.0 if any(w in _FIRST_PERSON[lang] for w in words) else 0.0
    value += min(1.5, 0.5 * sum(1 for w in words if w in _EVALUATIVE[lang]))
    value += score or 0.0
    value += 0.5 if 12 <= len(words) <= 35 else 0.0
    # Twice: the second answer comes from the per-text cache.
    assert strength(text, score, lang) == strength(text, score, lang) == round(value, 4)


def test_introductions_are_never_picked_unless_pinned() -> None:
    # The introduction is the strongest candidate (first person, "altid", "aldrig",
    # a good length, a high score): only the rule keeps it out.
    intro = (
        "Ja. Medarbejder 5, jeg er jobkonsulent i ungeenheden i jobcentret, og jeg har altid "
        "sagt, at vi aldrig må lade de unge vente alene."
    )
    about = "Jeg er bekymret for de unge, der falder fra i november, for der er ingen, der ser dem."
    cands = [
        cand("f#1", intro, "f|Medarbejder 5", "f", Role.MEDARBEJDER, score=0.9),
        cand("f#2", LONG, "f|Medarbejder 6", "f", Role.MEDARBEJDER),
        cand("g#1", about, "g|Medarbejder 7", "g", Role.MEDARBEJDER),
    ]
    picked = [q.segment_id for q in select_quotes(cands, QuoteRules(per_theme=3))]
    assert picked and "f#1" not in picked
    assert set(picked) == {"f#2", "g#1"}
    pinned = select_quotes(cands, QuoteRules(per_theme=3, pinned=("f#1",)))
    assert pinned[0].segment_id == "f#1"  # the analyst chose it: shown as chosen

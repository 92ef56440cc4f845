"""Pseudonymisation: real names are replaced in whole words, and a leak is caught."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from journeylab.coding.model import Participant, Role
from journeylab.coding.study import load_study
from journeylab.errors import PrivacyError
from journeylab.themes.privacy import Pseudonymiser

TOML = """\
[study]
title = "T"
[names]
"Jonas" = "Oliver"
"Sabrina Holt" = "Cecilie"
"Ida" = "Freja"
"""


@pytest.fixture
def names(tmp_path: Path) -> Pseudonymiser:
    (tmp_path / "study.toml").write_text(TOML, encoding="utf-8")
    participants = [
        Participant("Pernille", Role.MEDARBEJDER, pseudonym="Medarbejder 5"),
        Participant("Interviewer", Role.INTERVIEWER),
    ]
    return Pseudonymiser.from_study(load_study(tmp_path), participants)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Jonas kom for sent.", "Oliver (opdigtet navn) kom for sent."),
        (
            "Jeg talte med jonas, og JONAS sagde nej.",
            "Jeg talte med Oliver (opdigtet navn), og Oliver (opdigtet navn) sagde nej.",
        ),
        ("Det var Jonas' idé.", "Det var Olivers (opdigtet navn) idé."),
        ("Sabrinas mor ringede.", "Cecilies (opdigtet navn) mor ringede."),
        ("Sabrina Holt flyttede.", "Cecilie (opdigtet navn) flyttede."),
        ("Sabrina\nHolt flyttede.", "Cecilie (opdigtet navn) flyttede."),
        ("Sabrina flyttede.", "Cecilie (opdigtet navn) flyttede."),
        ("»Ida?« spurgte hun.", "»Freja (opdigtet navn)?« spurgte hun."),
        ("Jonas-sagen", "Oliver-sagen"),
        ("Pernille sagde det.", "Medarbejder 5 sagde det."),
    ],
)
def test_names_are_replaced(names: Pseudonymiser, text: str, expected: str) -> None:
    assert names.text(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The surname alone is the person (or the family): the made-up name stands in.
        ("Holt alene", "Cecilie (opdigtet navn) alene"),
        ("Holts mor ringede.", "Cecilies (opdigtet navn) mor ringede."),
        ("Det sagde HOLT.", "Det sagde Cecilie (opdigtet navn)."),
        # File names and segment ids join words with "_" and "-": no marker inside them.
        ("transcripts/fokusgruppe_Jonas.md#6", "transcripts/fokusgruppe_Oliver.md#6"),
        ("samtale_med_jonas_2.md", "samtale_med_Oliver_2.md"),
        ("samtale-med-Sabrina_Holt.md", "samtale-med-Cecilie.md"),
        ("interview_Holt.txt", "interview_Cecilie.txt"),
        ("__Ida__", "__Freja__"),
    ],
)
def test_surnames_and_underscored_names_are_replaced(
    names: Pseudonymiser, text: str, expected: str
) -> None:
    assert names.text(text) == expected
    names.check(expected)
    with pytest.raises(PrivacyError):
        names.check(text)


# Digits stay part of a word: hexadecimal ids and hashes (REFI-QDA GUIDs) would
# otherwise hold short names made of a-f at random.
@pytest.mark.parametrize(
    "text", ["Familien Jonasen", "Idaho", "Sabrinaer", "Holten", "Jonas2", "9ida0", "_Idaho_"]
)
def test_names_inside_other_words_stay(names: Pseudonymiser, text: str) -> None:
    assert names.text(text) == text
    names.check(text)


def test_speakers_get_their_pseudonym(names: Pseudonymiser) -> None:
    assert names.speaker("Pernille") == "Medarbejder 5"
    assert names.speaker("Interviewer") == "Interviewer"
    assert names.speaker(None) is None


def test_check_raises_with_the_context(names: Pseudonymiser) -> None:
    with pytest.raises(PrivacyError) as info:
        names.check("linje et\nHer står sabrina igen", path="out.html")
    message = str(info.value)
    assert "out.html" in message and "line 2" in message and "står sabrina igen" in message
    assert "\n" not in message
    names.check("Her står Cecilie og Jonasen")  # no real name: no error


def test_the_hint_does_not_send_the_user_back_to_names(names: Pseudonymiser) -> None:
    # Every name the check finds is already listed: "add it to [names]" is a circle.
    for text, listed in [
        ("Jonas' sag", "listed in [names]"),
        ("Holts mor", "part of 'Sabrina Holt' in [names]"),
        ("Pernille sagde", "a speaker's real name (shown as 'Medarbejder 5')"),
    ]:
        with pytest.raises(PrivacyError) as info:
            names.check(text, path="rapport.html")
        message = str(info.value)
        assert "add the name" not in message
        assert listed in message and "not pseudonymised" in message
        assert "nothing was written" in message


def test_check_names_the_place_and_the_fix_it_is_given(names: Pseudonymiser) -> None:
    with pytest.raises(PrivacyError) as info:
        names.check(
            "a\nb\ntema om Jonas", path="ark.xlsx", where="row 4, column 'nyt tema'", fix="do X"
        )
    message = str(info.value)
    assert message.startswith("ark.xlsx, row 4, column 'nyt tema': a real name ('Jonas')")
    assert "but do X; nothing was written" in message and "line 3" not in message


def test_find_gives_the_name_as_written(names: Pseudonymiser) -> None:
    assert names.find("transcripts/fokusgruppe_JONAS.md") == "JONAS"
    assert names.find("samtale-med-sabrina_holt.md") == "sabrina_holt"
    assert names.find("Holts mor") == "Holt"
    assert names.find("journeys/J01.yaml#J01:3") is None
    assert names.find("") is None
    assert names.origin("HOLT") == "part of 'Sabrina Holt' in [names]"


def test_check_rows_names_the_sheet_row_and_column(names: Pseudonymiser) -> None:
    rows = [
        {"source": "a.md", "theme": "Skolen"},
        {"source": "b.md", "theme": None},
        {"source": "c.md", "theme": "Idas netværk"},
    ]
    names.check_rows(rows[:2], "x.xlsx")  # nothing named: no error
    with pytest.raises(PrivacyError) as info:
        names.check_rows(
            rows, "x.xlsx", sheet="kodning", labels={"theme": "tema"}, fix=lambda c, v: f"fix {c}"
        )
    message = str(info.value)
    assert message.startswith("x.xlsx, sheet 'kodning', row 4, column 'tema': a real name ('Ida')")
    assert "but fix theme;" in message


def test_a_made_up_name_that_is_also_real_is_refused(tmp_path: Path) -> None:
    (tmp_path / "study.toml").write_text(
        '[study]\ntitle = "T"\n[names]\n"Jonas" = "Oliver"\n"Oliver" = "Jonas"\n',
        encoding="utf-8",
    )
    with pytest.raises(PrivacyError, match="also listed as a real name"):
        Pseudonymiser.from_study(load_study(tmp_path))


WORDS = st.sampled_from(
    ["Jonas", "jonas", "Jonas'", "Sabrina", "Sabrinas", "Holt", "Holts", "Ida", "Idas",
     "Jonasen", "Pernille", "og", "sagde", ",", ".", " ", "\n", "-", "_", "2", "»", "«", "'"]
)  # fmt: skip


PLAIN = Pseudonymiser(
    names=(
        ("Jonas", "Oliver"),
        ("Sabrina Holt", "Cecilie"),
        ("Sabrina", "Cecilie"),
        ("Holt", "Cecilie"),
        ("Ida", "Freja"),
        ("Pernille", "Medarbejder 5"),
    )
)


def test_from_study_expands_first_names_and_surnames(names: Pseudonymiser) -> None:
    assert set(PLAIN.names) <= set(names.names)


def _study(tmp_path: Path, names: str) -> Path:
    (tmp_path / "study.toml").write_text(f'[study]\ntitle = "T"\n[names]\n{names}', "utf-8")
    return tmp_path


def test_a_surname_maps_to_the_made_up_surname(tmp_path: Path) -> None:
    study = load_study(_study(tmp_path, '"Sabrina Holt" = "Cecilie Berg"\n'))
    names = Pseudonymiser.from_study(study)
    assert names.text("Sabrina Holt") == "Cecilie Berg (opdigtet navn)"
    assert names.text("Sabrina kom") == "Cecilie (opdigtet navn) kom"
    assert names.text("Holts mor") == "Bergs (opdigtet navn) mor"


def test_a_name_listed_on_its_own_wins_over_a_part(tmp_path: Path) -> None:
    toml = '"Sabrina Holt" = "Cecilie"\n"Holt" = "Anders"\n"Sabrina" = "Maja"\n'
    names = Pseudonymiser.from_study(load_study(_study(tmp_path, toml)))
    assert names.text("Holt og Sabrina") == "Anders (opdigtet navn) og Maja (opdigtet navn)"
    assert names.text("Sabrina Holt") == "Cecilie (opdigtet navn)"  # the longest match first


def test_a_speakers_first_name_and_surname_get_the_whole_pseudonym(tmp_path: Path) -> None:
    study = load_study(_study(tmp_path, ""))
    people = [Participant("Lone Hansen", Role.MEDARBEJDER, pseudonym="Medarbejder 1")]
    names = Pseudonymiser.from_study(study, people)
    assert names.text("Lone og Hansen, Lone Hansen") == (
        "Medarbejder 1 og Medarbejder 1, Medarbejder 1"
    )


def test_a_made_up_name_that_is_a_real_surname_is_refused(tmp_path: Path) -> None:
    study = load_study(_study(tmp_path, '"Sabrina Holt" = "Cecilie"\n"Jonas" = "Holt"\n'))
    with pytest.raises(PrivacyError, match="part of 'Sabrina Holt' in \\[names\\]"):
        Pseudonymiser.from_study(study)


@given(st.lists(WORDS, max_size=25))
def test_after_replacing_no_real_name_remains(words: list[str]) -> None:
    text = "".join(words)
    PLAIN.check(PLAIN.text(text))


LISTED = ["Jonas", "Sabrina Holt", "Sabrina_Holt", "Sabrina", "Holt", "Ida", "Pernille"]
SEPARATORS = st.sampled_from([" ", "_", "-", "/", ".", "»", "(", "\n", "#", "__"])


@st.composite
def a_name_in_context(draw: st.DrawFn) -> str:
    name = draw(st.sampled_from(LISTED))
    name = draw(st.sampled_from([name, name.upper(), name.lower(), name.title()]))
    name += draw(st.sampled_from(["", "s", "'", "'s", "’s"]))
    before = draw(st.sampled_from(["", "fokusgruppe", "samtale-med", "Hej", "J01"]))
    after = draw(st.sampled_from(["", "md", "2", "sagen", "mor"]))
    left = draw(SEPARATORS) if before else ""
    right = draw(SEPARATORS) if after else ""
    return before + left + name + right + after


@given(a_name_in_context(), st.sampled_from(["", "x\n", "»"]))
def test_no_listed_name_in_any_form_survives_and_the_raw_text_is_caught(
    text: str, prefix: str
) -> None:
    # Every listed name, in any case, possessive, with "_" or "-" or a space around it.
    text = prefix + text
    names = PLAIN
    with pytest.raises(PrivacyError):
        names.check(text)
    assert names.find(text) is not None
    replaced = names.text(text)
    names.check(replaced)
    assert names.find(replaced) is None


def test_english_study_marks_made_up_names_in_english(tmp_path: Path) -> None:
    toml = TOML.replace('title = "T"', 'title = "T"\nlanguage = "en"')
    (tmp_path / "study.toml").write_text(toml, encoding="utf-8")
    names = Pseudonymiser.from_study(load_study(tmp_path))
    assert names.text("Jonas left.") == "Oliver (made-up name) left."


def test_the_outputs_language_picks_the_marker(tmp_path: Path) -> None:
    (tmp_path / "study.toml").write_text(TOML, encoding="utf-8")  # a Danish study
    study = load_study(tmp_path)
    english = Pseudonymiser.from_study(study, language="en")
    assert english.text("Jonas left.") == "Oliver (made-up name) left."
    danish = Pseudonymiser.from_study(study, language="da")
    assert danish.text("Jonas gik.") == "Oliver (opdigtet navn) gik."
    assert Pseudonymiser.from_study(study).text("Jonas") == "Oliver (opdigtet navn)"


def test_a_speaker_label_given_twice_keeps_its_first_pseudonym() -> None:
    names = Pseudonymiser(
        names=(("Jonas", "Oliver"),),
        speakers=(("Pernille", "Medarbejder 1"), ("Pernille", "Medarbejder 2")),
    )
    assert names.speaker("Pernille") == "Medarbejder 1"
    # A label that is no participant's still loses its real names.
    assert names.speaker("Jonas") == "Oliver"
    assert names.speaker("Ukendt") == "Ukendt"


# -- decomposed Unicode (NFD), as macOS file names and some PDFs spell "å" -----------


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def test_a_name_listed_decomposed_finds_the_composed_spelling(tmp_path: Path) -> None:
    # study.toml written on a Mac: the [names] key and value are decomposed.
    study = load_study(_study(tmp_path, f'"{nfd("Kåre Ørum")}" = "{nfd("Søs")}"\n'))
    names = Pseudonymiser.from_study(study)
    assert names.text("Kåre og ørums far") == "Søs (opdigtet navn) og Søs' (opdigtet navn) far"
    with pytest.raises(PrivacyError):
        names.check("hos Kåre")
    assert names.find("KÅRES far") == "KÅRE"  # the possessive "s" is not the name


@pytest.mark.parametrize("listed", ["Kåre", nfd("Kåre")])
def test_decomposed_text_is_replaced_found_and_caught(listed: str) -> None:
    names = Pseudonymiser(names=((listed, "Palle"),), marked=frozenset({"Palle"}), marker=" (x)")
    text = nfd("en dreng, Kåre, og KÅRES far; samtale_Kåre.md")
    assert text != unicodedata.normalize("NFC", text)  # really decomposed
    assert names.text(text) == "en dreng, Palle (x), og Palles (x) far; samtale_Palle.md"
    assert names.find(text) == "Kåre"
    with pytest.raises(PrivacyError, match="Kåre"):
        names.check(text, path="r.html")
    names.check_rows([{"a": "ok"}])
    with pytest.raises(PrivacyError, match="row 3"):
        names.check_rows([{"a": "ok"}, {"a": nfd("Åse og Kåre")}])


def test_a_decomposed_speaker_label_gets_its_pseudonym() -> None:
    names = Pseudonymiser(names=(), speakers=((nfd("Kåre"), "Medarbejder 1"),))
    assert names.speaker("Kåre") == "Medarbejder 1"
    assert names.speaker(nfd("Kåre")) == "Medarbejder 1"


# -- the parts of a name: space, "-" and "_" are the same ------------------------------


@pytest.mark.parametrize("listed", ["Anne-Marie", "Anne Marie", "Anne_Marie"])
@pytest.mark.parametrize(
    "written", ["Anne-Marie", "Anne Marie", "Anne_Marie", "anne\u00a0marie", "ANNE\nMARIE",
                "Anne\u2011Marie", "Anne - Marie"],
)  # fmt: skip
def test_the_parts_of_a_name_may_be_joined_any_way(listed: str, written: str) -> None:
    names = Pseudonymiser(names=((listed, "Tove"),))
    assert names.text(f"hos {written}s mor") == "hos Toves mor"
    assert names.find(f"samtale_{written}.md") == written
    with pytest.raises(PrivacyError):
        names.check(f"hos {written}")


def test_a_hyphenated_name_has_parts_like_a_name_with_a_space(tmp_path: Path) -> None:
    study = load_study(_study(tmp_path, '"Anne-Marie" = "Tove-Lise"\n"Karl-Emil Hansen" = "Bo"\n'))
    names = Pseudonymiser.from_study(study)
    assert names.text("Anne og Marie") == "Tove (opdigtet navn) og Lise (opdigtet navn)"
    assert names.text("Anne Marie") == "Tove-Lise (opdigtet navn)"
    assert names.text("Karl Emil Hansen, Hansens") == "Bo (opdigtet navn), Bos (opdigtet navn)"
    assert names.text("Emil") == "Emil"  # a middle name alone is not matched


NORDIC = ["Åse", "Kåre", "Søren Ærø", "Anne-Marie", "Karl Emil", "Lise_Lotte", "Per"]
PARTS_SEP = st.sampled_from([" ", "-", "_", "\u00a0", "\n", "\u2011", "  "])


@given(
    st.sampled_from(NORDIC),
    st.sampled_from(["NFC", "NFD"]),
    st.sampled_from(["NFC", "NFD"]),
    PARTS_SEP,
    st.sampled_from([str, str.upper, str.lower]),
    st.sampled_from(["", "s"]),
)
def test_any_listed_name_in_any_spelling_is_replaced_and_caught(
    listed: str, listed_form: str, text_form: str, sep: str, case: Callable[[str], str], poss: str
) -> None:
    # Listed NFC or NFD, written NFC or NFD, any case, any separator between its parts.
    names = Pseudonymiser(names=((unicodedata.normalize(listed_form, listed), "Zorro"),))
    words = re.split(r"[ _-]", listed)
    written = unicodedata.normalize(text_form, case(sep.join(words)) + poss)
    text = f"hos {written}, sagde hun; fil_{written}.md"
    with pytest.raises(PrivacyError):
        names.check(text)
    assert names.find(text) is not None
    replaced = names.text(text)
    assert replaced.count("Zorro") == 2
    names.check(replaced)
    names.check(unicodedata.normalize("NFD", replaced))


# -- the tool's own words in HTML and SVG ----------------------------------------------

OWN = Pseudonymiser(names=(("Per", "Poul"), ("Max", "Zorro"), ("Li", "Ane"), ("Mark", "Bent")))
PAGE = """<!DOCTYPE html>
<html><head><style>
img { max-width: 100%; } /* a page per theme */
</style><script>var x = Math.max(1, 2); // one per line
</script></head>
<body><ul><li class="a" title='Counts &gt; 2'>BODY</li></ul><mark>ok</mark></body></html>
"""


@pytest.mark.parametrize("path", ["rapport.html", "kort/J01.svg", "rapport.docx", None])
def test_css_javascript_and_tag_names_of_an_html_output_are_not_read(path: str | None) -> None:
    OWN.check(PAGE.replace("BODY", "Sofie"), path)  # Max, per, li, mark: the tool's own words


@pytest.mark.parametrize(
    "body", ["Per", "hos MAX", '<a title="Per">x</a>', "<a title='a > Li'>x</a>", "<a alt=Mark>"]
)
def test_text_and_attribute_values_of_an_html_output_are_read(body: str) -> None:
    with pytest.raises(PrivacyError) as info:
        OWN.check(PAGE.replace("BODY", body), "rapport.html")
    assert "line 6" in str(info.value)  # the line stays right after the blanking


def test_plain_text_outputs_are_read_whole() -> None:
    # A Markdown report is never markup, even when it holds what looks like a tag.
    with pytest.raises(PrivacyError, match="max"):
        OWN.check(PAGE.replace("BODY", "Sofie"), "rapport.md")
    with pytest.raises(PrivacyError, match="Per"):
        OWN.check("<style>Per</style>", "kodning.csv")

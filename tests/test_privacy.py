"""Pseudonymisation: real names are replaced in whole words, and a leak is caught."""

from __future__ import annotations

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


@pytest.mark.parametrize("text", ["Familien Jonasen", "Idaho", "Sabrinaer", "Holt alene"])
def test_names_inside_other_words_stay(names: Pseudonymiser, text: str) -> None:
    # Whole words only; a last name alone is not a listed name.
    assert names.text(text) == text


def test_speakers_get_their_pseudonym(names: Pseudonymiser) -> None:
    assert names.speaker("Pernille") == "Medarbejder 5"
    assert names.speaker("Interviewer") == "Interviewer"
    assert names.speaker(None) is None


def test_check_raises_with_the_context(names: Pseudonymiser) -> None:
    with pytest.raises(PrivacyError) as info:
        names.check("linje et\nHer står sabrina igen", path="out.html")
    message = str(info.value)
    assert "out.html" in message and "line 2" in message and "står sabrina igen" in message
    names.check("Her står Cecilie og Jonasen")  # no real name: no error


def test_a_made_up_name_that_is_also_real_is_refused(tmp_path: Path) -> None:
    (tmp_path / "study.toml").write_text(
        '[study]\ntitle = "T"\n[names]\n"Jonas" = "Oliver"\n"Oliver" = "Jonas"\n',
        encoding="utf-8",
    )
    with pytest.raises(PrivacyError, match="also listed as a real name"):
        Pseudonymiser.from_study(load_study(tmp_path))


WORDS = st.sampled_from(
    ["Jonas", "jonas", "Jonas'", "Sabrina", "Sabrinas", "Holt", "Ida", "Idas", "Jonasen",
     "Pernille", "og", "sagde", ",", ".", " ", "\n", "-", "»", "«", "'"]
)  # fmt: skip


PLAIN = Pseudonymiser(
    names=(
        ("Jonas", "Oliver"),
        ("Sabrina Holt", "Cecilie"),
        ("Sabrina", "Cecilie"),
        ("Ida", "Freja"),
        ("Pernille", "Medarbejder 5"),
    )
)


def test_from_study_expands_first_names(names: Pseudonymiser) -> None:
    assert set(PLAIN.names) <= set(names.names)


@given(st.lists(WORDS, max_size=25))
def test_after_replacing_no_real_name_remains(words: list[str]) -> None:
    text = "".join(words)
    PLAIN.check(PLAIN.text(text))


def test_english_study_marks_made_up_names_in_english(tmp_path: Path) -> None:
    toml = TOML.replace('title = "T"', 'title = "T"\nlanguage = "en"')
    (tmp_path / "study.toml").write_text(toml, encoding="utf-8")
    names = Pseudonymiser.from_study(load_study(tmp_path))
    assert names.text("Jonas left.") == "Oliver (made-up name) left."


def test_a_speaker_label_given_twice_keeps_its_first_pseudonym() -> None:
    names = Pseudonymiser(
        names=(("Jonas", "Oliver"),),
        speakers=(("Pernille", "Medarbejder 1"), ("Pernille", "Medarbejder 2")),
    )
    assert names.speaker("Pernille") == "Medarbejder 1"
    # A label that is no participant's still loses its real names.
    assert names.speaker("Jonas") == "Oliver"
    assert names.speaker("Ukendt") == "Ukendt"

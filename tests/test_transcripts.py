"""The transcript dispatcher and shared rules: speaker labels, roles, participants."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from journeylab.coding.model import Participant, Role
from journeylab.coding.study import load_study
from journeylab.coding.transcripts import looks_like_label, read_transcript
from journeylab.errors import JourneylabError, TranscriptError


def test_every_suffix_is_dispatched_to_its_reader(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Leder: Ja.\n", encoding="utf-8")
    (tmp_path / "a.md").write_text("# Overskrift\nLeder: Ja.\n", encoding="utf-8")
    (tmp_path / "a.vtt").write_text("WEBVTT\n\n00:01.000 --> 00:02.000\n<v Leder>Ja.\n")
    (tmp_path / "a.srt").write_text("1\n00:00:01,000 --> 00:00:02,000\nLeder: Ja.\n")
    document = docx.Document()
    document.add_paragraph("Leder: Ja.")
    document.save(str(tmp_path / "a.DOCX"))
    for name in ("a.txt", "a.md", "a.vtt", "a.srt", "a.DOCX"):
        t = read_transcript(tmp_path / name)
        assert t.source == name
        assert [(x.speaker, x.role, x.text) for x in t.turns] == [("Leder", Role.LEDER, "Ja.")]


def test_source_overrides_the_file_name(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Leder: Ja.\n", encoding="utf-8")
    t = read_transcript(tmp_path / "a.txt", source="transcripts/a.txt")
    assert t.source == "transcripts/a.txt"


def test_an_unknown_suffix_and_a_missing_file(tmp_path: Path) -> None:
    (tmp_path / "a.pdf").write_bytes(b"%PDF")
    with pytest.raises(TranscriptError, match=r"a\.pdf: cannot read '\.pdf' files .*\.docx"):
        read_transcript(tmp_path / "a.pdf")
    with pytest.raises(JourneylabError, match=r"b\.docx: no such file"):
        read_transcript(tmp_path / "b.docx")


@pytest.mark.parametrize(
    "label",
    ["Interviewer", "Medarbejder 2", "Anne-Mette", "Leder (skole)", "P1", "2", "Anne Mette Holm"],
)
def test_labels_that_look_like_speakers(label: str) -> None:
    assert looks_like_label(label)


@pytest.mark.parametrize(
    "label",
    [
        "Det vil sige",
        "jeg tænker",
        "lone",
        "En Label Med Alt For Mange Ord",
        "1.",
        "(skole)",
        "Leder (skole",
        "Hvad med https",
        "",
    ],
)
def test_labels_that_do_not(label: str) -> None:
    assert not looks_like_label(label)


STUDY = """[study]
title = "T"
[roles]
Bo = "ung"
Karsten = "leder"
default = "ung"
[transcripts."fg.txt"]
title = "Fra study.toml"
municipality = "Fjordby Kommune"
[transcripts."fg.txt".participants]
Lone = { role = "leder" }
Bo = { role = "leder", pseudonym = "Medarbejder 9" }
Tove = { role = "medarbejder" }
"""

TRANSCRIPT = """---
title: Fra front matter
participants:
  Lone: {role: medarbejder, unit: Familiecentret}
  Gitte: {role: interviewer}
---
LONE: Front matter vinder over study.toml.
Bo: Transcript-tabellen vinder over [roles].
Karsten: [roles] giver rollen.
Interviewer: En etiket, der er en rolle, vinder over default.
Bente: Default giver rollen.
Lone: Samme person igen.
"""


def test_role_order_and_merged_participants(tmp_path: Path) -> None:
    (tmp_path / "study.toml").write_text(STUDY, encoding="utf-8")
    (tmp_path / "fg.txt").write_text(TRANSCRIPT, encoding="utf-8")
    t = read_transcript(tmp_path / "fg.txt", load_study(tmp_path))
    assert [(x.speaker, x.role) for x in t.turns] == [
        ("Lone", Role.MEDARBEJDER),
        ("Bo", Role.LEDER),
        ("Karsten", Role.LEDER),
        ("Interviewer", Role.INTERVIEWER),
        ("Bente", Role.UNG),
        ("Lone", Role.MEDARBEJDER),
    ]
    assert t.title == "Fra front matter"
    assert t.municipality == "Fjordby Kommune"
    assert t.participants == (
        Participant("Lone", Role.MEDARBEJDER, None, "Familiecentret"),
        Participant("Bo", Role.LEDER, "Medarbejder 9"),
        Participant("Karsten", Role.LEDER),
        Participant("Interviewer", Role.INTERVIEWER),
        Participant("Bente", Role.UNG),
        # declared for this transcript but silent in it
        Participant("Gitte", Role.INTERVIEWER),
        Participant("Tove", Role.MEDARBEJDER),
    )


def test_without_a_default_an_unknown_speaker_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "study.toml").write_text('[study]\ntitle = "T"\n', encoding="utf-8")
    (tmp_path / "fg.txt").write_text("Leder: Ja.\n\nBente: Nej.\n", encoding="utf-8")
    with pytest.raises(TranscriptError) as err:
        read_transcript(tmp_path / "fg.txt", load_study(tmp_path))
    assert str(err.value) == (
        f"{tmp_path / 'fg.txt'}, line 3: speaker 'Bente' has no role "
        "(add them to participants in the front matter or to [roles] in study.toml)"
    )


# Pieces of every format, so the fuzzing reaches past the first check of each reader.
TOKENS = [
    *"Lone: Leder\n\r-->[]{}<>#.,æø",
    "👍🏽",
    "---\n",
    "WEBVTT\n\n",
    "00:00:01.000 --> 00:00:02.000\n",
    "00:00:01,000 --> 00:00:02,000\n",
    "1\n",
    "<v Bo>",
    "participants:\n  Bo: {role: chef}\n",
    "Interviewer: ",
    "Medarbejder 2: ",
    "**",
]


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    data=st.one_of(
        st.binary(max_size=300),
        st.lists(st.sampled_from(TOKENS), max_size=40).map(lambda t: "".join(t).encode()),
    ),
    suffix=st.sampled_from([".txt", ".md", ".vtt", ".srt", ".docx"]),
)
def test_any_input_gives_a_transcript_or_one_of_our_errors(
    tmp_path: Path, data: bytes, suffix: str
) -> None:
    path = tmp_path / f"x{suffix}"
    path.write_bytes(data)
    try:
        t = read_transcript(path)
    except JourneylabError as exc:
        assert str(path) in str(exc)
        assert "\n" not in str(exc)
    else:
        assert t.turns
        for turn in t.turns:
            assert t.text[turn.start : turn.end] == turn.text

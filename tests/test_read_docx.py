"""Word transcripts: plain and bold speaker labels, paragraphs, front matter, broken files."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from journeylab.coding.model import Role, Transcript
from journeylab.coding.read_docx import read_docx_transcript
from journeylab.coding.study import load_study
from journeylab.coding.transcripts import read_transcript
from journeylab.errors import TranscriptError
from journeylab.fileio import normalise

DATA = Path(__file__).parent / "data" / "transcripts"

# A paragraph is plain text, or a list of (run text, bold) pairs, or ("Heading", text).
Para = str | list[tuple[str, bool]] | tuple[str, str]


def make_docx(path: Path, paragraphs: list[Para]) -> Path:
    document = docx.Document()
    for para in paragraphs:
        if isinstance(para, str):
            document.add_paragraph(para)
        elif isinstance(para, tuple):
            document.add_heading(para[1], level=1)
        else:
            p = document.add_paragraph()
            for text, bold in para:
                p.add_run(text).bold = bold
    document.save(str(path))
    return path


def read(path: Path) -> Transcript:
    return read_docx_transcript(path, source=path.name)


def assert_offsets(t: Transcript) -> None:
    for turn in t.turns:
        assert t.text[turn.start : turn.end] == turn.text


def test_plain_and_bold_speakers_and_continuation_paragraphs(tmp_path: Path) -> None:
    path = make_docx(
        tmp_path / "fg.docx",
        [
            ("Heading", "Fokusgruppe med medarbejdere"),
            "Interviewer: Hvordan er overgangen til voksenområdet?",
            [("Leder", True), (" Den er for brat.", False)],
            "Vi begynder for sent.",
            [("Medarbejder 2:", True), (" Vi mødes ikke på tværs.", False)],
            [("Medarbejder 3", True), (": Det vil sige: ", False), ("ingen", True)],
        ],
    )
    t = read(path)
    assert [(x.speaker, x.role) for x in t.turns] == [
        ("Interviewer", Role.INTERVIEWER),
        ("Leder", Role.LEDER),
        ("Medarbejder 2", Role.MEDARBEJDER),
        ("Medarbejder 3", Role.MEDARBEJDER),
    ]
    assert t.turns[1].text == "Den er for brat.\nVi begynder for sent."
    assert t.turns[3].text == "Det vil sige: ingen"
    assert [x.line for x in t.turns] == [2, 3, 5, 6]
    paragraphs = [p.text for p in docx.Document(str(path)).paragraphs]
    assert t.text == "\n".join(paragraphs)
    assert_offsets(t)


def test_front_matter_paragraphs(tmp_path: Path) -> None:
    path = make_docx(
        tmp_path / "fg.docx",
        [
            "---",
            "title: Fokusgruppe med ledere",
            "date: 2026-03-20",
            "participants:",
            "  Karsten: {role: leder, unit: Skoleområdet}",
            "---",
            "Karsten: Vi har brug for fælles mål.",
        ],
    )
    t = read(path)
    assert t.title == "Fokusgruppe med ledere" and t.date == "2026-03-20"
    assert t.turns[0].role is Role.LEDER
    assert t.participant("Karsten").unit == "Skoleområdet"  # type: ignore[union-attr]
    assert_offsets(t)


def test_front_matter_from_study_toml(tmp_path: Path) -> None:
    (tmp_path / "study.toml").write_text(
        '[study]\ntitle = "T"\n[transcripts."fg.docx"]\ntitle = "Fra study.toml"\n'
        '[transcripts."fg.docx".participants]\nBente = { role = "ung" }\n',
        encoding="utf-8",
    )
    path = make_docx(tmp_path / "fg.docx", [[("Bente", True), (" Jeg fik en mentor.", False)]])
    t = read_transcript(path, load_study(tmp_path))
    assert t.title == "Fra study.toml"
    assert [(x.speaker, x.role, x.text) for x in t.turns] == [
        ("Bente", Role.UNG, "Jeg fik en mentor.")
    ]


def test_an_all_bold_title_before_the_first_speaker_is_skipped(tmp_path: Path) -> None:
    path = make_docx(
        tmp_path / "fg.docx", [[("Fokusgruppe i Ungecentret", True)], "", "Leder: Ja."]
    )
    assert [x.speaker for x in read(path).turns] == ["Leder"]


@pytest.mark.parametrize(
    ("paragraphs", "expected"),
    [
        (["Optagelsen starter", "Leder: Ja."], r"fg\.docx, paragraph 1: text before the first"),
        (["Leder: Ja.", "Bente: Nej."], r"fg\.docx, paragraph 2: speaker 'Bente' has no role"),
        (["---", "title: [x", "---", "Leder: Ja."], r"fg\.docx, paragraph 2: .*not valid YAML"),
        (["---", "title: x", "Leder: Ja."], r"fg\.docx, paragraph 1: .*never closed"),
        (["", "  "], r"fg\.docx: the transcript is empty"),
    ],
)
def test_errors_name_file_and_paragraph(
    tmp_path: Path, paragraphs: list[Para], expected: str
) -> None:
    with pytest.raises(TranscriptError, match=expected):
        read(make_docx(tmp_path / "fg.docx", paragraphs))


@pytest.mark.parametrize("name", ["not_a_docx.docx", "truncated.docx"])
def test_a_file_that_is_not_a_docx(name: str) -> None:
    with pytest.raises(TranscriptError, match=rf"{name}: not a valid Word \(\.docx\) file"):
        read_transcript(DATA / name)


def test_a_text_file_named_docx(tmp_path: Path) -> None:
    path = tmp_path / "fg.docx"
    path.write_text("Leder: Ja.\n", encoding="utf-8")
    with pytest.raises(TranscriptError, match="not a valid Word"):
        read(path)


_chars = st.sampled_from([*"abcæøåÆØÅ .,:!?-", "👍🏽", "😊", "e\u0301"])
_words = st.builds(lambda parts: "og " + "".join(parts), st.lists(_chars, max_size=20))
_turn = st.tuples(
    st.sampled_from(["Interviewer", "Leder", "Medarbejder 4", "Ung"]),
    st.booleans(),  # bold label
    st.lists(_words, min_size=1, max_size=3),
)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(turns=st.lists(_turn, min_size=1, max_size=5))
def test_offsets_hold_on_generated_documents(
    tmp_path: Path, turns: list[tuple[str, bool, list[str]]]
) -> None:
    paragraphs: list[Para] = []
    for speaker, bold, said in turns:
        first: Para = [(speaker, True), (" " + said[0], False)] if bold else f"{speaker}: {said[0]}"
        paragraphs += [first, *said[1:]]
    t = read(make_docx(tmp_path / "gen.docx", paragraphs))
    assert [x.speaker for x in t.turns] == [s for s, _, _ in turns]
    for turn, (_, _, said) in zip(t.turns, turns, strict=True):
        assert t.text[turn.start : turn.end] == turn.text
        assert turn.text == normalise("\n".join(said)).strip()

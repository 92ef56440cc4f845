"""Plain-text and Markdown transcripts: turns, offsets, front matter, and errors that say where."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from journeylab.coding.model import Role, Transcript
from journeylab.coding.read_text import read_text_transcript
from journeylab.coding.transcripts import read_transcript
from journeylab.errors import EncodingError, TranscriptError
from journeylab.fileio import normalise

DATA = Path(__file__).parent / "data" / "transcripts"

FRONT = """---
title: Fokusgruppe med medarbejdere
date: 2026-03-12
municipality: Fjordby Kommune
participants:
  Interviewer: {role: interviewer}
  Lone: {role: medarbejder, pseudonym: Medarbejder 1, unit: Familiecentret}
  Karsten: {role: leder}
---
"""


def write(tmp_path: Path, text: str, name: str = "fg.txt") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def read(path: Path) -> Transcript:
    return read_text_transcript(path, source=path.name)


def assert_offsets(t: Transcript) -> None:
    for turn in t.turns:
        assert t.text[turn.start : turn.end] == turn.text


def test_front_matter_turns_timestamps_and_continuation_lines(tmp_path: Path) -> None:
    body = (
        "[00:00:05] Interviewer: Vil I starte med at fortælle om jeres arbejde?\n"
        "\n"
        "Lone: Ja. Jeg sidder i Familiecentret,\n"
        "og jeg arbejder mest med de 14-17-årige.\n"
        "\n"
        "Det vil sige: dem, der er på vej ud af folkeskolen.\n"
        "00:12:03 Karsten: Vi mangler en fælles plan.\n"
    )
    t = read(write(tmp_path, FRONT + body))
    assert (t.title, t.date, t.municipality) == (
        "Fokusgruppe med medarbejdere",
        "2026-03-12",
        "Fjordby Kommune",
    )
    assert [(x.speaker, x.role) for x in t.turns] == [
        ("Interviewer", Role.INTERVIEWER),
        ("Lone", Role.MEDARBEJDER),
        ("Karsten", Role.LEDER),
    ]
    lone = t.turns[1]
    assert lone.text == (
        "Ja. Jeg sidder i Familiecentret,\nog jeg arbejder mest med de 14-17-årige.\n\n"
        "Det vil sige: dem, der er på vej ud af folkeskolen."
    )
    assert [x.timestamp for x in t.turns] == ["00:00:05", None, "00:12:03"]
    assert [x.line for x in t.turns] == [10, 12, 16]
    assert t.text == FRONT + body
    assert_offsets(t)
    assert t.participant("Lone") is not None
    assert t.participant("Lone").unit == "Familiecentret"  # type: ignore[union-attr]


def test_nasty_file_with_bom_crlf_danish_letters_and_emoji() -> None:
    t = read_transcript(DATA / "bom_crlf.txt")
    assert t.source == "bom_crlf.txt"
    assert not t.text.startswith("\ufeff") and "\r" not in t.text
    assert [x.speaker for x in t.turns] == ["Interviewer", "Søren", "Åse"]
    assert [x.role for x in t.turns] == [Role.INTERVIEWER, Role.MEDARBEJDER, Role.LEDER]
    assert t.turns[0].text.endswith("fylder 18? 👍🏽")
    assert t.turns[1].text.split("\n")[1].startswith("Det vil sige:")
    assert t.title == "Fokusgruppe på Ungecentret"
    assert_offsets(t)


def test_utf16_with_bom_is_read_and_latin1_is_refused() -> None:
    t = read_transcript(DATA / "utf16.txt")
    assert [x.speaker for x in t.turns] == ["Leder", "Medarbejder 1"]
    with pytest.raises(EncodingError, match=r"latin1\.txt, line 1"):
        read_transcript(DATA / "latin1.txt")


def test_markdown_headings_and_bold_labels(tmp_path: Path) -> None:
    text = (
        "# Fokusgruppe med ledere\n\n## Del 1\n"
        "**Leder:** Vi har et fælles mål.\n"
        "__Medarbejder 3__: Det mærker vi ikke.\n"
        "## Del 2\n"
        "Interviewer: Hvad så nu?\n"
    )
    t = read(write(tmp_path, text, "fg.md"))
    assert [(x.speaker, x.text) for x in t.turns] == [
        ("Leder", "Vi har et fælles mål."),
        ("Medarbejder 3", "Det mærker vi ikke."),
        ("Interviewer", "Hvad så nu?"),
    ]
    assert_offsets(t)


def test_text_after_a_heading_needs_a_speaker(tmp_path: Path) -> None:
    path = write(tmp_path, "Leder: Ja.\n# Pause\nog så videre\n", "fg.md")
    with pytest.raises(TranscriptError, match=r"fg\.md, line 3: text after a heading"):
        read(path)


@pytest.mark.parametrize(
    ("line", "is_new_turn"),
    [
        ("Det vil sige: det tager tid.", False),
        ("jeg tænker: hvem har ansvaret?", False),
        ("Så sagde hun til mig og min kollega: nej.", False),
        ("Kl. 10:30 mødes vi.", False),
        ("Medarbejder 2: Det tager tid.", True),
        ("Leder (skole): Det tager tid.", True),
        ("(00:03:10) Interviewer: Tak.", True),
    ],
)
def test_which_lines_start_a_turn(tmp_path: Path, line: str, is_new_turn: bool) -> None:
    t = read(write(tmp_path, f"Ung: Min sagsbehandler skiftede.\n{line}\n"))
    assert len(t.turns) == (2 if is_new_turn else 1)
    assert_offsets(t)


def test_a_label_alone_on_its_line_takes_the_lines_below(tmp_path: Path) -> None:
    t = read(write(tmp_path, "Leder:\n  Vi har en plan.\n  Den virker.\n\nUng: Nej.\n"))
    assert [(x.speaker, x.text, x.line) for x in t.turns] == [
        ("Leder", "Vi har en plan.\n  Den virker.", 1),
        ("Ung", "Nej.", 5),
    ]


def test_a_declared_speaker_may_break_the_label_rule(tmp_path: Path) -> None:
    text = "---\nparticipants:\n  medarbejder fra UU: medarbejder\n---\nmedarbejder fra UU: Ja.\n"
    t = read(write(tmp_path, text))
    assert [(x.speaker, x.role) for x in t.turns] == [("medarbejder fra UU", Role.MEDARBEJDER)]


def test_an_unknown_capitalised_label_is_a_speaker_without_role(tmp_path: Path) -> None:
    path = write(tmp_path, "Leder: Ja.\nFakta: tre skoler.\n")
    with pytest.raises(TranscriptError, match=r"fg\.txt, line 2: speaker 'Fakta' has no role"):
        read(path)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("no_role.txt", r"no_role\.txt, line 2: speaker 'Lone' has no role \(add them"),
        ("intro_text.txt", r"intro_text\.txt, line 1: text before the first speaker"),
        ("unclosed_front_matter.md", r"unclosed_front_matter\.md, line 1: .*never closed"),
        ("bad_yaml.md", r"bad_yaml\.md, line 4: the front matter is not valid YAML"),
        ("empty.txt", r"empty\.txt: the transcript is empty"),
    ],
)
def test_nasty_files_name_file_and_line(name: str, expected: str) -> None:
    with pytest.raises(TranscriptError, match=expected):
        read_transcript(DATA / name)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("---\n- a\n- b\n---\nLeder: Ja.\n", r"line 1: the front matter must be 'key: value'"),
        (
            "---\ntitle: X\nparticipants:\n  Bo: {role: chef}\n---\nBo: Ja.\n",
            r"line 4, front matter .*unknown role 'chef'",
        ),
        ("# Kun en overskrift\n\n", r"no speaker turns found"),
        ("Leder:\n\nInterviewer:   \n", r"no speaker turns found"),
    ],
)
def test_bad_front_matter_and_no_turns(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(TranscriptError, match=expected):
        read(write(tmp_path, text))


# --- the offset invariant on generated transcripts ------------------------------

SPEAKERS = ["Interviewer", "Lone", "Søren Å", "Medarbejder 2"]
_chars = st.sampled_from([*"abcdefgæøåÆØÅ .,:;!?-–\"'", "👍🏽", "😊", "e\u0301", "\t"])
_line = st.builds(lambda parts: "og " + "".join(parts), st.lists(_chars, max_size=30))
_turn = st.tuples(
    st.sampled_from(SPEAKERS),
    st.lists(_line, min_size=1, max_size=4),
    st.booleans(),  # a blank line after the turn
    st.sampled_from([None, "[00:12:03]", "00:01:02", "(03:10)"]),
)


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    turns=st.lists(_turn, min_size=1, max_size=8),
    bom=st.booleans(),
    crlf=st.booleans(),
    front=st.booleans(),
)
def test_turn_text_is_always_the_slice_of_the_normalised_text(
    tmp_path: Path,
    turns: list[tuple[str, list[str], bool, str | None]],
    bom: bool,
    crlf: bool,
    front: bool,
) -> None:
    lines = []
    if front:
        lines += ["---", "participants:", "  Lone: medarbejder", "  Søren Å: {role: leder}", "---"]
    for speaker, said, blank, stamp in turns:
        label = f"{stamp} {speaker}" if stamp else speaker
        lines.append(f"{label}: {said[0]}")
        lines += said[1:]
        if blank:
            lines.append("")
    content = ("\r\n" if crlf else "\n").join(lines)
    data = (b"\xef\xbb\xbf" if bom else b"") + content.encode("utf-8")
    path = tmp_path / "gen.txt"
    path.write_bytes(data)
    if not front:
        path.with_name("study").mkdir(exist_ok=True)
    study_roles = None if front else {"Lone": "medarbejder", "Søren Å": "leder"}
    t = _read_with_roles(path, study_roles)
    assert t.text == normalise(content)
    assert [x.speaker for x in t.turns] == [s for s, *_ in turns]
    for turn, (_, said, _, stamp) in zip(t.turns, turns, strict=True):
        assert t.text[turn.start : turn.end] == turn.text
        assert turn.text == normalise("\n".join(said)).strip()
        assert turn.timestamp == (stamp.strip("[]()") if stamp else None)


def _read_with_roles(path: Path, roles: dict[str, str] | None) -> Transcript:
    if roles is None:
        return read(path)
    from journeylab.coding.study import load_study

    root = path.parent / "study"
    table = "".join(f'"{k}" = "{v}"\n' for k, v in roles.items())
    (root / "study.toml").write_text(f'[study]\ntitle = "T"\n[roles]\n{table}', encoding="utf-8")
    return read_text_transcript(path, load_study(root), source=path.name)

"""WebVTT and SRT transcripts: voice tags, merged cues, start times, and broken cues named."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from journeylab.coding.model import Role, Transcript
from journeylab.coding.study import Study, load_study
from journeylab.coding.transcripts import read_transcript
from journeylab.errors import TranscriptError

DATA = Path(__file__).parent / "data" / "transcripts"


def study_with(tmp_path: Path, toml: str = "") -> Study:
    (tmp_path / "study.toml").write_text(f'[study]\ntitle = "T"\n{toml}', encoding="utf-8")
    return load_study(tmp_path)


def assert_offsets(t: Transcript) -> None:
    for turn in t.turns:
        assert t.text[turn.start : turn.end] == turn.text


def test_vtt_voices_merge_and_continue(tmp_path: Path) -> None:
    study = study_with(
        tmp_path,
        '[transcripts."teams.vtt".participants]\n'
        'Pernille = { role = "medarbejder", unit = "Jobcenter" }\n'
        '[roles]\nAnders = "medarbejder"\n',
    )
    path = shutil.copy(DATA / "teams.vtt", tmp_path / "teams.vtt")
    t = read_transcript(Path(path), study)
    assert [(x.speaker, x.role) for x in t.turns] == [
        ("Interviewer", Role.INTERVIEWER),
        ("Pernille", Role.MEDARBEJDER),
        ("Anders", Role.MEDARBEJDER),
        ("Interviewer", Role.INTERVIEWER),
    ]
    first, pernille = t.turns[0], t.turns[1]
    # Two cues of one speaker: one turn, the first cue's start, line breaks become spaces.
    assert first.text == "Hvordan oplever I overgangen efter 9. klasse? Og hvem har ansvaret?"
    assert (first.timestamp, first.line) == ("00:00:01.000", 1)
    # A cue without a voice continues the speaker before; entities are decoded.
    assert pernille.text == (
        "UU-vejlederen & skolen, men det glipper 👍🏽 særligt for de unge med højt fravær."
    )
    assert (pernille.timestamp, pernille.line) == ("00:00:07.200", 3)
    assert [x.text for x in t.turns[2:]] == ["Enig.", "Tak."]
    assert t.text.split("\n")[2] == "Anders: Enig."
    assert t.participant("Pernille").unit == "Jobcenter"  # type: ignore[union-attr]
    assert_offsets(t)


def test_vtt_short_times_get_hours_and_prefix_speakers_work(tmp_path: Path) -> None:
    path = tmp_path / "a.vtt"
    path.write_text(
        "WEBVTT\n\n00:01.000 --> 00:02.000\nLeder: Ja.\n\n"
        "01:02.500 --> 01:04.000\nUng: Nej, <b>aldrig</b>.\n",
        encoding="utf-8",
    )
    t = read_transcript(path)
    assert [(x.speaker, x.text, x.timestamp) for x in t.turns] == [
        ("Leder", "Ja.", "00:00:01.000"),
        ("Ung", "Nej, aldrig.", "00:01:02.500"),
    ]
    assert t.text == "Leder: Ja.\nUng: Nej, aldrig."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hej\n\n00:01.000 --> 00:02.000\nLeder: Ja.\n", r"a\.vtt, line 1: not a WebVTT file"),
        (
            "WEBVTT\n\n00:01.000 --> 00:02.000\nDe unge kommer for sent.\n",
            r"a\.vtt, cue 1: the first cue has no speaker",
        ),
        (
            "WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.000\n<v Bente>Ja.</v>\n",
            r"a\.vtt, cue 1: speaker 'Bente' has no role \(add them to \[transcripts\.\"a\.vtt\"\]",
        ),
        ("WEBVTT\n\nintro\nhej med jer\n", r"a\.vtt, cue 1, line 4: broken timing line"),
        ("WEBVTT\n", r"no speaker turns found"),
    ],
)
def test_vtt_errors(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "a.vtt"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(TranscriptError, match=expected):
        read_transcript(path)


def test_vtt_broken_timestamp_names_cue_and_line() -> None:
    with pytest.raises(TranscriptError, match=r"broken_timestamp\.vtt, cue 2, line 8: broken"):
        read_transcript(DATA / "broken_timestamp.vtt")


def test_srt_prefix_speakers_tags_and_continuation() -> None:
    t = read_transcript(DATA / "interview.srt")
    assert [(x.speaker, x.role, x.line) for x in t.turns] == [
        ("Interviewer", Role.INTERVIEWER, 1),
        ("Medarbejder 1", Role.MEDARBEJDER, 2),
        ("Leder", Role.LEDER, 4),
    ]
    assert t.turns[1].text == (
        "At sagen skifter hænder, og den unge skal starte forfra. Det er svært for dem."
    )
    assert t.turns[1].timestamp == "00:01:02.500"
    assert_offsets(t)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("missing_number.srt", r"missing_number\.srt, cue 3, line 9: the cue has no number"),
        ("broken_timestamp.srt", r"broken_timestamp\.srt, cue 2, line 5: cannot read this cue"),
    ],
)
def test_srt_errors_name_cue_and_line(name: str, expected: str) -> None:
    with pytest.raises(TranscriptError, match=expected):
        read_transcript(DATA / name)


# --- generated subtitles ---------------------------------------------------------

SPEAKERS = ["Interviewer", "Leder", "Medarbejder 2", "Ung"]
_chars = st.sampled_from([*"abcæøåÆØÅ .,!?-&", "👍🏽", "😊", "e\u0301"])
_said = st.builds(lambda parts: "og " + "".join(parts), st.lists(_chars, max_size=25))
_cue = st.tuples(st.one_of(st.none(), st.sampled_from(SPEAKERS)), _said, st.booleans())


def _expected_speakers(cues: list[tuple[str | None, str, bool]]) -> list[str]:
    out: list[str] = []
    for speaker, _, _ in cues:
        who = speaker or out[-1]
        if not out or out[-1] != who:
            out.append(who)
    return out


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    first=st.sampled_from(SPEAKERS),
    cues=st.lists(_cue, max_size=8),
    fmt=st.sampled_from(["vtt", "srt"]),
    crlf=st.booleans(),
    bom=st.booleans(),
)
def test_generated_subtitles_keep_offsets_and_merge_speakers(
    tmp_path: Path,
    first: str,
    cues: list[tuple[str | None, str, bool]],
    fmt: str,
    crlf: bool,
    bom: bool,
) -> None:
    cues = [(first, "og så", False), *cues]
    blocks = []
    for n, (speaker, said, voice_tag) in enumerate(cues, start=1):
        body = said.replace("&", "&amp;") if fmt == "vtt" else said
        if speaker and voice_tag:
            body = f"<v {speaker}>{body}</v>"
        elif speaker:
            body = f"{speaker}: {body}"
        if fmt == "vtt":
            blocks.append(f"{n}\n00:00:{n:02d}.000 --> 00:00:{n:02d}.900\n{body}")
        else:
            blocks.append(f"{n}\n00:00:{n:02d},000 --> 00:00:{n:02d},900\n{body}")
    text = "\n\n".join(blocks) + "\n"
    if fmt == "vtt":
        text = "WEBVTT\n\n" + text
    if crlf:
        text = text.replace("\n", "\r\n")
    path = tmp_path / f"gen.{fmt}"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    t = read_transcript(path)
    assert [x.speaker for x in t.turns] == _expected_speakers(cues)
    assert_offsets(t)
    assert t.text.count("\n") == len(t.turns) - 1
    assert t.turns[0].timestamp == "00:00:01.000"

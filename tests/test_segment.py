"""Segmentation: journey notes and transcript turns/windows with exact offsets."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st
from spacy.language import Language

from journeylab.coding.model import Role, SegmentKind, Transcript, Turn
from journeylab.coding.segment import (
    add_lemmas,
    journey_text,
    segment_journey,
    segment_journeys,
    segment_transcript,
)
from journeylab.journeys.model import Colour, Journey, Note, Stage, Step


def note(colour: Colour, text: str, stage: Stage | None = None) -> Note:
    return Note(colour=colour, text=text, stage=stage)


def journey(jid: str = "J01", pseudonym: str | None = "Sara") -> Journey:
    return Journey(
        id=jid,
        pseudonym=pseudonym,
        source="journeys/rejser.csv",
        steps=(
            Step(
                event=note(Colour.YELLOW, "Starter i 0. klasse på Søndervangsskolen", Stage.SCHOOL),
                green=(note(Colour.GREEN, "Fik en god klasselærer 😀"),),
                red=(note(Colour.RED, "Blev drillet"), note(Colour.RED, "Ondt i maven")),
            ),
            Step(
                event=note(Colour.YELLOW, "Fylder 18 og får ny rådgiver", Stage.TRANSITION_18),
                red=(note(Colour.RED, "Skulle fortælle det hele forfra"),),
            ),
        ),
    )


def transcript(*turns: tuple[str, Role, str]) -> Transcript:
    """A transcript whose text is 'Speaker: text' lines, with exact turn offsets."""
    text, out = "", []
    for i, (speaker, role, said) in enumerate(turns):
        text += f"{speaker}: "
        out.append(Turn(i, speaker, role, said, len(text), len(text) + len(said)))
        text += said + "\n\n"
    return Transcript(source="transcripts/t.txt", text=text, turns=tuple(out))


def test_journey_text_orders_yellow_then_green_then_red_per_step() -> None:
    j = journey()
    assert journey_text(j).split("\n") == [
        "Starter i 0. klasse på Søndervangsskolen",
        "Fik en god klasselærer 😀",
        "Blev drillet",
        "Ondt i maven",
        "Fylder 18 og får ny rådgiver",
        "Skulle fortælle det hele forfra",
    ]


def test_note_segments_point_into_the_journey_text() -> None:
    j = journey()
    text = journey_text(j)
    segs = segment_journey(j)
    assert len(segs) == 6
    for seg in segs:
        assert text[seg.start : seg.end] == seg.text
        assert seg.kind is SegmentKind.NOTE and seg.role is Role.UNG
        assert seg.speaker == "Sara" and seg.journey == "J01"
    assert [s.colour for s in segs] == ["yellow", "green", "red", "red", "yellow", "red"]
    assert [s.step for s in segs] == [0, 0, 0, 0, 1, 1]
    # A green/red note takes the stage of its step.
    assert [s.stage for s in segs] == ["school"] * 4 + ["transition_18"] * 2
    assert segs[0].id == "journeys/rejser.csv#J01:0"


def test_speaker_falls_back_to_journey_id_and_positions_run_across_the_file() -> None:
    segs = segment_journeys([journey("J01"), journey("J02", pseudonym=None)])
    assert [s.position for s in segs] == list(range(12))
    assert {s.speaker for s in segs if s.journey == "J02"} == {"J02"}
    # Ids are per journey, so a second journey does not renumber the first.
    assert segs[6].id == "journeys/rejser.csv#J02:0"
    assert len({s.id for s in segs}) == 12


def test_short_turn_is_one_segment_and_interviewer_turns_are_kept() -> None:
    t = transcript(
        ("Interviewer", Role.INTERVIEWER, "Hvad skete der i udskolingen?"),
        ("Lone", Role.MEDARBEJDER, "Hun mistede sin kontaktperson. Det var hårdt."),
    )
    segs = segment_transcript(t)
    assert [s.kind for s in segs] == [SegmentKind.TURN, SegmentKind.TURN]
    assert [s.role for s in segs] == [Role.INTERVIEWER, Role.MEDARBEJDER]
    assert segs[1].text == "Hun mistede sin kontaktperson. Det var hårdt."
    assert segs[1].turn_index == 1 and segs[1].speaker == "Lone"


def test_long_turn_is_cut_into_windows_with_exact_offsets() -> None:
    said = (
        "Første sætning om skolen. Anden sætning med æ, ø og å! Tredje sætning 😀 her. "
        "Fjerde sætning om fravær? Femte sætning om UU. Sjette sætning til sidst."
    )
    t = transcript(("Karsten", Role.LEDER, said))
    segs = segment_transcript(t, max_sentences=4, window=3)
    assert [s.kind for s in segs] == [SegmentKind.SENTENCES] * 2
    assert (
        segs[0].text
        == "Første sætning om skolen. Anden sætning med æ, ø og å! Tredje sætning 😀 her."
    )
    assert segs[1].text.startswith("Fjerde") and segs[1].text.endswith("til sidst.")
    for seg in segs:
        assert t.text[seg.start : seg.end] == seg.text
        assert seg.turn_index == 0


def test_a_turn_at_the_limit_stays_whole() -> None:
    said = "En. To. Tre. Fire."
    segs = segment_transcript(transcript(("Lone", Role.MEDARBEJDER, said)), max_sentences=4)
    assert [s.text for s in segs] == [said]


WORDS = st.sampled_from(
    ["skolen", "sagsbehandleren", "Åse", "øjeblik", "ærlig", "😀", "UU-vejleder", "18", "ikke"]
)
SENTENCE = st.builds(
    lambda ws, end: " ".join(ws) + end,
    st.lists(WORDS, min_size=1, max_size=6),
    st.sampled_from(".!?"),
)
TURN_TEXT = st.builds(" ".join, st.lists(SENTENCE, min_size=1, max_size=12))


@settings(max_examples=40, deadline=None)
@given(st.lists(TURN_TEXT, min_size=1, max_size=4))
def test_segments_cover_every_turn_exactly_without_overlap(nlp: Language, turns: list[str]) -> None:
    t = transcript(*((f"S{i}", Role.MEDARBEJDER, said) for i, said in enumerate(turns)))
    segs = segment_transcript(t, max_sentences=4, window=3)
    for seg in segs:
        assert t.text[seg.start : seg.end] == seg.text
    for a, b in itertools.pairwise(segs):
        assert a.end <= b.start
    for turn in t.turns:
        mine = [s for s in segs if s.turn_index == turn.index]
        assert "".join("".join(s.text.split()) for s in mine) == "".join(turn.text.split())


def test_add_lemmas_folds_danish_plurals(nlp: Language) -> None:
    t = transcript(("Lone", Role.MEDARBEJDER, "De unge har mange sagsbehandlere."))
    [seg] = add_lemmas(segment_transcript(t))
    assert "sagsbehandler" in seg.lemmas
    assert "sagsbehandlere" not in seg.lemmas

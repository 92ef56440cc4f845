"""The coders' light segment records and the lemma part of their cache keys."""

from __future__ import annotations

from journeylab.coding.codable import CodableSegment, lemma_key
from journeylab.coding.model import Role, Segment, SegmentKind


def test_lemmas_are_the_stored_column_split_as_records_read_it() -> None:
    light = CodableSegment("t#0", Role.UNG, "Vi skifter", "vi  skifte\n")
    assert light.lemmas == ("vi", "skifte")
    assert CodableSegment("t#1", Role.UNG, "", "").lemmas == ()


def test_lemma_keys_tell_apart_what_the_coders_tell_apart() -> None:
    def segment(lemmas: tuple[str, ...]) -> Segment:
        return Segment("t#0", "t", SegmentKind.TURN, 0, 0, 1, "x", Role.UNG, lemmas=lemmas)

    # One lemma with a space is not two lemmas (the rules coder indexes lemmas whole).
    assert lemma_key(segment(("a b",))) != lemma_key(segment(("a", "b")))
    # A stored string and a tuple never share a key, even for the same words.
    assert lemma_key(CodableSegment("t#0", Role.UNG, "x", "a b")) != lemma_key(segment(("a", "b")))
    assert lemma_key(CodableSegment("t#0", Role.UNG, "x", "a b")) != lemma_key(
        CodableSegment("t#0", Role.UNG, "x", "a c")
    )

"""What the machine coders read of a segment, and a light record of just that.

`journeylab code` reads every material segment of a study; building full
`Segment` objects (15 fields through a frozen dataclass) was ~0.4 s of a re-code
at 1M words, while the coders only need the id, role, text and lemmas. The
store hands `code` `CodableSegment`s instead, with the lemmas as stored (one
string) so the coders' cache keys can hash them without splitting 48k strings.
"""

from __future__ import annotations

from typing import NamedTuple, Protocol

from journeylab.coding.model import Role


class Codable(Protocol):
    """The part of a Segment the coders use (a `Segment` is one)."""

    @property
    def id(self) -> str: ...
    @property
    def role(self) -> Role: ...
    @property
    def text(self) -> str: ...
    @property
    def lemmas(self) -> tuple[str, ...]: ...


class CodableSegment(NamedTuple):
    """A stored segment as the coders read it; `lemma_text` is the store's lemmas column."""

    id: str
    role: Role
    text: str
    lemma_text: str

    @property
    def lemmas(self) -> tuple[str, ...]:
        # As records.segment_from_row reads the column.
        return tuple(self.lemma_text.split())


def lemma_key(segment: Codable) -> str:
    """The segment's lemmas as one string for a cache key (no split when already one).

    The two kinds are tagged apart: " ".join would make ("a b",) and ("a", "b")
    one key, while the coders treat them differently.
    """
    if isinstance(segment, CodableSegment):
        return "s" + segment.lemma_text
    return "t" + "\x1f".join(segment.lemmas)

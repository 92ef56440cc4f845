"""Full-text search over segments (SQLite FTS5): query building and hits.

User input never reaches FTS5 syntax directly: every word becomes a quoted
prefix term, so "sagsbeh" finds "sagsbehandleren" and stray quotes, stars or
operators cannot make a query fail.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from journeylab.coding.model import Segment

# snippet() wraps each matching term in these control characters; the explorer
# escapes the text and turns them into <mark> (see SearchHit.parts).
MARK_START = "\x02"
MARK_END = "\x03"

_PHRASE = re.compile(r'"([^"]*)"')
_WORD = re.compile(r"\w+", re.UNICODE)


def fts_query(query: str) -> str:
    """An FTS5 MATCH expression: words as prefixes, "quoted phrases" exact, all ANDed."""
    terms = []
    for phrase in _PHRASE.findall(query):
        words = _WORD.findall(phrase)
        if words:
            terms.append('"' + " ".join(words) + '"')
    for word in _WORD.findall(_PHRASE.sub(" ", query)):
        terms.append(f'"{word}"*')
    return " AND ".join(terms)


@dataclass(frozen=True)
class SearchHit:
    """A segment that matched, with a short snippet around the matches."""

    segment: Segment
    snippet: str  # matches wrapped in MARK_START ... MARK_END
    score: float  # higher is better

    def parts(self) -> list[tuple[str, bool]]:
        """The snippet as (text, is_match) pieces, for safe highlighting."""
        out: list[tuple[str, bool]] = []
        for i, chunk in enumerate(re.split(f"[{MARK_START}{MARK_END}]", self.snippet)):
            if chunk:
                out.append((chunk, i % 2 == 1))
        return out

"""Where REFI-QDA selections point: position conventions of other tools.

The standard counts characters of the plain text; tools differ in whether a
CRLF counts as one or two and whether characters outside the BMP count as one
(code points) or two (UTF-16 units). Each convention maps the selections onto
the LF-normalised text; the one under which every selection is in range and
the fewest selection ends fall inside a word wins (ties: code points over the
text as stored, then code points over LF text, then UTF-16).
"""

from __future__ import annotations

import itertools
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from journeylab.errors import InputError

CONVENTIONS = ("codepoints", "codepoints-crlf", "utf16", "utf16-crlf")


@dataclass
class Selection:
    guid: str
    start: int
    end: int
    codes: list[tuple[str, str | None, str]]  # code guid, user guid, coding guid
    notes: list[str]
    whole: bool = False  # a Coding on the source itself


@dataclass
class Source:
    guid: str
    name: str
    raw: str  # the text as stored (BOM removed), CRLF and all
    journey: bool
    selections: list[Selection]
    notes: list[str]


def _lf_map(raw: str) -> list[int]:
    """raw index -> index in the LF text (a CR of a CRLF maps onto its LF)."""
    out, j = [], 0
    for i, ch in enumerate(raw):
        out.append(j)
        if not (ch == "\r" and raw[i + 1 : i + 2] == "\n"):
            j += 1
    out.append(j)
    return out


def _utf16_map(text: str) -> list[int]:
    """UTF-16 unit index -> code point index (inside a pair: the pair's character)."""
    out = []
    for i, ch in enumerate(text):
        out.extend([i, i] if ord(ch) > 0xFFFF else [i])
    out.append(len(text))
    return out


def lf_text(raw: str) -> str:
    return raw.replace("\r\n", "\n").replace("\r", "\n")


def mapper(raw: str, convention: str) -> Callable[[int], int | None]:
    crlf = convention.endswith("-crlf")
    base = raw if crlf else lf_text(raw)
    to_lf = _lf_map(raw) if crlf else list(range(len(base) + 1))
    units = _utf16_map(base) if convention.startswith("utf16") else list(range(len(base) + 1))

    def convert(p: int) -> int | None:
        if not 0 <= p < len(units):
            return None
        return to_lf[units[p]]

    return convert


def _mid_word(text: str, p: int) -> bool:
    return 0 < p < len(text) and text[p - 1].isalnum() and text[p].isalnum()


def choose_convention(sources: Sequence[Source], wanted: str, path: Path) -> str:
    """The position convention that fits every selection best."""
    allowed = [c for c in CONVENTIONS if wanted == "auto" or c.split("-")[0] == wanted]
    preference = ["codepoints-crlf", "codepoints", "utf16-crlf", "utf16"]
    best: tuple[int, int, str] | None = None
    first_error: str | None = None
    for conv in allowed:
        bad = 0
        valid = True
        for src in sources:
            convert, text = mapper(src.raw, conv), lf_text(src.raw)
            for sel in src.selections:
                if sel.whole:
                    continue
                a, b = convert(sel.start), convert(sel.end)
                if a is None or b is None or b < a or sel.start > sel.end:
                    valid = False
                    first_error = first_error or (
                        f"PlainTextSelection {sel.guid} in '{src.name}' points at"
                        f" {sel.start}-{sel.end}, beyond the text"
                        f" ({len(src.raw)} characters)"
                    )
                    break
                bad += _mid_word(text, a) + _mid_word(text, b)
            if not valid:
                break
        if valid:
            key = (bad, preference.index(conv), conv)
            best = key if best is None or key < best else best
    if best is None:
        raise InputError(
            first_error or "the selections do not fit the texts",
            path=path,
            where="element PlainTextSelection",
            hint="the project is damaged or its texts are missing",
        )
    return best[2]


def piecewise_nfc(text: str, cuts: Sequence[int]) -> tuple[str, dict[int, int]]:
    """NFC of *text*, piece by piece between *cuts*, and the cuts' new offsets."""
    points = sorted({0, len(text), *cuts})
    mapping, pieces, length = {0: 0}, [], 0
    for a, b in itertools.pairwise(points):
        piece = unicodedata.normalize("NFC", text[a:b])
        pieces.append(piece)
        length += len(piece)
        mapping[b] = length
    return "".join(pieces), mapping

"""A table header that looks like a misspelt known column.

An unknown header in a journey table is the user's own journey attribute (e.g.
`uddannelse`). But `faser` for `fase` or `alderr` for `alder` would then drop
the life stages or ages of every row without a word, while a misspelt YAML
field is an error. So a header close to a known column name (Danish or
English) is refused, naming the column and the name it probably meant.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Mapping
from pathlib import Path

from journeylab.errors import JourneyError
from journeylab.journeys.cells import COLUMN_NAMES, fold_name

# difflib's ratio: one letter added, dropped or changed in a name of five letters
# or more scores 0.8 or more ('faser' ~ 'fase' 0.89, 'akter' ~ 'aktor' 0.8), while
# words a consultant adds as attributes stay below it ('sted' ~ 'step' 0.75,
# 'kommentar' ~ 'kommune' 0.62).
CUTOFF = 0.8
# Headers this short ('id', 'nr') are abbreviations, not misspellings.
MIN_LENGTH = 3

# Folded name -> (field id, the name as written in COLUMN_NAMES), first spelling kept,
# so 'aktor' suggests 'aktør'.
_KNOWN: dict[str, tuple[str, str]] = {}
for _field, _names in COLUMN_NAMES.items():
    for _name in _names:
        _KNOWN.setdefault(fold_name(_name), (_field, _name))


def _likeness(header: str, known: str) -> float:
    """difflib's ratio word by word (the weakest word counts); 0 when the word counts differ.

    So 'alder ved interviw' is close to 'alder ved interview', while 'interview
    date' (an attribute of one's own) is not 'interview age'.
    """
    words, known_words = header.split(), known.split()
    if len(words) != len(known_words):
        return 0.0
    return min(
        difflib.SequenceMatcher(None, a, b).ratio() for a, b in zip(words, known_words, strict=True)
    )


def near_column(name: str, taken: Collection[str] = ()) -> tuple[str, str] | None:
    """(field id, known name) that header *name* is probably a misspelling of, or None.

    Compared folded (case, accents, æøå, _ and - ignored). A field in *taken*
    already has its column, so a header close to it is the user's own.
    """
    folded = fold_name(name)
    if len(folded) < MIN_LENGTH or folded in _KNOWN:
        return None
    scored = [
        (_likeness(folded, known), known)
        for known, (field, _) in _KNOWN.items()
        if field not in taken
    ]
    score, best = max(scored, default=(0.0, ""))
    return _KNOWN[best] if score >= CUTOFF else None


def column_letter(index: int) -> str:
    """The spreadsheet letter of 0-based column *index* (0 -> A, 26 -> AA)."""
    letters = ""
    number = index + 1
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def refuse_misspelt_columns(
    attributes: Mapping[int, str], taken: Collection[str], *, path: Path, place: str
) -> None:
    """JourneyError for the first attribute header (index -> name) close to a known column.

    *taken* holds the field ids the header already has; *place* is the header
    row ("row 1" or "sheet 'rejser', row 1").
    """
    for index, name in sorted(attributes.items()):
        near = near_column(name, taken)
        if near is None:
            continue
        _, meant = near
        raise JourneyError(
            f"unknown column '{name}'",
            path=path,
            where=f"{place}, column {column_letter(index)} (no. {index + 1})",
            hint=f"did you mean '{meant}'? Correct the header, or give a column of your"
            f" own a name less like '{meant}'",
        )

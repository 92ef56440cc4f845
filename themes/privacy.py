"""Pseudonymisation: real names out, made-up names in, and a check that none leak.

Names come from study.toml's ``[names]`` table ("Real Name" = "Made-up") and
from transcript participants that carry a pseudonym (the speaker label is the
real name). Matching is on whole words, case-insensitive, so "Jonas" is found
in "JONAS," and "jonas" but not inside "Jonasen". A word ends at anything but
a letter or a digit: ``_`` and ``-`` separate words too, because file names and
segment ids join words with them ("fokusgruppe_Jonas.md"). Digits do *not*
end a word: outputs carry hexadecimal ids and hashes (REFI-QDA GUIDs, colours)
in which a short name made of the letters a-f ("Bea", "Ebbe") would otherwise
turn up at random and refuse an export; "Jonas2" is therefore not recognised,
like a closed compound. A Danish possessive is kept as a possessive of the
made-up name: "Jonas'"/"Sabrinas" -> "Olivers"/"Cecilies".

The words of a name with several parts may be joined by a space (also a
non-breaking one), a line break, "-" or "_", whichever way it is listed: "Anne-Marie"
in [names] finds "Anne Marie" and "Anne_Marie", and "Anne Marie" finds "Anne-Marie".
A hyphenated name is a name with two parts, like one with a space.

Names and every text are compared in Unicode NFC: an "å" written as "a" plus a
combining ring (macOS file names, text copied from some PDFs) is the same letter.
text() returns NFC text.

For "First Last" the full name is replaced first (longest match first), then
the first name alone and the surname alone: "Holts mor" is the person's
family, so the surname alone maps to the made-up surname when the made-up
name has one ("Cecilie Berg" -> "Berg"), else to the made-up name itself. A
middle name alone is not matched: it may be a particle ("de", "van").
A made-up name from ``[names]`` carries the method's marker, "Oliver (opdigtet
navn)" / "Oliver (made-up name)", in the report's language, except where the
name is joined to a neighbour by a hyphen or underscore ("Oliver-sagen").

Case-insensitive matching can replace an ordinary word that equals a name
("per uge" when someone is called Per, a surname such as "Holt"); that is the
price of never leaking.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from journeylab.coding.model import Participant, Role
from journeylab.coding.study import Study
from journeylab.errors import PrivacyError
from journeylab.themes.privacy_markup import is_markup, without_code, without_tag_names

MARKERS = {"da": " (opdigtet navn)", "en": " (made-up name)"}

_POSSESSIVE = r"(?P<poss>s|'s|'|’s|’)?"
# A name is a word of its own when no letter or digit touches it ("_" and "-" do not
# count: they join the words of file names and segment ids).
_BEFORE = r"(?<![^\W_])"
_AFTER = r"(?![^\W_])"
_GLUE = frozenset("-_")  # a name joined to a neighbour by these is part of a compound or an id
# Between the parts of a name: whitespace (NBSP and line breaks too), "_", "-" and the
# Unicode hyphens Word writes (U+2010 hyphen, U+2011 non-breaking hyphen).
_PART_SEP = r"[\s_\-\u2010\u2011]+"
_SPLIT = re.compile(r"[\s_\-\u2010\u2011]+")


def _nfc(text: str) -> str:
    """*text* in Unicode NFC (most text already is: the cheap test first)."""
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def _words(name: str) -> list[str]:
    """The parts of a name: split at whitespace, "-" and "_" ("Anne-Marie" -> 2)."""
    return [w for w in _SPLIT.split(name) if w]


def _possessive(name: str) -> str:
    # Danish: a name ending in s, x or z takes an apostrophe, others take -s.
    return f"{name}'" if name[-1:].lower() in ("s", "x", "z") else f"{name}s"


def _key(name: str) -> str:
    """The lookup key of a name as written: NFC, case and separators ("Anne_Marie") folded."""
    return " ".join(_words(_nfc(name).casefold()))


def _word_pattern(names: Iterable[str]) -> re.Pattern[str] | None:
    alternatives = sorted({n for n in names if n.strip()}, key=len, reverse=True)
    if not alternatives:
        return None
    # The words of a full name may be joined by spaces, "-" or "_" ("Sabrina_Holt.md").
    body = "|".join(_PART_SEP.join(re.escape(w) for w in _words(n)) for n in alternatives)
    return re.compile(rf"{_BEFORE}(?P<name>{body}){_POSSESSIVE}{_AFTER}", re.IGNORECASE)


def _parts(real: str, fake: str, *, person: bool) -> list[tuple[str, str]]:
    """A multi-word real name's first name and surname alone, with what they become.

    For a [names] entry (*person*) the first name maps to the made-up first name and
    the surname to the made-up surname, or to the whole made-up name when it has one
    word. A speaker's pseudonym ("Medarbejder 5") is not a name: each part maps to all
    of it.
    """
    words, made_up = _words(real), _words(fake)
    if len(words) < 2 or not made_up:
        return []
    if not person:
        return [(words[0], fake), (words[-1], fake)]
    last = made_up[-1] if len(made_up) > 1 else fake
    return [(words[0], made_up[0]), (words[-1], last)]


def file_fix(value: str) -> str:
    """check()'s *fix* for a file path or segment id: those are not pseudonymised."""
    return (
        "file names and journey ids are not pseudonymised: rename the file or the journey "
        f"id in '{value}' (and its study.toml entry) and run journeylab import"
    )


def theme_fix(theme: str) -> str:
    """check()'s *fix* for a theme name: theme names are not pseudonymised."""
    return f"theme names are not pseudonymised: rename the theme '{theme}'"


@dataclass(frozen=True)
class Pseudonymiser:
    """Replaces real names by made-up ones in text and speaker labels."""

    names: tuple[tuple[str, str], ...]  # real (a full name, first name or surname) -> made-up
    speakers: tuple[tuple[str, str], ...] = ()  # speaker label -> pseudonym
    # The method marks a made-up name in quoted text: "Oliver (opdigtet navn)".
    # Only names from [names] get it; speaker pseudonyms ("Medarbejder 1") don't.
    marked: frozenset[str] = frozenset()
    marker: str = ""
    # Real name (folded) -> where it is listed, for the check's hint.
    origins: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        # One place for NFC: a name written decomposed still matches (frozen: set once).
        nfc = _nfc
        object.__setattr__(self, "names", tuple((nfc(r), nfc(f)) for r, f in self.names))
        object.__setattr__(self, "speakers", tuple((nfc(r), nfc(f)) for r, f in self.speakers))
        object.__setattr__(self, "marked", frozenset(nfc(m) for m in self.marked))

    @classmethod
    def from_study(
        cls,
        study: Study,
        participants: Sequence[Participant] = (),
        *,
        language: str | None = None,
    ) -> Pseudonymiser:
        """The study's [names] plus every participant that has a pseudonym.

        *language* is the output's language ("da"/"en"): it picks the made-up-name
        marker; the study's language when not given.
        """
        # (real, made-up, a [names] entry rather than a speaker?)
        pairs: list[tuple[str, str, bool]] = [
            (_nfc(real.strip()), _nfc(fake.strip()), True) for real, fake in study.names
        ]
        marked = {fake.strip() for _, fake in study.names}
        marked = {_nfc(m) for m in marked}
        marked |= {w for fake in marked for w in _words(fake)[:1] + _words(fake)[-1:]}
        speakers: list[tuple[str, str]] = []
        for p in participants:
            if p.pseudonym and p.role is not Role.INTERVIEWER:
                name, pseudonym = _nfc(p.name), _nfc(p.pseudonym)
                speakers.append((name, pseudonym))
                if name.strip() and name.strip() != pseudonym:
                    pairs.append((name.strip(), pseudonym, False))
        table: dict[str, tuple[str, str]] = {}
        origins: dict[str, str] = {}
        # Listed names first, then their parts: a name listed on its own wins over the
        # same word as part of a longer name.
        for real, fake, person in pairs:
            if _key(real) not in table:
                table[_key(real)] = (real, fake)
                origins[_key(real)] = (
                    "listed in [names]" if person else f"a speaker's real name (shown as '{fake}')"
                )
        for real, fake, person in pairs:
            for part, made_up in _parts(real, fake, person=person):
                if _key(part) not in table:
                    table[_key(part)] = (part, made_up)
                    origins[_key(part)] = (
                        f"part of '{real}' in [names]"
                        if person
                        else f"part of the speaker '{real}' (shown as '{fake}')"
                    )
        for _real, fake in table.values():
            if _key(fake) in table:
                raise PrivacyError(
                    f"the made-up name '{fake}' is also listed as a real name",
                    path=study.toml_path,
                    where="[names]",
                    hint=f"'{fake}' is {origins[_key(fake)]}; choose made-up names that no one "
                    "in the material has",
                )
        return cls(
            names=tuple(table.values()),
            speakers=tuple(speakers),
            marked=frozenset(marked),
            marker=MARKERS.get(language or study.language, MARKERS["da"]),
            origins=tuple(origins.items()),
        )

    @classmethod
    def from_sources(
        cls, study: Study, sources: Iterable[Any], *, language: str | None = None
    ) -> Pseudonymiser:
        """from_study with the participants of every imported source (SourceRecords):
        what sheets, exports and the explorer print from the store."""
        participants = [p for source in sources for p in source.participants]
        return cls.from_study(study, participants, language=language)

    # Built once per pseudonymiser: a report calls text() for every segment.
    @cached_property
    def _pattern(self) -> re.Pattern[str] | None:
        return _word_pattern(r for r, _ in self.names)

    @cached_property
    def _table(self) -> dict[str, str]:
        return {_key(real): fake for real, fake in self.names}

    # A report asks for a speaker per coded segment: a dict, not a scan of the list.
    @cached_property
    def _speaker_table(self) -> dict[str, str]:
        table: dict[str, str] = {}
        for name, pseudonym in self.speakers:
            table.setdefault(name, pseudonym)  # the first pair wins, as the scan did
        return table

    def text(self, text: str) -> str:
        """*text* (in NFC) with every real name replaced by its made-up name."""
        pattern = self._pattern
        if pattern is None or not text:
            return text
        text = _nfc(text)
        lookup = self._table

        def swap(match: re.Match[str]) -> str:
            fake = lookup[_key(match.group("name"))]
            word = _possessive(fake) if match.group("poss") else fake
            # Not inside a compound or an id: "Oliver-sagen", not "Oliver (…)-sagen".
            after = text[match.end() : match.end() + 1]
            before = text[match.start() - 1 : match.start()] if match.start() else ""
            glued = after in _GLUE or before in _GLUE
            return f"{word}{self.marker}" if fake in self.marked and not glued else word

        return pattern.sub(swap, text)

    def speaker(self, label: str | None) -> str | None:
        """The pseudonym for a speaker label (or the label with names replaced)."""
        if label is None:
            return None
        pseudonym = self._speaker_table.get(_nfc(label))
        return pseudonym if pseudonym is not None else self.text(label)

    def find(self, text: str) -> str | None:
        """The first real name in *text*, as written there ("Åse", "SØRENS"), or None.

        The same matching as text() and check(): whole words (``_``/``-`` separate),
        any case, possessives, full names, first names and surnames alone.
        """
        pattern = self._pattern
        match = pattern.search(_nfc(text)) if pattern is not None and text else None
        return match.group("name") if match is not None else None

    def origin(self, name: str) -> str:
        """Where a real name found by find() is listed, in words for an error message."""
        return dict(self.origins).get(_key(name), "listed in [names]")

    def check(
        self,
        text: str,
        path: str | Path | None = None,
        *,
        where: str | None = None,
        fix: str | None = None,
    ) -> None:
        """Raise PrivacyError if any real name is still in *text*; nothing is written.

        *where* names the place when a line number of *text* means nothing to the
        user ("sheet 'Kodning', row 4, column 'kilde'"); *fix* says what to do there
        ("rename the file"). Without *fix* the hint says that the name is already
        listed and the text must be corrected where it comes from.

        An HTML or SVG output (by *path*'s suffix, or a text that opens as markup) is
        read without the content of its <style> and <script> elements: that is the
        tool's own CSS and JavaScript, never the user's text.
        """
        pattern = self._pattern
        if pattern is None or not text:
            return
        text = _nfc(text)
        match = pattern.search(text)
        if match is not None and is_markup(text, path):
            # Only when something matched: most outputs hold no name, and each step costs
            # a pass (the tag names' dearly: one call per tag), so the cheap one first.
            for without in (without_code, without_tag_names):
                text = without(text)
                match = pattern.search(text)
                if match is None:
                    break
        if match is None:
            return
        line = text.count("\n", 0, match.start()) + 1
        before = text[max(0, match.start() - 30) : match.start()].split("\n")[-1]
        after = text[match.end() : match.end() + 30].split("\n")[0]
        context = " ".join(f"{before}{match.group(0)}{after}".split())
        name = match.group("name")
        todo = fix or (
            "this text is not pseudonymised: correct it where it comes from (the material, "
            "a file name, a theme, a memo, findings.yaml or the codebook)"
        )
        raise PrivacyError(
            f"a real name ('{name}') would be written: '…{context}…'",
            path=path,
            where=where or f"line {line}",
            hint=f"'{name}' is {self.origin(name)}, but {todo}; nothing was written",
        )

    def check_rows(
        self,
        rows: Iterable[Mapping[str, object]],
        path: str | Path | None = None,
        *,
        first: int = 2,
        sheet: str | None = None,
        labels: Mapping[str, str] | None = None,
        fix: Callable[[str, str], str | None] | None = None,
    ) -> None:
        """check() every cell of a table about to be written, naming the cell at fault.

        *first* is the row number the first row gets in a spreadsheet (after the
        header), *sheet* the sheet's name, *labels* the column headers the user sees
        (column key -> header), *fix(column, value)* what to do about that cell
        (None: the default hint). One pass over all cells when none holds a name.
        """
        rows = list(rows)
        if self._pattern is None:
            return
        # NUL never appears in a cell, is no space and no letter: no name matches across it.
        if (
            self.find("\x00".join(str(v) for row in rows for v in row.values() if v is not None))
            is None
        ):
            return
        for number, row in enumerate(rows, start=first):
            for key, value in row.items():
                if value is None or self.find(str(value)) is None:
                    continue
                column = (labels or {}).get(key, key)
                place = f"row {number}, column '{column}'"
                self.check(
                    str(value),
                    path,
                    where=f"sheet '{sheet}', {place}" if sheet else place,
                    fix=fix(key, str(value)) if fix else None,
                )

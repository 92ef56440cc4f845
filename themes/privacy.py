"""Pseudonymisation: real names out, made-up names in, and a check that none leak.

Names come from study.toml's ``[names]`` table ("Real Name" = "Made-up") and
from transcript participants that carry a pseudonym (the speaker label is the
real name). Matching is on whole words, case-insensitive, so "Jonas" is found
in "JONAS," and "jonas" but not inside "Jonasen". A Danish possessive is kept
as a possessive of the made-up name: "Jonas'"/"Sabrinas" -> "Olivers"/"Cecilies".
For "First Last" the full name is replaced first, then the first name alone.
A made-up name from ``[names]`` carries the method's marker, "Oliver (opdigtet
navn)" / "Oliver (made-up name)", except inside a hyphenated compound.

Case-insensitive matching can replace an ordinary word that equals a name
("per uge" when someone is called Per); that is the price of never leaking.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from journeylab.coding.model import Participant, Role
from journeylab.coding.study import Study
from journeylab.errors import PrivacyError

MARKERS = {"da": " (opdigtet navn)", "en": " (made-up name)"}

_POSSESSIVE = r"(?P<poss>s|'s|'|’s|’)?"


def _possessive(name: str) -> str:
    # Danish: a name ending in s, x or z takes an apostrophe, others take -s.
    return f"{name}'" if name[-1:].lower() in ("s", "x", "z") else f"{name}s"


def _word_pattern(names: Iterable[str]) -> re.Pattern[str] | None:
    alternatives = sorted({n for n in names if n.strip()}, key=len, reverse=True)
    if not alternatives:
        return None
    body = "|".join(r"\s+".join(re.escape(w) for w in n.split()) for n in alternatives)
    return re.compile(rf"(?<!\w)(?P<name>{body}){_POSSESSIVE}(?![\w])", re.IGNORECASE)


@dataclass(frozen=True)
class Pseudonymiser:
    """Replaces real names by made-up ones in text and speaker labels."""

    names: tuple[tuple[str, str], ...]  # real (a full name or a first name) -> made-up
    speakers: tuple[tuple[str, str], ...] = ()  # speaker label -> pseudonym
    # The method marks a made-up name in quoted text: "Oliver (opdigtet navn)".
    # Only names from [names] get it; speaker pseudonyms ("Medarbejder 1") don't.
    marked: frozenset[str] = frozenset()
    marker: str = ""

    @classmethod
    def from_study(cls, study: Study, participants: Sequence[Participant] = ()) -> Pseudonymiser:
        """The study's [names] plus every participant that has a pseudonym."""
        pairs: list[tuple[str, str]] = []
        for real, fake in study.names:
            pairs.append((real.strip(), fake.strip()))
        marked = {fake.strip() for _, fake in study.names}
        marked |= {fake.split()[0] for fake in marked if fake.split()}
        speakers: list[tuple[str, str]] = []
        for p in participants:
            if p.pseudonym and p.role is not Role.INTERVIEWER:
                speakers.append((p.name, p.pseudonym))
                if p.name.strip() and p.name.strip() != p.pseudonym:
                    pairs.append((p.name.strip(), p.pseudonym))
        expanded: list[tuple[str, str]] = []
        for real, fake in pairs:
            expanded.append((real, fake))
            parts = real.split()
            if len(parts) > 1:
                # "Sabrina Holt" alone as "Sabrina" must go too.
                expanded.append((parts[0], fake.split()[0] if fake.split() else fake))
        table: dict[str, tuple[str, str]] = {}
        for real, fake in expanded:
            table.setdefault(real.casefold(), (real, fake))
        reals = set(table)
        for _real, fake in table.values():
            if fake.casefold() in reals:
                raise PrivacyError(
                    f"the made-up name '{fake}' is also listed as a real name",
                    path=study.toml_path,
                    where="[names]",
                    hint="choose made-up names that no one in the material has",
                )
        return cls(
            names=tuple(table.values()),
            speakers=tuple(speakers),
            marked=frozenset(marked),
            marker=MARKERS.get(study.language, MARKERS["da"]),
        )

    # Built once per pseudonymiser: a report calls text() for every segment.
    @cached_property
    def _pattern(self) -> re.Pattern[str] | None:
        return _word_pattern(r for r, _ in self.names)

    @cached_property
    def _table(self) -> dict[str, str]:
        return {" ".join(real.casefold().split()): fake for real, fake in self.names}

    def _lookup(self) -> dict[str, str]:
        return self._table

    # A report asks for a speaker per coded segment: a dict, not a scan of the list.
    @cached_property
    def _speaker_table(self) -> dict[str, str]:
        table: dict[str, str] = {}
        for name, pseudonym in self.speakers:
            table.setdefault(name, pseudonym)  # the first pair wins, as the scan did
        return table

    def text(self, text: str) -> str:
        """*text* with every real name replaced by its made-up name."""
        pattern = self._pattern
        if pattern is None or not text:
            return text
        lookup = self._lookup()

        def swap(match: re.Match[str]) -> str:
            fake = lookup[" ".join(match.group("name").casefold().split())]
            word = _possessive(fake) if match.group("poss") else fake
            # Not inside a hyphenated compound: "Oliver-sagen", not "Oliver (…)-sagen".
            compound = text[match.end() : match.end() + 1] == "-"
            return f"{word}{self.marker}" if fake in self.marked and not compound else word

        return pattern.sub(swap, text)

    def speaker(self, label: str | None) -> str | None:
        """The pseudonym for a speaker label (or the label with names replaced)."""
        if label is None:
            return None
        pseudonym = self._speaker_table.get(label)
        return pseudonym if pseudonym is not None else self.text(label)

    def check(self, text: str, path: str | Path | None = None) -> None:
        """Raise PrivacyError if any real name is still in *text*."""
        pattern = self._pattern
        if pattern is None:
            return
        match = pattern.search(text)
        if match is None:
            return
        line = text.count("\n", 0, match.start()) + 1
        before = text[max(0, match.start() - 30) : match.start()].split("\n")[-1]
        after = text[match.end() : match.end() + 30].split("\n")[0]
        context = " ".join(f"{before}{match.group(0)}{after}".split())
        raise PrivacyError(
            f"a real name ('{match.group('name')}') would be written: '…{context}…'",
            path=path,
            where=f"line {line}",
            hint="add the name to [names] in study.toml or correct the text; nothing was written",
        )

"""The bullets under "Hvad siger de unge?" / "Hvad siger medarbejderne?".

A bullet is built from the data, never invented: each inclusion hint of the
theme ("skift af sagsbehandler ...") is matched against the group's coded
segments, and the bullet says how many distinct participants touched it,
with a careful quantifier: "Flere unge fortæller om skift af sagsbehandler ...".
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

from spacy.lang.da.stop_words import STOP_WORDS as DA_STOP
from spacy.lang.en.stop_words import STOP_WORDS as EN_STOP

from journeylab.themes.quantifiers import Quantity

_WORD = re.compile(r"\w+", re.UNICODE)
# Words that appear in hints but say nothing about the topic.
_GENERIC = {
    "unge", "ung", "unges", "medarbejder", "medarbejdere", "medarbejderes", "leder", "ledere",
    "beskrivelser", "beskrivelse", "hvordan", "skulle", "blive", "bliver", "fortælle",
    "fortæller", "bestemt", "også", "især", "andre", "anden", "kommune", "kommunen",
    "young", "people", "person", "employee", "employees",
}  # fmt: skip
# "Medarbejderes beskrivelser af, hvordan ..." reads badly after "Flere medarbejdere
# beskriver"; the prefix is the codebook's voice, not the finding's.
_HINT_PREFIX = re.compile(
    r"^(medarbejderes|lederes|de unges|unges)\s+(beskrivelser|fortællinger)\s+af,?\s*", re.I
)


@dataclass(frozen=True)
class Statement:
    """One bullet: how many of the group touched *topic* (a hint of the theme)."""

    topic: str  # "" for the overall bullet ("... berører temaet")
    quantity: Quantity
    segment_ids: tuple[str, ...]
    suggested: bool = False  # some of its segments count only as machine suggestions


@dataclass(frozen=True)
class Evidence:
    """A coded segment seen by the statement builder."""

    segment_id: str
    participant: str
    text: str
    lemmas: tuple[str, ...] = ()
    suggested: bool = False


def content_words(text: str) -> tuple[str, ...]:
    """The topical words of a hint: no stop words, no generic ones, at least 4 letters."""
    out: list[str] = []
    for w in _WORD.findall(text.lower()):
        topical = len(w) >= 4 and w not in DA_STOP and w not in EN_STOP and w not in _GENERIC
        if topical and w not in out:
            out.append(w)
    return tuple(out)


_SUFFIXES = ("erne", "ene", "ens", "ets", "en", "et", "er", "es", "e", "s")


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """A rough Danish stem: one inflection ending off ("jobcenteret" -> "jobcenter")."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def _matches(hint_word: str, word: str) -> bool:
    # Stems catch inflection ("sagsbehandlere", "mødet"/"møde"); the suffix test
    # catches compounds ("kontaktpersonskift" ends with "skift").
    h, w = stem(hint_word), stem(word)
    if w == h or (len(h) >= 4 and w.startswith(h)):
        return True
    return len(hint_word) >= 5 and (word.endswith(hint_word) or w.endswith(h))


class Matcher:
    """Which words of a vocabulary `_matches` a hint word, found by index, not by scan.

    The three rules of `_matches` are a stem lookup, a prefix of the stem and a
    suffix of the word or stem; sorted lists answer the last two with bisect, so
    a report over a large study does not compare every hint with every word.
    """

    def __init__(self, vocabulary: Iterable[str]) -> None:
        words = set(vocabulary)
        self._by_stem: dict[str, set[str]] = {}
        for w in words:
            self._by_stem.setdefault(stem(w), set()).add(w)
        self._stems = sorted(self._by_stem)
        # Reversed words and stems, sorted, so "ends with" becomes "starts with".
        self._rev_words = sorted(w[::-1] for w in words)
        self._rev_stems = sorted(st[::-1] for st in self._by_stem)
        self._cache: dict[str, frozenset[str]] = {}

    @staticmethod
    def _prefixed(sorted_items: list[str], prefix: str) -> Iterator[str]:
        i = bisect_left(sorted_items, prefix)
        while i < len(sorted_items) and sorted_items[i].startswith(prefix):
            yield sorted_items[i]
            i += 1

    def matching(self, hint_word: str) -> frozenset[str]:
        """Every vocabulary word w with `_matches(hint_word, w)`."""
        if hint_word in self._cache:
            return self._cache[hint_word]
        h = stem(hint_word)
        found: set[str] = set(self._by_stem.get(h, ()))
        if len(h) >= 4:
            for st in self._prefixed(self._stems, h):
                found |= self._by_stem[st]
        if len(hint_word) >= 5:
            found.update(r[::-1] for r in self._prefixed(self._rev_words, hint_word[::-1]))
            for rst in self._prefixed(self._rev_stems, h[::-1]):
                found |= self._by_stem[rst[::-1]]
        self._cache[hint_word] = frozenset(found)
        return self._cache[hint_word]


def _words(evidence: Evidence) -> set[str]:
    # Not cached across calls: every segment's word set at once is ~70 MB at 1M words.
    return set(_WORD.findall(evidence.text.lower())).union(evidence.lemmas)


def supports(hint: Sequence[str], evidence: Evidence) -> bool:
    """True when the segment holds enough of the hint's topical words."""
    if not hint:
        return False
    words = set(_WORD.findall(evidence.text.lower())) | set(evidence.lemmas)
    hits = sum(1 for h in hint if any(_matches(h, w) for w in words))
    return hits >= min(2, len(hint))


def topic_text(hint: str) -> str:
    """The hint as the end of a bullet sentence."""
    text = _HINT_PREFIX.sub("", hint.strip()).rstrip(" .;")
    return text


def build_statements(
    hints: Sequence[str],
    evidence: Sequence[Evidence],
    group_size: int,
    noun: str,
    *,
    max_topics: int = 4,
) -> tuple[Statement, ...]:
    """The overall bullet, then up to *max_topics* hint bullets, most-supported first."""
    if not evidence:
        return ()
    people = {e.participant for e in evidence}
    certain = {e.participant for e in evidence if not e.suggested}
    out = [
        Statement(
            topic="",
            quantity=Quantity(len(people), group_size, noun),
            segment_ids=tuple(e.segment_id for e in evidence),
            suggested=len(certain) < len(people),
        )
    ]
    topics: list[tuple[int, int, Statement]] = []
    # Which evidence holds each word the hints match: a hint's backing is then
    # found from those few words, not by testing every segment against every hint.
    words_of = [_words(e) for e in evidence]
    matcher = Matcher(frozenset().union(*words_of))
    plans: list[tuple[int, str, list[frozenset[str]], int]] = []
    for order, hint in enumerate(hints):
        words = content_words(hint)
        if words:
            plans.append((order, hint, [matcher.matching(h) for h in words], min(2, len(words))))
    relevant = frozenset().union(*(m for plan in plans for m in plan[2]))
    postings: dict[str, list[int]] = defaultdict(list)
    for i, ws in enumerate(words_of):
        for w in ws & relevant:
            postings[w].append(i)
    for order, hint, matched, need in plans:
        hits: Counter[int] = Counter()
        for m in matched:
            holders: set[int] = set()
            for w in m:
                holders.update(postings.get(w, ()))
            hits.update(holders)
        backing = [evidence[i] for i in sorted(i for i, n in hits.items() if n >= need)]
        if not backing:
            continue
        who = {e.participant for e in backing}
        sure = {e.participant for e in backing if not e.suggested}
        statement = Statement(
            topic=topic_text(hint),
            quantity=Quantity(len(who), group_size, noun),
            segment_ids=tuple(e.segment_id for e in backing),
            suggested=len(sure) < len(who),
        )
        topics.append((-len(who), order, statement))
    topics.sort(key=lambda t: (t[0], t[1]))
    out.extend(s for _, _, s in topics[:max_topics])
    return tuple(out)

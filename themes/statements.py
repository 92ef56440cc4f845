"""The bullets under "Hvad siger de unge?" / "Hvad siger medarbejderne?".

A bullet is built from the data, never invented: each inclusion hint of the
theme ("skift af sagsbehandler ...") is matched against the group's coded
segments, and the bullet says how many distinct participants touched it,
with a careful quantifier: "Flere unge fortæller om skift af sagsbehandler ...".
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
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


class HintIndex:
    """Which of a set of hint words each text matches (`_matches`), each word tested once.

    A report asks, for every theme and role group, which coded segments back
    each hint. A segment coded with several themes used to be split into words
    once per theme; here its words are looked up once per distinct text, and a
    distinct word once per index, against the hint words of every theme: the
    answer per segment is the (small) set of hint words it matches.
    """

    def __init__(self, hint_words: Iterable[str]) -> None:
        self.hints = frozenset(hint_words)
        # `_matches(h, w)` as look-ups on w's stem, prefixes of its stem and suffixes.
        self._stem: dict[str, set[str]] = defaultdict(set)  # stem(h) == stem(w)
        self._prefix: dict[str, set[str]] = defaultdict(set)  # stem(w) starts with stem(h)
        self._suffix: dict[str, set[str]] = defaultdict(set)  # w ends with h
        self._stem_suffix: dict[str, set[str]] = defaultdict(set)  # stem(w) ends with stem(h)
        for h in self.hints:
            sh = stem(h)
            self._stem[sh].add(h)
            if len(sh) >= 4:
                self._prefix[sh].add(h)
            if len(h) >= 5:
                self._suffix[h].add(h)
                self._stem_suffix[sh].add(h)
        self._words: dict[str, frozenset[str]] = {}
        self._known: set[str] = set()  # self._words' keys, as a set for set operations
        self._matching: set[str] = set()  # the words of self._words that match a hint
        self._texts: dict[tuple[str, str], frozenset[str]] = {}

    def word_hits(self, word: str) -> frozenset[str]:
        """Every hint word h with `_matches(h, word)`."""
        found = self._words.get(word)
        if found is not None:
            return found
        sw = stem(word)
        hits = set(self._stem.get(sw, ()))
        for k in range(4, len(sw) + 1):
            hits.update(self._prefix.get(sw[:k], ()))
        for k in range(len(word)):
            hits.update(self._suffix.get(word[k:], ()))
        for k in range(len(sw)):
            hits.update(self._stem_suffix.get(sw[k:], ()))
        found = self._words[word] = frozenset(hits) if hits else _NONE
        self._known.add(word)
        if hits:
            self._matching.add(word)
        return found

    def hits(self, evidence: Evidence) -> frozenset[str]:
        """The hint words some word (or lemma) of the evidence's text matches.

        Kept per (segment id, text): a segment's lemmas are those of its text, so
        they are not part of the key (hashing them was most of a look-up).
        """
        key = (evidence.segment_id, evidence.text)
        found = self._texts.get(key)
        if found is None:
            words = _words(evidence)
            # Set operations, not a loop over every word: most words match no hint.
            for w in words - self._known:
                self.word_hits(w)
            out: set[str] = set()
            for w in words & self._matching:
                out |= self._words[w]
            found = self._texts[key] = frozenset(out) if out else _NONE
        return found


_NONE: frozenset[str] = frozenset()


def _words(evidence: Evidence) -> set[str]:
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
    index: HintIndex | None = None,
) -> tuple[Statement, ...]:
    """The overall bullet, then up to *max_topics* hint bullets, most-supported first.

    *index*: a `HintIndex` shared by the calls of one report (it must hold every
    content word of *hints*; else a fresh one is made).
    """
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
    plans: list[tuple[int, str, tuple[str, ...], int]] = []
    for order, hint in enumerate(hints):
        words = content_words(hint)
        if words:
            plans.append((order, hint, words, min(2, len(words))))
    wanted = {h for plan in plans for h in plan[2]}
    if index is None or not wanted <= index.hints:
        index = HintIndex(wanted)
    # Which evidence matches each hint word: a hint's backing is then found from
    # those few lists, not by testing every segment against every hint.
    postings: dict[str, list[int]] = defaultdict(list)
    for i, e in enumerate(evidence):
        for h in index.hits(e):
            postings[h].append(i)
    for order, hint, words, need in plans:
        hits: Counter[int] = Counter()
        for h in words:
            hits.update(postings.get(h, ()))
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

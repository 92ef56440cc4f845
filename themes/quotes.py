"""Choosing the quotes a theme section shows.

A good report quote is short, whole sentences, strong (first person, an
evaluative word such as "aldrig" or "savnede"), and the quotes of one theme
come from different people and interviews. The interviewer is never quoted, nor
a turn that opens by presenting its speaker ("jeg er jobkonsulent i ungeenheden").
The analyst can pin or ban segments in study.toml::

    [report]
    pinned = ["transcripts/fokusgruppe.txt#12"]
    banned = ["transcripts/fokusgruppe.txt#3"]
    quote_min_words = 8
    quote_max_words = 60
    quotes_per_theme = 5
"""

from __future__ import annotations

import heapq
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from journeylab.coding.model import Role
from journeylab.coding.study import Study
from journeylab.errors import StudyError
from journeylab.themes.quote_text import _WORD, is_introduction
from journeylab.themes.quote_text import split_sentences as split_sentences
from journeylab.themes.quote_text import word_count as word_count


@dataclass(frozen=True)
class QuoteRules:
    """How quotes are picked; the defaults follow the method."""

    min_words: int = 8
    max_words: int = 60
    per_theme: int = 5
    pinned: tuple[str, ...] = ()  # segment ids always shown (when coded to the theme)
    banned: tuple[str, ...] = ()  # segment ids never shown


@dataclass(frozen=True)
class Candidate:
    """A coded segment that could be quoted (text already pseudonymised)."""

    segment_id: str
    text: str
    role: Role
    participant: str  # a journey id, or "source|speaker"
    source: str
    municipality: str | None = None
    score: float | None = None  # the best coder score for the theme
    suggested: bool = False


@dataclass(frozen=True)
class Quote:
    """A quote as the report shows it: the text, tagged only with role and municipality."""

    segment_id: str
    text: str
    role: Role
    municipality: str | None
    source: str
    participant: str
    strength: float
    pinned: bool = False
    suggested: bool = False


def _list(value: object, key: str, study: Study) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise StudyError(
            f"'{key}' must be a list of segment ids",
            path=study.toml_path,
            where="[report]",
            hint=f'write {key} = ["transcripts/file.txt#3", ...]',
        )
    return tuple(value)


def _int(value: object, key: str, default: int, study: Study) -> int:
    if value is None:
        return default
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise StudyError(
            f"'{key}' must be a whole number above 0", path=study.toml_path, where="[report]"
        )
    return value


def load_quote_rules(study: Study) -> QuoteRules:
    """The quote rules from study.toml's [report] table (defaults where absent)."""
    path = study.toml_path
    if not path.is_file():
        return QuoteRules()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise StudyError(f"cannot read study.toml: {exc}", path=path) from exc
    report = data.get("report", {})
    if not isinstance(report, dict):
        raise StudyError("[report] must be a table", path=path)
    rules = QuoteRules(
        min_words=_int(report.get("quote_min_words"), "quote_min_words", 8, study),
        max_words=_int(report.get("quote_max_words"), "quote_max_words", 60, study),
        per_theme=_int(report.get("quotes_per_theme"), "quotes_per_theme", 5, study),
        pinned=_list(report.get("pinned"), "pinned", study),
        banned=_list(report.get("banned"), "banned", study),
    )
    if rules.min_words > rules.max_words:
        raise StudyError(
            "quote_min_words is larger than quote_max_words", path=path, where="[report]"
        )
    return rules


_FIRST_PERSON = {
    "da": {"jeg", "mig", "min", "mit", "mine", "vi", "os", "vores"},
    "en": {"i", "me", "my", "mine", "we", "us", "our"},
}
_EVALUATIVE = {
    "da": {
        "aldrig", "altid", "betød", "betyder", "savnede", "savner", "ingen", "ingenting",
        "endelig", "vigtig", "vigtigt", "vigtigste", "svært", "hårdt", "tryg", "utryg",
        "alene", "glad", "bange", "forfra", "opgav", "hjalp", "reddede", "værste", "bedste",
    },
    "en": {
        "never", "always", "meant", "missed", "nobody", "nothing", "finally", "important",
        "hard", "alone", "safe", "afraid", "worst", "best", "helped", "again",
    },
}  # fmt: skip


def _strength(first_person: bool, evaluative: int, n_words: int, score: float | None) -> float:
    value = 1.0 if first_person else 0.0
    value += min(1.5, 0.5 * evaluative)
    value += score or 0.0
    if 12 <= n_words <= 35:
        value += 0.5
    return round(value, 4)


def strength(text: str, score: float | None = None, lang: str = "da") -> float:
    """How strong a quote is: first person, evaluative words, coder score, a good length."""
    has_first, n_eval, n_words = _word_facts(text, lang)
    return _strength(has_first, n_eval, n_words, score)


# A segment coded into several themes is a candidate in each: trim it once.
@lru_cache(maxsize=16384)
def trim(text: str, min_words: int = 8, max_words: int = 60, lang: str = "da") -> str | None:
    """The strongest run of whole sentences of *text* within the word limits, or None."""
    sentences = split_sentences(" ".join(text.split()))
    first = _FIRST_PERSON.get(lang, _FIRST_PERSON["da"])
    evaluative = _EVALUATIVE.get(lang, _EVALUATIVE["da"])
    # strength() of a run of sentences, from per-sentence parts: a word never spans
    # the space that joins two stripped sentences, so the run's words are theirs.
    counts: list[int] = []
    firsts: list[bool] = []
    evals: list[int] = []
    for sentence in sentences:
        words = [w.lower() for w in _WORD.findall(sentence)]
        counts.append(len(words))
        firsts.append(any(w in first for w in words))
        evals.append(sum(1 for w in words if w in evaluative))
    best: tuple[float, int] | None = None
    best_run = (0, 0)
    for i in range(len(sentences)):
        total = 0
        n_eval = 0
        has_first = False
        for j in range(i, len(sentences)):
            total += counts[j]
            if total > max_words:
                break
            n_eval += evals[j]
            has_first = has_first or firsts[j]
            if total >= min_words:
                # Prefer strong windows; among equals, the longer (more context).
                key = (_strength(has_first, n_eval, total, None), total)
                if best is None or key > best:
                    best, best_run = key, (i, j)
    if best is None:
        return None
    return " ".join(sentences[best_run[0] : best_run[1] + 1])


def _bound(text: str, score: float | None, lang: str) -> tuple[float, int]:
    """An upper bound of strength() of any run of *text*'s sentences, and its words."""
    # A run has a subset of the text's words: no more evaluative words, first person
    # only if the text has it, and a good length (12 words or more) only if it can.
    has_first, n_eval, n = _word_facts(text, lang)
    return (_strength(has_first, n_eval, 12 if n >= 12 else n, score), n)


# The same segment is a candidate once per theme it is coded with: its words are
# counted once (the regex over every candidate was ~1.5 s of a 1M-word report).
@lru_cache(maxsize=65536)
def _word_facts(text: str, lang: str) -> tuple[bool, int, int]:
    """(has a first-person word, evaluative words, words) of *text*."""
    words = [w.lower() for w in _WORD.findall(text)]
    first = _FIRST_PERSON.get(lang, _FIRST_PERSON["da"])
    evaluative = _EVALUATIVE.get(lang, _EVALUATIVE["da"])
    return (not first.isdisjoint(words), sum(map(evaluative.__contains__, words)), len(words))


def _quote(c: Candidate, text: str, pinned: bool, lang: str) -> Quote:
    return Quote(
        segment_id=c.segment_id,
        text=text,
        role=c.role,
        municipality=c.municipality,
        source=c.source,
        participant=c.participant,
        strength=strength(text, c.score, lang),
        pinned=pinned,
        suggested=c.suggested,
    )


def select_quotes(
    candidates: Sequence[Candidate], rules: QuoteRules = QuoteRules(), lang: str = "da"
) -> tuple[Quote, ...]:
    """Up to rules.per_theme quotes: pinned first, then strong ones spread over people.

    The definition: drop the turns that open by presenting the speaker
    (`is_introduction`), trim every other candidate, sort the quotes by (strength desc,
    segment id), then repeatedly take the first quote of a new participant and a
    new source (else a new participant, else a new source, else the next).
    """
    pinned_order = {sid: i for i, sid in enumerate(rules.pinned)}
    banned = set(rules.banned)
    pinned: list[Quote] = []
    others: list[Candidate] = []
    for c in candidates:
        if c.role is Role.INTERVIEWER or c.segment_id in banned:
            continue
        if c.segment_id in pinned_order:
            text = trim(c.text, rules.min_words, rules.max_words, lang)
            if text is None:
                text = " ".join(c.text.split())  # the analyst chose it as it is
            pinned.append(_quote(c, text, True, lang))
        else:
            others.append(c)
    pinned.sort(key=lambda q: pinned_order[q.segment_id])
    chosen = pinned[: max(rules.per_theme, len(pinned))]
    if len(chosen) >= rules.per_theme:
        return tuple(chosen)
    ordered = _StrongestFirst(others, rules, lang)
    pool: list[Quote] = []  # the quotes in that order so far, less those chosen
    while len(chosen) < rules.per_theme:
        people = {q.participant for q in chosen}
        sources = {q.source for q in chosen}
        best: tuple[bool, bool] | None = None
        at = -1
        i = 0
        while best != (True, True):  # nothing beats a new participant from a new source
            if i == len(pool):
                quote = ordered.next()
                if quote is None:
                    break
                pool.append(quote)
            key = (pool[i].participant not in people, pool[i].source not in sources)
            if best is None or key > best:
                best, at = key, i
            i += 1
        if best is None:
            break
        chosen.append(pool.pop(at))
    return tuple(chosen)


class _StrongestFirst:
    """The candidates' quotes one at a time, by (strength desc, segment id), trimmed lazily.

    Trimming every coded segment was most of a report's time, and a theme shows
    five quotes. A heap holds each candidate under an upper bound of its strength,
    first a coarse one from its score alone, then `_bound` from its words, then
    its trimmed quote's strength. A quote comes out when no bound left is higher
    (on a tie, bounds are refined first, then segment ids decide), so the order
    is exactly the definition's, while candidates whose bounds stay below the
    quotes needed are never counted or trimmed.
    """

    def __init__(self, candidates: Sequence[Candidate], rules: QuoteRules, lang: str) -> None:
        self._candidates = candidates
        self._rules = rules
        self._lang = lang
        self._quotes: dict[int, Quote] = {}
        # (-bound, stage, segment id, index); stage 0 coarse, 1 `_bound`, 2 the quote.
        # The coarse bound: first person, three evaluative words and a good length.
        self._heap = [
            (-_strength(True, 3, 20, c.score), 0, c.segment_id, i) for i, c in enumerate(candidates)
        ]
        heapq.heapify(self._heap)

    def next(self) -> Quote | None:
        """The next quote in the order, or None when no candidate is left."""
        heap = self._heap
        while heap:
            _, stage, sid, i = heapq.heappop(heap)
            c = self._candidates[i]
            if stage == 0:
                bound, n_words = _bound(c.text, c.score, self._lang)
                if n_words >= self._rules.min_words:  # else trim() finds no run long enough
                    heapq.heappush(heap, (-bound, 1, sid, i))
            elif stage == 1:
                if is_introduction(c.text):
                    continue
                text = trim(c.text, self._rules.min_words, self._rules.max_words, self._lang)
                if text is not None:
                    quote = self._quotes[i] = _quote(c, text, False, self._lang)
                    heapq.heappush(heap, (-quote.strength, 2, sid, i))
            else:
                return self._quotes.pop(i)
        return None


_TAGS = {
    "da": {
        Role.UNG: "ung i {m}",
        Role.MEDARBEJDER: "medarbejder i {m}",
        Role.LEDER: "leder i {m}",
    },
    "en": {
        Role.UNG: "young person, {m}",
        Role.MEDARBEJDER: "employee, {m}",
        Role.LEDER: "leader, {m}",
    },
}
_BARE = {
    "da": {Role.UNG: "ung", Role.MEDARBEJDER: "medarbejder", Role.LEDER: "leder"},
    "en": {Role.UNG: "young person", Role.MEDARBEJDER: "employee", Role.LEDER: "leader"},
}


def quote_tag(role: Role, municipality: str | None, lang: str = "da") -> str:
    """The only attribution a quote gets: "ung i Fjordby Kommune"."""
    lang = lang if lang in _TAGS else "da"
    if municipality:
        return _TAGS[lang].get(role, "{m}").format(m=municipality)
    return _BARE[lang].get(role, "")

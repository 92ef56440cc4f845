"""Careful quantifiers: how a report says "how many" without false precision.

Qualitative reports do not write "37,5 % of the young people"; they write
"flere unge" and let the analyst see the count behind it. The word depends on
the share of the group (``count / group_size``), checked in this order:

=========================  ==================  ===============
rule                       Danish              English
=========================  ==================  ===============
count == 0                 ingen               no
count == group (≥ 2)       alle                all
count == 1                 én                  one
share ≥ 0.75               størstedelen af     most
share ≥ 0.40               mange               many
share ≥ 0.15 or count ≥ 3  flere               several
otherwise                  få                  a few
=========================  ==================  ===============

So 1 of 8 is "én ung", 2 of 8 "flere unge" (0.25), 2 of 20 "få unge",
4 of 8 "mange unge", 6 of 8 "størstedelen af de unge" and 8 of 8 "alle unge".
A count above the group size is treated as the whole group.

Without a noun (a table cell under the group's heading, "Unge: Størstedelen") the
word must stand alone: Danish "størstedelen", not "størstedelen af", and English
"none", not "no".
"""

from __future__ import annotations

from dataclasses import dataclass

MOST = 0.75
MANY = 0.40
SEVERAL = 0.15
SEVERAL_COUNT = 3


@dataclass(frozen=True)
class _Noun:
    singular: str
    plural: str
    definite: str  # "de unge", "medarbejderne": used after "størstedelen af"


_NOUNS: dict[str, dict[str, _Noun]] = {
    "da": {
        "ung": _Noun("ung", "unge", "de unge"),
        "medarbejder": _Noun("medarbejder", "medarbejdere", "medarbejderne"),
        "leder": _Noun("leder", "ledere", "lederne"),
        "deltager": _Noun("deltager", "deltagere", "deltagerne"),
    },
    "en": {
        "ung": _Noun("young person", "young people", "the young people"),
        "medarbejder": _Noun("employee", "employees", "the employees"),
        "leder": _Noun("leader", "leaders", "the leaders"),
        "deltager": _Noun("participant", "participants", "the participants"),
    },
}
# Plural and English spellings name the same noun.
_ALIASES = {
    "unge": "ung",
    "young": "ung",
    "young person": "ung",
    "young people": "ung",
    "medarbejdere": "medarbejder",
    "employee": "medarbejder",
    "employees": "medarbejder",
    "ledere": "leder",
    "leader": "leder",
    "leaders": "leder",
    "deltagere": "deltager",
    "participant": "deltager",
    "participants": "deltager",
}

_WORDS = {
    "da": {
        "none": "ingen",
        "all": "alle",
        "one": "én",
        "most": "størstedelen af",
        "many": "mange",
        "several": "flere",
        "few": "få",
    },
    "en": {
        "none": "no",
        "all": "all",
        "one": "one",
        "most": "most",
        "many": "many",
        "several": "several",
        "few": "a few",
    },
}

# The words that change when no noun follows them.
_ALONE = {
    "da": {"most": "størstedelen"},
    "en": {"none": "none"},
}


def quantifier_key(count: int, group_size: int) -> str:
    """The rule that applies: none, all, one, most, many, several or few."""
    if count <= 0:
        return "none"
    size = max(group_size, count)
    if count == size and size >= 2:
        return "all"
    if count == 1:
        return "one"
    share = count / size
    if share >= MOST:
        return "most"
    if share >= MANY:
        return "many"
    if share >= SEVERAL or count >= SEVERAL_COUNT:
        return "several"
    return "few"


def _noun(noun: str, lang: str) -> _Noun:
    key = _ALIASES.get(noun.strip().lower(), noun.strip().lower())
    known = _NOUNS.get(lang, _NOUNS["da"]).get(key)
    if known is not None:
        return known
    # An unknown noun is used as given, in every form.
    return _Noun(noun, noun, noun)


def quantify(count: int, group_size: int, noun: str | None, lang: str = "da") -> str:
    """The careful phrase for *count* of *group_size*, e.g. "flere unge" or "én medarbejder".

    With no *noun*, the quantifier alone, in a form that needs no noun after it.
    """
    lang = lang if lang in _WORDS else "da"
    key = quantifier_key(count, group_size)
    word = _WORDS[lang][key]
    if noun is None:
        return _ALONE[lang].get(key, word)
    n = _noun(noun, lang)
    if key == "one":
        return f"{word} {n.singular}"
    if key == "most":
        return f"{word} {n.definite}" if lang == "da" else f"{word} {n.plural}"
    return f"{word} {n.plural}"


def capitalise(phrase: str) -> str:
    """The phrase with its first letter upper-cased ("én ung" -> "Én ung")."""
    return phrase[:1].upper() + phrase[1:]


@dataclass(frozen=True)
class Quantity:
    """A count of distinct participants out of a group, with its careful phrase."""

    count: int
    group_size: int
    noun: str  # "ung", "medarbejder", "leder"

    def phrase(self, lang: str = "da") -> str:
        return quantify(self.count, self.group_size, self.noun, lang)

    def exact(self, lang: str = "da") -> str:
        """The analyst's figure: "n = 4 af 8" / "n = 4 of 8"."""
        of = "af" if lang == "da" else "of"
        return f"n = {self.count} {of} {self.group_size}"

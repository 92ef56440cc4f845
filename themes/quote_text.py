"""The text of a quote: its sentences and words, and whether a turn is an introduction.

Split from themes/quotes.py, which picks the quotes; these are the plain text rules
it applies (and findings_tables.py counts words with).
"""

from __future__ import annotations

import re
from functools import lru_cache

# A sentence ends at . ! ? or … (with closing quotes) when the next one starts
# with a capital letter, so "efter 9. klasse" and "fx. en mentor" stay whole.
_BOUNDARY = re.compile(r"([.!?…]+[\"»”’)]*)\s+(?=[\"»“„(–-]?\s*[A-ZÆØÅÉÜ])")
_WORD = re.compile(r"\w+(?:[-']\w+)*")


def split_sentences(text: str) -> list[str]:
    """The sentences of *text*, whitespace-trimmed."""
    out, start = [], 0
    for m in _BOUNDARY.finditer(text):
        out.append(text[start : m.end(1)].strip())
        start = m.end()
    out.append(text[start:].strip())
    return [s for s in out if s]


def word_count(text: str) -> int:
    return len(_WORD.findall(text))


# A turn that opens by presenting the speaker ("Ja. Medarbejder 5, jeg er jobkonsulent i
# ungeenheden i jobcentret.") ties a pseudonym to a unit the municipality can name, and
# says nothing about the theme: it is never picked (an analyst may still pin it).
# The opening is the first two sentences after fillers ("Ja.", "Hej alle sammen."):
# "Ja, jeg kan godt starte. Jeg hedder Lone, ..." opens a turn too.
_FILLER = frozenset(
    {
        "ja", "jo", "nej", "øh", "øhm", "hm", "hmm", "hej", "hejsa", "okay", "ok", "okej",
        "godt", "tak", "altså", "alle", "sammen",
        "yes", "yeah", "yep", "hi", "hello", "well", "so", "thanks", "right", "everyone", "all",
    }
)  # fmt: skip
# A job title ends like one of these: "jobkonsulent", "UU-vejleder", "skolechef".
_TITLE = (
    r"[\w-]*(?:konsulent|vejleder|behandler|mentor|leder|rådgiver|lærer|pædagog|koordinator"
    r"|chef|medarbejder|psykolog|assistent|kontaktperson|formidler|sygeplejerske"
    r"|counsellor|counselor|consultant|caseworker|worker|manager|leader|teacher|adviser"
    r"|advisor|coordinator|officer|psychologist|educator|employee)|ansat|tilknyttet"
)
_WHERE = r"(?:i|ved|hos|på|af|for|at|in)"  # "... i ungeenheden", "leader at the job centre"
_I_AM = r"(?:jeg\s+er|jeg\s+arbejder\s+som|i['’]m|i\s+am)"
# Up to two words between "jeg er" and the title ("en", "ansat som", "forebyggende"),
# but not "din"/"your": "hun sagde: jeg er din nye sagsbehandler i ..." is a story.
_BETWEEN = r"(?:(?!(?:din|dit|dine|jeres|your)\b)[\w-]+\s+){0,2}?"
_NAME = r"[\w-]+(?:\s+[\w-]+){0,2}"  # "Medarbejder 5", "Helle"
_INTRODUCTION = re.compile(
    # The speaker's name: "Jeg hedder ...", "Mit navn er ...", "My name is ...".
    r"\bjeg\s+hedder\b|\bmit\s+navn\s+er\b|\bmy\s+name\s+is\b"
    # A title and where: "jeg er jobkonsulent i ungeenheden", "I'm a mentor at ...";
    # "jeg er bekymret for de unge" has no title, so it never is.
    rf"|\b{_I_AM}\s+{_BETWEEN}(?:{_TITLE})\s+{_WHERE}\b"
    # A name and a title open the sentence: "Medarbejder 2, UU-vejleder.", "Og jeg er
    # Medarbejder 4, psykolog i PPR.", "Medarbejder 1, jeg er leder for ...".
    rf"|^(?:og\s+|and\s+)?(?:{_I_AM}\s+)?{_NAME},\s+(?:{_I_AM}\s+)?{_BETWEEN}(?:{_TITLE})(?=[\s.,;]|$)"
    # A title and where open the sentence: "Inklusionsvejleder på Skovvangskolen."
    rf"|^(?:{_TITLE})\s+{_WHERE}\b",
    re.IGNORECASE,
)


@lru_cache(maxsize=65536)
def is_introduction(text: str) -> bool:
    """True when *text* opens by presenting its speaker: a name ("jeg hedder", "mit navn
    er", "my name is") or a job title ("jeg er jobkonsulent i ...", "Medarbejder 2,
    UU-vejleder.", "Inklusionsvejleder på ...", "I'm a mentor at ...")."""
    opening: list[str] = []
    for sentence in split_sentences(" ".join(text.split())):
        words = {w.lower() for w in _WORD.findall(sentence)}
        if words <= _FILLER:
            continue
        opening.append(sentence)
        if len(opening) == 2:
            break
    return any(_INTRODUCTION.search(s) for s in opening)

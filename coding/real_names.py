"""Real names in file names, journey ids and theme names: refused by import, reported by check.

A file's path and a journey's id are identifiers, not text: they become part of
every segment id (`transcripts/fokusgruppe_Åse.md#6`, `journeys/x.yaml#Jonas:2`)
and so reach the review sheet, the exports, the explorer's URLs and the memo
tables, where no pseudonymiser can replace them without breaking the ids. A
codebook theme's name is one too: it is stored with every coding and is in the
explorer's URLs, the sheets and the exports. So a study whose file name, journey
id or theme name holds a name it marks as real (study.toml [names], or a speaker
label that has a pseudonym) is refused, with what to do.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import PurePosixPath

from journeylab.coding.model import Participant
from journeylab.coding.study import Study
from journeylab.errors import InputError, PrivacyError
from journeylab.fileio import read_text
from journeylab.themes.privacy import Pseudonymiser

NOTHING_IMPORTED = "nothing was imported"
# A letter next to a digit ("Jonas2", "2Åse") is a word boundary in an identifier.
_LETTER_DIGIT = re.compile(r"(?<=\d)(?=[^\W\d_])|(?<=[^\W\d_])(?=\d)")


def _as_words(identifier: str) -> str:
    # The Pseudonymiser finds "Åse" in "fokusgruppe_Åse" itself; the spaces let
    # real_name_in point at the word that holds the name.
    return _LETTER_DIGIT.sub(" ", identifier.replace("_", " "))


def real_name_in(names: Pseudonymiser, identifier: str) -> str | None:
    """The real name in *identifier* as it is written there, or None.

    "" when a name is there but no single word of it can be pointed at.
    """
    words = _as_words(identifier)
    if names.text(words) == words:
        return None
    for token in re.split(r"[\s/.\-,;()]+", words):
        if token and names.text(token) != token:
            return token
    return ""


def _named(name: str) -> str:
    return f" ('{name}')" if name else ""


def file_name_problem(
    names: Pseudonymiser,
    study: Study,
    rel: str,
    taken: Iterable[str] = (),
    outcome: str = NOTHING_IMPORTED,
) -> PrivacyError | None:
    """A PrivacyError when the file's path inside the study holds a real name."""
    name = real_name_in(names, rel)
    if name is None:
        return None
    path = PurePosixPath(rel)
    if path.parts[0] == "journeys":
        rename = f"rename the file without it, e.g. {free_id(taken)}{path.suffix}"
    else:
        rename = f"rename the file without it, e.g. fokusgruppe_2{path.suffix}"
        if any(name_ == path.name for name_, _ in study.transcripts):
            rename += f', and its [transcripts."{path.name}"] table in study.toml'
    return PrivacyError(
        f"the file name holds a real name{_named(name)}, which would be in every segment id,"
        " review sheet, export and explorer page",
        path=study.root / rel,
        hint=f"{rename}; {outcome}",
    )


def journey_id_problem(
    names: Pseudonymiser,
    study: Study,
    rel: str,
    journey_id: str,
    taken: Iterable[str],
    outcome: str = NOTHING_IMPORTED,
) -> PrivacyError | None:
    """A PrivacyError when a journey id holds a real name (it is in every note's id)."""
    name = real_name_in(names, journey_id)
    if name is None:
        return None
    field = "field 'journey'" if rel.endswith((".yaml", ".yml")) else "column 'journey'"
    what = "is a real name" if name == journey_id else f"holds a real name{_named(name)}"
    return PrivacyError(
        f"the journey id '{journey_id}' {what}, which would be in every note's segment id"
        " and the explorer",
        path=study.root / rel,
        where=field,
        hint=f"give the journey a neutral id such as {free_id(taken)}, with its made-up name"
        f" in 'pseudonym'; {outcome}",
    )


def theme_name_problem(
    names: Pseudonymiser, study: Study, theme: str, outcome: str = NOTHING_IMPORTED
) -> PrivacyError | None:
    """A PrivacyError when a codebook theme's name holds a real name."""
    name = real_name_in(names, theme)
    if name is None:
        return None
    return PrivacyError(
        f"the theme '{theme}' holds a real name{_named(name)}, which would be stored with every"
        " coding and shown in every sheet, export and explorer page",
        path=study.codebook_path,
        where=_theme_line(study, theme),
        hint=f"rename the theme in {study.codebook_file}; {outcome}",
    )


_NAME_KEY = re.compile(r"\s*(?:-\s+)?name\s*:")


def _theme_line(study: Study, theme: str) -> str | None:
    """'line N' of the theme's `name:` in the codebook, when it can be found there."""
    try:
        lines = read_text(study.codebook_path).splitlines()
    except InputError:  # a codebook given in code (tests) has no file
        return None
    for number, line in enumerate(lines, start=1):
        key = _NAME_KEY.match(line)
        if key is not None and line[key.end() :].strip().strip("'\"").strip() == theme:
            return f"line {number}"
    return None


def free_id(taken: Iterable[str]) -> str:
    """The next unused id of the J01, J02, ... kind."""
    numbers = [int(m.group(1)) for t in taken if (m := re.fullmatch(r"[Jj](\d+)", t.strip()))]
    return f"J{max(numbers, default=0) + 1:02d}"


def problems(
    study: Study,
    files: Sequence[tuple[str, Sequence[str]]],
    participants: Iterable[Participant] = (),
    outcome: str = NOTHING_IMPORTED,
    themes: Iterable[str] = (),
) -> list[PrivacyError]:
    """Every file name and journey id in *files* ((path, journey ids)) and every codebook
    theme name in *themes* that holds a real name of the study, in file order, then in
    codebook order; *outcome* ends each hint."""
    names = Pseudonymiser.from_study(study, tuple(participants))
    taken = [jid for _, ids in files for jid in ids]
    out: list[PrivacyError] = []
    for rel, ids in files:
        problem = file_name_problem(names, study, rel, taken, outcome)
        if problem is not None:
            out.append(problem)
        for jid in ids:
            problem = journey_id_problem(names, study, rel, jid, taken, outcome)
            if problem is not None:
                out.append(problem)
    for theme in themes:
        problem = theme_name_problem(names, study, theme, outcome)
        if problem is not None:
            out.append(problem)
    return out


def refuse_real_names(
    study: Study,
    files: Sequence[tuple[str, Sequence[str]]],
    participants: Iterable[Participant] = (),
    themes: Iterable[str] = (),
) -> None:
    """Raise the first of `problems` (the import writes nothing then)."""
    found = problems(study, files, participants, themes=themes)
    if found:
        raise found[0]

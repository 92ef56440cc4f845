"""Memos: the analyst's notes on a segment, a theme, a journey or the whole study."""

from __future__ import annotations

from dataclasses import dataclass

from journeylab.coding.store import open_store
from journeylab.coding.study import Study
from journeylab.errors import StudyError

KINDS = ("segment", "theme", "journey", "study")
_JOURNEY = "journey:"


@dataclass(frozen=True)
class Memo:
    kind: str  # segment | theme | journey | study
    target: str  # a segment id, a theme name, a journey id, or "" for the study
    author: str
    text: str


def add_memo(study: Study, text: str, *, kind: str, target: str = "", author: str) -> Memo:
    """Store a memo after checking that what it is about exists in the study."""
    if kind not in KINDS:
        raise StudyError(f"unknown memo target '{kind}'", hint=f"use one of {', '.join(KINDS)}")
    if not text.strip():
        raise StudyError("the memo is empty", hint="write the memo's text")
    if not author.strip() or author.startswith("machine:"):
        raise StudyError(f"'{author}' is not a person's name", hint="give your own name")
    with open_store(study) as store:
        if kind == "segment" and store.segment(target) is None:
            raise StudyError(
                f"no segment '{target}'",
                path=study.root,
                hint="take the id from a review sheet, the export or the explorer",
            )
        if kind == "theme" and target not in {t.name for t in store.themes()}:
            names = ", ".join(t.name for t in store.themes())
            raise StudyError(f"no theme '{target}'", path=study.root, hint=f"themes: {names}")
        if kind == "journey":
            ids = {
                j for s in store.sources() for j in dict(s.attributes).get("journeys", "").split()
            }
            if target not in ids:
                hint = f"journeys: {', '.join(sorted(ids)) or 'none imported'}"
                raise StudyError(f"no journey '{target}'", path=study.root, hint=hint)
        if kind == "study":
            target = ""
        # The schema's memo targets are study/source/segment/theme; a journey is
        # stored as a source-level memo named "journey:<id>" (see list_memos).
        stored_kind, stored_target = (
            ("source", f"{_JOURNEY}{target}") if kind == "journey" else (kind, target)
        )
        store.add_memo(stored_kind, stored_target, author.strip(), text.strip())
    return Memo(kind, target, author.strip(), text.strip())


def list_memos(study: Study) -> list[Memo]:
    """Every memo of the study, oldest first."""
    with open_store(study) as store:
        rows = store.memos()
    out = []
    for kind, target, author, text in rows:
        if kind == "source" and target.startswith(_JOURNEY):
            kind, target = "journey", target[len(_JOURNEY) :]
        out.append(Memo(kind, target, author, text))
    return out

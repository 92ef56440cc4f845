"""What the report adds around the findings: linked considerations and the analyst appendix.

Considerations (section 5) come from study.toml. `[report] considerations` is
a list of plain texts (load_study requires strings); a consideration linked to
themes is written as an array of tables, which load_study leaves alone::

    [[report.consideration]]
    text = "Hvem indkalder til det første møde før det 18. år?"
    themes = ["Overgangen fra ung til voksen", "Relationen"]

The appendix (analyst version only) holds the codebook, the agreement figures
when they can be measured, and the memos from the store.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from journeylab.coding.model import Codebook, Segment
from journeylab.coding.study import Study
from journeylab.errors import StudyError
from journeylab.journeys.model import Journey

# A journey memo is stored as a source memo on "journey:<id>" (coding/memos.py).
_JOURNEY = "journey:"


@dataclass(frozen=True)
class Consideration:
    """One point of section 5, numbered 1.., with the themes it belongs to."""

    number: int
    text: str
    themes: tuple[str, ...] = ()

    @property
    def anchor(self) -> str:
        return f"betragtning-{self.number}"


@dataclass(frozen=True)
class CodebookEntry:
    name: str
    anchor: str
    description: str
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()


@dataclass(frozen=True)
class Memo:
    """One memo of the appendix; what it is about is put in words by about()."""

    target_kind: str  # "theme", "segment", "journey", "study", ...
    target: str  # pseudonymised; a journey's id for a journey memo
    author: str
    text: str  # pseudonymised
    journey: str = ""  # the journey's id (a journey memo, or a segment memo on a note)
    who: str = ""  # the journey's or the speaker's pseudonym
    place: str = ""  # a segment memo's source: its title or file name, pseudonymised
    step: int | None = None  # a note's step, 0-based

    def about(self, t: Mapping[str, Any]) -> str:
        """The "About" cell in the report's language (*t*: its locale strings)."""
        if self.target_kind == "study":
            return str(t["rep_memo_study"])
        if self.journey:
            label = " · ".join(
                x for x in (f"{t['rep_memo_journey']} {self.journey}", self.who) if x
            )
            if self.step is not None:
                label += f", {t['rep_memo_step']} {self.step + 1}"
            return label
        if self.target_kind == "segment" and self.place:
            return " · ".join(x for x in (self.place, self.who) if x)
        return self.target


@dataclass(frozen=True)
class Agreement:
    """Agreement between two coders, as the appendix shows it."""

    coder_a: str
    coder_b: str
    segments: int
    kappa: float | None
    alpha: float | None
    percent: float
    themes: tuple[tuple[str, float | None], ...] = ()  # theme -> kappa


@dataclass(frozen=True)
class Appendix:
    codebook: tuple[CodebookEntry, ...] = ()
    memos: tuple[Memo, ...] = ()
    agreement: Agreement | None = None  # None: not measured


def _toml(study: Study) -> dict[str, Any]:
    path = study.toml_path
    if not path.is_file():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise StudyError(f"cannot read study.toml: {exc}", path=path) from exc


def load_considerations(
    study: Study, themes: Sequence[str], pseudonymise: Callable[[str], str] = str
) -> tuple[Consideration, ...]:
    """The study's considerations: the plain texts first, then [[report.consideration]]."""
    out = [Consideration(i + 1, pseudonymise(c)) for i, c in enumerate(study.considerations)]
    report = _toml(study).get("report", {})
    tables = report.get("consideration", []) if isinstance(report, dict) else []
    path = study.toml_path
    if not isinstance(tables, list):
        tables = [tables]
    known = {t.casefold(): t for t in themes}
    for i, table in enumerate(tables, start=1):
        where = f"[[report.consideration]] number {i}"
        if not isinstance(table, dict) or not isinstance(table.get("text"), str):
            raise StudyError(
                "a consideration needs text", path=path, where=where,
                hint='write text = "..." and themes = ["Theme", ...]',
            )  # fmt: skip
        raw = table.get("themes", [])
        if isinstance(raw, str):
            raw = [raw]
        if not isinstance(raw, list) or not all(isinstance(t, str) for t in raw):
            raise StudyError("themes must be a list of theme names", path=path, where=where)
        linked = []
        for name in raw:
            theme = known.get(name.strip().casefold())
            if theme is None:
                raise StudyError(
                    f"unknown theme '{name}'", path=path, where=where,
                    hint=f"themes in the codebook: {', '.join(themes)}",
                )  # fmt: skip
            linked.append(theme)
        out.append(Consideration(len(out) + 1, pseudonymise(table["text"]), tuple(linked)))
    return tuple(out)


def codebook_entries(
    codebook: Codebook, anchor: Callable[[str], str], pseudonymise: Callable[[str], str] = str
) -> tuple[CodebookEntry, ...]:
    return tuple(
        CodebookEntry(
            name=t.name,
            anchor=anchor(t.name),
            description=pseudonymise(t.description),
            include=tuple(pseudonymise(x) for x in t.include),
            exclude=tuple(pseudonymise(x) for x in t.exclude),
        )
        for t in codebook.themes
    )


def measure_agreement(study: Study) -> Agreement | None:
    """Agreement of the study's first person coder with a second person or the machine.

    None ("ikke målt") when nobody has coded or there is nothing to compare with.
    """
    from journeylab.coding.agreement import study_agreement
    from journeylab.coding.store import open_store

    # The common case (only machine suggestions) needs no reading of every coding.
    with open_store(study) as store:
        if not store.has_person_codings():
            return None
    try:
        report = study_agreement(study)
    except StudyError:
        return None
    if report.n_segments == 0:
        return None
    return Agreement(
        coder_a=report.coder_a,
        coder_b=report.coder_b,
        segments=report.n_segments,
        kappa=report.kappa,
        alpha=report.alpha,
        percent=report.percent,
        themes=tuple((r.theme, r.kappa) for r in report.themes),
    )


def store_memos(
    rows: Sequence[tuple[str, str, str, str]],
    pseudonymise: Callable[[str], str] = str,
    *,
    journeys: Sequence[Journey] = (),
    segments: Sequence[Segment] = (),
    titles: Mapping[str, str] | None = None,
    speaker: Callable[[str | None], str | None] | None = None,
) -> tuple[Memo, ...]:
    """The store's memo rows as Memos, names replaced in everything they show.

    *journeys*, *segments* and *titles* (source path -> title) let a memo say what it
    is about in words (a journey's pseudonym, a passage's source and speaker) instead
    of an internal key; *speaker* gives a speaker label's pseudonym.
    """
    pseudonyms = {j.id: j.pseudonym or "" for j in journeys}
    wanted = {t for k, t, _, _ in rows if k == "segment"}
    by_id = {s.id: s for s in segments if s.id in wanted}
    titles = titles or {}
    out = []
    for kind, target, author, text in rows:
        base = Memo(kind, pseudonymise(target), pseudonymise(author), pseudonymise(text))
        if kind == "source" and target.startswith(_JOURNEY):
            jid = target[len(_JOURNEY) :]
            memo = Memo("journey", pseudonymise(jid), base.author, base.text,
                        journey=pseudonymise(jid),
                        who=pseudonymise(pseudonyms.get(jid, "")))  # fmt: skip
        elif kind == "segment" and (seg := by_id.get(target)) is not None:
            place = pseudonymise(titles.get(seg.source) or PurePosixPath(seg.source).name)
            if seg.journey:
                who = pseudonymise(pseudonyms.get(seg.journey, ""))
                memo = Memo(kind, base.target, base.author, base.text,
                            journey=pseudonymise(seg.journey), who=who, place=place,
                            step=seg.step)  # fmt: skip
            else:
                # speaker() gives the participant's pseudonym (names replaced otherwise).
                said = speaker(seg.speaker) if speaker is not None else None
                who = said or (pseudonymise(seg.speaker) if speaker is None and seg.speaker else "")
                memo = Memo(kind, base.target, base.author, base.text, who=who, place=place)
        else:
            memo = base
        out.append(memo)
    return tuple(out)

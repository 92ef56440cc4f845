"""Transition points with ages, and what happens in the journeys around them.

A study (study.toml) or a programme (programme.toml) declares its transition
points in a ``[transitions]`` table::

    [transitions]
    efter_9 = { age = 16, label = "Efter 9. klasse" }
    uddannelsesplan = { age = 15, label = "Uddannelsesplan ved 15 år" }
    voksen = { age = 17.5, label = "Voksenplanen begynder", window = 1 }

Every journey note with an age (its own, else its yellow step's) is placed
relative to each point: before when ``age - window <= note age < age``, after
when ``age <= note age < age + window``. The default window is one year.
Around each point we count green and red notes before and after, the actors
met on each side (a new actor after the point is an actor change), and the
notes that speak of waiting ("venter", "ventetid", "venteliste", "waiting").
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from journeylab.coding.study import Study
from journeylab.errors import StudyError
from journeylab.journeys.analysis import fold, notes_frame
from journeylab.journeys.model import Colour, Journey

DEFAULT_WINDOW = 1.0
_WAIT = re.compile(r"\bvent(?:e|er|ede|et|etid\w*|eliste\w*|ing\w*)?\b|\bwait\w*")


@dataclass(frozen=True)
class TransitionPoint:
    """A declared transition: a key, a label for the report, an age and a window in years."""

    key: str
    label: str
    age: float
    window: float = DEFAULT_WINDOW


@dataclass(frozen=True)
class PlacedNote:
    """A note placed relative to one transition point (offset = note age - point age)."""

    journey: str
    step: int  # 1-based
    colour: str
    text: str
    age: float
    actor: str | None
    offset: float
    side: str  # "before" | "after"
    wait: bool


@dataclass(frozen=True)
class JourneyWindow:
    """One journey around one transition point."""

    point: str
    journey: str
    municipality: str | None
    reaches: bool  # the journey has a note at or after the point's age
    green_before: int
    red_before: int
    green_after: int
    red_after: int
    actors_before: tuple[str, ...]
    actors_after: tuple[str, ...]
    waits: int
    notes: tuple[PlacedNote, ...]

    @property
    def new_actors(self) -> tuple[str, ...]:
        before = {a.casefold() for a in self.actors_before}
        return tuple(a for a in self.actors_after if a.casefold() not in before)

    @property
    def actor_change(self) -> bool:
        """A new actor appears after the point where someone was met before it."""
        return bool(self.actors_before) and bool(self.new_actors)


@dataclass(frozen=True)
class TransitionSummary:
    """One transition point across journeys (of one municipality or all)."""

    point: TransitionPoint
    journeys: int  # journeys with a note in the window
    reaching: int  # journeys that reach the point's age
    green_before: int
    red_before: int
    green_after: int
    red_after: int
    actor_changes: int  # journeys with a new actor after the point
    waits: int  # notes about waiting in the window


def _number(value: Any, key: str, path: Path, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise StudyError(
            f"'{key}' must be a number of years, not {value!r}",
            path=path,
            where=where,
            hint=f"write e.g. {key} = 17.5",
        )
    return float(value)


def parse_transitions(
    raw: Any, path: Path, table: str = "[transitions]"
) -> tuple[TransitionPoint, ...]:
    """Transition points from a TOML table {key = {age, label, window}} (or key = age)."""
    if raw is None:
        return ()
    if not isinstance(raw, dict):
        raise StudyError(f"{table} must be a table", path=path, hint="write key = { age = 18 }")
    points = []
    for key, spec in raw.items():
        where = f"{table} {key}"
        if isinstance(spec, int | float) and not isinstance(spec, bool):
            spec = {"age": spec}
        if not isinstance(spec, dict):
            raise StudyError(
                "a transition must be a table",
                path=path,
                where=where,
                hint=f'write {key} = {{ age = 18, label = "..." }}',
            )
        if "age" not in spec:
            raise StudyError(
                "the transition has no age",
                path=path,
                where=where,
                hint="add age = <years>, e.g. age = 18",
            )
        label = spec.get("label", key)
        if not isinstance(label, str) or not label.strip():
            raise StudyError("'label' must be text", path=path, where=where)
        window = _number(spec.get("window", DEFAULT_WINDOW), "window", path, where)
        if window <= 0:
            raise StudyError("'window' must be above 0", path=path, where=where)
        points.append(
            TransitionPoint(
                str(key), label.strip(), _number(spec["age"], "age", path, where), window
            )
        )
    return tuple(sorted(points, key=lambda p: (p.age, p.key)))


def study_transitions(study: Study) -> tuple[TransitionPoint, ...]:
    """The [transitions] table of the study's study.toml (read here; Study does not keep it)."""
    path = study.toml_path
    if not path.is_file():
        return ()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise StudyError(f"cannot read study.toml: {exc}", path=path) from exc
    return parse_transitions(data.get("transitions"), path)


def merge_points(
    programme: Sequence[TransitionPoint], study: Sequence[TransitionPoint]
) -> tuple[TransitionPoint, ...]:
    """The programme's points with a study's own points added; a study's point wins on its key."""
    merged = {p.key: p for p in programme}
    merged.update({p.key: p for p in study})
    return tuple(sorted(merged.values(), key=lambda p: (p.age, p.key)))


def _side(offset: float, window: float) -> str | None:
    if -window <= offset < 0:
        return "before"
    if 0 <= offset < window:
        return "after"
    return None


def _actors(notes: Iterable[PlacedNote], side: str) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for n in notes:
        if n.side == side and n.actor and n.actor.strip():
            seen.setdefault(n.actor.strip().casefold(), n.actor.strip())
    return tuple(seen.values())


def place_journey(
    journey: Journey, points: Sequence[TransitionPoint], municipality: str | None = None
) -> tuple[JourneyWindow, ...]:
    """The journey around each point: its notes in the window, counts, actors and waits."""
    frame = notes_frame([journey])
    frame = frame[frame["age"].notna()]
    oldest = float(frame["age"].max()) if len(frame) else None
    out = []
    for point in points:
        placed = []
        for row in frame.itertuples(index=False):
            offset = float(row.age) - point.age
            side = _side(offset, point.window)
            if side is None:
                continue
            placed.append(
                PlacedNote(
                    journey=journey.id,
                    step=int(row.step),
                    colour=str(row.colour),
                    text=str(row.text),
                    age=float(row.age),
                    actor=None if pd.isna(row.actor) else str(row.actor),
                    offset=round(offset, 4),
                    side=side,
                    wait=bool(_WAIT.search(fold(str(row.text)))),
                )
            )

        def count(colour: Colour, side: str, placed: list[PlacedNote] = placed) -> int:
            return sum(1 for n in placed if n.colour == colour.value and n.side == side)

        out.append(
            JourneyWindow(
                point=point.key,
                journey=journey.id,
                municipality=municipality or journey.municipality,
                reaches=oldest is not None and oldest >= point.age,
                green_before=count(Colour.GREEN, "before"),
                red_before=count(Colour.RED, "before"),
                green_after=count(Colour.GREEN, "after"),
                red_after=count(Colour.RED, "after"),
                actors_before=_actors(placed, "before"),
                actors_after=_actors(placed, "after"),
                waits=sum(1 for n in placed if n.wait),
                notes=tuple(placed),
            )
        )
    return tuple(out)


def summarise(point: TransitionPoint, windows: Iterable[JourneyWindow]) -> TransitionSummary:
    """One point across the journeys' windows for it."""
    mine = [w for w in windows if w.point == point.key]
    return TransitionSummary(
        point=point,
        journeys=sum(1 for w in mine if w.notes),
        reaching=sum(1 for w in mine if w.reaches),
        green_before=sum(w.green_before for w in mine),
        red_before=sum(w.red_before for w in mine),
        green_after=sum(w.green_after for w in mine),
        red_after=sum(w.red_after for w in mine),
        actor_changes=sum(1 for w in mine if w.actor_change),
        waits=sum(w.waits for w in mine),
    )


def windows_by_municipality(
    points: Sequence[TransitionPoint], journeys: Mapping[str, Sequence[Journey]]
) -> dict[str, tuple[JourneyWindow, ...]]:
    """Municipality -> every journey's windows for *points*."""
    return {
        name: tuple(w for j in js for w in place_journey(j, points, municipality=name))
        for name, js in journeys.items()
    }

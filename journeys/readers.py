"""Reading journey files: YAML (one journey a file), CSV and XLSX (one row a note).

Every problem is a JourneyError/InputError naming the file, the row (tables) or
line (YAML), and the field, with what to do. Text is stored NFC, stripped, with
line breaks inside a note kept and other control characters dropped (XLSX cannot
hold them). Journey attributes (extra columns, extra YAML keys) are sorted by name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import NoReturn, TypeVar

import yaml

from journeylab.errors import InputError, JourneyError
from journeylab.fileio import read_text
from journeylab.journeys.cells import (
    RESERVED_NAMES,
    FieldProblem,
    cell_text,
    fold_name,
    parse_age,
    parse_date,
    parse_stage_value,
)
from journeylab.journeys.model import Colour, Journey, Note, Step
from journeylab.journeys.tables import read_csv, read_xlsx
from journeylab.yamlfast import compose

__all__ = ["journey_from_dict", "read_journey_file", "read_journeys", "read_yaml"]

T = TypeVar("T")

# YAML keys (English and Danish, folded) -> field.
_JOURNEY_KEYS = {
    "journey": "journey",
    "rejse": "journey",
    "pseudonym": "pseudonym",
    "age": "age",
    "alder": "age",
    "gender": "gender",
    "kon": "gender",
    "municipality": "municipality",
    "kommune": "municipality",
    "steps": "steps",
    "trin": "steps",
}
_NOTE_KEYS = {
    "text": "text",
    "tekst": "text",
    "age": "age",
    "alder": "age",
    "date": "date",
    "dato": "date",
    "actor": "actor",
    "aktor": "actor",
    "stage": "stage",
    "fase": "stage",
}
_STEP_KEYS = {**_NOTE_KEYS, "green": "green", "gron": "green", "red": "red", "rod": "red"}
_NOTE_HINT = "use text, age, stage, actor, date; in Danish tekst, alder, fase, aktør, dato"
_STEP_HINT = (
    "use text, age, stage, actor, date, green, red; "
    "in Danish tekst, alder, fase, aktør, dato, grøn, rød"
)


class _Map(dict[str, object]):
    """A YAML mapping that remembers the line of each key (1-based)."""

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.lines: dict[str, int] = {}


class _Seq(list[object]):
    """A YAML sequence that remembers the line of each item (1-based)."""

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.lines: list[int] = []


def _plain(node: yaml.Node, path: Path) -> object:
    """A composed YAML node as dicts, lists and strings that remember their lines.

    Scalars stay the strings the user typed ('2026-03-12', 'yes', '007'): the
    journey fields decide what they mean, so nothing is guessed by YAML.
    """
    line = node.start_mark.line + 1
    if isinstance(node, yaml.ScalarNode):
        return None if node.tag == "tag:yaml.org,2002:null" else node.value
    if isinstance(node, yaml.SequenceNode):
        seq = _Seq(line)
        for item in node.value:
            seq.append(_plain(item, path))
            seq.lines.append(item.start_mark.line + 1)
        return seq
    assert isinstance(node, yaml.MappingNode)
    mapping = _Map(line)
    for key_node, value_node in node.value:
        key_line = key_node.start_mark.line + 1
        if not isinstance(key_node, yaml.ScalarNode):
            raise JourneyError("a key must be a plain word", path=path, where=f"line {key_line}")
        key = str(key_node.value)
        if key in mapping:
            raise JourneyError(
                f"'{key}' is given twice (also on line {mapping.lines[key]})",
                path=path,
                where=f"line {key_line}",
                hint="keep one of them",
            )
        mapping[key] = _plain(value_node, path)
        mapping.lines[key] = key_line
    return mapping


def read_yaml(path: Path, *, source: str | None = None) -> Journey:
    """The journey in a YAML file."""
    text = read_text(path)
    try:
        node = compose(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}" if mark is not None else None
        raise JourneyError(
            f"the YAML is malformed: {exc.problem or exc.context}",
            path=path,
            where=where,
            hint="check the indentation, and put quotes around a text that holds ': ' or '#'",
        ) from exc
    except yaml.YAMLError as exc:
        position = getattr(exc, "position", None)
        where = f"line {text[:position].count(chr(10)) + 1}" if position is not None else None
        raise JourneyError(f"the YAML is malformed: {exc}", path=path, where=where) from exc
    if node is None:
        raise JourneyError(
            "the file is empty", path=path, hint="write a journey: 'journey: J01' and its 'steps'"
        )
    return journey_from_dict(_plain(node, path), path, source=source)


class _Reader:
    """Builds a journey from plain data, naming the line (when known) and field."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(
        self,
        message: str,
        container: object,
        key: str | int | None,
        context: str,
        hint: str | None = None,
        field: str | None = None,
    ) -> NoReturn:
        line: int | None = getattr(container, "line", None)
        if isinstance(container, _Map) and isinstance(key, str):
            line = container.lines.get(key, line)
        elif isinstance(container, _Seq) and isinstance(key, int) and key < len(container):
            line = container.lines[key]
        parts = [f"line {line}" if line else "", context]
        if field is None and isinstance(key, str):
            field = key
        if field:
            parts.append(f"field '{field}'")
        where = ", ".join(p for p in parts if p) or None
        # Every message says what to do; the format's description is the fallback.
        hint = hint or "see the YAML journey example in docs/FORMATS.md"
        raise JourneyError(message, path=self.path, where=where, hint=hint)

    def value(
        self,
        data: Mapping[str, object],
        key: str,
        context: str,
        parse: Callable[[object], T],
    ) -> T:
        raw = data[key]
        if isinstance(raw, Mapping | list):
            self.fail(f"'{key}' should be a single value, not a list", data, key, context)
        try:
            return parse(raw)
        except FieldProblem as problem:
            self.fail(problem.message, data, key, context, problem.hint)

    def fields(
        self, data: Mapping[str, object], known: dict[str, str], context: str
    ) -> dict[str, str]:
        """Field id -> the key the user wrote; unknown keys are errors."""
        found: dict[str, str] = {}
        for key in data:
            field = known.get(fold_name(str(key)))
            if field is None:
                hint = _STEP_HINT if known is _STEP_KEYS else _NOTE_HINT
                self.fail(f"unknown field '{key}'", data, key, context, hint)
            if field in found:
                self.fail(
                    f"'{found[field]}' and '{key}' mean the same", data, key, context, "keep one"
                )
            found[field] = key
        return found

    def note(self, data: object, colour: Colour, container: object, index: int, ctx: str) -> Note:
        if not isinstance(data, Mapping):
            if isinstance(data, list):
                self.fail("a note should be a text, not a list", container, index, ctx)
            text = cell_text(data)
            if text is None:
                self.fail("missing text", container, index, ctx, "write what the note says")
            return Note(colour=colour, text=text)
        keys = self.fields(data, _NOTE_KEYS if colour is not Colour.YELLOW else _STEP_KEYS, ctx)
        text = self.value(data, keys["text"], ctx, cell_text) if "text" in keys else None
        if text is None:
            self.fail(
                "missing text", data, keys.get("text"), ctx, "write what the note says", "text"
            )
        return Note(
            colour=colour,
            text=text,
            age=self.value(data, keys["age"], ctx, parse_age) if "age" in keys else None,
            date=self.value(data, keys["date"], ctx, parse_date) if "date" in keys else None,
            actor=self.value(data, keys["actor"], ctx, cell_text) if "actor" in keys else None,
            stage=(
                self.value(data, keys["stage"], ctx, parse_stage_value) if "stage" in keys else None
            ),
        )

    def notes(self, data: Mapping[str, object], key: str, colour: Colour, ctx: str) -> list[Note]:
        raw = data[key]
        if raw is None:
            return []
        items: Sequence[object] = raw if isinstance(raw, list) else [raw]
        container: object = raw if isinstance(raw, list) else data
        return [
            self.note(item, colour, container, i, f"{ctx}, {colour.value} note {i + 1}")
            for i, item in enumerate(items)
        ]

    def step(self, data: object, steps: object, index: int) -> Step:
        ctx = f"step {index + 1}"
        event = self.note(data, Colour.YELLOW, steps, index, ctx)
        green: list[Note] = []
        red: list[Note] = []
        if isinstance(data, Mapping):
            keys = self.fields(data, _STEP_KEYS, ctx)
            if "green" in keys:
                green = self.notes(data, keys["green"], Colour.GREEN, ctx)
            if "red" in keys:
                red = self.notes(data, keys["red"], Colour.RED, ctx)
        return Step(event, tuple(green), tuple(red))

    def journey(self, data: object, source: str | None) -> Journey:
        if not isinstance(data, Mapping):
            self.fail(
                "a journey file holds one journey: a mapping with 'journey' and 'steps'",
                data,
                None,
                "",
                "start the file with 'journey: J01'",
            )
        keys: dict[str, str] = {}
        attributes: dict[str, str] = {}
        for raw_key in data:
            key = str(raw_key)
            folded = fold_name(key)
            if folded in _JOURNEY_KEYS:
                field = _JOURNEY_KEYS[folded]
                if field in keys:
                    self.fail(
                        f"'{keys[field]}' and '{key}' mean the same", data, key, "", "keep one"
                    )
                keys[field] = key
            elif folded in RESERVED_NAMES:
                self.fail(
                    f"'{key}' belongs to a step, not to the journey",
                    data,
                    key,
                    "",
                    "indent it under one of the 'steps'",
                )
            elif (value := self.value(data, key, "", cell_text)) is not None:
                attributes[key] = value
        journey_id = self.value(data, keys["journey"], "", cell_text) if "journey" in keys else None
        if journey_id is None:
            self.fail(
                "missing journey id",
                data,
                keys.get("journey"),
                "",
                "add 'journey: J01' (an id unique in the study)",
                "journey",
            )
        raw_steps = data.get(keys["steps"]) if "steps" in keys else None
        if not raw_steps:
            self.fail(
                f"journey '{journey_id}' has no steps",
                data,
                keys.get("steps"),
                "",
                "add 'steps:' with at least one yellow note",
                "steps",
            )
        if not isinstance(raw_steps, list):
            self.fail("'steps' should be a list of notes", data, keys["steps"], "")
        steps = tuple(self.step(item, raw_steps, i) for i, item in enumerate(raw_steps))

        def text_of(field: str) -> str | None:
            return self.value(data, keys[field], "", cell_text) if field in keys else None

        return Journey(
            id=journey_id,
            steps=steps,
            pseudonym=text_of("pseudonym"),
            age=self.value(data, keys["age"], "", parse_age) if "age" in keys else None,
            gender=text_of("gender"),
            municipality=text_of("municipality"),
            attributes=tuple(sorted(attributes.items())),
            source=source,
        )


def journey_from_dict(data: object, path: Path, *, source: str | None = None) -> Journey:
    """A journey from data in the YAML format (e.g. `yaml.safe_load` of a journey file)."""
    return _Reader(Path(path)).journey(data, source if source is not None else Path(path).name)


def read_journey_file(path: Path, *, source: str | None = None) -> list[Journey]:
    """The journeys in one file, chosen by its suffix: .yaml/.yml, .csv or .xlsx."""
    path = Path(path)
    name = source if source is not None else path.name
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        return [read_yaml(path, source=name)]
    if suffix == ".csv":
        return read_csv(path, source=name)
    if suffix == ".xlsx":
        return read_xlsx(path, source=name)
    raise InputError(
        f"'{path.suffix}' is not a journey file type",
        path=path,
        hint="save journeys as .yaml, .csv or .xlsx",
    )


def read_journeys(
    paths: Iterable[Path],
    *,
    relative: Callable[[Path], str] | None = None,
    reader: Callable[[Path, str], list[Journey]] | None = None,
) -> list[Journey]:
    """The journeys of all files; a journey id used twice is an error naming both files.

    *reader* (path, source) -> journeys replaces `read_journey_file`, e.g. by a cache.
    """
    journeys: list[Journey] = []
    seen: dict[str, str] = {}
    for path in paths:
        source = relative(path) if relative is not None else Path(path).name
        found = (
            reader(Path(path), source)
            if reader is not None
            else read_journey_file(Path(path), source=source)
        )
        for journey in found:
            if journey.id in seen:
                raise JourneyError(
                    f"journey id '{journey.id}' is used in both {seen[journey.id]} and {source}",
                    path=path,
                    hint="give each journey its own id",
                )
            seen[journey.id] = source
            journeys.append(journey)
    return journeys

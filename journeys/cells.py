"""Field names and cell values shared by the journey readers and writers.

A value reaches a journey from a CSV cell (a string), an XLSX cell (str, int,
float, datetime) or a YAML scalar (a string, or anything `yaml.safe_load` makes):
the functions here turn each into the model's types or raise `FieldProblem`,
which the reader turns into a JourneyError naming the file, row/line and field.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata

from journeylab.journeys.model import Colour, Stage, parse_colour, parse_stage

# Field ids of a table column, with every name a user may write for it.
# `interview_age` is the journey's age at the interview (the YAML top-level `age`),
# so a YAML journey survives a round trip through a spreadsheet.
COLUMN_NAMES: dict[str, tuple[str, ...]] = {
    "journey": ("journey", "rejse"),
    "step": ("step", "trin"),
    "colour": ("colour", "color", "farve"),
    "text": ("text", "tekst"),
    "stage": ("stage", "fase"),
    "age": ("age", "alder"),
    "actor": ("actor", "aktør", "aktor"),
    "date": ("date", "dato"),
    "pseudonym": ("pseudonym",),
    "gender": ("gender", "køn"),
    "municipality": ("municipality", "kommune"),
    "interview_age": ("interview age", "alder ved interview"),
}
REQUIRED_COLUMNS = ("journey", "colour", "text")
JOURNEY_COLUMNS = ("pseudonym", "gender", "municipality", "interview_age")

HEADERS: dict[str, dict[str, str]] = {
    "da": {
        "journey": "rejse",
        "step": "trin",
        "colour": "farve",
        "text": "tekst",
        "stage": "fase",
        "age": "alder",
        "actor": "aktør",
        "date": "dato",
        "pseudonym": "pseudonym",
        "gender": "køn",
        "municipality": "kommune",
        "interview_age": "alder ved interview",
    },
    "en": {field: names[0] for field, names in COLUMN_NAMES.items()},
}
COLOUR_NAMES = {
    "da": {Colour.YELLOW: "gul", Colour.GREEN: "grøn", Colour.RED: "rød"},
    "en": {Colour.YELLOW: "yellow", Colour.GREEN: "green", Colour.RED: "red"},
}
STAGE_NAMES = {
    "da": {
        Stage.EARLY_CHILDHOOD: "tidlig barndom",
        Stage.SCHOOL: "skole",
        Stage.UDSKOLING: "udskoling",
        Stage.YOUTH_EDUCATION: "ungdomsuddannelse",
        Stage.TRANSITION_18: "overgang til voksen",
        Stage.ADULT: "voksen",
    },
    "en": {
        Stage.EARLY_CHILDHOOD: "early childhood",
        Stage.SCHOOL: "school",
        Stage.UDSKOLING: "last school years",
        Stage.YOUTH_EDUCATION: "youth education",
        Stage.TRANSITION_18: "transition at 18",
        Stage.ADULT: "adult",
    },
}

# Keys of the YAML format (English and Danish) that are not table columns.
YAML_ONLY_NAMES = ("steps", "trin", "green", "grøn", "red", "rød", "source")

COLOUR_HINT = "use gul/grøn/rød or yellow/green/red"
STAGE_HINT = (
    "use one of tidlig barndom, skole, udskoling, ungdomsuddannelse, overgang til voksen, "
    "voksen, or early_childhood, school, youth_education, transition_18, adult"
)


class FieldProblem(ValueError):
    """A value that cannot be what its field needs; the caller adds file and place."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


def fold_name(name: str) -> str:
    """A column or key name as compared: lower case, no accents, single spaces."""
    name = unicodedata.normalize("NFC", name).strip().lower()
    name = name.replace("ø", "o").replace("æ", "ae").replace("å", "a")
    name = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    return " ".join(re.sub(r"[_\-]", " ", name).split())


_FIELD_BY_NAME = {fold_name(n): field for field, names in COLUMN_NAMES.items() for n in names}
RESERVED_NAMES = frozenset(_FIELD_BY_NAME) | {fold_name(n) for n in YAML_ONLY_NAMES}


def column_field(name: str) -> str | None:
    """The field id a column header names, or None for an unknown header."""
    return _FIELD_BY_NAME.get(fold_name(name))


# Characters that XLSX (XML 1.0) cannot hold; removed on reading so every journey
# that was read can also be written. Line breaks and tabs inside a note are kept.
_UNWRITABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def clean_text(text: str) -> str:
    """Text as stored: NFC, no control characters but line break and tab, stripped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _UNWRITABLE.sub("", unicodedata.normalize("NFC", text)).strip()


def _number_text(value: float) -> str:
    return str(int(value)) if value.is_integer() else repr(value)


def cell_text(value: object) -> str | None:
    """A cell or scalar as text, or None when it is empty."""
    if value is None:
        return None
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, float):
        text = _number_text(value) if math.isfinite(value) else str(value)
    elif isinstance(value, dt.datetime):
        text = value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    elif isinstance(value, dt.date):
        text = value.isoformat()
    else:
        text = str(value)
    return clean_text(text) or None


def parse_age(value: object) -> float | None:
    """An age in years (whole numbers as int), None when empty; '6,5' is read as 6.5."""
    if isinstance(value, bool):
        raise FieldProblem(f"age '{value}' is not a number", "write the age in years, e.g. 15")
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = cell_text(value)
        if text is None:
            return None
        try:
            number = float(text.replace(",", ".").replace(" ", ""))
        except ValueError:
            raise FieldProblem(
                f"age '{text}' is not a number", "write the age in years, e.g. 15 or 15,5"
            ) from None
    if not math.isfinite(number) or number < 0:
        raise FieldProblem(f"age '{value}' is not an age", "write the age in years, e.g. 15")
    return int(number) if number.is_integer() else number


def format_age(age: float | None, lang: str = "en") -> str:
    """An age as written into a CSV cell ('6', '6,5' in Danish)."""
    if age is None:
        return ""
    text = _number_text(float(age))
    return text.replace(".", ",") if lang == "da" else text


def parse_date(value: object) -> str | None:
    """A date as text: spreadsheet dates become ISO dates (2026-03-12)."""
    return cell_text(value)


def parse_step_number(value: object) -> int | None:
    """A step number (a whole number), None when empty."""
    if isinstance(value, bool):
        raise FieldProblem(f"step number '{value}' is not a whole number")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = cell_text(value)
    if text is None:
        return None
    if re.fullmatch(r"\d+", text):
        return int(text)
    raise FieldProblem(
        f"step number '{text}' is not a whole number",
        "number the yellow notes 1, 2, 3 … or leave the column empty",
    )


def parse_colour_value(value: object) -> Colour:
    """The colour of a note; FieldProblem when it is missing or unknown."""
    text = cell_text(value)
    if text is None:
        raise FieldProblem("missing colour", COLOUR_HINT)
    colour = parse_colour(text)
    if colour is None:
        raise FieldProblem(f"unknown colour '{text}'", COLOUR_HINT)
    return colour


def parse_stage_value(value: object) -> Stage | None:
    """The life stage named by a cell, None when empty."""
    text = cell_text(value)
    if text is None:
        return None
    stage = parse_stage(text)
    if stage is None:
        raise FieldProblem(f"unknown stage '{text}'", STAGE_HINT)
    return stage

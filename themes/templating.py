"""The one Jinja environment, the locale strings and the report's own SVG.

Autoescape is on for HTML; Markdown output escapes user text with the `md`
filter. `|safe` is used only on the SVG this module builds (and escapes).
"""

from __future__ import annotations

import contextlib
import re
from datetime import date
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from jinja2 import (
    BytecodeCache,
    Environment,
    FileSystemBytecodeCache,
    FileSystemLoader,
    StrictUndefined,
    select_autoescape,
)
from jinja2.bccache import Bucket
from markupsafe import Markup, escape

from journeylab.errors import InputError
from journeylab.fileio import cache_root
from journeylab.themes.quantifiers import capitalise, quantify
from journeylab.themes.quotes import quote_tag

LANGUAGES = ("da", "en")


def templates_dir() -> Path:
    return Path(str(resources.files("journeylab") / "templates"))


_MD_SPECIAL = re.compile(r"([\\`*_\[\]|#])")


def md_escape(value: object) -> str:
    """User text made inert in Markdown: one line, markup characters escaped."""
    text = " ".join(str(value).split())
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return text.replace("<", "&lt;").replace(">", "&gt;")


def number(value: int | float, lang: str = "da") -> str:
    """12345 -> "12.345" (da) or "12,345" (en)."""
    text = f"{round(value):,}"
    return text.replace(",", ".") if lang == "da" else text


def decimal(value: float, lang: str = "da") -> str:
    """0.71 -> "0,71" (da) or "0.71" (en)."""
    text = f"{value:.2f}"
    return text.replace(".", ",") if lang == "da" else text


def years(value: float, lang: str = "da") -> str:
    """An age: 18 -> "18 år" / "18 years", 17.5 -> "17,5 år" / "17.5 years"."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")  # no "17,50": a trailing zero is noise
    if lang == "da":
        return f"{text.replace('.', ',')} år"
    return f"{text} {'year' if text == '1' else 'years'}"


# Written out rather than taken from the locale: the machine's locale is not the
# report's language, and a report must read the same wherever it is rendered.
_MONTHS = {
    "da": ("januar", "februar", "marts", "april", "maj", "juni", "juli", "august",
           "september", "oktober", "november", "december"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
}  # fmt: skip
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})(?:-(\d{2}))?(?:[T ][0-9:.+\-Z]*)?")


def long_date(value: object, lang: str = "da") -> str:
    """An ISO date as a reader writes it: "2026-05-04" -> "4. maj 2026" (da) or
    "4 May 2026" (en); "2026-05" -> "maj 2026". Any other text is kept as written
    ("Foråret 2026"); None is ""."""
    if value is None:
        return ""
    text = str(value).strip()
    match = _ISO_DATE.fullmatch(text)
    if match is None:
        return text
    year, month = int(match[1]), int(match[2])
    day = int(match[3]) if match[3] else None
    try:
        date(year, month, day or 1)
    except ValueError:  # "2026-13-40": not a date, so not ours to rewrite
        return text
    name = _MONTHS["en" if lang == "en" else "da"][month - 1]
    if day is None:
        return f"{name} {year}"
    return f"{day}. {name} {year}" if lang != "en" else f"{day} {name} {year}"


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÆØÅ»\"'(])")


def first_sentence(value: object) -> str:
    """The first sentence of a text ("A. B." -> "A."); the whole text when it is one."""
    text = " ".join(str(value).split())
    return _SENTENCE_END.split(text, maxsplit=1)[0]


_SAFE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@lru_cache(maxsize=4)
def _load_strings(lang: str) -> dict[str, Any]:
    path = templates_dir() / "locale" / f"{lang}.yaml"
    try:
        # libyaml when the yaml package has it: 0.03 s of every report's fixed cost
        # in pure Python. The file is ours; a test holds both loaders to the same data.
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_SAFE_LOADER)
    except (OSError, yaml.YAMLError) as exc:
        raise InputError(f"cannot read the locale strings: {exc}", path=path) from exc
    if not isinstance(data, dict):
        raise InputError("the locale file is not a mapping", path=path)
    return data


def strings(lang: str) -> dict[str, Any]:
    """The UI strings for *lang* (da|en) from templates/locale/<lang>.yaml."""
    if lang not in LANGUAGES:
        raise InputError(
            f"unknown report language '{lang}'", hint=f"choose one of: {', '.join(LANGUAGES)}"
        )
    return _load_strings(lang)


def _colour(value: str | None, fallback: str) -> str:
    # A codebook colour goes into an SVG attribute: accept only #rgb/#rrggbb.
    if value and re.fullmatch(r"#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?", value):
        return value
    return fallback


def bar_svg(
    shares: list[tuple[float, str]], *, title: str = "", colour: str | None = None
) -> Markup:
    """A small horizontal bar chart: one bar per (share 0..1, label), escaped labels."""
    width, bar_h, gap, label_w = 200, 14, 6, 84
    height = len(shares) * (bar_h + gap)
    fill = _colour(colour, "#2a5d84")
    parts = [
        f'<svg class="bars" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for i, (share, label) in enumerate(shares):
        y = i * (bar_h + gap)
        w = max(0.0, min(1.0, share)) * (width - label_w - 4)
        opacity = "1" if i == 0 else "0.55"
        parts.append(
            f'<text x="0" y="{y + bar_h - 3}" font-size="11" fill="#444">{escape(label)}</text>'
            f'<rect x="{label_w}" y="{y}" width="{width - label_w - 4}" height="{bar_h}" '
            f'fill="#eceff3" rx="2"/>'
            f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{fill}" '
            f'fill-opacity="{opacity}" rx="2"/>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def balance_svg(green: int, red: int, *, title: str = "") -> Markup:
    """A green/red split bar for one life stage (proportions only, no figures)."""
    total = green + red
    width, height = 160, 12
    g = width * green / total if total else 0
    return Markup(
        f'<svg class="balance" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(title)}</title>"
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#c0392b" rx="2"/>'
        f'<rect x="0" y="0" width="{g:.1f}" height="{height}" fill="#2e8b57" rx="2"/></svg>'
    )


class _TemplateCache(FileSystemBytecodeCache):
    """Compiled templates in the user's cache folder; a cache only, never an error.

    Compiling the report's templates is ~0.1 s of every report and explorer start.
    Jinja names each file by the template and checks the source's checksum and the
    Python version before using it, so an edited template is compiled afresh. A file
    that cannot be read or written (a read-only home, a damaged file) means the
    template is compiled as without the cache.
    """

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # a damaged file: whatever unpickling or marshal raises
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


def template_cache(folder: Path) -> BytecodeCache | None:
    """A bytecode cache in *folder*, made if missing; None when it cannot be made."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        return _TemplateCache(str(folder))
    except OSError:
        return None


@lru_cache(maxsize=1)
def make_environment() -> Environment:
    """The project's Jinja environment: autoescaped HTML, strict about undefined names."""
    return build_environment(template_cache(cache_root() / "templates"))


def build_environment(bytecode_cache: BytecodeCache | None) -> Environment:
    """`make_environment`'s environment with the given compiled-template cache."""
    env = Environment(
        loader=FileSystemLoader(str(templates_dir())),
        autoescape=select_autoescape(["html", "htm", "xml"], default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        bytecode_cache=bytecode_cache,
    )
    env.filters["md"] = md_escape
    env.filters["capfirst"] = capitalise
    env.filters["first_sentence"] = first_sentence
    env.filters["number"] = number
    env.filters["decimal"] = decimal
    env.filters["years"] = years
    env.filters["long_date"] = long_date
    env.filters["css_colour"] = lambda value: _colour(value, "#2a5d84")
    env.globals["quantify"] = quantify
    env.globals["quote_tag"] = quote_tag
    env.globals["bar_svg"] = bar_svg
    env.globals["balance_svg"] = balance_svg
    return env

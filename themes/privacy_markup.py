"""The tool's own words in an HTML or SVG output, blanked before the name check.

A report, the synthesis and the journey maps carry journeylab's CSS ("max-width",
a comment "a page per theme"), and tags such as <li> and <mark>. Per, Max, Li and
Mark are also people's names: a person of that name listed in [names] must not
refuse every output. Study text never reaches these places: the templates escape
every value (so no value can open a tag) and render none inside <style> or
<script>; the SVG writers escape too. Text and attribute values (title=, alt=,
href=) are still read. Blanking keeps every line break, so the check's line
numbers stay right.
"""

from __future__ import annotations

import re
from pathlib import Path

_OWN_CODE = re.compile(r"(<(style|script)\b[^>]*>)(.*?)(</\2\s*>)", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(
    r"""</?[A-Za-z][^\s/>]*(?:\s+[^\s/>="']+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>"']*))?)*\s*/?>"""
)
_VALUE = re.compile(r""""[^"]*"|'[^']*'|=\s*[^\s>"']+""")  # kept inside a tag
_MARKUP_SUFFIXES = frozenset({".html", ".htm", ".svg"})
_TEXT_SUFFIXES = frozenset({".md", ".markdown", ".txt", ".csv"})
_MARKUP_START = re.compile(r"\A\s*<(?:!doctype\s+html|html|svg|\?xml)\b", re.IGNORECASE)


def is_markup(text: str, path: str | Path | None) -> bool:
    """Whether *text*, to be written to *path*, is HTML or SVG (an XML part counts)."""
    suffix = Path(str(path)).suffix.lower() if path is not None else ""
    if suffix in _MARKUP_SUFFIXES:
        return True
    if suffix in _TEXT_SUFFIXES:
        return False  # plain text is read whole, whatever it starts with
    return _MARKUP_START.match(text) is not None  # an SVG chart checked inside a .docx


def _blank(text: str) -> str:
    """Spaces for *text*, its line breaks kept (the check reports a line number)."""
    return "\n".join(" " * len(line) for line in text.split("\n"))


def without_code(text: str) -> str:
    """*text* (HTML or SVG) with the content of <style> and <script> blanked."""

    def code(match: re.Match[str]) -> str:
        return f"{match.group(1)}{_blank(match.group(3))}{match.group(4)}"

    return _OWN_CODE.sub(code, text)


def without_tag_names(text: str) -> str:
    """*text* (HTML or SVG) with tag and attribute names blanked, values kept."""

    def tag(match: re.Match[str]) -> str:
        whole, out, at = match.group(), [], 0
        for value in _VALUE.finditer(whole):
            out += [_blank(whole[at : value.start()]), value.group()]
            at = value.end()
        out.append(_blank(whole[at:]))
        return "".join(out)

    return _TAG.sub(tag, text)

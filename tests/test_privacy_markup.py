"""The tool's own CSS, JavaScript and tag names are blanked; text and values are kept."""

from __future__ import annotations

import pytest

from journeylab.themes.privacy_markup import is_markup, without_code, without_tag_names

PAGE = (
    "<!DOCTYPE html>\n<html><head><style>\nimg { max-width: 100%; }\n</style>\n"
    "<script>var n = Math.max(1, 2);</script></head>\n"
    "<body><ul><li class=\"note\" title='a > Per'>Max</li></ul>"
    '<a href="kort/J01.svg" data-x=Kim>Mark</a></body></html>\n'
)


def test_css_and_javascript_are_blanked_keeping_the_lines() -> None:
    out = without_code(PAGE)
    assert "max-width" not in out and "Math.max" not in out
    assert len(out) == len(PAGE) and out.count("\n") == PAGE.count("\n")
    assert "<style>" in out and "</script>" in out and ">Max</li>" in out


def test_tag_and_attribute_names_are_blanked_values_and_text_kept() -> None:
    out = without_tag_names(without_code(PAGE))
    assert len(out) == len(PAGE) and out.count("\n") == PAGE.count("\n")
    for gone in ("<li", "class=", "href=", "data-x", "</a>", "<body"):
        assert gone not in out
    for kept in ('"note"', "'a > Per'", "Max", '"kort/J01.svg"', "=Kim", "Mark"):
        assert kept in out


@pytest.mark.parametrize(
    ("text", "path", "expected"),
    [
        ("<p>x</p>", "rapport.html", True),
        ("<svg/>", "kort/J01.svg", True),
        ("<svg viewBox='0 0 1 1'/>", "rapport.docx", True),  # a chart checked for a .docx
        ("<?xml version='1.0'?><Project/>", "studie.qdpx", True),
        ("<!DOCTYPE html><html/>", "rapport.md", False),  # Markdown is read whole
        ("<style>x</style>", "kodning.csv", False),
        ("# Rapport\n<style>x</style>", None, False),
    ],
)
def test_what_counts_as_markup(text: str, path: str | None, expected: bool) -> None:
    assert is_markup(text, path) is expected

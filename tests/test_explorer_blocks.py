"""The segment block cache: a hit only for an equal view, whatever object it is."""

from __future__ import annotations

from dataclasses import replace

from jinja2 import Template

from journeylab.themes.explorer_blocks import BlockCache
from journeylab.themes.explorer_data import SegmentView, ThemeMark

TEMPLATE = Template(
    "{{ s.id }}|{{ s.text }}|{% for m in s.marks %}{{ m.name }}={{ m.state }};{% endfor %}"
    "{{ s.memos|join(',') }}|{{ show_source }}"
)


def _view(**changes: object) -> SegmentView:
    view = SegmentView(
        id="s1",
        source="t.md",
        kind="utterance",
        text="Jeg ringede til kommunen",
        role="ung",
        speaker="Ung A",
        stage=None,
        colour=None,
        journey=None,
        marks=(ThemeMark("Relationen", 1, "none", False),),
    )
    return replace(view, **changes)  # type: ignore[arg-type]


def test_an_equal_view_is_a_hit_and_any_change_renders_anew() -> None:
    cache = BlockCache(TEMPLATE, dict)
    first = cache.block(_view())
    assert cache.block(_view()) == first and cache.renders == 1  # equal, not the same object
    coded = _view(marks=(ThemeMark("Relationen", 1, "coded", True),))
    assert "Relationen=coded" in cache.block(coded) and cache.renders == 2
    assert "Relationen=none" in cache.block(_view()) and cache.renders == 3  # back again
    memo = _view(memos=("vigtig",))
    assert cache.block(memo).endswith("vigtig|True") and cache.renders == 4
    assert cache.block(memo, show_source=False).endswith("|False") and cache.renders == 5
    assert cache.block(memo).endswith("|True") and cache.renders == 5  # both kept


def test_the_least_recently_used_block_is_dropped() -> None:
    cache = BlockCache(TEMPLATE, dict, size=2)
    a, b, c = (_view(id=i) for i in "abc")
    cache.block(a)
    cache.block(b)
    cache.block(a)  # a is now the most recent
    cache.block(c)  # drops b
    assert cache.renders == 3
    cache.block(a)
    assert cache.renders == 3
    cache.block(b)
    assert cache.renders == 4

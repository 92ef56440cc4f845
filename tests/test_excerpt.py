"""The journey-map excerpt of a theme: green above the stage line, red below, escaped."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from journeylab.themes.excerpt import MAX_PER_SIDE, excerpt_svg

NS = {"s": "http://www.w3.org/2000/svg"}
LABELS = {"udskoling": "Udskoling", "transition_18": "Overgangen til voksen (18 år)"}


@dataclass(frozen=True)
class N:
    colour: str
    stage: str | None
    text: str


def render(notes: list[N]) -> etree._Element:
    svg = excerpt_svg(notes, stage_labels=LABELS, unknown_label="Uden livsfase", title="Kort")
    return etree.fromstring(str(svg).encode())


def _rects(root: etree._Element, colour: str) -> list[etree._Element]:
    return root.xpath(f"//s:g[@class='note note-{colour}']/s:rect", namespaces=NS)


def test_green_above_and_red_below_the_stage_line_in_stage_order() -> None:
    root = render([
        N("red", "transition_18", "Ingen sagde noget om 18 år"),
        N("green", "udskoling", "Lærer der troede på mig"),
        N("red", "udskoling", "Skiftede skole to gange"),
        N("yellow", "udskoling", "Går i 9. klasse"),
    ])  # fmt: skip
    (line,) = root.xpath("//s:line", namespaces=NS)
    y = float(line.get("y1"))
    greens, reds = _rects(root, "green"), _rects(root, "red")
    assert len(greens) == 1 and len(reds) == 2  # the yellow event is not a green/red note
    assert all(float(r.get("y")) + float(r.get("height")) < y for r in greens)
    assert all(float(r.get("y")) > y for r in reds)
    stages = [t.text for t in root.xpath("//s:text[@class='stage']", namespaces=NS)]
    assert stages == ["Udskoling", "Overgangen til voksen"]  # the bracket is cut to fit
    # Udskoling's column is left of the transition's.
    x_green = float(greens[0].get("x"))
    x_late = max(float(r.get("x")) for r in reds)
    assert x_green < x_late


def test_many_notes_are_capped_with_a_count_of_the_rest() -> None:
    notes = [N("green", None, f"Note {i}") for i in range(MAX_PER_SIDE + 3)]
    root = render(notes)
    assert len(_rects(root, "green")) == MAX_PER_SIDE
    (more,) = root.xpath("//s:text[@class='more']", namespaces=NS)
    assert more.text == "+3"
    assert [t.text for t in root.xpath("//s:text[@class='stage']", namespaces=NS)] == [
        "Uden livsfase"
    ]


def test_no_green_or_red_notes_gives_nothing() -> None:
    assert str(excerpt_svg([N("yellow", "school", "x")], stage_labels={}, unknown_label="?",
                           title="t")) == ""  # fmt: skip


@settings(max_examples=50, deadline=None)
@given(st.text(max_size=80))
def test_hostile_note_text_stays_text(text: str) -> None:
    root = render([N("green", "udskoling", text + "<script>alert(1)</script>")])
    assert not root.xpath("//s:script", namespaces=NS)
    assert len(_rects(root, "green")) == 1


def test_a_word_longer_than_a_line_is_broken_with_a_hyphen() -> None:
    # QA: words were cut without a hyphen ("…uddann" / "else"), and a fragment could be
    # a listed name. The excerpt wraps with the maps' `wrap`, so it gets the same break.
    word = "ungdomsuddannelsesvejledningsforløbet"  # longer than the note's 27 characters
    root = render([N("green", "udskoling", f"Godt {word} på skolen")])
    lines = [
        t.text or "" for t in root.xpath("//s:g[@class='note note-green']//s:tspan", namespaces=NS)
    ]
    broken = [line for line in lines if line.endswith("-")]
    assert len(broken) == 1
    joined = "".join(line[:-1] if line.endswith("-") else line + " " for line in lines)
    assert word in joined

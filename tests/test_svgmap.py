"""The journey map SVG: parsed with lxml and checked note by note."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from journeylab.errors import InputError
from journeylab.journeys.model import Colour, Journey
from journeylab.journeys.svgmap import (
    EVENT_WRAP,
    NOTE_WRAP,
    journey_svg,
    overview_svg,
    write_maps,
)
from tests.conftest import A, S, T, U, Y, step

NS = "{http://www.w3.org/2000/svg}"


JOURNEY = Journey(
    id="J07",
    pseudonym="Emil",
    steps=(
        step("Starter i skole", S, 6, "lærer", green=["God klasselærer"]),
        step("Flytter til plejefamilie", S, 10, "sagsbehandler", red=["Savner mor", "Ny skole"]),
        step("Meget fravær", U, 14, red=["Ingen ringede"]),
        step("Efterskole", U, 15, green=["Venner", "Struktur", "Fodbold"]),
        step("Starter på EUD", Y, 17, "mentor", red=["Dropper ud"]),
        step("Fylder 18", T, 18, "rådgiver", red=["Alt stopper"], green=["Efterværn"]),
        step("Egen lejlighed", A, 20, green=["Ro"]),
    ),
)


def parse(svg: str) -> etree._Element:
    return etree.fromstring(svg.encode("utf-8"))


def groups(root: etree._Element, cls: str) -> list[etree._Element]:
    return [g for g in root.iter(f"{NS}g") if cls in (g.get("class") or "").split()]


def notes(root: etree._Element, colour: str) -> list[etree._Element]:
    return [g for g in groups(root, "note") if colour in g.get("class").split()]


def box(note: etree._Element) -> tuple[float, float, float, float]:
    """x, y, width, height of a note's visible (stroked) rectangle."""
    rect = next(r for r in note.iter(f"{NS}rect") if r.get("stroke"))
    return tuple(float(rect.get(k)) for k in ("x", "y", "width", "height"))  # type: ignore[return-value]


def lines(node: etree._Element) -> list[str]:
    return [t.text or "" for t in node.iter(f"{NS}tspan")]


def test_note_counts_per_colour_match_the_journey() -> None:
    root = parse(journey_svg(JOURNEY))
    assert len(notes(root, "yellow")) == len(JOURNEY.steps) == 7
    assert len(notes(root, "green")) == JOURNEY.count(Colour.GREEN) == 6
    assert len(notes(root, "red")) == JOURNEY.count(Colour.RED) == 5


def test_green_above_red_below_their_own_step() -> None:
    root = parse(journey_svg(JOURNEY))
    yellow = {int(g.get("data-step")): box(g) for g in notes(root, "yellow")}
    xs = [yellow[n][0] for n in sorted(yellow)]
    assert xs == sorted(xs) and len(set(xs)) == len(xs)  # steps left to right, in order
    for g in notes(root, "green"):
        x, y, _, h = box(g)
        yx, yy, _, _ = yellow[int(g.get("data-step"))]
        assert x == yx
        assert y + h <= yy
    for g in notes(root, "red"):
        x, y, _, _ = box(g)
        yx, yy, _, yh = yellow[int(g.get("data-step"))]
        assert x == yx
        assert y >= yy + yh
    # The three green notes of step 4 do not overlap one another.
    stack = sorted(box(g)[1:4:2] for g in notes(root, "green") if g.get("data-step") == "4")
    assert len(stack) == 3
    assert all(a[0] + a[1] <= b[0] for a, b in pairwise(stack))


def test_stage_bands_in_order_behind_the_steps_they_cover() -> None:
    root = parse(journey_svg(JOURNEY))
    bands = groups(root, "stage-band")
    assert [b.get("data-stage") for b in bands] == [
        "school",
        "udskoling",
        "youth_education",
        "transition_18",
        "adult",
    ]
    yellow = {int(g.get("data-step")): box(g) for g in notes(root, "yellow")}
    school = box_of_band(bands[0])
    assert school[0] <= yellow[1][0] and yellow[2][0] + yellow[2][2] <= school[0] + school[2]
    assert yellow[3][0] > school[0] + school[2]
    # Bands are drawn before (behind) the notes.
    order = list(root.iter(f"{NS}g"))
    assert order.index(bands[-1]) < order.index(notes(root, "yellow")[0])
    assert "Skole" in "".join(bands[0].itertext())


def box_of_band(band: etree._Element) -> tuple[float, float, float, float]:
    rect = band.find(f"{NS}rect")
    return tuple(float(rect.get(k)) for k in ("x", "y", "width", "height"))  # type: ignore[return-value]


def mark_x(root: etree._Element) -> float:
    (mark,) = groups(root, "age-18")
    line = mark.find(f"{NS}line")
    assert line.get("x1") == line.get("x2")
    return float(line.get("x1"))


def test_18_mark_between_last_minor_and_first_adult_step() -> None:
    root = parse(journey_svg(JOURNEY))
    yellow = {int(g.get("data-step")): box(g) for g in notes(root, "yellow")}
    x = mark_x(root)
    assert yellow[5][0] + yellow[5][2] < x < yellow[6][0]
    assert "18 år" in "".join(groups(root, "age-18")[0].itertext())


def test_18_mark_skips_steps_without_age_and_needs_both_sides() -> None:
    j = Journey("G", (step("a", age=16), step("b"), step("c", age=19), step("d", age=20)))
    root = parse(journey_svg(j))
    yellow = {int(g.get("data-step")): box(g) for g in notes(root, "yellow")}
    assert yellow[2][0] + yellow[2][2] < mark_x(root) < yellow[3][0]
    for steps in [(step("a", age=12), step("b", age=17)), (step("a", age=18), step("b")), ()]:
        assert groups(parse(journey_svg(Journey("N", steps))), "age-18") == []


def test_user_text_is_escaped_and_the_svg_still_parses() -> None:
    nasty = 'Tom & "Jerry" <script>alert(1)</script> ]]>'
    j = Journey(
        id="J<&>",
        pseudonym='"Bo" & co',
        steps=(step(nasty, S, 12, actor="<b>", green=[nasty], red=["a < b > c & d"]),),
    )
    svg = journey_svg(j)
    assert "<script>" not in svg
    root = parse(svg)
    text = " ".join(root.itertext())
    assert "J<&>" in text and '"Bo" & co' in text
    (red,) = notes(root, "red")
    assert "a < b > c & d" in red.find(f"{NS}title").text
    assert nasty in notes(root, "green")[0].find(f"{NS}title").text
    assert not list(root.iter("script", f"{NS}script"))


def test_long_text_wraps_to_the_note_width() -> None:
    long = "Kommunen skiftede min sagsbehandler igen og ingen fortalte mig hvorfor " * 2
    word = "Sagsbehandlerskiftsproblematikkerne" * 2
    j = Journey("W", (step(long + word, S, 12, green=[long], red=[word]),))
    root = parse(journey_svg(j))
    event = [t for t in notes(root, "yellow")[0].iter(f"{NS}text") if t.get("class") != "symbol"]
    event_lines = lines(event[0])
    assert len(event_lines) > 1
    assert all(len(line) <= EVENT_WRAP for line in event_lines)
    assert event_lines[-1].endswith("…")  # cut, but the hover title keeps it all
    assert long.strip() in notes(root, "yellow")[0].find(f"{NS}title").text
    for g in notes(root, "green") + notes(root, "red"):
        note_lines = [line for t in g.iter(f"{NS}text") for line in lines(t)]
        assert len(note_lines) > 1
        assert all(len(line) <= NOTE_WRAP for line in note_lines)


def test_accessible_not_colour_alone() -> None:
    root = parse(journey_svg(JOURNEY))
    assert root.get("role") == "img"
    assert root.find(f"{NS}title").text.startswith("Rejse J07 · Emil")
    assert "7 trin" in root.find(f"{NS}desc").text
    for colour, symbol in (("green", "+"), ("red", "−")):
        for g in notes(root, colour):
            symbols = [t.text for t in g.iter(f"{NS}text") if t.get("class") == "symbol"]
            assert symbols == [symbol]
    for g in notes(root, "yellow"):
        symbols = [t.text for t in g.iter(f"{NS}text") if t.get("class") == "symbol"]
        assert symbols == [g.get("data-step")]
    # Shape differs too: rounded green corners, square red ones.
    assert float(box_rect(notes(root, "green")[0]).get("rx")) > 0
    assert float(box_rect(notes(root, "red")[0]).get("rx")) == 0
    titles = [g.find(f"{NS}title").text for g in groups(root, "note")]
    assert all(titles)
    assert any("Savner mor" in t for t in titles)


def box_rect(note: etree._Element) -> etree._Element:
    return next(r for r in note.iter(f"{NS}rect") if r.get("stroke"))


def test_size_grows_with_steps_and_tallest_stack() -> None:
    def size(j: Journey) -> tuple[float, float]:
        root = parse(journey_svg(j))
        return float(root.get("width")), float(root.get("height"))

    few = Journey("A", tuple(step(f"s{i}", age=10 + i) for i in range(3)))
    many = Journey("A", tuple(step(f"s{i}", age=10 + i) for i in range(12)))
    tall = Journey("A", (*few.steps[:2], step("x", green=["g"] * 5, red=["r"] * 4)))
    assert size(many)[0] > size(few)[0]
    assert size(tall)[1] > size(few)[1]


def test_english_labels() -> None:
    root = parse(journey_svg(JOURNEY, lang="en"))
    assert [b.find(f"{NS}title").text for b in groups(root, "stage-band")][:2] == [
        "School",
        "Last school years",
    ]
    assert "Age 18" in "".join(groups(root, "age-18")[0].itertext())
    assert "age 6" in " ".join(root.itertext())
    with pytest.raises(InputError):
        journey_svg(JOURNEY, lang="fr")


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.text(max_size=60), st.lists(st.text(max_size=40), max_size=3)),
        max_size=5,
    ),
    st.text(max_size=20),
)
def test_any_text_gives_a_parsable_map(rows: list[tuple[str, list[str]]], pseudonym: str) -> None:
    j = Journey(
        "P", tuple(step(text, age=15, red=reds) for text, reds in rows), pseudonym=pseudonym
    )
    root = parse(journey_svg(j))
    assert len(notes(root, "yellow")) == len(rows)
    assert len(notes(root, "red")) == sum(len(r) for _, r in rows)
    parse(overview_svg([j]))


OTHER = Journey(
    "J08",
    (
        step("Skole", S, 12, green=["a", "b"]),
        step("Udskoling", U, 15, red=["c"]),
        step("Uden alder", U),
        step("Voksen", A, 19, green=["d"], red=["e"]),
    ),
)


def test_overview_rows_markers_and_18_line() -> None:
    root = parse(overview_svg([JOURNEY, OTHER]))
    rows = groups(root, "journey-steps")
    assert [r.get("data-journey") for r in rows] == ["J07", "J08"]
    assert len(groups(rows[0], "step")) == 7
    markers = {int(g.get("data-step")): g for g in groups(rows[1], "step")}
    assert len(markers) == 4  # the step without an age is placed between its neighbours
    kinds = {n: g.get("class").split()[1] for n, g in markers.items()}
    assert kinds == {1: "positive", 2: "negative", 3: "even", 4: "even"}
    cx = {n: float(g.find(f"{NS}circle").get("cx")) for n, g in markers.items()}
    assert cx[1] < cx[2] < cx[3] < cx[4]
    x18 = mark_x(root)
    assert cx[3] < x18 < cx[4]
    bands = [b.get("data-stage") for b in groups(root, "stage-band")]
    assert bands[-3:] == ["school", "udskoling", "adult"]
    assert root.get("role") == "img"


def test_overview_of_nothing_and_of_ageless_journeys_still_parses() -> None:
    root = parse(overview_svg([]))
    assert groups(root, "journey-steps") == []
    ageless = Journey("Z", (step("a"), step("b")))
    root = parse(overview_svg([ageless]))
    assert groups(root, "step") == []
    assert "ingen aldre" in " ".join(root.itertext())


def test_write_maps_writes_every_file_and_an_index(tmp_path: Path) -> None:
    clash = Journey("J07", (step("x", S, 9),))
    weird = Journey("../evil id", (step("y", S, 9),))
    paths = write_maps([JOURNEY, clash, weird], tmp_path / "maps")
    names = [p.name for p in paths]
    assert names == ["J07.svg", "J07-2.svg", "evil_id.svg", "oversigt.svg", "index.html"]
    assert all(p.parent == tmp_path / "maps" and p.is_file() for p in paths)
    for p in paths[:-1]:
        parse(p.read_text(encoding="utf-8"))
    index = paths[-1].read_text(encoding="utf-8")
    for name in names[:-1]:
        assert f'href="{name}"' in index
    assert "Emil" in index
    assert sorted(p.name for p in (tmp_path / "maps").iterdir()) == sorted(names)  # no temp files
    english = write_maps([OTHER], tmp_path / "en", lang="en")
    assert [p.name for p in english] == ["J08.svg", "overview.svg", "index.html"]
    assert 'lang="en"' in english[-1].read_text(encoding="utf-8")


def test_declared_transitions_are_drawn_before_the_first_step_past_them() -> None:
    marks = [(15, "Uddannelsesplan"), (16, "Efter 9. klasse"), (18, "18 år"), (30, "Aldrig")]
    svg = etree.fromstring(journey_svg(JOURNEY, transitions=marks).encode())
    drawn = {
        g.findtext(f"{NS}title"): int(g.get("data-before-step"))
        for g in svg.iter(f"{NS}g")
        if g.get("class") == "transition"
    }
    # Ages 6, 10, 14, 15, 17, 18, 20: 15 is reached at step 4, 16 first passed at step 5.
    assert drawn == {"Uddannelsesplan": 4, "Efter 9. klasse": 5}
    # 18 keeps its own mark and is not drawn twice; a point never reached is not drawn.
    assert len([g for g in svg.iter(f"{NS}g") if g.get("class") == "age-18"]) == 1


def test_write_maps_passes_transitions_to_every_map(tmp_path: Path) -> None:
    paths = write_maps([JOURNEY], tmp_path, transitions=[(16, "Efter 9. klasse")])
    text = next(p for p in paths if p.name == "J07.svg").read_text(encoding="utf-8")
    assert 'class="transition"' in text and "Efter 9. klasse" in text

"""codebook.yaml: loading, the errors a hand-edited file can have, and the round trip."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from journeylab.coding.codebook import (
    PALETTE,
    codebook_to_dict,
    load_codebook,
    load_preset,
    with_default_colours,
    write_codebook,
)
from journeylab.coding.model import Codebook, Theme
from journeylab.coding.study import PRESETS
from journeylab.errors import CodebookError, InputError, StudyError

GOOD = """\
name: test
language: da
themes:
  - name: Relationen
    description: Tillid og kontinuitet.
    keywords: [Sagsbehandler, tillid, "18"]
    examples:
      - "Ny sagsbehandler igen: jeg gad ikke mere."
  - name: Skift
    description: Skift af kontaktperson.
    parent: Relationen
    color: "#112233"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "codebook.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_loads_themes_keywords_lowercased_and_default_colours(tmp_path: Path) -> None:
    cb = load_codebook(write(tmp_path, GOOD))
    assert cb.names == ("Relationen", "Skift")
    rel = cb.theme("Relationen")
    assert rel is not None
    assert rel.keywords == ("sagsbehandler", "tillid", "18")
    assert rel.examples == ("Ny sagsbehandler igen: jeg gad ikke mere.",)
    assert rel.color in PALETTE
    assert cb.themes[1].parent == "Relationen"
    assert cb.themes[1].color == "#112233"


def test_default_colours_are_distinct_and_skip_used_ones() -> None:
    themes = tuple(Theme(f"T{i}", "d", color="#E69F00" if i == 0 else None) for i in range(4))
    cb = with_default_colours(Codebook("x", "da", themes))
    colours = [t.color for t in cb.themes]
    assert len(set(colours)) == 4
    assert colours[0] == "#E69F00"


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("themes: [\n  {name: a\n", None, "not valid YAML"),
        ("- a\n- b\n", "line 1", "must be a mapping"),
        ("name: x\n", "line 1", "no themes"),
        ("themes:\n  - description: d\n", "line 2", "no name"),
        ("themes:\n  - name: A\n    description: ''\n", "line 3", "no description"),
        ("themes:\n  - name: A\n    description: d\n    keywords: tillid\n", "line 4", "list"),
        ("themes:\n  - name: A\n    description: d\n    color: blue\n", "line 4", "colour"),
        ("themes:\n  - name: A\n    description: d\n    parent: B\n", "line 4", "unknown parent"),
        ("themes:\n  - name: A\n    description: d\n    keyword: [x]\n", "line 4", "unknown field"),
    ],
)
def test_errors_name_the_line(tmp_path: Path, text: str, line: str | None, words: str) -> None:
    with pytest.raises(CodebookError) as err:
        load_codebook(write(tmp_path, text))
    assert words in str(err.value)
    assert str(tmp_path / "codebook.yaml") in str(err.value)
    if line:
        assert line in str(err.value)


def test_bad_yaml_names_the_line(tmp_path: Path) -> None:
    with pytest.raises(CodebookError, match="line 3"):
        load_codebook(write(tmp_path, "themes:\n  - name: A\n    description: d: e\n"))


def test_duplicate_names_give_both_lines(tmp_path: Path) -> None:
    text = "themes:\n  - name: A\n    description: d\n  - name: A\n    description: e\n"
    with pytest.raises(CodebookError, match="line 2 and line 4"):
        load_codebook(write(tmp_path, text))


def test_parent_cycle_and_two_levels(tmp_path: Path) -> None:
    cycle = (
        "themes:\n  - name: A\n    description: d\n    parent: B\n"
        "  - name: B\n    description: d\n    parent: A\n"
    )
    with pytest.raises(CodebookError, match="cycle"):
        load_codebook(write(tmp_path, cycle))
    deep = (
        "themes:\n  - name: A\n    description: d\n"
        "  - name: B\n    description: d\n    parent: A\n"
        "  - name: C\n    description: d\n    parent: B\n"
    )
    with pytest.raises(CodebookError, match=r"line 9.*top-level"):
        load_codebook(write(tmp_path, deep))


def test_not_utf8_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "codebook.yaml"
    path.write_bytes("themes:\n  - name: Skolen på Ø\n".encode("latin-1"))
    with pytest.raises(InputError):
        load_codebook(path)


@pytest.mark.parametrize("name", PRESETS)
def test_presets_load(name: str) -> None:
    cb = load_preset(name)
    assert len(cb.themes) >= 6
    assert all(t.keywords and t.examples and t.color for t in cb.themes)


def test_unknown_preset() -> None:
    with pytest.raises(StudyError, match="ungeindsats"):
        load_preset("nope")


_text = (
    st.text(
        alphabet=st.sampled_from(list("abcæøå ABCÆØÅ:-#'\"é0123456789,.")), min_size=1, max_size=30
    )
    .map(str.strip)
    .filter(bool)
)
_kw = _text.map(str.lower).filter(lambda s: s == s.strip())
_colour = st.sampled_from((*PALETTE, "#ABCDEF", "#000000"))


@st.composite
def codebooks(draw: st.DrawFn) -> Codebook:
    names = draw(st.lists(_text, min_size=1, max_size=5, unique=True))
    themes = []
    for i, name in enumerate(names):
        parent = draw(st.sampled_from([None, names[0]])) if i > 0 else None
        themes.append(
            Theme(
                name=name,
                description=draw(_text),
                include=tuple(draw(st.lists(_text, max_size=3))),
                exclude=tuple(draw(st.lists(_text, max_size=2))),
                keywords=tuple(draw(st.lists(_kw, max_size=4))),
                examples=tuple(draw(st.lists(_text, max_size=3))),
                color=draw(_colour),
                parent=parent,
                emergent=draw(st.booleans()),
            )
        )
    return Codebook(draw(_text), draw(st.sampled_from(["da", "en"])), tuple(themes))


@settings(max_examples=60, deadline=None)
@given(cb=codebooks())
def test_round_trip(tmp_path_factory: pytest.TempPathFactory, cb: Codebook) -> None:
    path = tmp_path_factory.mktemp("cb") / "codebook.yaml"
    write_codebook(cb, path)
    assert load_codebook(path) == cb


def test_write_fills_nothing_but_the_given_fields(tmp_path: Path) -> None:
    cb = Codebook("x", "da", (Theme("Å", "beskrivelse"),))
    assert codebook_to_dict(cb)["themes"] == [{"name": "Å", "description": "beskrivelse"}]
    write_codebook(cb, tmp_path / "c.yaml")
    assert "Å" in (tmp_path / "c.yaml").read_text(encoding="utf-8")
    assert load_codebook(tmp_path / "c.yaml") == with_default_colours(cb)


def _slow_and_fast(monkeypatch: pytest.MonkeyPatch, load: object) -> tuple[object, object]:
    """What *load()* gives (or raises) through libyaml and through the pure-Python composer."""

    def outcome() -> object:
        try:
            return load()  # type: ignore[operator]
        except CodebookError as exc:
            return ("error", str(exc))

    fast = outcome()
    monkeypatch.setattr("journeylab.yamlfast.FAST_LOADER", None)
    slow = outcome()
    monkeypatch.undo()
    return fast, slow


@pytest.mark.parametrize("name", PRESETS)
def test_libyaml_and_pure_python_give_the_same_preset(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast, slow = _slow_and_fast(monkeypatch, lambda: load_preset(name))
    assert isinstance(fast, Codebook)
    assert fast == slow


def test_libyaml_and_pure_python_give_the_same_example_codebook(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from journeylab.coding.study import example_study_path

    path = example_study_path() / "codebook.yaml"
    fast, slow = _slow_and_fast(monkeypatch, lambda: load_codebook(path))
    assert isinstance(fast, Codebook)
    assert fast == slow


@pytest.mark.parametrize(
    "text",
    [
        "themes: [\n  {name: a\n",
        "themes:\n  - name: A\n    description: d: e\n",
        "themes:\n  - name: A\n    description: d\n  - name: A\n    description: e\n",
        "themes:\n  - name: A\n    description: d\n    keywords: tillid\n",
        "themes:\n\t- name: A\n",
    ],
)
def test_libyaml_and_pure_python_give_the_same_error(
    tmp_path: Path, text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, text)
    fast, slow = _slow_and_fast(monkeypatch, lambda: load_codebook(path))
    assert isinstance(fast, tuple) and fast[0] == "error"
    assert fast == slow

"""Reading journeys from YAML (journeys/readers.py), every YAML validation error, and
the fast YAML parse against the plain one. CSV and XLSX tables: test_tables.py."""

from __future__ import annotations

import contextlib
import datetime as dt
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from journeylab.errors import InputError, JourneyError, JourneylabError
from journeylab.journeys.model import Stage
from journeylab.journeys.readers import journey_from_dict, read_journey_file, read_journeys
from tests.conftest import write_csv

DATA = Path(__file__).parent / "data" / "journeys"


# --- YAML -----------------------------------------------------------------------------


def test_yaml_journey_with_crlf_danish_keys_and_string_notes() -> None:
    [journey] = read_journey_file(DATA / "journey.yaml")
    assert (journey.id, journey.pseudonym, journey.age) == ("J05", "Bettina", 19)
    assert journey.attributes == (("skoletype", "efterskole"),)
    assert [s.event.text for s in journey.steps] == [
        "Starter i børnehaveklasse",
        "Fylder 18: ny sagsbehandler",
        "Starter på produktionsskole",
    ]
    first, second, third = journey.steps
    assert first.stage is Stage.SCHOOL and first.event.actor == "lærer"
    assert [n.text for n in first.green] == ["Fik en god klasselærer"]
    assert [(n.text, n.age) for n in first.red] == [("Blev drillet i frikvartererne", 7)]
    # Dates are kept as typed, not turned into date objects.
    assert second.stage is Stage.TRANSITION_18 and second.event.date == "2024-03-01"
    assert [n.text for n in second.red] == ["Skulle fortælle det hele igen 😞"]
    assert third.green == () and third.red == ()


def test_journey_from_dict_accepts_safe_load_values(tmp_path: Path) -> None:
    data = {
        "journey": 12,
        "age": 18.5,
        "steps": [{"text": "Jobcenter", "date": dt.date(2025, 1, 2), "age": 18, "red": "Kø"}],
    }
    journey = journey_from_dict(data, tmp_path / "x.json")
    assert journey.id == "12" and journey.age == 18.5 and journey.source == "x.json"
    assert journey.steps[0].event.date == "2025-01-02"
    assert [n.text for n in journey.steps[0].red] == ["Kø"]


def test_read_journeys_uses_relative_names_and_refuses_a_reused_id(tmp_path: Path) -> None:
    a = write_csv(tmp_path, "rejse;farve;tekst\nJ1;gul;x\nJ2;gul;y\n", "a.csv")
    b = tmp_path / "b.yaml"
    b.write_text("journey: J3\nsteps: [Skole]\n", encoding="utf-8")
    journeys = read_journeys([a, b], relative=lambda p: f"journeys/{p.name}")
    assert [(j.id, j.source) for j in journeys] == [
        ("J1", "journeys/a.csv"),
        ("J2", "journeys/a.csv"),
        ("J3", "journeys/b.yaml"),
    ]
    b.write_text("journey: J2\nsteps: [Skole]\n", encoding="utf-8")
    with pytest.raises(JourneyError) as err:
        read_journeys([a, b])
    assert "'J2'" in str(err.value) and "a.csv" in str(err.value) and "b.yaml" in str(err.value)


# --- validation errors ----------------------------------------------------------------


YAML_ERRORS = [
    ("", "the file is empty"),
    ("# kun en kommentar\n", "the file is empty"),
    ("journey: J1\n", "field 'steps': journey 'J1' has no steps"),
    ("journey: J1\nsteps: []\n", "line 2, field 'steps': journey 'J1' has no steps"),
    ("pseudonym: Sara\nsteps: [a]\n", "line 1, field 'journey': missing journey id"),
    ("journey: J1\nsteps:\n  - text: a\n    stage: gymnasiet\n", "line 4, step 1, field 'stage'"),
    ("journey: J1\nsteps:\n  - text: a\n    age: seksten\n", "line 4, step 1, field 'age'"),
    ("journey: J1\nsteps:\n  - age: 6\n", "line 3, step 1, field 'text': missing text"),
    (
        "journey: J1\nsteps:\n  - text: a\n    green:\n      - b\n      - text: ''\n",
        "line 6, step 1, green note 2, field 'text': missing text",
    ),
    (
        "journey: J1\nsteps:\n  - text: a\n    farve: gul\n",
        "line 4, step 1, field 'farve': unknown field 'farve'",
    ),
    ("journey: J1\nstage: skole\nsteps: [a]\n", "line 2, field 'stage': 'stage' belongs to a"),
    ("journey: J1\njourney: J2\nsteps: [a]\n", "line 2: 'journey' is given twice"),
    ("journey: J1\nsteps:\n  - text: a\n   age: 6\n", "line 4: the YAML is malformed"),
    ("- a\n- b\n", "a journey file holds one journey"),
    ("journey: J1\nsteps: [a]\n---\njourney: J2\n", "the YAML is malformed"),
    ("journey: [J1]\nsteps: [a]\n", "line 1, field 'journey': 'journey' should be a single"),
]


@pytest.mark.parametrize(("body", "expected"), YAML_ERRORS)
def test_yaml_errors_name_file_line_and_field(tmp_path: Path, body: str, expected: str) -> None:
    path = tmp_path / "J1.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(JourneyError) as err:
        read_journey_file(path)
    message = str(err.value)
    assert message.startswith(str(path)) and expected in message


def test_bad_indentation_names_the_line() -> None:
    with pytest.raises(JourneyError, match=r"bad_indent\.yaml, line 4: the YAML is malformed"):
        read_journey_file(DATA / "bad_indent.yaml")


def test_unknown_suffix_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"'\.txt' is not a journey file type"):
        read_journey_file(tmp_path / "rejser.txt")
    with pytest.raises(InputError, match="no such file"):
        read_journey_file(tmp_path / "nope.xlsx")
    with pytest.raises(InputError, match="no such file"):
        read_journey_file(tmp_path / "nope.csv")


# --- never anything but our errors ----------------------------------------------------


YAML_PIECES = st.sampled_from(
    [
        *("journey: J1\n", "steps:\n", "  - text: a\n", "  - b\n", "    age: 6\n"),
        *("    green: [x]\n", "    red:\n", "      - text: c\n", "    stage: skole\n"),
        *("  age: x\n", ": \n", "- \n", "'\n", "journey:\n", "    fase: 18\n", "&a x\n"),
        *("*a\n", "\t\n", "steps: a\n"),
    ]
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(YAML_PIECES, max_size=10) | st.text(max_size=40))
def test_any_yaml_gives_a_journey_or_our_error(
    tmp_path_factory: pytest.TempPathFactory, pieces: list[str] | str
) -> None:
    path = tmp_path_factory.mktemp("yaml") / "r.yaml"
    path.write_text("".join(pieces), encoding="utf-8", errors="surrogatepass")
    with contextlib.suppress(JourneylabError):
        read_journey_file(path)


def _tree(node: object) -> object:
    """A composed journey tree with every line it remembers, for comparison."""
    from journeylab.journeys.readers import _Map, _Seq

    if isinstance(node, _Map):
        return (
            "map",
            node.line,
            sorted(node.lines.items()),
            {k: _tree(v) for k, v in node.items()},
        )
    if isinstance(node, _Seq):
        return ("seq", node.line, list(node.lines), [_tree(v) for v in node])
    return node


def _pure(text: str) -> object:
    import yaml

    from journeylab.journeys.readers import _plain

    node = yaml.compose(text, Loader=yaml.SafeLoader)
    return None if node is None else _tree(_plain(node, Path("x.yaml")))


def _fast(text: str) -> object:
    from journeylab.journeys.readers import _plain
    from journeylab.yamlfast import compose

    node = compose(text)
    return None if node is None else _tree(_plain(node, Path("x.yaml")))


def test_the_fast_yaml_parse_gives_the_same_tree_and_lines_on_the_examples() -> None:
    from journeylab.coding.study import example_study_path
    from journeylab.fileio import read_text
    from journeylab.yamlfast import FAST_LOADER

    assert FAST_LOADER is not None  # libyaml is in the environment: the fast path is tested
    files = sorted((example_study_path() / "journeys").glob("*.yaml"))
    assert files
    for path in files:
        text = read_text(path)
        assert _fast(text) == _pure(text)


YAML_BITS = st.sampled_from(
    [
        "journey: J1\n",
        "steps:\n",
        "  - tekst: Skolen\n",
        "    grøn: [god lærer]\n",
        "  - x\n",
        "    rød:\n",
        "      - 'ked: af det'\n",
        "alder: 14\n",
        "# note\n",
        "\n",
        '  fase: "skole"\n',
        "- a\n",
        "key: |\n  linje\n",
        "a: b: c\n",
        "\t- tab\n",
        "dato: 2026-03-12\n",
        "x: ~\n",
        "[1, 2\n",
        "&a x: *a\n",
        '  - "æ\\u00f8"\n',
        "? k\n: v\n",
        "---\n",
        "...\n",
    ]
)


def _outcome(parse: object, text: str) -> object:
    import yaml

    assert callable(parse)
    try:
        return ("ok", parse(text))
    except (yaml.YAMLError, JourneyError) as exc:
        return ("error", type(exc), str(exc))


@given(st.lists(YAML_BITS, max_size=10).map("".join))
def test_the_fast_yaml_parse_equals_the_annotated_one_or_fails_as_it_does(text: str) -> None:
    # Same tree and lines, or the same error: the pure parser's wording and line.
    assert _outcome(_fast, text) == _outcome(_pure, text)

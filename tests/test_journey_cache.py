"""The parsed-journeys cache: the same journeys as reading the files, and any change noticed."""

from __future__ import annotations

import json
import shutil
import warnings
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from journeylab.coding.importer import default_readers, import_study
from journeylab.coding.study import Study, example_study_path, load_study
from journeylab.errors import JourneyError, JourneylabWarning
from journeylab.journeys import cache
from journeylab.journeys.cache import (
    CACHE_NAME,
    JourneyCache,
    cached_journeys,
    journey_from_data,
    journey_to_data,
)
from journeylab.journeys.model import Colour, Journey, Note, Stage, Step
from journeylab.journeys.readers import read_journey_file, read_journeys

TEXT = st.text(max_size=12)
MAYBE = st.one_of(st.none(), TEXT)
AGE = st.one_of(st.none(), st.integers(0, 30), st.floats(0, 30, allow_nan=False))
NOTES = st.builds(
    Note, st.sampled_from(list(Colour)), TEXT, AGE, MAYBE, MAYBE,
    st.one_of(st.none(), st.sampled_from(list(Stage))),
)  # fmt: skip
STEPS = st.builds(Step, NOTES, st.lists(NOTES, max_size=2).map(tuple),
                  st.lists(NOTES, max_size=2).map(tuple))  # fmt: skip
JOURNEYS = st.builds(
    Journey, TEXT, st.lists(STEPS, max_size=3).map(tuple), MAYBE, AGE, MAYBE, MAYBE,
    st.lists(st.tuples(TEXT, TEXT), max_size=2).map(tuple), MAYBE,
)  # fmt: skip


@given(JOURNEYS)
def test_a_journey_survives_the_json_round_trip_equal_and_with_its_types(journey: Journey) -> None:
    back = journey_from_data(json.loads(json.dumps(journey_to_data(journey))))
    assert back == journey
    assert repr(back) == repr(journey)  # int ages stay int, enums stay enums


@pytest.fixture
def study(tmp_path: Path) -> Study:
    root = tmp_path / "fjordby"
    shutil.copytree(example_study_path(), root, ignore=shutil.ignore_patterns(".journeylab"))
    (root / ".journeylab").mkdir()
    return load_study(root)


def _plain(study: Study) -> list[Journey]:
    return read_journeys(study.journey_files(), relative=study.relative)


def _parsed(study: Study) -> list[str]:
    reader = JourneyCache(study)
    read_journeys(study.journey_files(), relative=study.relative, reader=reader.read)
    reader.save()
    return reader.parsed


def test_cached_journeys_are_the_files_journeys_and_a_second_read_parses_nothing(
    study: Study,
) -> None:
    suffixes = {p.suffix for p in study.journey_files()}
    assert {".yaml", ".csv", ".xlsx"} <= suffixes  # every reader goes through the cache
    first = cached_journeys(study)
    assert first == _plain(study)
    assert (study.store_path.parent / CACHE_NAME).is_file()
    assert _parsed(study) == []
    assert cached_journeys(study) == first


def test_a_changed_renamed_or_removed_file_is_noticed(study: Study) -> None:
    cached_journeys(study)
    folder = study.root / "journeys"
    yaml_file = folder / "J01.yaml"
    yaml_file.write_text(yaml_file.read_text(encoding="utf-8").replace("J01", "J91"), "utf-8")
    assert _parsed(study) == ["journeys/J01.yaml"]
    assert cached_journeys(study) == _plain(study)
    assert any(j.id == "J91" for j in cached_journeys(study))
    (folder / "J02.yaml").rename(folder / "J02b.yaml")
    assert _parsed(study) == ["journeys/J02b.yaml"]
    got = cached_journeys(study)
    assert got == _plain(study)
    assert {j.source for j in got if j.id == "J02"} == {"journeys/J02b.yaml"}
    (folder / "J03.yaml").unlink()
    assert cached_journeys(study) == _plain(study)
    held = json.loads((study.store_path.parent / CACHE_NAME).read_text(encoding="utf-8"))
    assert "journeys/J03.yaml" not in held["files"] and "journeys/J02.yaml" not in held["files"]


def test_a_changed_reader_parses_everything_again(
    study: Study, monkeypatch: pytest.MonkeyPatch
) -> None:
    cached_journeys(study)
    monkeypatch.setattr(cache, "_code_key", lambda: "another reader")
    assert len(_parsed(study)) == len(study.journey_files())


@pytest.mark.parametrize("damage", ["{not json", '{"key": 1, "files": []}', "[]", "null"])
def test_a_damaged_cache_is_ignored_and_rebuilt(study: Study, damage: str) -> None:
    (study.store_path.parent / CACHE_NAME).write_text(damage, encoding="utf-8")
    assert cached_journeys(study) == _plain(study)
    assert _parsed(study) == []


def test_a_damaged_entry_is_parsed_again(study: Study) -> None:
    cached_journeys(study)
    path = study.store_path.parent / CACHE_NAME
    held = json.loads(path.read_text(encoding="utf-8"))
    held["files"]["journeys/J01.yaml"]["journeys"][0]["steps"] = "not steps"
    path.write_text(json.dumps(held), encoding="utf-8")
    assert _parsed(study) == ["journeys/J01.yaml"]
    assert cached_journeys(study) == _plain(study)


def test_a_file_that_warns_warns_every_time(study: Study) -> None:
    # Two kinds of separator in the header: read as ';', with a warning.
    (study.root / "journeys" / "ekstra.csv").write_text(
        "journey;colour;text;stage, fase\nJ77;gul;Starter i skolen;school\n", encoding="utf-8"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plain = _plain(study)
    for _ in range(2):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            assert cached_journeys(study) == plain
        assert [w.category for w in caught].count(JourneylabWarning) == 1
        assert "ekstra.csv" in str(caught[0].message)


def test_a_bad_file_is_an_error_every_time(study: Study) -> None:
    cached_journeys(study)
    (study.root / "journeys" / "J01.yaml").write_text("journey: [\n", encoding="utf-8")
    for _ in range(2):
        with pytest.raises(JourneyError):
            cached_journeys(study)


def test_a_study_that_was_never_imported_gets_no_cache_folder(tmp_path: Path) -> None:
    root = tmp_path / "fjordby"
    shutil.copytree(example_study_path(), root, ignore=shutil.ignore_patterns(".journeylab"))
    study = load_study(root)
    assert cached_journeys(study) == _plain(study)
    assert not (root / ".journeylab").exists()


def test_without_the_reader_sources_nothing_is_cached(
    study: Study, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache, "_code_key", lambda: None)
    assert cached_journeys(study) == _plain(study)
    assert not (study.store_path.parent / CACHE_NAME).exists()
    assert len(_parsed(study)) == len(study.journey_files())


# -- the importer fills the cache (ImportedJourneys) ------------------------------------


def _held(study: Study) -> dict[str, object]:
    files = json.loads((study.root / ".journeylab" / CACHE_NAME).read_text(encoding="utf-8"))
    return dict(files["files"])


def test_a_fresh_import_fills_the_cache_so_the_first_report_parses_nothing(
    tmp_path: Path,
) -> None:
    root = tmp_path / "fjordby"
    shutil.copytree(example_study_path(), root, ignore=shutil.ignore_patterns(".journeylab"))
    study = load_study(root)
    import_study(study)
    assert set(_held(study)) == {study.relative(p) for p in study.journey_files()}
    assert _parsed(study) == []
    assert cached_journeys(study) == _plain(study)


def test_a_reimport_caches_a_changed_file_and_keeps_the_unchanged_ones(study: Study) -> None:
    import_study(study)
    yaml_file = study.root / "journeys" / "J01.yaml"
    yaml_file.write_text(yaml_file.read_text(encoding="utf-8").replace("J01", "J91"), "utf-8")
    assert import_study(study).changed == ("journeys/J01.yaml",)
    assert _parsed(study) == []
    assert cached_journeys(study) == _plain(study)
    assert any(j.id == "J91" for j in cached_journeys(study))
    transcript = study.transcript_files()[0]
    transcript.write_text(transcript.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    import_study(study)  # no journey file parsed: the cache is left as it was
    assert _parsed(study) == []


def test_an_injected_journey_reader_is_neither_served_from_nor_stored_in_the_cache(
    study: Study,
) -> None:
    cached_journeys(study)  # a full cache: it must not stand in for the injected reader
    before = (study.store_path.parent / CACHE_NAME).read_bytes()
    called: list[str] = []

    def reader(path: Path, *, source: str) -> list[Journey]:
        called.append(source)
        return [replace(j, pseudonym="Injiceret") for j in read_journey_file(path, source=source)]

    import_study(study, readers=replace(default_readers(), journeys=reader))
    assert sorted(called) == sorted(study.relative(p) for p in study.journey_files())
    assert (study.store_path.parent / CACHE_NAME).read_bytes() == before


def test_a_bad_journey_file_aborts_the_import_with_the_readers_error_and_writes_nothing(
    study: Study,
) -> None:
    bad = study.root / "journeys" / "J01.yaml"
    bad.write_text("journey: [\n", encoding="utf-8")
    with pytest.raises(JourneyError) as plain:
        read_journey_file(bad, source="journeys/J01.yaml")
    with pytest.raises(JourneyError) as imported:
        import_study(study)
    assert str(imported.value) == str(plain.value)
    assert list((study.root / ".journeylab").iterdir()) == []  # no store, no cache


def test_a_journey_file_that_warns_warns_on_import_and_is_not_cached(study: Study) -> None:
    (study.root / "journeys" / "ekstra.csv").write_text(
        "journey;colour;text;stage, fase\nJ77;gul;Starter i skolen;school\n", encoding="utf-8"
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        import_study(study)
    assert [w.category for w in caught].count(JourneylabWarning) == 1
    assert "ekstra.csv" in str(caught[0].message)
    assert "journeys/ekstra.csv" not in _held(study) and "journeys/J01.yaml" in _held(study)

"""Journeys through a REFI-QDA project: back as journeys, notes and statuses kept."""

from __future__ import annotations

import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from lxml import etree

from journeylab.coding.importer import import_study
from journeylab.coding.memos import Memo, add_memo, list_memos
from journeylab.coding.model import CodingStatus, SegmentKind
from journeylab.coding.qdpx import export_qdpx
from journeylab.coding.qdpx_journeys import (
    STATUS_NOTE,
    STRUCTURE_NOTE,
    journey_file_name,
    memo_journey,
    read_statuses,
)
from journeylab.coding.qdpx_read import import_qdpx
from journeylab.coding.store import open_store
from journeylab.coding.study import Study, example_study_path, load_study
from journeylab.journeys.model import Colour, Journey, Note, Step
from journeylab.journeys.readers import read_journey_file
from journeylab.themes.privacy import Pseudonymiser

NS = {"q": "urn:QDA-XML:project:1.0"}
XSD = Path(__file__).parent / "data" / "qdpx" / "Project.xsd"
CSV = "journeys/rejser.csv"


def project(path: Path) -> tuple[etree._Element, dict[str, str]]:
    with zipfile.ZipFile(path) as zf:
        root = etree.fromstring(zf.read("project.qde"))
        texts = {n: zf.read(n).decode("utf-8") for n in zf.namelist() if n.startswith("sources/")}
    return root, texts


def source_text(root: etree._Element, texts: dict[str, str], name: str) -> str:
    src = next(s for s in root.iterfind(".//q:TextSource", NS) if s.get("name") == name)
    return texts[src.get("plainTextPath").replace("internal://", "sources/")]


def note_segments(study: Study) -> list[tuple[object, ...]]:
    with open_store(study) as store:
        return sorted(
            (s.source, s.id, s.start, s.end, s.text, s.colour, s.stage, s.journey, s.step)
            for s in store.segments()
            if s.kind is SegmentKind.NOTE
        )


def person_codings(study: Study, rename: Callable[[str], str] = str) -> set[tuple[str, ...]]:
    with open_store(study) as store:
        segs = {s.id: s for s in store.segments()}
        return {
            (rename(segs[c.segment_id].text), c.theme, c.coder, c.status.value)
            for c in store.codings(statuses=[CodingStatus.ACCEPTED, CodingStatus.MANUAL])
        }


@pytest.fixture(scope="module")
def example_round_trip(tmp_path_factory: pytest.TempPathFactory) -> tuple[Study, Study, Path]:
    """The example study, every segment coded by two people, exported and imported."""
    root = tmp_path_factory.mktemp("example")
    shutil.copytree(example_study_path(), root / "s", ignore=shutil.ignore_patterns(".journeylab"))
    study = load_study(root / "s")
    import_study(study)
    with open_store(study) as store:
        themes = [t.name for t in store.themes()]
        for i, seg in enumerate(store.segments()):
            store.set_coding(seg.id, themes[i % len(themes)], "anna", CodingStatus.MANUAL)
            if i % 3 == 0:
                theme = themes[(i + 2) % len(themes)]
                store.set_coding(seg.id, theme, "bo", CodingStatus.ACCEPTED)
    export_qdpx(study, root / "s.qdpx")
    import_qdpx(root / "s.qdpx", root / "copy")
    return study, load_study(root / "copy"), root / "s.qdpx"


def test_example_study_round_trip_keeps_notes_and_codings(
    example_round_trip: tuple[Study, Study, Path],
) -> None:
    study, copy, out = example_round_trip
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    assert schema.validate(project(out)[0]), schema.error_log
    before, after = note_segments(study), note_segments(copy)
    assert len(before) > 300 and len(after) == len(before)
    assert after == before  # same ids, offsets, texts, colours, stages, steps
    with open_store(study) as store:
        names = Pseudonymiser.from_study(
            study, [p for r in store.sources() for p in r.participants]
        )
    # what goes out is pseudonymised; apart from that every coding is the same
    assert person_codings(copy) == person_codings(study, names.text)
    for path in sorted((study.root / "journeys").iterdir()):  # YAML, CSV and XLSX alike
        again = copy.root / "journeys" / path.name
        assert read_journey_file(again, source="x") == read_journey_file(path, source="x")


def test_other_tools_see_plain_text_and_journeylab_keeps_its_notes_to_itself(
    example_round_trip: tuple[Study, Study, Path],
) -> None:
    study, copy, out = example_round_trip
    root, texts = project(out)
    with open_store(study) as store:
        record = store.source("journeys/J01.yaml")
    assert record is not None
    text = source_text(root, texts, "journeys/J01.yaml")
    assert text == record.text and "\n" in text and "green" not in text
    notes = {n.get("guid"): n for n in root.iterfind(".//q:Notes/q:Note", NS)}
    src = next(
        s for s in root.iterfind(".//q:TextSource", NS) if s.get("name").endswith("J01.yaml")
    )
    (ref,) = [notes[r.get("targetGUID")] for r in src.iterfind("q:NoteRef", NS)]
    assert ref.get("name") == STRUCTURE_NOTE
    structure = yaml.safe_load(ref.find("q:PlainTextContent", NS).text)
    assert [j["journey"] for j in structure["journeys"]] == ["J01"]
    assert structure["journeys"][0]["steps"][0]["text"] == text.split("\n")[0]
    (status,) = [n for n in notes.values() if n.get("name") == STATUS_NOTE]
    statuses = read_statuses(status.find("q:PlainTextContent", NS).text)
    assert set(statuses.values()) == {CodingStatus.ACCEPTED}
    with open_store(copy) as store:
        assert not any("journeylab" in m[3] for m in store.memos())


def test_names_in_notes_are_pseudonymised_in_text_and_structure_alike(
    make_study: Callable[..., Study], tmp_path: Path
) -> None:
    csv = (
        "journey,colour,text,pseudonym\n"
        "J01,gul,Møder Rikke Holm på skolen,Sara\nJ01,grøn,Rikke lyttede 🙂,\n"
    )
    study = make_study({CSV: csv})
    import_study(study)
    with open_store(study) as store:
        note = next(s for s in store.segments() if s.text == "Rikke lyttede 🙂")
        store.set_coding(note.id, "Relationen", "anna", CodingStatus.MANUAL)
    export_qdpx(study, tmp_path / "p.qdpx")
    root, texts = project(tmp_path / "p.qdpx")
    everything = etree.tostring(root, encoding="unicode") + "".join(texts.values())
    assert "Rikke" not in everything
    import_qdpx(tmp_path / "p.qdpx", tmp_path / "copy")
    (journey,) = read_journey_file(tmp_path / "copy" / CSV)
    assert [n.text for n in journey.notes] == [
        "Møder Sofie (opdigtet navn) på skolen",
        "Sofie (opdigtet navn) lyttede 🙂",
    ]
    got = person_codings(load_study(tmp_path / "copy"))
    assert got == {("Sofie (opdigtet navn) lyttede 🙂", "Relationen", "anna", "manual")}


def test_a_journey_text_edited_in_another_tool_comes_back_as_a_transcript(
    make_study: Callable[..., Study], tmp_path: Path
) -> None:
    study = make_study()
    import_study(study)
    export_qdpx(study, tmp_path / "p.qdpx")
    _root, texts = project(tmp_path / "p.qdpx")
    name = next(n for n, t in texts.items() if t.startswith("Starter i folkeskolen"))
    with zipfile.ZipFile(tmp_path / "p.qdpx") as zf:
        entries = {n: zf.read(n) for n in zf.namelist()}
    entries[name] = texts[name].replace("folkeskolen", "friskolen").encode()
    with zipfile.ZipFile(tmp_path / "edited.qdpx", "w") as zf:
        for n, data in entries.items():
            zf.writestr(n, data)
    report = import_qdpx(tmp_path / "edited.qdpx", tmp_path / "copy")
    assert len(report.warnings) == 1 and "'journeys/rejser.csv'" in report.warnings[0]
    assert "no longer matches" in report.warnings[0]
    assert (
        "transcripts/rejser.txt" in report.sources and "journeys/rejser.csv" not in report.sources
    )
    assert not note_segments(load_study(tmp_path / "copy"))


def test_a_journey_memo_stays_on_its_file_when_the_journeys_do_not_come_back(
    make_study: Callable[..., Study], tmp_path: Path
) -> None:
    study = make_study()
    import_study(study)
    add_memo(study, "Mentoren er vendepunktet.", kind="journey", target="J02", author="CD")
    export_qdpx(study, tmp_path / "p.qdpx")
    _root, texts = project(tmp_path / "p.qdpx")
    name = next(n for n, t in texts.items() if t.startswith("Starter i folkeskolen"))
    with zipfile.ZipFile(tmp_path / "p.qdpx") as zf:
        entries = {n: zf.read(n) for n in zf.namelist()}
    entries[name] = texts[name].replace("folkeskolen", "friskolen").encode()
    with zipfile.ZipFile(tmp_path / "edited.qdpx", "w") as zf:
        for n, data in entries.items():
            zf.writestr(n, data)
    report = import_qdpx(tmp_path / "edited.qdpx", tmp_path / "copy")
    assert report.warnings[1:] == (
        "the memo on journey J02 is kept on 'transcripts/rejser.txt': the journey was not"
        " read back",
    )
    assert list_memos(load_study(tmp_path / "copy")) == [
        Memo("source", "transcripts/rejser.txt", "CD", "Mentoren er vendepunktet.")
    ]


@pytest.mark.parametrize(
    ("description", "journey"),
    [
        ("journeylab:journey J02", "J02"),
        ("  journeylab:journey J02\n", "J02"),
        ("journeylab:journey ", None),
        ("journeylab:journeys", None),
        ("Et memo om J02", None),
        (None, None),
    ],
)
def test_a_journey_memo_is_known_by_its_description(
    description: str | None, journey: str | None
) -> None:
    assert memo_journey(description) == journey


def test_a_journey_file_changed_since_import_goes_out_as_the_store_knows_it(
    make_study: Callable[..., Study], tmp_path: Path
) -> None:
    study = make_study()
    import_study(study)
    with open_store(study) as store:
        note = next(s for s in store.segments() if s.text == "Mentoren lyttede til mig")
        store.set_coding(note.id, "Relationen", "bo", CodingStatus.ACCEPTED)
    (study.root / CSV).write_text("journey,colour,text\nJ09,gul,Noget helt andet\n", "utf-8")
    export_qdpx(study, tmp_path / "p.qdpx")
    report = import_qdpx(tmp_path / "p.qdpx", tmp_path / "copy")
    assert report.warnings == ()
    copy = load_study(tmp_path / "copy")
    assert note_segments(copy) == note_segments(study)  # colours, steps, stages from the store
    assert person_codings(copy) == {("Mentoren lyttede til mig", "Relationen", "bo", "accepted")}


def test_file_names_keep_a_format_that_holds_the_journeys(tmp_path: Path) -> None:
    one = [Journey("J01", (Step(Note(Colour.YELLOW, "Skole")),))]
    two = [*one, Journey("J02", (Step(Note(Colour.YELLOW, "UU")),))]
    taken: set[str] = set()
    assert journey_file_name("journeys/J01.yaml", one, taken) == "J01.yaml"
    assert journey_file_name("journeys/J01.yaml", one, taken) == "J01-2.yaml"
    assert journey_file_name("a/b.xlsx", two, taken) == "b.xlsx"
    assert journey_file_name("to.yaml", two, taken) == "to.csv"  # YAML holds one journey
    assert journey_file_name("../../etc/x.exe", one, taken) == "x.yaml"


@pytest.mark.parametrize("text", ["", "[1, 2", "- a\n- b", "{x: wrong}", None])
def test_a_damaged_status_note_is_ignored(text: str | None) -> None:
    assert read_statuses(text) == {}

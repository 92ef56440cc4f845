"""REFI-QDA projects: schema-valid export, stable GUIDs, round trip, another tool's file."""

from __future__ import annotations

import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from journeylab.coding.importer import import_study
from journeylab.coding.model import CodingStatus
from journeylab.coding.qdpx import export_qdpx
from journeylab.coding.qdpx_read import import_qdpx
from journeylab.coding.store import open_store
from journeylab.coding.study import Study, load_study
from journeylab.errors import InputError, PrivacyError
from journeylab.journeys.model import Colour, Journey, Note, Stage, Step
from journeylab.journeys.readers import read_journey_file
from journeylab.journeys.writers import write_table, write_yaml
from journeylab.themes.privacy import Pseudonymiser
from tests.conftest import write_study

DATA = Path(__file__).parent / "data" / "qdpx"
NS = {"q": "urn:QDA-XML:project:1.0"}
T = "transcripts/fokusgruppe.txt"


def project_xml(path: Path) -> etree._Element:
    with zipfile.ZipFile(path) as zf:
        return etree.fromstring(zf.read("project.qde"))


def assert_valid(path: Path) -> None:
    schema = etree.XMLSchema(etree.parse(str(DATA / "Project.xsd")))
    doc = project_xml(path)
    assert schema.validate(doc), schema.error_log


@pytest.fixture
def coded(make_study: Callable[..., Study]) -> Study:
    study = make_study()
    import_study(study)
    with open_store(study) as store:
        segs = store.segments(source=T)
        lone = next(s for s in segs if s.speaker == "Lone")
        karsten = next(s for s in segs if s.speaker == "Karsten")
        note = next(s for s in store.segments() if s.text == "God klasselærer")
        store.set_coding(lone.id, "Relationen", "anna", CodingStatus.ACCEPTED)
        store.set_coding(lone.id, "Overgangen til voksen", "bo", CodingStatus.MANUAL)
        store.set_coding(karsten.id, "Skolen", "anna", CodingStatus.REJECTED)
        store.set_coding(note.id, "Relationen", "anna", CodingStatus.MANUAL)
        store.add_memo("theme", "Relationen", "anna", "Se også kontaktpersonerne.")
    return study


def test_export_validates_and_holds_texts_codes_and_codings(coded: Study, tmp_path: Path) -> None:
    out = tmp_path / "study.qdpx"
    report = export_qdpx(coded, out)
    assert_valid(out)
    root = project_xml(out)
    codes = {c.get("name") for c in root.iterfind(".//q:Code", NS)}
    assert codes == {"Relationen", "Skolen", "Overgangen til voksen"}
    assert {u.get("name") for u in root.iterfind(".//q:User", NS)} == {"anna", "bo"}
    # the rejected coding is not exported; accepted and manual ones are
    assert report.codings == 3 == len(root.findall(".//q:Coding", NS))
    assert root.find(".//q:Notes/q:Note/q:PlainTextContent", NS).text == (
        "Se også kontaktpersonerne."
    )
    roles = {v.text for v in root.iterfind(".//q:Case/q:VariableValue/q:TextValue", NS)}
    assert {"ung", "medarbejder", "leder"} <= roles
    with zipfile.ZipFile(out) as zf:
        for src in root.iterfind(".//q:TextSource", NS):
            name = src.get("plainTextPath").replace("internal://", "sources/")
            text = zf.read(name).decode("utf-8")
            assert "\r" not in text
            for sel in src.iterfind("q:PlainTextSelection", NS):
                start, end = int(sel.get("startPosition")), int(sel.get("endPosition"))
                assert " ".join(text[start:end].split())[:60] == sel.get("name")
    note_sel = [s.get("name") for s in root.iterfind(".//q:PlainTextSelection", NS)]
    assert "God klasselærer" in note_sel  # a journey note, located in the journey file's text


def test_guids_are_stable_across_exports(coded: Study, tmp_path: Path) -> None:
    a, b = tmp_path / "a.qdpx", tmp_path / "b.qdpx"
    export_qdpx(coded, a)
    export_qdpx(coded, b)

    def guids(path: Path) -> list[str]:
        return [e.get("guid") for e in project_xml(path).iter() if e.get("guid")]

    assert guids(a) == guids(b)
    assert len(set(guids(a))) == len(guids(a))


def test_export_pseudonymises_and_positions_still_fit(
    make_study: Callable[..., Study], tmp_path: Path
) -> None:
    text = (
        "---\nparticipants:\n  Lone: {role: medarbejder, pseudonym: Medarbejder 1}\n---\n"
        "Lone: Rikke Holm ringede om sagsbehandleren.\n\nLone: Og så skulle Rikke Holm vente.\n"
    )
    study = make_study({T: text})
    import_study(study)
    with open_store(study) as store:
        last = store.segments(source=T)[-1]
        store.set_coding(last.id, "Relationen", "anna", CodingStatus.MANUAL)
    out = tmp_path / "p.qdpx"
    export_qdpx(study, out)
    root = project_xml(out)
    with zipfile.ZipFile(out) as zf:
        data = b"".join(zf.read(n) for n in zf.namelist()).decode("utf-8")
    assert "Rikke" not in data and "Lone" not in data
    sel = root.find(".//q:PlainTextSelection", NS)
    name = sel.get("name")  # the selection spans exactly the pseudonymised turn
    assert name.startswith("Og så skulle Sofie") and name.endswith(" vente.")


def test_a_name_that_cannot_be_replaced_stops_the_export(
    coded: Study, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Pseudonymiser, "text", lambda self, text: text)
    with open_store(coded) as store:
        store.add_memo("study", "", "anna", "Rikke Holm har læst med.")
    out = tmp_path / "leak.qdpx"
    with pytest.raises(PrivacyError):
        export_qdpx(coded, out)
    assert not out.exists()


def codings_of(study: Study) -> set[tuple[str, str, str, str]]:
    with open_store(study) as store:
        segs = {s.id: s for s in store.segments()}
        return {
            (Path(segs[c.segment_id].source).stem, segs[c.segment_id].text, c.theme, c.coder)
            for c in store.codings(statuses=[CodingStatus.ACCEPTED, CodingStatus.MANUAL])
        }


def test_import_of_an_export_gives_the_same_study(coded: Study, tmp_path: Path) -> None:
    out = tmp_path / "s.qdpx"
    export_qdpx(coded, out)
    report = import_qdpx(out, tmp_path / "copy")
    copy = load_study(tmp_path / "copy")
    assert report.warnings == ()
    with open_store(coded) as a, open_store(copy) as b:
        original = a.source(T)
        names = Pseudonymiser.from_study(coded, original.participants)
        # what goes out is pseudonymised ("Lone" is "Medarbejder 1"), nothing else changes
        assert b.source(T).text == names.text(original.text) != original.text
        assert [(t.name, t.description, t.color) for t in a.themes()] == [
            (t.name, t.description, t.color) for t in b.themes()
        ]
        assert {m[3] for m in b.memos()} == {"Se også kontaktpersonerne."}
    assert codings_of(copy) == codings_of(coded)
    # the journey file comes back as the same journey file, its coded note as a note
    assert report.sources[0] == "journeys/rejser.csv"
    assert not (tmp_path / "copy" / "transcripts" / "rejser.txt").exists()
    assert read_journey_file(coded.root / "journeys" / "rejser.csv", source="x") == (
        read_journey_file(tmp_path / "copy" / "journeys" / "rejser.csv", source="x")
    )
    with open_store(copy) as b:
        note = next(s for s in b.segments() if s.text == "God klasselærer")
        assert (note.colour, note.journey, note.kind.value) == ("green", "J01", "note")
        assert [c.theme for c in b.codings(statuses=[CodingStatus.MANUAL])
                if c.segment_id == note.id] == ["Relationen"]  # fmt: skip


WORDS = ["sagsbehandler", "skolen", "æblet", "først", "gået", "🙂", "UU", "fravær", "ønsker"]
turn = st.lists(st.sampled_from(WORDS), min_size=1, max_size=6).map(lambda w: " ".join(w) + ".")
THEMES = ["Relationen", "Skolen", "Overgangen til voksen"]
note_text = st.lists(st.sampled_from(WORDS), min_size=1, max_size=4).map(" ".join)
age = st.none() | st.integers(0, 25) | st.sampled_from([15.5, 17.5])
step = st.builds(
    lambda text, stage, a, actor, green, red: Step(
        Note(Colour.YELLOW, text, age=a, actor=actor, stage=stage),
        tuple(Note(Colour.GREEN, t) for t in green),
        tuple(Note(Colour.RED, t, age=ra) for t, ra in red),
    ),
    note_text,
    st.none() | st.sampled_from(list(Stage)),
    age,
    st.none() | st.sampled_from(["lærer", "sagsbehandler", "UU-vejleder"]),
    st.lists(note_text, max_size=2),
    st.lists(st.tuples(note_text, age), max_size=2),
)
journey = st.builds(
    lambda steps, pseudonym, a: (steps, pseudonym, a),
    st.lists(step, min_size=1, max_size=3),
    st.none() | st.sampled_from(["Sara", "Ali", "Noah"]),
    st.none() | st.integers(15, 30),
)


def write_journeys(
    study: Study, generated: list[tuple[list[Step], str | None, int | None]]
) -> None:
    """The first journey as a YAML file, the others in one CSV (replacing the default)."""
    journeys = [
        Journey(f"J{i:02d}", tuple(steps), pseudonym=p, age=a)
        for i, (steps, p, a) in enumerate(generated, start=1)
    ]
    (study.root / "journeys" / "rejser.csv").unlink()
    write_yaml(journeys[0], study.root / "journeys" / "J01.yaml")
    if journeys[1:]:
        write_table(journeys[1:], study.root / "journeys" / "rejser.csv")


def notes_of(study: Study) -> list[tuple[object, ...]]:
    with open_store(study) as store:
        return sorted(
            (s.id, s.start, s.end, s.text, s.colour, s.stage, s.journey, s.step, s.speaker)
            for s in store.segments()
            if s.kind.value == "note"
        )


def all_codings(study: Study) -> set[tuple[str, str, str, str, str]]:
    with open_store(study) as store:
        segs = {s.id: s for s in store.segments()}
        return {
            (c.segment_id, segs[c.segment_id].text, c.theme, c.coder, c.status.value)
            for c in store.codings(statuses=[CodingStatus.ACCEPTED, CodingStatus.MANUAL])
        }


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    turns=st.lists(st.tuples(st.sampled_from(["Lone", "Karsten"]), turn), min_size=1, max_size=5),
    crlf=st.booleans(),
    journeys=st.lists(journey, min_size=1, max_size=3),
    picks=st.lists(st.tuples(st.integers(0, 40), st.sampled_from(THEMES),
                             st.sampled_from(["anna", "bo"]),
                             st.sampled_from([CodingStatus.MANUAL, CodingStatus.ACCEPTED])),
                   max_size=8),
)  # fmt: skip
def test_round_trip_on_generated_studies(
    turns: list[tuple[str, str]],
    crlf: bool,
    journeys: list[tuple[list[Step], str | None, int | None]],
    picks: list[tuple[int, str, str, CodingStatus]],
) -> None:
    body = "\n\n".join(f"{who}: {said}" for who, said in turns) + "\n"
    body = "Interviewer: Hvordan går det?\n\n" + body
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        study = write_study(root / "s", {T: body.replace("\n", "\r\n") if crlf else body})
        write_journeys(study, journeys)
        import_study(study)
        with open_store(study) as store:
            segs = store.segments()
            for i, theme, coder, status in picks:
                store.set_coding(segs[i % len(segs)].id, theme, coder, status)
        export_qdpx(study, root / "s.qdpx")
        assert_valid(root / "s.qdpx")
        report = import_qdpx(root / "s.qdpx", root / "copy")
        assert report.warnings == ()
        copy = load_study(root / "copy")
        with open_store(study) as a, open_store(copy) as b:
            assert [(s.path, s.kind, s.text) for s in a.sources()] == [
                (s.path, s.kind, s.text) for s in b.sources()
            ]
            assert [t.name for t in a.themes()] == [t.name for t in b.themes()]
        for path in sorted((study.root / "journeys").iterdir()):
            again = root / "copy" / "journeys" / path.name
            assert read_journey_file(path) == read_journey_file(again)
        assert notes_of(study) == notes_of(copy)
        # every coding, on notes and turns: same segment, text, theme, coder and status
        assert all_codings(study) == all_codings(copy)


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def foreign_project(tmp_path: Path) -> tuple[Path, str]:
    """A project as another tool writes it: CRLF text, UTF-16 positions counting CR,
    codes nested two deep, Sources before the CodeBook, an audio source."""
    raw = (
        "Interviewer: Hvordan gik overgangen? 🙂\r\n"
        "Lone: Vi mistede kontakten til de unge efter 9. klasse.\r\n"
        "Karsten: Skolen og UU taler ikke nok sammen 😟 om fraværet.\r\n"
    )
    lone = "Vi mistede kontakten til de unge efter 9. klasse."
    karsten = "Skolen og UU taler ikke nok sammen 😟 om fraværet."
    a, b = raw.index(lone), raw.index(karsten)
    sel = [
        (utf16(raw[:a]), utf16(raw[: a + len(lone)])),
        (utf16(raw[:b]), utf16(raw[: b + len(karsten)])),
    ]
    g = "{{00000000-0000-0000-0000-{:012d}}}".format
    qde = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Fremmed projekt" origin="OtherQDA 3">
  <Sources>
    <AudioSource guid="{g(90)}" name="lydfil.mp3" path="internal://lyd.mp3">
      <AudioSelection guid="{g(91)}" begin="0" end="5000">
        <Coding guid="{g(92)}"><CodeRef targetGUID="{g(1)}"/></Coding>
      </AudioSelection>
    </AudioSource>
    <TextSource guid="{g(10)}" name="Interview 1.rtf" plainTextPath="internal://{g(10)[1:-1]}.txt">
      <PlainTextSelection guid="{g(11)}" startPosition="{sel[0][0]}" endPosition="{sel[0][1]}">
        <Coding guid="{g(12)}" creatingUser="{g(100)}"><CodeRef targetGUID="{g(2)}"/></Coding>
      </PlainTextSelection>
      <PlainTextSelection guid="{g(13)}" startPosition="{sel[1][0]}" endPosition="{sel[1][1]}">
        <Coding guid="{g(14)}" creatingUser="{g(100)}"><CodeRef targetGUID="{g(3)}"/></Coding>
      </PlainTextSelection>
    </TextSource>
  </Sources>
  <Users><User guid="{g(100)}" name="Mette"/></Users>
  <CodeBook><Codes>
    <Code guid="{g(1)}" name="Overgange" isCodable="true" color="#abc">
      <Code guid="{g(2)}" name="Efter 9. klasse" isCodable="true">
        <Description>Overgangen efter grundskolen.</Description>
        <Code guid="{g(3)}" name="Fravær" isCodable="true"/>
      </Code>
    </Code>
  </Codes></CodeBook>
  <Variables><Variable guid="{g(200)}" name="Role" typeOfVariable="Text"/></Variables>
  <Cases><Case guid="{g(201)}" name="Karsten">
    <VariableValue><VariableRef targetGUID="{g(200)}"/><TextValue>leader</TextValue></VariableValue>
  </Case></Cases>
</Project>"""
    path = tmp_path / "fremmed.qdpx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("project.qde", qde.encode("utf-8"))
        zf.writestr(f"sources/{g(10)[1:-1]}.txt", b"\xef\xbb\xbf" + raw.encode("utf-8"))
    return path, raw


def test_a_project_from_another_tool_imports(tmp_path: Path) -> None:
    path, _raw = foreign_project(tmp_path)
    report = import_qdpx(path, tmp_path / "ny")
    assert report.positions == "utf16-crlf"
    assert len(report.warnings) == 1 and "AudioSource 'lydfil.mp3'" in report.warnings[0]
    assert "1 codings" in report.warnings[0]
    study = load_study(tmp_path / "ny")
    got = codings_of(study)
    assert ("Interview 1", "Vi mistede kontakten til de unge efter 9. klasse.",
            "Efter 9. klasse", "Mette") in got  # fmt: skip
    assert ("Interview 1", "Skolen og UU taler ikke nok sammen 😟 om fraværet.",
            "Fravær", "Mette") in got  # fmt: skip
    with open_store(study) as store:
        themes = {t.name: t for t in store.themes()}
        karsten = next(s for s in store.segments() if s.speaker == "Karsten")
    assert themes["Fravær"].parent == "Overgange"  # two deep folded onto the top code
    assert themes["Overgange"].color == "#AABBCC"
    assert karsten.role.value == "leder"  # from the case's role variable


def test_prose_without_speakers_still_imports(tmp_path: Path) -> None:
    g = "00000000-0000-0000-0000-{:012d}".format
    text = "Et notat om samarbejdet mellem skole og UU.\nDet var svært."
    qde = f"""<Project xmlns="urn:QDA-XML:project:1.0" name="Notat">
<CodeBook><Codes><Code guid="{g(1)}" name="Samarbejde" isCodable="true"/></Codes></CodeBook>
<Sources><TextSource guid="{g(2)}" name="notat.txt"><PlainTextContent>{text}</PlainTextContent>
<PlainTextSelection guid="{g(3)}" startPosition="0" endPosition="{len(text)}">
<Coding guid="{g(4)}"><CodeRef targetGUID="{g(1)}"/></Coding></PlainTextSelection>
</TextSource></Sources></Project>"""
    path = tmp_path / "n.qdpx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("project.qde", qde)
    import_qdpx(path, tmp_path / "ny")
    got = codings_of(load_study(tmp_path / "ny"))
    assert {(c[2], c[3]) for c in got} == {("Samarbejde", "qdpx")}
    assert any(text.split("\n")[0] in c[1] for c in got)


def _zip(path: Path, entries: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return path


@pytest.mark.parametrize(
    ("make", "needle"),
    [
        (lambda p: (p.write_bytes(b"not a zip"), p)[1], "not a zip"),
        (lambda p: _zip(p, {"other.txt": b"x"}), "no project.qde"),
        (lambda p: _zip(p, {"project.qde": b"<Project><Sources></Project>"}), "not valid XML"),
    ],
)
def test_bad_projects_fail_clearly_and_write_nothing(
    tmp_path: Path, make: Callable[[Path], Path], needle: str
) -> None:
    path = make(tmp_path / "bad.qdpx")
    with pytest.raises(InputError) as err:
        import_qdpx(path, tmp_path / "ny")
    assert needle in str(err.value) and "bad.qdpx" in str(err.value)
    assert not (tmp_path / "ny").exists()


def test_a_selection_beyond_the_text_is_refused(tmp_path: Path) -> None:
    path, _raw = foreign_project(tmp_path)
    with zipfile.ZipFile(path) as zf:
        entries = {n: zf.read(n) for n in zf.namelist()}
    qde = entries["project.qde"].decode()
    start = qde.index('endPosition="') + len('endPosition="')
    qde = qde[:start] + "9999" + qde[qde.index('"', start) :]
    entries["project.qde"] = qde.encode()
    bad = _zip(tmp_path / "beyond.qdpx", entries)
    with pytest.raises(InputError) as err:
        import_qdpx(bad, tmp_path / "ny")
    message = str(err.value)
    assert "beyond.qdpx" in message and "PlainTextSelection" in message and "9999" in message
    assert not (tmp_path / "ny").exists()


def test_import_never_overwrites_a_folder(coded: Study, tmp_path: Path) -> None:
    out = tmp_path / "s.qdpx"
    export_qdpx(coded, out)
    with pytest.raises(InputError, match="not empty"):
        import_qdpx(out, coded.root)

"""REFI-QDA projects from other tools (coding/qdpx_read.py): positions counted another
way, nested codes, sources we cannot read, and broken files that must write nothing."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from journeylab.coding.qdpx_read import import_qdpx
from journeylab.coding.store import open_store
from journeylab.coding.study import load_study
from journeylab.errors import InputError
from tests.conftest import codings_of


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


def test_memos_keep_their_author_and_fall_back_without_one(tmp_path: Path) -> None:
    """creatingUser on a Note names its author; a project that has none (an older
    journeylab export, or another tool) still imports, its memos by "qdpx"."""
    g = "00000000-0000-0000-0000-{:012d}".format
    text = "Lone: Vi mistede kontakten efter 9. klasse.\n\nKarsten: UU ringede aldrig."
    passage = "Vi mistede kontakten efter 9. klasse."
    start = text.index(passage)

    def note(n: int, body: str, user: int | None = None) -> str:
        who = f' creatingUser="{g(user)}"' if user is not None else ""
        content = f"<PlainTextContent>{body}</PlainTextContent>"
        return f'<Note guid="{g(n)}" name="m{n}"{who}>{content}</Note>'

    qde = f"""<Project xmlns="urn:QDA-XML:project:1.0" name="Memoer">
<Users><User guid="{g(100)}" name="Mette"/></Users>
<CodeBook><Codes><Code guid="{g(1)}" name="Kontakt" isCodable="true">
<NoteRef targetGUID="{g(50)}"/></Code></Codes></CodeBook>
<Sources><TextSource guid="{g(2)}" name="interview.txt"><PlainTextContent>{text}</PlainTextContent>
<PlainTextSelection guid="{g(3)}" startPosition="{start}" endPosition="{start + len(passage)}">
<Coding guid="{g(4)}" creatingUser="{g(100)}"><CodeRef targetGUID="{g(1)}"/></Coding>
<NoteRef targetGUID="{g(51)}"/><NoteRef targetGUID="{g(52)}"/></PlainTextSelection>
<NoteRef targetGUID="{g(53)}"/></TextSource></Sources>
<Notes>{note(50, "Om koden.")}{note(51, "Om passagen.")}{note(52, "Mettes note.", 100)}
{note(53, "Om filen.", 999)}{note(54, "Om projektet.", 100)}{note(55, "Fri note.")}</Notes>
<NoteRef targetGUID="{g(54)}"/></Project>"""
    path = _zip(tmp_path / "m.qdpx", {"project.qde": qde.encode("utf-8")})
    report = import_qdpx(path, tmp_path / "ny")
    assert report.warnings == ()
    study = load_study(tmp_path / "ny")
    with open_store(study) as store:
        seg = next(s for s in store.segments() if s.text == passage)
        memos = store.memos()
        anchors = store.conn.execute(
            "SELECT text, source, anchor_text, anchor_start, anchor_end FROM memos"
            " WHERE target_kind = 'segment' ORDER BY text"
        ).fetchall()
    assert sorted(memos) == sorted(
        [
            ("theme", "Kontakt", "qdpx", "Om koden."),
            ("segment", seg.id, "qdpx", "Om passagen."),
            ("segment", seg.id, "Mette", "Mettes note."),
            ("source", "transcripts/interview.txt", "qdpx", "Om filen."),  # unknown user
            ("study", "", "Mette", "Om projektet."),
            ("study", "", "qdpx", "Fri note."),  # referenced by nothing: a free memo
        ]
    )
    # a segment memo from a project is anchored like one written with `journeylab memo`
    assert [tuple(r) for r in anchors] == [
        (memo, seg.source, seg.text, seg.start, seg.end)
        for memo in ("Mettes note.", "Om passagen.")
    ]

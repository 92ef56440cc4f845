"""findings.yaml: the analyst's own bullets, their errors, and the scaffold."""

from __future__ import annotations

import contextlib
import importlib.util
import shutil
from pathlib import Path
from types import ModuleType

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from journeylab.coding.study import Study
from journeylab.errors import InputError, JourneylabError
from journeylab.themes.findings import build_findings, participant_key
from journeylab.themes.report import render_report
from journeylab.themes.written import (
    parse_findings_file,
    read_findings_file,
    resolve_bullets,
    scaffold_findings,
    scaffold_text,
)


def _sample() -> ModuleType:
    path = Path(__file__).parent / "data" / "findings" / "sample.py"
    spec = importlib.util.spec_from_file_location("written_sample", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


S = _sample()
IDS = {s.id for s in S.SEGMENTS}
THEMES = list(S.CODEBOOK.names)
MIKKEL, AMALIE = f"{S.UNGE}#1", f"{S.UNGE}#2"
NOTE_J01 = "journeys/rejser.yaml#J01-1"

FILE = f"""\
Relationen:
  unge:
    - text: fortæller om at skulle fortælle det hele forfra.
      segments: ["{MIKKEL}", "{NOTE_J01}", "{S.FG}#1"]
      quantifier: auto
    - Jonas' kontaktperson var den første voksne, han stolede på.
  medarbejdere: []
"Overgangen fra ung til voksen":
  medarbejdere:
    - text: "Ifølge {{q}} kommer jobcenteret for sent ind."
      segments: ["{S.FG}#4", "{S.FG}#1", "{S.FG}#2"]
      quantifier: auto
      draft: true
"""


@pytest.fixture
def study(tmp_path: Path) -> Study:
    return S.make_study(tmp_path / "study")


def parse(text: str) -> dict[tuple[str, str], tuple[object, ...]]:
    return parse_findings_file(text, Path("findings.yaml"), THEMES, IDS)


def test_the_file_is_read_per_theme_and_group() -> None:
    written = parse(FILE)
    assert {k for k, v in written.items() if v} == {
        ("Relationen", "unge"),
        ("Overgangen fra ung til voksen", "medarbejdere"),
    }
    first, second = written[("Relationen", "unge")]
    assert first.auto and first.segments == (MIKKEL, NOTE_J01, f"{S.FG}#1")
    assert not second.auto and second.text.startswith("Jonas'")
    (third,) = written[("Overgangen fra ung til voksen", "medarbejdere")]
    assert third.draft and third.line == 10


def test_the_report_uses_the_analysts_bullets_with_counted_quantifiers(study: Study) -> None:
    f = build_findings(
        study, S.CODEBOOK, S.SEGMENTS, S.CODINGS, S.JOURNEYS, S.SOURCES, written=parse(FILE)
    )
    unge = f.themes[0].group("unge")
    auto, plain = unge.bullets
    # Mikkel and journey J01 are young; the employee's segment does not count for "unge".
    assert auto.quantity is not None and auto.quantity.count == 2
    assert auto.quantity.group_size == 5
    assert plain.quantity is None and "Olivers (opdigtet navn)" in plain.text
    assert "Jonas" not in plain.text
    html = render_report(f, analyst=True)
    # 2 of 5 is a share of 0.40: "mange" by the documented thresholds.
    assert 'Mange unge</span> <span class="n">(n = 2 af 5)</span> fortæller om at skulle' in html
    client = render_report(f)
    assert "Mange unge fortæller om at skulle fortælle det hele forfra." in client
    assert "n = 2 af 5" not in client
    md = render_report(f, fmt="md", analyst=True)
    # Lone twice and Bente: two people of three.
    line = "- Ifølge mange medarbejdere (n = 2 af 3) kommer jobcenteret for sent ind. *[Udkast]*"
    assert line in md


def test_drafts_fill_the_gaps_marked_only_in_the_analyst_version(study: Study) -> None:
    f = build_findings(
        study, S.CODEBOOK, S.SEGMENTS, S.CODINGS, S.JOURNEYS, S.SOURCES, written=parse(FILE)
    )
    med = f.themes[0].group("medarbejdere")
    assert med.drafts and med.statements  # an empty list in the file means: use the drafts
    assert not f.themes[0].group("unge").drafts
    for fmt, mark in (("html", ">Udkast<"), ("md", "*[Udkast]*")):
        analyst = render_report(f, fmt=fmt, analyst=True)
        # Relationen/medarbejdere, Overgang/unge, Organisering/both are drafts; the
        # analyst's own "draft: true" bullet is marked as well.
        drafts = sum(len(g.statements) for t in f.themes for g in t.groups if g.drafts)
        assert analyst.count(mark) == drafts + 1
        client = render_report(f, fmt=fmt)
        assert "Udkast" not in client
        assert "berører temaet i fokusgrupperne" in client  # the draft is shown, unmarked
    en = render_report(f, lang="en", analyst=True)
    assert ">Draft<" in en


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("Relationen:\n  unge:\n    - tekst\nUkendt tema:\n  unge: []\n", 4, "unknown theme"),
        ("Relationen:\n  unge:\n    - text: a\n      segments: [nope#1]\n", 4, "unknown segment"),
        ("Relationen:\n  unge: [\n    - a\n", 3, "not valid YAML"),
        ("Relationen:\n  borgere:\n    - a\n", 2, "unknown group"),
        ("Relationen:\n  unge:\n    - text: a\n      quantifier: auto\n", 4, "needs the segments"),
        ("Relationen:\n  unge:\n    - text: '{q} siger a'\n", 3, "no quantifier"),
        ("Relationen:\n  unge:\n    - text: a\n      farve: rød\n", 4, "unknown key"),
        ("Relationen:\n  unge: tekst\n", 2, "list of bullets"),
        ("?\n", 1, "unknown theme"),  # an empty key: was a ParserError, not an InputError
    ],
)
def test_bad_files_name_the_file_and_line(text: str, line: int, message: str) -> None:
    with pytest.raises(InputError, match=message) as info:
        parse(text)
    assert info.value.path == "findings.yaml"
    assert info.value.where == f"line {line}"


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=120))
def test_any_text_gives_bullets_or_an_input_error(text: str) -> None:
    with contextlib.suppress(InputError):
        parse(text)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1).filter(
            lambda s: s.strip() and "{q}" not in s
        ),
        min_size=1,
        max_size=4,
    )
)
def test_bullet_texts_round_trip(texts: list[str]) -> None:
    doc = yaml.safe_dump({"Relationen": {"unge": texts}}, allow_unicode=True)
    written = parse(doc)
    assert [b.text for b in written[("Relationen", "unge")]] == [t.strip() for t in texts]


def test_scaffold_writes_drafts_the_reader_accepts_and_never_overwrites(tmp_path: Path) -> None:
    from journeylab.coding.importer import import_study
    from journeylab.coding.model import CodingStatus
    from journeylab.coding.store import open_store
    from journeylab.coding.study import example_study_path, load_study
    from journeylab.themes.report import load_findings

    root = tmp_path / "fjordby"
    shutil.copytree(example_study_path(), root, ignore=shutil.ignore_patterns(".journeylab"))
    study = load_study(root)
    import_study(study)
    with open_store(study) as store:
        theme = store.themes()[0].name
        people: dict[str, object] = {}
        for seg in store.segments():
            if seg.role.value == "ung":
                people.setdefault(participant_key(seg), seg)
        young = list(people.values())[:3]
        for seg in young:
            store.set_coding(seg.id, theme, "anna", CodingStatus.MANUAL)
        all_ids = {s.id for s in store.segments()}
    path = scaffold_findings(study)
    assert path == root / "findings.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("#") and "UDKAST" in text
    with open_store(study) as store:
        every = [t.name for t in store.themes()]
    assert (theme, "unge") in read_findings_file(study, every, all_ids)
    findings, _ = load_findings(study)
    names = [t.name for t in findings.themes]
    parsed = parse_findings_file(text, path, names, all_ids)
    bullets = parsed[(theme, "unge")]
    assert bullets and all(b.draft and b.auto for b in bullets)
    assert set(bullets[0].segments) == {s.id for s in young}
    # The scaffolded file feeds the report: the first bullet counts the three people.
    first = findings.themes[0].group("unge").bullets[0]
    assert first.quantity is not None and first.quantity.count == 3 and first.draft
    before = path.read_bytes()
    with pytest.raises(InputError, match="already exists"):
        scaffold_findings(study)
    assert path.read_bytes() == before


def test_a_bad_findings_file_stops_the_report_and_writes_nothing(tmp_path: Path) -> None:
    from journeylab.coding.importer import import_study
    from journeylab.coding.study import example_study_path, load_study
    from journeylab.themes.report import report_study

    root = tmp_path / "fjordby"
    shutil.copytree(example_study_path(), root, ignore=shutil.ignore_patterns(".journeylab"))
    study = load_study(root)
    import_study(study)
    (root / "findings.yaml").write_text("Relationen:\n  unge:\n    - ok\nIkke et tema: {}\n")
    out = tmp_path / "rapport.html"
    with pytest.raises(JourneylabError, match=r"findings.yaml, line 4: unknown theme"):
        report_study(study, out)
    assert not out.exists()


# -- drafts in the report's language -----------------------------------------------------

HINTS = {t.name: t.include for t in S.CODEBOOK.themes}
SEG_BY_ID = {seg.id: seg for seg in S.SEGMENTS}


def _scaffolded(study: Study, lang: str) -> dict[tuple[str, str], tuple[object, ...]]:
    """The sample's findings file as `journeylab findings` writes it in *lang*, read back."""
    f = build_findings(study, S.CODEBOOK, S.SEGMENTS, S.CODINGS, S.JOURNEYS, S.SOURCES)
    return parse(scaffold_text(f, lang))


def _texts(written: object, theme: str, key: str, language: str | None) -> list[str]:
    bullets = resolve_bullets(
        written[(theme, key)],  # type: ignore[index]
        key,
        5 if key == "unge" else 3,
        SEG_BY_ID,
        lambda text: text,
        language=language,
        hints=HINTS[theme],
    )
    return [b.text for b in bullets]


def test_a_danish_draft_is_drafted_again_in_an_english_report(study: Study) -> None:
    written = _scaffolded(study, "da")
    assert _texts(written, "Relationen", "unge", "en") == [
        "touch on the theme in their stories.",  # three young people: the plural
        "talk about skift af sagsbehandler eller kontaktperson, og at skulle fortælle sin "
        "historie forfra.",
        "talks about tillid til en bestemt voksen, og hvad der skabte den.",  # one: singular
    ]
    assert _texts(written, "Organisering og samarbejde", "medarbejdere", "en") == [
        "touches on the theme in the focus groups.",
        "describes afdelinger der ikke deler viden om den unge.",
    ]
    # In the study's own language the drafts are printed as scaffolded.
    assert _texts(written, "Relationen", "unge", "da") == [
        b.text  # type: ignore[attr-defined]
        for b in written[("Relationen", "unge")]
    ]
    # Without the report's language nothing is redrafted (the old behaviour).
    assert _texts(written, "Relationen", "unge", None)[0] == "berører temaet i deres fortællinger."


def test_an_english_draft_is_drafted_again_in_a_danish_report(study: Study) -> None:
    written = _scaffolded(study, "en")
    assert _texts(written, "Relationen", "medarbejdere", "da") == [
        "berører temaet i fokusgrupperne.",
        "beskriver skift af sagsbehandler eller kontaktperson, og at skulle fortælle sin "
        "historie forfra.",
    ]
    assert _texts(written, "Overgangen fra ung til voksen", "unge", "da") == [
        "berører temaet i deres fortællinger.",
        "fortæller om overgangen ved 18 år og mødet med jobcenteret.",
    ]


def test_the_analysts_own_bullets_are_never_redrafted() -> None:
    ids = f'["{MIKKEL}", "{AMALIE}"]'
    text = f"""\
Relationen:
  unge:
    - text: berører temaet i deres fortællinger.
      segments: {ids}
      quantifier: auto
    - text: berører temaet i deres fortællinger, især skolen.
      segments: {ids}
      quantifier: auto
      draft: true
    - text: fortæller om tillid til mentoren, og hvad der skabte den.
      segments: {ids}
      quantifier: auto
      draft: true
    - text: fortæller om tillid til en bestemt voksen, og hvad der skabte den.
      segments: {ids}
      quantifier: auto
      draft: true
"""
    got = _texts(parse(text), "Relationen", "unge", "en")
    assert got == [
        "berører temaet i deres fortællinger.",  # no "draft: true": the analyst's sentence
        "berører temaet i deres fortællinger, især skolen.",  # edited, though still a draft
        "fortæller om tillid til mentoren, og hvad der skabte den.",  # the topic edited
        "talk about tillid til en bestemt voksen, og hvad der skabte den.",  # the draft itself
    ]

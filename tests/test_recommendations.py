"""The partnership's recommendations in a municipality's own report, and nothing of the others."""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import docx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import html as lxml_html

from journeylab.coding.autocode import code_study
from journeylab.coding.importer import import_study
from journeylab.coding.store import open_store
from journeylab.coding.study import Study, load_study
from journeylab.errors import CodebookError, JourneylabError, StudyError
from journeylab.themes.findings import Findings, GroupFindings
from journeylab.themes.mapping import load_mapping
from journeylab.themes.programme import load_programme, load_programme_codebook
from journeylab.themes.quantifiers import Quantity, capitalise
from journeylab.themes.recommendations import (
    find_programme,
    finding_lines,
    load_membership,
    load_partnership,
)
from journeylab.themes.report import load_findings, render_report, report_study
from journeylab.themes.report_docx import document_text, write_docx_report
from journeylab.themes.synthesis_report import example_programme_path
from journeylab.themes.templating import strings
from journeylab.themes.written import Bullet

THRESHOLD = 0.5  # the example has only machine suggestions
SECRET = "fælles budgetmodel"  # Aaby's client-only leaders' focus group
OTHERS = ("bakkedal", "strandvig")


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example programme, every member imported and machine-coded."""
    root = tmp_path_factory.mktemp("rec") / "programme"
    shutil.copytree(example_programme_path(), root, ignore=shutil.ignore_patterns(".journeylab"))
    for key in ("aaby", *OTHERS):
        study = load_study(root / key)
        import_study(study)
        code_study(study)
    return root


@pytest.fixture(scope="module")
def aaby_html(root: Path) -> str:
    out = report_study(load_study(root / "aaby"), root.parent / "aaby.html",
                       include_suggestions=THRESHOLD)  # fmt: skip
    return out.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def aaby_findings(root: Path) -> Findings:
    return load_findings(load_study(root / "aaby"), include_suggestions=THRESHOLD)[0]


def _copy(root: Path, dest: Path) -> Path:
    """A fresh copy of the prepared programme (with stores) to break or change."""
    shutil.copytree(root, dest)
    return dest


def _texts(root: Path, key: str) -> list[str]:
    with open_store(load_study(root / key)) as store:
        return [s.text for s in store.segments()]


def _folded(text: str) -> str:
    return " ".join(text.split()).casefold()


def _section(page: str) -> lxml_html.HtmlElement:
    return lxml_html.fromstring(page).get_element_by_id("anbefalinger")


def test_aaby_gets_the_section_before_the_considerations(aaby_html: str, root: Path) -> None:
    programme = load_programme(root)
    assert programme.recommendations
    tree = lxml_html.fromstring(aaby_html)
    ids = [e.get("id") for e in tree.iter("section")]
    assert ids.index("anbefalinger") == ids.index("betragtninger") - 1
    section = _section(aaby_html)
    assert section.findtext("h2") == "Anbefalinger fra partnerskabet"
    for r in programme.recommendations:
        block = section.get_element_by_id(f"anbefaling-{r.id}")
        text = _folded(block.text_content())
        assert _folded(r.title) in text and _folded(r.text) in text
        for c in r.considerations:
            assert _folded(c) in text
    assert tree.xpath('//nav[@class="toc"]//a[@href="#anbefalinger"]')


def test_support_is_this_studys_themes_through_the_mapping(
    aaby_html: str, aaby_findings: Findings, root: Path
) -> None:
    programme = load_programme(root)
    codebook = load_programme_codebook(programme)
    from journeylab.coding.codebook import load_codebook

    books = {m.key: load_codebook(load_study(m.path).codebook_path) for m in programme.members}
    mapping = load_mapping(programme.mapping_path, books, codebook)
    anchors = {t.name: t.anchor for t in aaby_findings.themes}
    section = _section(aaby_html)
    for r in programme.recommendations:
        expected = {anchors[loc] for p in r.themes for loc in mapping.sources("aaby", p)}
        block = section.get_element_by_id(f"anbefaling-{r.id}")
        linked = {a.get("href").lstrip("#") for a in block.iter("a")}
        assert linked == expected, r.id
    # Bakkedal's own theme names never appear as support in Aaby's report.
    assert "Den faste voksne" not in section.text_content()


def test_support_repeats_the_theme_sections_statements(
    aaby_html: str, aaby_findings: Findings
) -> None:
    tree = lxml_html.fromstring(aaby_html)
    block = _section(aaby_html).get_element_by_id("anbefaling-A1")
    support = {_folded(li.text_content()) for li in block.iter("li")}
    theme = next(t for t in aaby_findings.themes if t.name == "Relationen")
    shown = tree.get_element_by_id(theme.anchor).xpath('.//div[contains(@class, "group")]//li')
    statements = {_folded(li.text_content()) for li in shown}
    assert statements and statements <= support
    # Quantified: every finding line starts with a quantifier, never a bare count.
    lines = finding_lines(theme.group("unge"), strings("da"), "da")
    assert lines and all(not re.match(r"\d", line) for line in lines)


def test_nothing_from_other_municipalities_in_aabys_report(
    aaby_html: str, root: Path, tmp_path: Path
) -> None:
    md = report_study(load_study(root / "aaby"), tmp_path / "aaby.md", fmt="md",
                      include_suggestions=THRESHOLD).read_text(encoding="utf-8")  # fmt: skip
    docx_out = write_docx_report(
        load_study(root / "aaby"), tmp_path / "aaby.docx", include_suggestions=THRESHOLD
    )
    word = document_text(docx.Document(str(docx_out)))
    own = {_folded(t) for t in _texts(root, "aaby")}
    for key in OTHERS:
        municipality = load_study(root / key).municipality
        assert municipality
        for text in (aaby_html, md, word):
            assert municipality not in text  # quote tags name the municipality
        foreign = [t for t in _texts(root, key) if len(t) >= 30 and _folded(t) not in own]
        assert foreign
        for text in (_folded(aaby_html), _folded(md), _folded(word)):
            assert not [t for t in foreign if _folded(t) in text], key


def test_others_never_see_aabys_client_only_material(root: Path, tmp_path: Path) -> None:
    for key in OTHERS:
        page = report_study(load_study(root / key), tmp_path / f"{key}.html",
                            include_suggestions=THRESHOLD).read_text(encoding="utf-8")  # fmt: skip
        assert 'id="anbefalinger"' in page
        assert SECRET not in page.casefold()
        assert "Aaby Kommune" not in page


def test_markdown_and_english(aaby_findings: Findings, root: Path) -> None:
    study = load_study(root / "aaby")
    section = load_partnership(study, aaby_findings)
    assert section is not None
    md = render_report(aaby_findings, fmt="md", partnership=section)
    assert md.index("## Anbefalinger fra partnerskabet") < md.index("## 5 Betragtninger")
    assert "](#tema-relationen)" in md.split("## Anbefalinger fra partnerskabet")[1]
    en = render_report(aaby_findings, fmt="html", lang="en", partnership=section)
    assert "Recommendations from the partnership" in en
    assert "Anbefalinger fra partnerskabet" not in en
    plain = render_report(aaby_findings, fmt="md")
    assert "Anbefalinger fra partnerskabet" not in plain


def test_word_report_has_the_section(root: Path, tmp_path: Path) -> None:
    out = write_docx_report(load_study(root / "aaby"), tmp_path / "a.docx",
                            include_suggestions=THRESHOLD)  # fmt: skip
    doc = docx.Document(str(out))
    heads = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    rec = heads.index("Anbefalinger fra partnerskabet")
    assert rec < next(i for i, h in enumerate(heads) if h.startswith("5 Betragtninger"))
    assert any(h.startswith("A1 ") for h in heads[rec:])
    assert "Hvordan undgår vi, at en mentorbevilling stopper på 18-årsdagen?" in [
        p.text for p in doc.paragraphs
    ]


def test_programme_texts_are_pseudonymised(root: Path, tmp_path: Path) -> None:
    prog = _copy(root, tmp_path / "p")
    toml = prog / "programme.toml"
    # "Lene" is a real name in Aaby's [names]; the programme's text must not carry it.
    toml.write_text(toml.read_text(encoding="utf-8").replace(
        'id = "A4"\n', 'id = "A4"\n# changed\n').replace(
        "Tilbyd støtte til den unge", "Lene foreslog at tilbyde støtte til den unge"),
        encoding="utf-8")  # fmt: skip
    page = report_study(load_study(prog / "aaby"), tmp_path / "a.html",
                        include_suggestions=THRESHOLD).read_text(encoding="utf-8")  # fmt: skip
    block = _section(page).get_element_by_id("anbefaling-A4").text_content()
    assert "Josefine (opdigtet navn) foreslog" in block
    assert not re.search(r"\bLene\b", page)


def test_study_outside_a_programme_is_unchanged(
    make_study: Callable[..., Study], tmp_path: Path
) -> None:
    study = make_study()
    import_study(study)
    assert find_programme(study) is None and load_membership(study) is None
    out = report_study(study, tmp_path / "r.html")
    page = out.read_text(encoding="utf-8")
    assert "anbefalinger" not in page and "Anbefalinger" not in page
    findings, _ = load_findings(study)
    assert page == render_report(findings)


def test_programme_beside_that_does_not_list_the_study(
    make_study: Callable[..., Study], tmp_path: Path, root: Path
) -> None:
    study = make_study()
    shutil.copytree(root / "bakkedal", tmp_path / "bakkedal")
    (tmp_path / "programme.toml").write_text(
        '[programme]\ntitle = "P"\n[[studies]]\npath = "bakkedal"\n', encoding="utf-8"
    )
    assert find_programme(study) == tmp_path / "programme.toml"
    assert load_membership(study) is None


def test_declared_programme_in_study_toml(root: Path, tmp_path: Path) -> None:
    prog = _copy(root, tmp_path / "p")
    # The programme file in its own folder, the studies beside it.
    (prog / "partnerskab").mkdir()
    toml = (prog / "programme.toml").read_text(encoding="utf-8")
    for key in ("aaby", *OTHERS):
        toml = toml.replace(f'path = "{key}"', f'path = "../{key}"')
    (prog / "partnerskab" / "programme.toml").write_text(toml, encoding="utf-8")
    (prog / "mapping.yaml").rename(prog / "partnerskab" / "mapping.yaml")
    (prog / "programme.toml").unlink()
    aaby = load_study(prog / "aaby")
    assert find_programme(aaby) is None
    st_toml = prog / "aaby" / "study.toml"
    st_toml.write_text(st_toml.read_text(encoding="utf-8").replace(
        "[study]\n", '[study]\nprogramme = "../partnerskab"\n'), encoding="utf-8")  # fmt: skip
    aaby = load_study(prog / "aaby")
    membership = load_membership(aaby)
    assert membership is not None and membership.member.key == "aaby"
    # Declared, but the programme does not list it: an error, not silence.
    st_toml = prog / "bakkedal" / "study.toml"
    (prog / "partnerskab" / "programme.toml").write_text(
        toml.replace('[[studies]]\npath = "../bakkedal"\n', ""), encoding="utf-8"
    )
    st_toml.write_text(st_toml.read_text(encoding="utf-8").replace(
        "[study]\n", '[study]\nprogramme = "../partnerskab/programme.toml"\n'),
        encoding="utf-8")  # fmt: skip
    with pytest.raises(StudyError, match="does not list the study 'bakkedal'"):
        load_membership(load_study(prog / "bakkedal"))


def test_declared_programme_missing(root: Path, tmp_path: Path) -> None:
    prog = _copy(root, tmp_path / "p")
    st_toml = prog / "aaby" / "study.toml"
    st_toml.write_text(st_toml.read_text(encoding="utf-8").replace(
        "[study]\n", '[study]\nprogramme = "../nowhere.toml"\n'), encoding="utf-8")  # fmt: skip
    with pytest.raises(StudyError) as err:
        load_membership(load_study(prog / "aaby"))
    assert err.value.path == str(st_toml) and err.value.where == "[study] programme"


def _before(tmp_path: Path) -> dict[str, bytes]:
    outs = {"html": tmp_path / "old.html", "md": tmp_path / "old.md", "docx": tmp_path / "o.docx"}
    for path in outs.values():
        path.write_bytes(b"old report")
    return {fmt: path.read_bytes() for fmt, path in outs.items()}


@pytest.mark.parametrize(
    ("target", "old", "new", "error", "where"),
    [
        ("programme.toml", 'id = "A2"', 'id = "A2"\nthemes = 3', StudyError, None),
        ("programme.toml", '["Relationen"]', '["Relationerne"]', StudyError, "[[recommendations]]"),
        ("mapping.yaml", '"Relationen": ["Relationen"]', '"Relationen": ["Nope"]', CodebookError,
         "studies > aaby > Relationen"),
        ("mapping.yaml", "studies:", "studies: [", CodebookError, None),
    ],
)  # fmt: skip
def test_bad_programme_or_mapping_writes_nothing(
    root: Path, tmp_path: Path, target: str, old: str, new: str,
    error: type[JourneylabError], where: str | None,
) -> None:  # fmt: skip
    prog = _copy(root, tmp_path / "p")
    path = prog / target
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    aaby = load_study(prog / "aaby")
    before = _before(tmp_path)
    for fmt, name in (("html", "old.html"), ("md", "old.md")):
        with pytest.raises(error) as err:
            report_study(aaby, tmp_path / name, fmt=fmt)
        assert err.value.path == str(path)
        if where:
            assert err.value.where == where
    with pytest.raises(error):
        write_docx_report(aaby, tmp_path / "o.docx")
    after = {f: (tmp_path / n).read_bytes() for f, n in
             (("html", "old.html"), ("md", "old.md"), ("docx", "o.docx"))}  # fmt: skip
    assert after == before
    assert not (tmp_path / "old-filer").exists()


def test_missing_mapping_is_a_clear_error(root: Path, tmp_path: Path) -> None:
    prog = _copy(root, tmp_path / "p")
    (prog / "mapping.yaml").unlink()
    with pytest.raises(CodebookError, match="mapping file is missing") as err:
        load_membership(load_study(prog / "aaby"))
    assert err.value.path == str(prog / "mapping.yaml")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=st.one_of(st.text(max_size=30), st.integers(), st.lists(st.text(max_size=5))))
def test_any_programme_value_gives_our_error_or_a_membership(value: object) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "s"
        folder.mkdir()
        literal = json.dumps(value, ensure_ascii=False)
        (folder / "study.toml").write_text(
            f'[study]\ntitle = "T"\nprogramme = {literal}\n', encoding="utf-8"
        )
        study = Study(root=folder, title="T")
        # Our error, or a membership: never anything else.
        with contextlib.suppress(JourneylabError):
            load_membership(study)


_words = st.text(alphabet="abcæøå ,.", min_size=0, max_size=20).map(lambda s: " ".join(s.split()))


@settings(max_examples=60, deadline=None)
@given(before=_words, after=_words, count=st.integers(1, 9), extra=st.integers(0, 9))
def test_bullets_keep_the_analysts_words_around_the_quantifier(
    before: str, after: str, count: int, extra: int
) -> None:
    q = Quantity(count, count + extra, "ung")
    text = f"{before} {{q}} {after}" if before else f"{{q}} {after}"
    group = GroupFindings("unge", q, (), (), bullets=(Bullet(text, quantity=q),))
    (line,) = finding_lines(group, strings("da"), "da")
    phrase = q.phrase("da")
    assert (phrase if before else capitalise(phrase)) in line
    assert line.startswith(before) and line.endswith(after)
    (exact,) = finding_lines(group, strings("da"), "da", analyst=True)
    assert q.exact("da") in exact

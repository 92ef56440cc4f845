"""The report: every template in both languages and versions, privacy, escaping."""

from __future__ import annotations

import dataclasses
import importlib.util
import re
import urllib.parse
from pathlib import Path
from types import ModuleType

import pytest

from journeylab.coding.model import Segment
from journeylab.coding.study import Study
from journeylab.errors import InputError, PrivacyError
from journeylab.themes.findings import Findings, build_findings
from journeylab.themes.report import render_report, write_report
from journeylab.themes.templating import make_environment, md_escape, strings


def _sample() -> ModuleType:
    path = Path(__file__).parent / "data" / "findings" / "sample.py"
    spec = importlib.util.spec_from_file_location("report_sample", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


S = _sample()
COMBOS = [(fmt, lang, analyst) for fmt in ("html", "md") for lang in ("da", "en")
          for analyst in (False, True)]  # fmt: skip


@pytest.fixture
def study(tmp_path: Path) -> Study:
    return S.make_study(tmp_path / "study")


def findings_for(study: Study, segments: tuple[Segment, ...] = S.SEGMENTS) -> Findings:
    return build_findings(
        study, S.CODEBOOK, segments, S.CODINGS, S.JOURNEYS, S.SOURCES,
        include_suggestions=0.5, agreement={"Relationen (kappa)": 0.71},
    )  # fmt: skip


@pytest.mark.parametrize(("fmt", "lang", "analyst"), COMBOS)
def test_every_template_renders_the_structure(
    study: Study, fmt: str, lang: str, analyst: bool
) -> None:
    f = findings_for(study)
    text = render_report(f, fmt=fmt, lang=lang, analyst=analyst)
    t = strings(lang)
    for key in ("background", "method", "overview", "considerations", "from_journeys"):
        assert t[key] in text
    assert text.count(t["say_unge"]) == len(f.themes)
    assert text.count(t["say_medarbejdere"]) == len(f.themes)
    for theme in f.themes:
        assert theme.name in text
        assert f'"#{theme.anchor}"' in text or f"(#{theme.anchor})" in text
    assert "ung i Fjordby Kommune" in text if lang == "da" else "young person, Fjordby" in text
    assert f.considerations[0] in text
    assert ("n = 4 af 5" in text) == (analyst and lang == "da")
    assert (t["appendix"] in text) == analyst
    assert (t["analyst_version"] in text) == analyst


@pytest.mark.parametrize(("fmt", "lang", "analyst"), COMBOS)
def test_counts_behind_quantifiers_only_in_the_analyst_version(
    study: Study, fmt: str, lang: str, analyst: bool
) -> None:
    text = render_report(findings_for(study), fmt=fmt, lang=lang, analyst=analyst)
    exact = re.findall(r"n = \d+ (?:af|of) \d+", text)
    assert bool(exact) == analyst
    phrase = "Mange unge" if lang == "da" else "Many young people"
    assert phrase in text


def test_english_report_has_no_danish_headings(study: Study) -> None:
    text = render_report(findings_for(study), lang="en")
    assert "What do the young people say?" in text and "What do the employees say?" in text
    assert "Hvad siger" not in text and "Baggrund" not in text


def test_html_is_self_contained_and_printable(study: Study) -> None:
    html = render_report(findings_for(study))
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in html and "@import" not in html and "<link" not in html
    assert "@media print" in html and "break-before: page" in html
    assert html.count("<svg") >= len(findings_for(study).themes)


def test_user_text_is_escaped_in_html_and_markdown(study: Study) -> None:
    evil = dataclasses.replace(
        S.SEGMENTS[6], text="Jeg sagde <script>alert('x')</script> til min sagsbehandler hver gang."
    )
    segments = tuple(evil if s.id == evil.id else s for s in S.SEGMENTS)
    f = findings_for(study, segments)
    assert any("<script>" in s.text for g in f.themes[0].groups for s in g.segments)
    html = render_report(f, fmt="html", analyst=True)
    assert "<script>" not in html and "&lt;script&gt;" in html
    md = render_report(f, fmt="md", analyst=True)
    assert "<script>" not in md


def test_bad_theme_colour_cannot_inject_css(study: Study) -> None:
    theme = dataclasses.replace(S.RELATIONEN, color="red; background: url(http://x)")
    codebook = dataclasses.replace(S.CODEBOOK, themes=(theme, *S.CODEBOOK.themes[1:]))
    f = build_findings(study, codebook, S.SEGMENTS, S.CODINGS, S.JOURNEYS, S.SOURCES)
    assert "url(http://x)" not in render_report(f)


def test_real_names_never_reach_the_report(study: Study, tmp_path: Path) -> None:
    out = tmp_path / "out" / "report.html"
    write_report(study, findings_for(study), out, participants=S.PARTICIPANTS)
    text = out.read_text(encoding="utf-8")
    for real in ("Jonas", "Sabrina", "Lone", "Bente", "Karsten", "Mikkel", "Amalie"):
        assert not re.search(rf"\b{real}\b", text), real
    assert "Olivers (opdigtet navn) sag" in text


@pytest.mark.parametrize("fmt", ["html", "md"])
def test_a_leak_raises_and_leaves_the_old_file_untouched(
    study: Study, tmp_path: Path, fmt: str
) -> None:
    out = tmp_path / f"report.{fmt}"
    out.write_text("the old report", encoding="utf-8")
    f = findings_for(study)
    # A name that slipped past pseudonymisation (e.g. typed into the background).
    leaky = dataclasses.replace(f, background="Rapporten er skrevet efter samtaler med Jonas.")
    with pytest.raises(PrivacyError, match="Jonas"):
        write_report(study, leaky, out, fmt=fmt)
    assert out.read_text(encoding="utf-8") == "the old report"
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == [f"report.{fmt}"]


def test_participant_names_are_checked_too(study: Study, tmp_path: Path) -> None:
    f = dataclasses.replace(findings_for(study), background="Karsten fortalte om det.")
    with pytest.raises(PrivacyError):
        write_report(study, f, tmp_path / "r.md", fmt="md", participants=S.PARTICIPANTS)
    assert not (tmp_path / "r.md").exists()


def test_written_report_is_readable_by_others(study: Study, tmp_path: Path) -> None:
    out = write_report(study, findings_for(study), tmp_path / "r.html")
    assert out.stat().st_mode & 0o044 == 0o044


def test_unknown_format_or_language_is_an_input_error(study: Study) -> None:
    with pytest.raises(InputError, match="format"):
        render_report(findings_for(study), fmt="pdf")
    with pytest.raises(InputError, match="language"):
        render_report(findings_for(study), lang="sv")


def test_locales_have_the_same_keys() -> None:
    da, en = strings("da"), strings("en")
    assert set(da) == set(en)
    for key, value in da.items():
        if isinstance(value, dict):
            assert set(value) == set(en[key]), key


def test_environment_escapes_html_and_is_strict() -> None:
    env = make_environment()
    assert env.autoescape("report.html") is True
    assert env.autoescape("report.md") is False
    with pytest.raises(Exception, match="undefined"):
        env.from_string("{{ missing }}").render()


def test_md_escape_keeps_tables_and_markup_inert() -> None:
    assert md_escape("a | b *c* <b>\n[x](y)") == r"a \| b \*c\* &lt;b&gt; \[x\](y)"


def test_empty_study_renders(study: Study) -> None:
    f = build_findings(study, S.CODEBOOK, (), (), (), ())
    for fmt in ("html", "md"):
        text = render_report(f, fmt=fmt)
        assert "Ingen af de unge berører temaet" in text
    assert all(t.group("unge").quantity.count == 0 for t in f.themes)


def _frame_phrases(value: object) -> list[str]:
    """Every fixed fragment of a locale value: the text between its {placeholders}."""
    if isinstance(value, dict):
        return [p for v in value.values() for p in _frame_phrases(v)]
    parts = re.split(r"\{[a-z_]*\}", str(value))
    return [" ".join(p.split()).strip(" :.,()–") for p in parts]


@pytest.mark.parametrize("fmt", ["html", "md"])
@pytest.mark.parametrize("analyst", [False, True])
def test_english_report_has_no_danish_frame_text(study: Study, fmt: str, analyst: bool) -> None:
    f = findings_for(study)
    text = render_report(f, fmt=fmt, lang="en", analyst=analyst)
    # Study content (theme names, quotes, notes, background) is Danish by design:
    # only fragments that the study's own text does not contain are frame text.
    content = " ".join(
        [f.title, f.background, *f.considerations, *[g.title for g in f.basis.focus_groups]]
        + [x for t in S.CODEBOOK.themes for x in (t.name, t.description, *t.include)]
        + [s.text for t in f.themes for g in t.groups for s in g.segments]
        + [q.text for t in f.themes for q in t.quotes]
        + [x for t in f.themes for n in t.notes for x in (n.text, n.step or "")]
    )
    if fmt == "html":  # class names and anchors are not read
        text = re.sub(r"<[^>]*>", " ", text)
    da, en = strings("da"), strings("en")
    english = set(_frame_phrases(en))
    phrases = {p for p in _frame_phrases(da) if len(p) >= 4 and p not in english}
    phrases = {p for p in phrases if p not in content}
    assert len(phrases) > 60  # the check really covers the frame
    leaked = sorted(p for p in phrases if p in text)
    assert leaked == []


def test_overview_shows_the_first_sentence_and_the_section_the_whole(study: Study) -> None:
    theme = dataclasses.replace(
        S.RELATIONEN,
        description="Kontinuitet i relationen. Temaet dækker også tillid til 9. klasses lærer.",
    )
    codebook = dataclasses.replace(S.CODEBOOK, themes=(theme, *S.CODEBOOK.themes[1:]))
    f = build_findings(study, codebook, S.SEGMENTS, S.CODINGS, S.JOURNEYS, S.SOURCES)
    html = render_report(f)
    assert '<td class="desc">Kontinuitet i relationen.</td>' in html
    assert "Kontinuitet i relationen. Temaet dækker også tillid til 9. klasses lærer." in html
    md = render_report(f, fmt="md")
    assert "| Kontinuitet i relationen. |" in md


def test_version_client_or_analyst(study: Study) -> None:
    f = findings_for(study)
    assert render_report(f, version="analyst") == render_report(f, analyst=True)
    assert render_report(f, version="client") == render_report(f)
    with pytest.raises(InputError, match="version"):
        render_report(f, version="kunde")


def test_each_theme_section_has_a_journey_map_excerpt(study: Study) -> None:
    f = findings_for(study)
    html = render_report(f)
    for theme in f.themes:
        section = html.split(f'id="{theme.anchor}"', 1)[1].split("</section>", 1)[0]
        greens = sum(1 for n in theme.notes if n.colour == "green")
        reds = sum(1 for n in theme.notes if n.colour == "red")
        assert section.count('<g class="note note-green">') == greens
        assert section.count('<g class="note note-red">') == reds
        assert ('<svg xmlns="http://www.w3.org/2000/svg" class="excerpt"' in section) == bool(
            greens + reds
        )


def test_markdown_charts_are_svg_files_beside_it(study: Study, tmp_path: Path) -> None:
    from lxml import etree

    tmp_path = tmp_path / "out"
    out = tmp_path / "rapport.md"
    write_report(study, findings_for(study), out, fmt="md", participants=S.PARTICIPANTS)
    md = out.read_text(encoding="utf-8")
    links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", md)
    f = findings_for(study)
    assert len([x for x in links if x.endswith(f"{f.themes[0].anchor}.svg")]) == 1
    assert len(links) >= len(f.themes)
    for link in links:
        assert link.startswith("rapport-filer/")
        svg = tmp_path / link
        assert svg.is_file()
        etree.parse(str(svg))  # a well-formed SVG a git host can show
    assert {p.name for p in (tmp_path / "rapport-filer").iterdir()} == {
        link.split("/", 1)[1] for link in links
    }
    # Rendering again replaces the folder, leaving no stray files or temp folders.
    write_report(study, f, out, fmt="md", participants=S.PARTICIPANTS)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rapport-filer", "rapport.md"]


@pytest.mark.parametrize("stem", ["rap port", "rapport (kopi)", "a<b>\\c"])
def test_markdown_chart_links_work_with_spaces_and_brackets_in_the_file_name(
    study: Study, tmp_path: Path, stem: str
) -> None:
    # QA: "rap port.md" linked its charts as (rap port-filer/...), which CommonMark
    # does not read as a link: the images were broken.
    from markdown_it import MarkdownIt

    out = tmp_path / "ud mappe" / f"{stem}.md"
    write_report(study, findings_for(study), out, fmt="md", participants=S.PARTICIPANTS)
    html = MarkdownIt("commonmark").render(out.read_text(encoding="utf-8"))
    sources = re.findall(r'<img src="([^"]+)"', html)
    f = findings_for(study)
    assert len(sources) >= len(f.themes)
    folder = out.parent / f"{stem}-filer"
    for src in sources:
        # markdown-it percent-encodes what it read: decoding gives the file written.
        assert (out.parent / urllib.parse.unquote(src)).is_file(), src
    assert {urllib.parse.unquote(src) for src in sources} == {
        f"{stem}-filer/{p.name}" for p in folder.iterdir()
    }
    assert "![" not in html  # no image left as literal text


def test_a_real_name_in_the_markdown_file_name_is_still_found(study: Study, tmp_path: Path) -> None:
    # The chart links are wrapped in <...>, not percent-encoded: "%20Jonas" would
    # hide the name from the check (a digit does not end a word).
    out = tmp_path / "samtale med Jonas.md"
    with pytest.raises(PrivacyError, match="Jonas"):
        write_report(study, findings_for(study), out, fmt="md", participants=S.PARTICIPANTS)
    assert list(tmp_path.iterdir()) == [tmp_path / "study"]


def test_a_name_leak_in_a_chart_file_writes_neither_folder_nor_report(
    study: Study, tmp_path: Path
) -> None:
    f = findings_for(study)
    notes = tuple(dataclasses.replace(n, text="Jonas ringede") for n in f.themes[0].notes)
    leaky = dataclasses.replace(f, themes=(dataclasses.replace(f.themes[0], notes=notes),
                                           *f.themes[1:]))  # fmt: skip
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(PrivacyError, match="Jonas"):
        write_report(study, leaky, out / "r.md", fmt="md")
    assert list(out.iterdir()) == []


@pytest.mark.parametrize("fmt", ["html", "md"])
@pytest.mark.parametrize(
    ("lang", "date", "meeting"),
    [("da", "4. maj 2026", "12. marts 2026"), ("en", "4 May 2026", "12 March 2026")],
)
def test_dates_are_written_out(study: Study, fmt: str, lang: str, date: str, meeting: str) -> None:
    text = render_report(findings_for(study), fmt=fmt, lang=lang)
    assert date in text  # the title page: the sample study.toml says 2026-05-04
    assert meeting in text  # the focus group's date, 2026-03-12, in the method section
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text)


@pytest.mark.parametrize(("lang", "most", "none"), [("da", "Størstedelen", "Ingen"),
                                                    ("en", "Most", "None")])  # fmt: skip
def test_overview_quantifiers_stand_alone(study: Study, lang: str, most: str, none: str) -> None:
    html = render_report(findings_for(study), lang=lang)
    cells = re.findall(r'<td class="count">(.*?)</td>', html)
    assert most in cells and none in cells  # Relationen: 4 of 5 young people; nobody in one
    md = render_report(findings_for(study), fmt="md", lang=lang)
    assert f"| {most} |" in md
    assert not any(c.endswith((" af", " of")) for c in cells)


def test_overview_description_header_hides_with_its_cells(study: Study) -> None:
    # On a narrow screen the description column goes; its header must go with it.
    html = render_report(findings_for(study))
    assert re.search(r'<th class="desc">[^<]*</th>', html)
    css = re.search(r"@media \(max-width: 760px\) \{(.*?)\n\}", html, re.S)
    assert css and re.search(r"\.overview \.desc \{ display: none; \}", css.group(1))


def test_self_introductions_are_not_quoted(tmp_path: Path) -> None:
    """QA: "Ja. Medarbejder 5, jeg er jobkonsulent i ungeenheden ..." was picked as a quote."""
    from journeylab.coding.model import CodingStatus
    from journeylab.coding.store import open_store
    from journeylab.themes.report import report_study
    from tests.conftest import coded_example

    study = coded_example(tmp_path / "fjordby", code=False)
    source = "transcripts/fokusgruppe_jobcenter_uu.vtt"
    with open_store(study) as store:
        turns = [s for s in store.segments(source=source) if s.speaker != "Interviewer"]
        # The three opening turns (each presents its speaker) and two turns after them.
        for seg in turns[:5]:
            store.set_coding(seg.id, "Relationen", "anna", CodingStatus.MANUAL)
    out = report_study(study, tmp_path / "rapport.md", fmt="md")
    lines = out.read_text(encoding="utf-8").splitlines()
    quotes = [line for line in lines if line.startswith("> »")]
    assert len(quotes) == 2  # five candidates, three of them introductions
    text = "\n".join(quotes)
    for intro in ("jobkonsulent i ungeenheden", "UU-vejleder.", "mentor i Ungecentret"):
        assert intro not in text


def test_scaffolded_drafts_follow_the_report_language_edited_bullets_do_not(
    tmp_path: Path,
) -> None:
    """QA: after `journeylab findings` an English report read "Most young people berører
    temaet i deres fortællinger."; an analyst's own sentence stays as written."""
    from journeylab.coding.model import CodingStatus, Role
    from journeylab.coding.store import open_store
    from journeylab.themes.report import report_study
    from journeylab.themes.written import scaffold_findings
    from tests.conftest import coded_example

    study = coded_example(tmp_path / "fjordby", code=False)
    with open_store(study) as store:
        young: dict[str | None, Segment] = {}
        for seg in store.segments():
            # Notes of three young people about new caseworkers: a hint of Relationen.
            if seg.role is Role.UNG and "sagsbehandler" in seg.text.lower() and len(young) < 3:
                young.setdefault(seg.journey, seg)
        for seg in young.values():
            store.set_coding(seg.id, "Relationen", "anna", CodingStatus.MANUAL)
    path = scaffold_findings(study)  # Danish drafts: the study's language
    text = path.read_text(encoding="utf-8")
    assert '"berører temaet i deres fortællinger."' in text
    # The analyst rewrites the overall bullet and keeps "draft: true" on it (an edit).
    edited = "berører temaet, især de unge fra Ungecentret."
    path.write_text(
        text.replace('"berører temaet i deres fortællinger."', f'"{edited}"', 1), encoding="utf-8"
    )
    path_text = path.read_text(encoding="utf-8")
    assert path_text.count("draft: true") >= 2  # the topic drafts are still drafts

    en = report_study(study, tmp_path / "en.md", fmt="md", lang="en").read_text(encoding="utf-8")
    bullets = [line for line in en.splitlines() if line.startswith("- ") and "young" in line]
    assert any("talk about " in b or "talks about " in b for b in bullets)  # redrafted
    assert not any("fortæller om" in b for b in bullets)
    assert any(b.endswith(edited) for b in bullets)  # the edited one, word for word

    da = report_study(study, tmp_path / "da.md", fmt="md").read_text(encoding="utf-8")
    assert "fortæller om " in da and edited in da

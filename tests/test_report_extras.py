"""Considerations linked to themes, and the analyst appendix (codebook, agreement, memos)."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path
from types import ModuleType

import pytest

from journeylab.coding.study import Study
from journeylab.errors import StudyError
from journeylab.themes.findings import build_findings
from journeylab.themes.report import render_report
from journeylab.themes.report_extras import load_considerations, measure_agreement


def _sample() -> ModuleType:
    path = Path(__file__).parent / "data" / "findings" / "sample.py"
    spec = importlib.util.spec_from_file_location("extras_sample", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


S = _sample()
LINKED = (
    S.STUDY_TOML
    + """
[[report.consideration]]
text = "Hvordan følger Jonas' kontaktperson med over 18 år?"
themes = ["Overgangen fra ung til voksen", "relationen"]
"""
)


@pytest.fixture
def study(tmp_path: Path) -> Study:
    return S.make_study(tmp_path / "study", LINKED)


def test_plain_and_linked_considerations_are_numbered_in_order(study: Study) -> None:
    items = load_considerations(study, S.CODEBOOK.names, lambda s: s.replace("Jonas", "Oliver"))
    assert [c.number for c in items] == [1, 2, 3]
    assert items[0].text.startswith("Hvordan sikrer vi") and items[0].themes == ()
    assert items[2].themes == ("Overgangen fra ung til voksen", "Relationen")
    assert "Oliver' kontaktperson" in items[2].text


def test_theme_sections_and_section_5_link_both_ways(study: Study) -> None:
    f = build_findings(study, S.CODEBOOK, S.SEGMENTS, S.CODINGS, S.JOURNEYS, S.SOURCES)
    assert [t.considerations for t in f.themes] == [(3,), (3,), ()]
    assert f.considerations[2].startswith("Hvordan følger Oliver")
    html = render_report(f)
    rel = html.split('id="tema-relationen"', 1)[1].split("</section>", 1)[0]
    assert 'href="#betragtning-3"' in rel and 'href="#betragtning-1"' not in rel
    section5 = html.split('id="betragtninger"', 1)[1].split("</section>", 1)[0]
    assert 'id="betragtning-3"' in section5
    assert 'href="#tema-relationen"' in section5
    assert 'href="#tema-overgangen-fra-ung-til-voksen"' in section5
    md = render_report(f, fmt="md")
    assert "[5.3](#betragtning-3)" in md and "[Relationen](#tema-relationen)" in md


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('text = "x"\nthemes = ["Ukendt"]', "unknown theme 'Ukendt'"),
        ('themes = ["Relationen"]', "needs text"),
        ('text = "x"\nthemes = [1]', "list of theme names"),
    ],
)
def test_bad_linked_consideration_is_a_study_error(
    tmp_path: Path, table: str, message: str
) -> None:
    study = S.make_study(tmp_path / "s", S.STUDY_TOML + f"\n[[report.consideration]]\n{table}\n")
    with pytest.raises(StudyError, match=message) as info:
        load_considerations(study, S.CODEBOOK.names)
    assert info.value.where == "[[report.consideration]] number 1"


def test_the_appendix_is_only_in_the_analyst_version(study: Study) -> None:
    f = build_findings(study, S.CODEBOOK, S.SEGMENTS, S.CODINGS, S.JOURNEYS, S.SOURCES)
    for fmt in ("html", "md"):
        analyst = render_report(f, fmt=fmt, analyst=True)
        client = render_report(f, fmt=fmt)
        hints = "; ".join(S.RELATIONEN.include)  # the codebook entry lists them all
        assert hints in analyst and hints not in client
        assert "Brug temaet til" in analyst and "Brug temaet til" not in client
        assert "Kodebog" in analyst and "Kodebog" not in client
        assert "Ikke målt" in analyst  # no agreement measured for hand-made findings
        assert "Optælling pr. tema" in analyst and "Optælling pr. tema" not in client


def test_appendix_from_the_store_has_memos_and_agreement(tmp_path: Path) -> None:
    from journeylab.coding.importer import import_study
    from journeylab.coding.model import CodingStatus, Suggestion
    from journeylab.coding.store import open_store
    from journeylab.coding.study import example_study_path, load_study
    from journeylab.themes.report import load_findings

    root = tmp_path / "fjordby"
    shutil.copytree(example_study_path(), root, ignore=shutil.ignore_patterns(".journeylab"))
    study = load_study(root)
    import_study(study)
    assert measure_agreement(study) is None  # nobody has coded: "ikke målt"
    with open_store(study) as store:
        theme = store.themes()[0].name
        segs = [s for s in store.segments() if s.role.value != "interviewer"][:6]
        store.replace_suggestions(
            "machine:ensemble",
            [Suggestion(s.id, theme, 0.9, 1, "machine:ensemble") for s in segs[:4]],
        )
        for s in segs[:3] + segs[4:5]:
            store.set_coding(s.id, theme, "anna", CodingStatus.MANUAL)
        store.add_memo("theme", theme, "anna", "Jonas nævnes i flere interviews.")
    findings, _ = load_findings(study)
    agreement = findings.appendix.agreement
    assert agreement is not None
    assert (agreement.coder_a, agreement.coder_b) == ("anna", "machine:ensemble")
    assert agreement.segments == 4
    (memo,) = findings.appendix.memos
    assert memo.text.startswith("Oliver") and "Jonas" not in memo.text
    html = render_report(findings, analyst=True)
    assert "anna sammenlignet med machine:ensemble på 4 tekststykker." in html
    assert "Ikke målt" not in html
    assert "Oliver (opdigtet navn) nævnes i flere interviews." in html


def _memo_cells(html: str) -> list[str]:
    """The "About" cells of the analyst appendix's memo table."""
    import re

    table = html.split('<table class="data memos">', 1)[1].split("</table>", 1)[0]
    return re.findall(r"<tr><td>(.*?)</td>", table)


def test_memo_table_says_what_each_memo_is_about_in_the_report_language(tmp_path: Path) -> None:
    from journeylab.coding.importer import import_study
    from journeylab.coding.memos import add_memo
    from journeylab.coding.model import SegmentKind
    from journeylab.coding.store import open_store
    from journeylab.coding.study import example_study_path, load_study
    from journeylab.themes.report import load_findings

    root = tmp_path / "fjordby"
    shutil.copytree(example_study_path(), root, ignore=shutil.ignore_patterns(".journeylab"))
    # A transcript without a title, where Jonas ([names]) speaks.
    (root / "transcripts" / "samtale_2.md").write_text(
        "---\nparticipants:\n  Interviewer: {role: interviewer}\n"
        "  Jonas: {role: ung, pseudonym: Ung 9}\n---\n"
        "[00:00:01] Interviewer: Hvordan gik det?\n[00:00:05] Jonas: Det gik fint.\n",
        encoding="utf-8",
    )
    study = load_study(root)
    import_study(study)
    with open_store(study) as store:
        segs = store.segments()
    lone = next(s for s in segs if s.speaker == "Lone")  # pseudonym "Medarbejder 1"
    jonas = next(s for s in segs if s.speaker == "Jonas")
    note = next(s for s in segs if s.kind is SegmentKind.NOTE and s.journey == "J01")
    assert note.step is not None
    add_memo(study, "Om rejsen.", kind="journey", target="J01", author="AB")
    add_memo(study, "Om det hele.", kind="study", author="AB")
    add_memo(study, "Om Lones tur.", kind="segment", target=lone.id, author="AB")
    add_memo(study, "Om en note.", kind="segment", target=note.id, author="AB")
    add_memo(study, "Om Jonas' tur.", kind="segment", target=jonas.id, author="AB")
    title = "Fokusgruppe med medarbejdere fra familie- og skoleområdet"  # its front matter
    step = note.step + 1
    expected = {
        "da": ["Rejse J01 · Oliver", "Hele studiet", f"{title} · Medarbejder 1",
               f"Rejse J01 · Oliver, trin {step}"],
        "en": ["Journey J01 · Oliver", "The whole study", f"{title} · Medarbejder 1",
               f"Journey J01 · Oliver, step {step}"],
    }  # fmt: skip
    for lang, first in expected.items():
        findings, _ = load_findings(study, language=lang)
        cells = _memo_cells(render_report(findings, analyst=True, lang=lang))
        assert cells[:4] == first
        # No title: the file name, and the speaker's pseudonym, never the real name.
        assert cells[4] == "samtale_2.md · Ung 9"
        assert not any("journey:" in c or "#" in c for c in cells)
        md = render_report(findings, fmt="md", analyst=True, lang=lang)
        assert f"| {first[0]} |" in md and f"| {first[1]} |" in md

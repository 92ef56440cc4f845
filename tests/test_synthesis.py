"""The synthesis: cross-municipality counts, transitions, recommendations, and no leaks."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from journeylab.errors import PrivacyError
from journeylab.themes.programme import Programme, load_programme
from journeylab.themes.synthesis import Synthesis, build_synthesis
from journeylab.themes.synthesis_report import (
    example_programme_path,
    render_synthesis,
    synthesis_command,
    write_synthesis,
)
from tests.conftest import code_by_hand, person_coded_programme

SECRET = "fælles budgetmodel"  # words from Aaby's client-only leaders' focus group


@pytest.fixture(scope="module")
def programme(tmp_path_factory: pytest.TempPathFactory) -> Programme:
    """The example with only person codings (no machine suggestions counted)."""
    root = person_coded_programme(tmp_path_factory.mktemp("syn") / "programme", SECRET)
    # Relationen: 2 of 3 Aaby journeys and Trine; 1 of 3 Bakkedal ones; nobody in Strandvig.
    code_by_hand(root, "bakkedal", lambda s: s.journey == "B01" and s.colour == "green",
          "Den faste voksne")  # fmt: skip
    return load_programme(root)


@pytest.fixture(scope="module")
def shared(programme: Programme) -> Synthesis:
    return build_synthesis(programme)


def test_counts_by_role_across_municipalities(shared: Synthesis) -> None:
    theme = next(t for t in shared.themes if t.name == "Relationen")
    rows = {r.municipality: r for r in theme.municipalities}
    assert (rows["Aaby Kommune"].unge.count, rows["Aaby Kommune"].unge.group_size) == (2, 3)
    assert rows["Aaby Kommune"].medarbejdere.count == 2  # Trine and the leader Gitte
    assert rows["Aaby Kommune"].ledere.count == 1
    assert rows["Bakkedal Kommune"].unge.count == 1
    assert rows["Bakkedal Kommune"].local_themes == ("Den faste voksne",)
    assert rows["Strandvig Kommune"].share == 0
    assert (theme.unge.count, theme.unge.group_size) == (3, 9)
    assert theme.touched == 2 and theme.absent == ("Strandvig Kommune",) and not theme.agree
    school = next(t for t in shared.themes if t.name == "Skole")
    assert school.touched == 0 and school.unge.count == 0


def test_data_basis_per_municipality(shared: Synthesis) -> None:
    basis = {b.key: b for b in shared.basis}
    assert [b.journeys for b in shared.basis] == [3, 3, 3]
    assert basis["aaby"].focus_groups == 2 and basis["aaby"].client_only == 1
    assert dict(basis["bakkedal"].participants)["leder"] == 1


def test_transitions_and_recommendations(shared: Synthesis) -> None:
    atten = next(t for t in shared.transitions if t.point.key == "atten")
    assert atten.total.reaching == 9
    assert atten.total == _sum(atten)
    rec = next(r for r in shared.recommendations if r.recommendation.id == "A1")
    assert [t.name for t in rec.themes] == ["Relationen"]
    assert [t.point.key for t in rec.transitions] == ["atten"]


def _sum(tr):  # type: ignore[no-untyped-def]
    from dataclasses import replace

    rows = [row for _, row in tr.municipalities]
    return replace(
        tr.total,
        **{f: sum(getattr(r, f) for r in rows) for f in
           ("journeys", "reaching", "green_before", "red_before", "green_after", "red_after",
            "actor_changes", "waits")},
    )  # fmt: skip


def test_client_only_material_stays_in_its_own_municipality(programme: Programme) -> None:
    own = render_synthesis(build_synthesis(programme, scope="aaby"))
    assert SECRET in own  # pinned and coded: the municipality's own version shows it
    for scope in (None, "bakkedal", "strandvig"):
        for fmt in ("html", "md"):
            text = render_synthesis(build_synthesis(programme, scope=scope), fmt=fmt)
            assert SECRET not in text and "budgetmodel" not in text


def test_quotes_carry_only_role_and_municipality(programme: Programme, tmp_path: Path) -> None:
    out = write_synthesis(programme, tmp_path / "s.html", scope="aaby")
    html = out.read_text(encoding="utf-8")
    assert "leder i Aaby Kommune" in html
    assert "Gitte" not in html and "Trine" not in html
    md = write_synthesis(programme, tmp_path / "s.md", fmt="md", lang="en").read_text("utf-8")
    assert "## 6 Recommendations" in md and "Én fast voksen" in md


def test_a_real_name_stops_the_write(programme: Programme, tmp_path: Path) -> None:
    out = tmp_path / "s.html"
    out.write_text("old", encoding="utf-8")
    toml = programme.toml_path
    before = toml.read_text(encoding="utf-8")
    toml.write_text(before.replace("Tre kommuner", "Trine og tre kommuner"), encoding="utf-8")
    try:
        with pytest.raises(PrivacyError):
            write_synthesis(load_programme(programme.root), out)
    finally:
        toml.write_text(before, encoding="utf-8")
    assert out.read_text(encoding="utf-8") == "old"


def test_one_call_command_imports_codes_and_writes(tmp_path: Path) -> None:
    root = tmp_path / "p"
    shutil.copytree(example_programme_path(), root, ignore=shutil.ignore_patterns(".journeylab"))
    (root / "mapping.yaml").unlink()  # the command suggests one when missing
    out = synthesis_command(root, tmp_path / "synthese.html")
    html = out.read_text(encoding="utf-8")
    assert (root / "mapping.yaml").is_file()
    assert html.count('class="recommendation"') == 8
    assert "Aaby Kommune" in html and "Strandvig Kommune" in html
    assert "budgetmodel" not in html


@pytest.mark.parametrize("fmt", ["html", "docx"])
def test_made_up_names_are_marked_in_the_synthesis_language(tmp_path: Path, fmt: str) -> None:
    """The Danish example (Aaby lists "Lene" in [names]) in an English synthesis: the
    made-up name says so in English, not in the member study's Danish."""
    from docx import Document

    from journeylab.themes.report_docx import document_text

    root = tmp_path / "p"
    shutil.copytree(example_programme_path(), root, ignore=shutil.ignore_patterns(".journeylab"))
    out = synthesis_command(root, tmp_path / f"synthesis.{fmt}", fmt=fmt, lang="en")
    text = document_text(Document(str(out))) if fmt == "docx" else out.read_text("utf-8")
    assert "(made-up name)" in text
    assert "opdigtet navn" not in text
    assert "Lene" not in text


@pytest.mark.parametrize("fmt", ["html", "md"])
@pytest.mark.parametrize(
    ("lang", "half", "whole", "date"),
    [("da", "(17,5 år)", "(18 år)", "1. juni 2026"),
     ("en", "(17.5 years)", "(18 years)", "1 June 2026")],
)  # fmt: skip
def test_ages_and_date_as_a_reader_writes_them(
    shared: Synthesis, fmt: str, lang: str, half: str, whole: str, date: str
) -> None:
    # The example's transitions are at 15, 16, 17.5, 18 and 23; its date is 2026-06-01.
    text = render_synthesis(shared, fmt=fmt, lang=lang)
    assert half in text and whole in text
    assert "17,50" not in text and "17.50" not in text
    assert date in text and "2026-06-01" not in text


def test_overview_table_scrolls_in_its_own_box_on_a_phone(shared: Synthesis) -> None:
    # Unwrapped, the four columns made a 390 px phone's whole page 621 px wide.
    html = render_synthesis(shared)
    assert re.search(r'<div class="table-wrap">\s*<table class="overview">', html)

"""The HTML report in a real browser (Debian's Chromium driven by Playwright).

The layout checks a text test cannot make: on a phone the theme overview hides
its description column, and each heading must still stand over its own column.
Never skipped: without Chromium these tests fail.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from journeylab.themes.findings import build_findings
from journeylab.themes.report import render_report
from journeylab.themes.templating import strings

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}

# Each visible cell's x-range, for the header row and every body row.
MEASURE = """() => {
  const shown = el =>
    getComputedStyle(el).display !== 'none' && el.getBoundingClientRect().width > 0;
  const box = el => { const r = el.getBoundingClientRect();
    return {left: r.left, right: r.right, text: el.textContent.trim(), cls: el.className}; };
  const table = document.querySelector('table.overview');
  return {
    head: [...table.querySelectorAll('thead th')].filter(shown).map(box),
    rows: [...table.querySelectorAll('tbody tr')]
      .map(tr => [...tr.children].filter(shown).map(box)),
  };
}"""


def _sample() -> ModuleType:
    path = Path(__file__).parent.parent / "data" / "findings" / "sample.py"
    spec = importlib.util.spec_from_file_location("report_browser_sample", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Danish client report of the hand-made sample study, as a file."""
    s = _sample()
    root = tmp_path_factory.mktemp("report-browser")
    study = s.make_study(root / "study")
    findings = build_findings(study, s.CODEBOOK, s.SEGMENTS, s.CODINGS, s.JOURNEYS, s.SOURCES,
                              include_suggestions=0.5)  # fmt: skip
    out = root / "rapport.html"
    out.write_text(render_report(findings, lang="da"), encoding="utf-8")
    return out


def _overview(browser: Browser, report: Path, viewport: dict[str, int]) -> dict[str, Any]:
    context = browser.new_context(viewport=viewport)  # type: ignore[arg-type]
    try:
        page: Page = context.new_page()
        page.goto(report.as_uri())
        return dict(page.evaluate(MEASURE))
    finally:
        context.close()


def _lined_up(head: list[dict[str, Any]], row: list[dict[str, Any]]) -> bool:
    """Each header cell spans the same x-range as the body cell in its column."""
    return len(head) == len(row) and all(
        abs(h["left"] - c["left"]) < 1 and abs(h["right"] - c["right"]) < 1
        for h, c in zip(head, row, strict=True)
    )


@pytest.mark.parametrize(("viewport", "columns"), [(PHONE, 4), (DESKTOP, 5)])
def test_overview_headings_stand_over_their_columns(
    browser: Browser, report: Path, viewport: dict[str, int], columns: int
) -> None:
    got = _overview(browser, report, viewport)
    head, rows = got["head"], got["rows"]
    assert len(head) == columns  # on a phone the description goes, header and cells
    assert rows
    for row in rows:
        assert len(row) == len(head), [c["text"] for c in row]
        assert _lined_up(head, row), (head, row)
    # The young people's quantifier is under "Unge": Relationen, 4 of 5 young people.
    t = strings("da")
    unge = next(i for i, h in enumerate(head) if h["text"] == t["unge"])
    first = rows[0]
    assert first[0]["text"] == "Relationen" and first[unge]["text"] == "Størstedelen"

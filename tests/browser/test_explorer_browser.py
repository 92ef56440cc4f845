"""The explorer in a real browser: Debian's Chromium driven by Playwright.

One browser and one coding server (plus a read-only one) for the session; the
servers are the real uvicorn app on free ports of 127.0.0.1. Never skipped:
without Chromium these tests fail.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, Request, Route, expect

from journeylab.coding.store import open_store
from journeylab.coding.study import Study
from journeylab.themes.explorer import create_app
from tests.conftest import coded_example
from tests.explorer_support import lone_transcript

PAYLOAD = "<script>document.title='pwned'</script>"
XSS = lone_transcript(PAYLOAD, "Skolen og UU taler for lidt sammen om fraværet.")
XSS_SOURCE = "transcripts/zz_xss.txt"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Running:
    def __init__(self, server: uvicorn.Server, thread: threading.Thread, url: str) -> None:
        self.server, self.thread, self.url = server, thread, url

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def _start(study: Study, read_only: bool) -> Running:
    port = _free_port()
    app = create_app(study, read_only=read_only, include_suggestions=0.3)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the explorer did not start")
        time.sleep(0.05)
    return Running(server, thread, f"http://127.0.0.1:{port}")


@pytest.fixture(scope="session")
def study(tmp_path_factory: pytest.TempPathFactory) -> Study:
    return coded_example(tmp_path_factory.mktemp("browser") / "fjordby", {XSS_SOURCE: XSS})


@pytest.fixture(scope="session")
def servers(study: Study) -> Iterator[tuple[str, str]]:
    coding, read_only = _start(study, False), _start(study, True)
    yield coding.url, read_only.url
    coding.stop()
    read_only.stop()


@pytest.fixture
def page(browser: Browser) -> Iterator[tuple[Page, list[str]]]:
    """A fresh context (own cookies, so its own session) recording every request."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    seen: list[str] = []

    def watch(route: Route, request: Request) -> None:
        seen.append(request.url)
        host = urlsplit(request.url).hostname
        if host == "127.0.0.1":
            route.continue_()
        else:
            route.abort()

    context.route("**/*", watch)
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    yield pg, seen
    context.close()
    off_host = [u for u in seen if urlsplit(u).hostname != "127.0.0.1"]
    assert off_host == [], f"requests left the machine: {off_host}"


def _segment(pg: Page, segment_id: str) -> object:
    return pg.locator(f'.segment[data-segment="{segment_id}"]')


def test_overview_theme_and_role_filter(servers: tuple[str, str], page: tuple) -> None:
    pg, seen = page
    response = pg.goto(servers[0] + "/")
    assert response is not None
    csp = response.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "unsafe-inline" not in csp
    expect(pg.locator("tr.theme-row")).to_have_count(7)
    pg.click("text=Relationen")
    expect(pg.locator("h1")).to_contain_text("Relationen")
    expect(pg.locator("#say-unge")).to_have_text("Hvad siger de unge?")
    pg.select_option("select[name=rolle]", "ung")
    pg.click("form.filters button[type=submit]")
    pg.wait_for_url("**rolle=ung**")
    sides = pg.locator(".sides .segment")
    assert sides.count() > 0
    assert sides.count() == pg.locator(".sides .segment.role-ung").count()
    assert any(u.endswith("/static/explorer.js") for u in seen)


def test_code_by_keyboard_and_click_persist_and_undo(
    servers: tuple[str, str], page: tuple, study: Study
) -> None:
    pg, _ = page
    pg.goto(servers[0] + "/kilde?sti=" + XSS_SOURCE)
    first = pg.locator(".segment").nth(1)  # the first turn after the interviewer's
    seg_id = first.get_attribute("data-segment")
    assert seg_id
    second_theme = first.locator(".theme-btn").nth(1).get_attribute("data-theme")
    pg.keyboard.press("j")
    pg.keyboard.press("j")
    expect(_segment(pg, seg_id)).to_have_class(re.compile("current"))
    pg.keyboard.press("2")
    button = _segment(pg, seg_id).locator(".theme-btn").nth(1)
    expect(button).to_have_attribute("aria-pressed", "true")
    pg.reload()
    expect(_segment(pg, seg_id).locator(".theme-btn").nth(1)).to_have_attribute(
        "aria-pressed", "true"
    )
    with open_store(study) as store:
        assert any(c.theme == second_theme for c in store.codings(coder="analytiker"))
    pg.keyboard.press("u")
    expect(_segment(pg, seg_id).locator(".theme-btn").nth(1)).to_have_attribute(
        "aria-pressed", "false"
    )
    pg.reload()
    expect(_segment(pg, seg_id).locator(".theme-btn").nth(1)).to_have_attribute(
        "aria-pressed", "false"
    )
    # By click: the third theme button.
    _segment(pg, seg_id).locator(".theme-btn").nth(2).click()
    expect(_segment(pg, seg_id).locator(".theme-btn").nth(2)).to_have_attribute(
        "aria-pressed", "true"
    )
    pg.reload()
    expect(_segment(pg, seg_id).locator(".chip.state-coded")).to_have_count(1)


def test_coding_on_theme_page_changes_the_count(servers: tuple[str, str], page: tuple) -> None:
    pg, _ = page
    pg.goto(servers[0] + "/tema/de-rette-tilbud")
    count = pg.locator("strong[data-count-theme]")
    before = int(count.inner_text())
    pending = pg.locator(".pending .segment").first
    pending.locator('.theme-btn[data-theme="De rette tilbud"]').click()
    expect(count).to_have_text(str(before + 1))


def test_xss_payload_is_text(servers: tuple[str, str], page: tuple) -> None:
    pg, _ = page
    pg.goto(servers[0] + "/kilde?sti=" + XSS_SOURCE)
    expect(pg.locator(".seg-text", has_text="<script>")).to_have_count(1)
    assert pg.title() != "pwned"


def test_search_prefix_shows_highlighted_snippets(servers: tuple[str, str], page: tuple) -> None:
    pg, _ = page
    pg.goto(servers[0] + "/")
    pg.keyboard.press("/")
    pg.keyboard.type("sagsbeh")
    pg.keyboard.press("Enter")
    pg.wait_for_url("**/soeg?q=sagsbeh")
    marks = pg.locator(".snippet mark")
    expect(marks.first).to_be_visible()
    assert all(t.lower().startswith("sagsbeh") for t in marks.all_inner_texts())


def test_read_only_refuses_a_change(servers: tuple[str, str], page: tuple) -> None:
    pg, _ = page
    pg.goto(servers[1] + "/tema/relationen")
    expect(pg.locator(".segment").first).to_be_visible()
    expect(pg.locator(".theme-btn")).to_have_count(0)
    status = pg.evaluate(
        """async () => {
            const token = document.querySelector('meta[name="csrf-token"]').content;
            const r = await fetch('/api/code', {method: 'POST', headers: {
              'Content-Type': 'application/json', 'X-CSRF-Token': token},
              body: JSON.stringify({segment: 'x', theme: 'Relationen', action: 'add'})});
            return r.status; }"""
    )
    assert status in (404, 405)


def _point_in_text(pg: Page, segment_id: str, offset: int) -> tuple[int, int]:
    """Viewport coordinates of the character at *offset* in a segment's text."""
    x, y = pg.evaluate(
        """([id, offset]) => {
            const el = document.querySelector(`.segment[data-segment="${id}"] .seg-text`);
            const text = el.firstChild;
            const r = document.createRange();
            const at = Math.min(offset, text.length - 1);
            r.setStart(text, at);
            r.setEnd(text, at + 1);
            const b = r.getBoundingClientRect();
            return [b.left + b.width / 2, b.top + b.height / 2];
        }""",
        [segment_id, offset],
    )
    # Whole pixels: Chromium started no selection at some fractional points.
    return round(x), round(y)


def test_select_text_across_two_segments_codes_both_then_undo(
    servers: tuple[str, str], page: tuple, study: Study
) -> None:
    pg, _ = page
    pg.goto(servers[0] + "/kilde?sti=transcripts/fokusgruppe_familie_skole.md")
    # Two neighbouring turns that are not the interviewer's, and a theme neither has.
    a, b, theme = pg.evaluate(
        """() => {
            const s = [...document.querySelectorAll('.segment')];
            const names = [...document.getElementById('theme-buttons').content
                .querySelectorAll('.theme-btn')].map(x => x.dataset.theme);
            for (let i = 0; i + 1 < s.length; i++) {
                if ([s[i], s[i + 1]].some(x => x.matches('.role-interviewer'))) continue;
                const coded = (s[i].dataset.coded + ' ' + s[i + 1].dataset.coded).split(' ');
                const free = names.findIndex((n, j) => !coded.includes(String(j + 1)));
                s[i].scrollIntoView({block: 'center'});
                return [s[i].dataset.segment, s[i + 1].dataset.segment, names[free]];
            }
            return null;
        }"""
    )

    def pressed(segment_id: str) -> object:
        return _segment(pg, segment_id).locator(f'.theme-btn[data-theme="{theme}"]')

    expect(pressed(a)).to_have_attribute("aria-pressed", "false")
    bar = pg.locator("#span-bar")
    expect(bar).to_be_hidden()
    shown_a = _segment(pg, a).locator(".seg-text").inner_text().strip()
    shown_b = _segment(pg, b).locator(".seg-text").inner_text().strip()
    # Drag from the 6th character of the first turn to the 12th of the next one.
    pg.mouse.move(*_point_in_text(pg, a, 5))
    pg.mouse.down()
    pg.mouse.move(*_point_in_text(pg, b, 11), steps=8)
    pg.mouse.up()
    expect(bar).to_be_visible()
    bar.locator(f'.theme-btn[data-theme="{theme}"]').click()
    expect(pressed(a)).to_have_attribute("aria-pressed", "true")
    expect(pressed(b)).to_have_attribute("aria-pressed", "true")
    expect(bar).to_be_hidden()
    pg.reload()
    expect(pressed(a)).to_have_attribute("aria-pressed", "true")
    expect(pressed(b)).to_have_attribute("aria-pressed", "true")
    # Both selections were partial: the selected words are kept and shown.
    expect(_segment(pg, a).locator(f'.span-quote[data-theme="{theme}"]')).to_have_count(1)
    expect(_segment(pg, b).locator(f'.span-quote[data-theme="{theme}"]')).to_have_count(1)
    with open_store(study) as store:
        memos = {
            c.segment_id: c.memo
            for c in store.codings(coder="analytiker")
            if c.theme == theme and c.segment_id in (a, b)
        }
    # The memo holds the words as shown (pseudonymised): the end of a, the start of b.
    assert set(memos) == {a, b}
    assert memos[a] and shown_a.endswith(memos[a]) and len(memos[a]) < len(shown_a)
    assert memos[b] and shown_b.startswith(memos[b]) and len(memos[b]) < len(shown_b)
    # One u undoes the whole span act.
    pg.keyboard.press("u")
    expect(pressed(a)).to_have_attribute("aria-pressed", "false")
    expect(pressed(b)).to_have_attribute("aria-pressed", "false")
    pg.reload()
    expect(pressed(a)).to_have_attribute("aria-pressed", "false")
    expect(pressed(b)).to_have_attribute("aria-pressed", "false")


def test_read_only_has_no_span_bar(servers: tuple[str, str], page: tuple) -> None:
    pg, _ = page
    pg.goto(servers[1] + "/kilde?sti=transcripts/fokusgruppe_familie_skole.md")
    text = pg.locator(".seg-text").nth(1)
    text.click(click_count=3)  # selects the paragraph
    assert pg.evaluate("() => window.getSelection().toString().length") > 0
    pg.wait_for_timeout(300)
    expect(pg.locator("#span-bar")).to_have_count(0)


def test_shift_arrows_extend_the_selection_and_a_digit_codes_it(
    servers: tuple[str, str], page: tuple, study: Study
) -> None:
    pg, _ = page
    pg.goto(servers[0] + "/kilde?sti=transcripts/fokusgruppe_familie_skole.md")
    seg, number = pg.evaluate(
        """() => {
            const s = [...document.querySelectorAll('.segment:not(.role-interviewer)')][2];
            s.scrollIntoView({block: 'center'});
            const coded = s.dataset.coded.split(' ');
            return [s.dataset.segment, [1, 2, 3, 4, 5, 6, 7].find(n => !coded.includes(String(n)))];
        }"""
    )
    button = _segment(pg, seg).locator(".theme-btn").nth(number - 1)
    theme = button.get_attribute("data-theme")
    x, y = _point_in_text(pg, seg, 3)
    pg.mouse.move(x, y)
    pg.mouse.down()
    pg.mouse.move(x + 40, y, steps=4)
    pg.mouse.up()
    before = pg.evaluate("() => window.getSelection().toString()")
    for _ in range(5):
        pg.keyboard.press("Shift+ArrowRight")
    words = pg.evaluate("() => window.getSelection().toString()").strip()
    assert len(words) > len(before.strip())
    expect(pg.locator("#span-bar")).to_be_visible()
    pg.keyboard.press(str(number))
    expect(button).to_have_attribute("aria-pressed", "true")
    with open_store(study) as store:
        memo = next(
            c.memo
            for c in store.codings(coder="analytiker")
            if (c.segment_id, c.theme) == (seg, theme)
        )
    assert memo == words
    pg.keyboard.press("u")
    expect(button).to_have_attribute("aria-pressed", "false")


def test_overview_fits_a_projector_screen(servers: tuple[str, str], browser: Browser) -> None:
    """1280x720 is a common projector: no column of the overview may be off-screen."""
    for width, height in ((1280, 720), (1920, 1080)):
        context = browser.new_context(viewport={"width": width, "height": height})
        pg = context.new_page()
        pg.goto(servers[0] + "/")
        expect(pg.locator("tr.theme-row")).to_have_count(7)
        assert pg.evaluate("() => document.documentElement.scrollWidth") <= width
        count = pg.locator("td[data-count-theme]").first.bounding_box()
        assert count and count["x"] + count["width"] <= width
        context.close()


def test_the_page_icon_loads_so_no_favicon_is_asked_for(
    servers: tuple[str, str], page: tuple
) -> None:
    """Without an icon of its own a page makes the browser ask for /favicon.ico (a 404)."""
    pg, _ = page
    pg.goto(servers[0] + "/")
    loads = pg.evaluate(
        """() => new Promise(done => {
            const link = document.querySelector('link[rel="icon"]');
            if (!link) { done(false); return; }
            const img = new Image();
            img.onload = () => done(img.naturalWidth > 0);
            img.onerror = () => done(false);
            img.src = link.href;  // a data: image, which the page's CSP allows
        })"""
    )
    assert loads


def _visible_suggestion(pg: Page, segment_id: str) -> object:
    return _segment(pg, segment_id).locator(".suggest:visible")


def test_review_list_accepts_the_pages_theme_not_the_strongest(
    servers: tuple[str, str], page: tuple, study: Study
) -> None:
    pg, _ = page
    pg.goto(servers[0] + "/tema/organisering-og-samarbejde")
    theme = "Organisering og samarbejde"
    # A suggestion to review whose block holds a stronger suggestion of another theme.
    seg_id = pg.evaluate(
        """(theme) => {
            for (const s of document.querySelectorAll('.pending .segment')) {
                const spans = [...s.querySelectorAll('.suggest')];
                if (spans.length > 1 && spans[0].dataset.theme !== theme) return s.dataset.segment;
            }
            return null;
        }""",
        theme,
    )
    assert seg_id, "no pending segment with a stronger suggestion of another theme"
    shown = _visible_suggestion(pg, seg_id)
    expect(shown).to_have_count(1)
    expect(shown).to_have_attribute("data-theme", theme)
    expect(shown.locator("button.accept")).to_have_text(f"Godkend {theme} (a)")
    count = pg.locator("strong[data-count-theme]")
    before = int(count.inner_text())
    index = pg.locator(".segment").evaluate_all(
        "(all, id) => all.findIndex(s => s.dataset.segment === id)", seg_id
    )
    for _ in range(index + 1):
        pg.keyboard.press("j")
    expect(_segment(pg, seg_id)).to_have_class(re.compile("current"))
    pg.keyboard.press("a")
    expect(count).to_have_text(str(before + 1))
    with open_store(study) as store:
        mine = {c.theme for c in store.codings(coder="analytiker") if c.segment_id == seg_id}
    assert mine == {theme}
    pg.keyboard.press("u")
    expect(count).to_have_text(str(before))
    expect(_visible_suggestion(pg, seg_id)).to_have_attribute("data-theme", theme)


def test_elsewhere_a_acts_on_the_strongest_suggestion(
    servers: tuple[str, str], page: tuple, study: Study
) -> None:
    pg, _ = page
    pg.goto(servers[0] + "/kilde?sti=transcripts/fokusgruppe_familie_skole.md")
    seg_id, best = pg.evaluate(
        """() => {
            for (const s of document.querySelectorAll('.segment')) {
                const chips = [...s.querySelectorAll('.chip[data-state="suggested"]')];
                const score = c => parseFloat(c.textContent.split(' ').pop());
                if (chips.length < 2 || score(chips[0]) >= Math.max(...chips.map(score))) continue;
                const best = chips.reduce((a, b) => score(b) > score(a) ? b : a);
                return [s.dataset.segment, best.dataset.theme];
            }
            return [null, null];
        }"""
    )
    assert seg_id, "no segment whose first suggestion in codebook order is not its strongest"
    expect(_visible_suggestion(pg, seg_id)).to_have_attribute("data-theme", best)
    _visible_suggestion(pg, seg_id).locator("button.reject").click()
    expect(
        _segment(pg, seg_id).locator(f'.chip.state-rejected[data-theme="{best}"]')
    ).to_have_count(1)
    with open_store(study) as store:
        mine = {c.theme: c.status.value for c in store.codings(coder="analytiker")
                if c.segment_id == seg_id}  # fmt: skip
    assert mine == {best: "rejected"}
    pg.keyboard.press("u")
    expect(_segment(pg, seg_id).locator(".chip.state-rejected")).to_have_count(0)


def test_interviewer_turns_have_no_theme_buttons(servers: tuple[str, str], page: tuple) -> None:
    pg, _ = page
    pg.goto(servers[0] + "/kilde?sti=transcripts/fokusgruppe_ledere.docx")
    interviewer = pg.locator(".segment.role-interviewer").first
    expect(interviewer.locator(".no-code")).to_be_visible()
    expect(interviewer.locator(".theme-btn")).to_have_count(0)
    expect(pg.locator(".segment.role-medarbejder, .segment.role-leder").first.locator(
        ".theme-btn")).to_have_count(7)  # fmt: skip
    index = pg.locator(".segment").evaluate_all(
        "(all) => all.findIndex(s => s.classList.contains('role-interviewer'))"
    )
    for _ in range(index + 1):
        pg.keyboard.press("j")
    pg.keyboard.press("1")
    expect(pg.locator("#status")).to_have_text(re.compile("Interviewerens replikker kodes ikke"))
    expect(interviewer.locator(".chip.state-coded")).to_have_count(0)


def test_a_failed_act_says_so_in_danish(servers: tuple[str, str], page: tuple) -> None:
    pg, _ = page
    pg.goto(servers[0] + "/")
    pg.keyboard.press("u")  # a fresh session: nothing to undo
    expect(pg.locator("#status")).to_have_text("Fejl: Der er intet at fortryde")

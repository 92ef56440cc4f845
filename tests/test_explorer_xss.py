"""Hostile text typed anywhere stays text on every explorer page, fragment and report."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from journeylab.coding.study import Study
from journeylab.themes.report import report_study
from tests.conftest import csrf_of
from tests.explorer_support import (
    FILE_NAME,
    PLACES,
    XSS_THEME,
    body_for,
    explorer_fixtures,
    page_urls,
    payload,
)

study, client = explorer_fixtures("hostile_built")


class _Live(HTMLParser):
    """Collects what a browser would run: inline scripts, handlers, javascript: URLs, <img>."""

    URL_ATTRS = ("href", "src", "action", "formaction", "xlink:href", "data")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "img" or (tag == "script" and not (values.get("src") or "").startswith("/")):
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{name}= on <{tag}>")
            squeezed = re.sub(r"[\s\x00-\x1f]", "", value or "").lower()
            if name in self.URL_ATTRS and squeezed.startswith(("javascript:", "vbscript:")):
                self.found.append(f"{name}={value} on <{tag}>")

    handle_startendtag = handle_starttag


def assert_inert(text: str, where: str) -> None:
    """No payload is live markup in *text*: everything a user typed stayed text."""
    parser = _Live()
    parser.feed(text)
    parser.close()
    assert parser.found == [], f"{where}: live markup {parser.found}"


def shown(text: str, place: str) -> bool:
    """The place's payload reached the page as text (escaped, then decoded)."""
    return f"<script>alert({PLACES[place]})</script>" in html.unescape(text) or (
        f"onerror=alert({PLACES[place]})>" in html.unescape(text)
    )


def test_payloads_are_text_on_every_explorer_page(client: TestClient, study: Study) -> None:
    app: FastAPI = client.app  # type: ignore[assignment]
    urls = page_urls(app, study, queries=("alert", "sagsbeh", "<script>alert(11)</script>"))
    urls.append("/soeg?" + urlencode({"q": "x", "kilde": f"transcripts/{FILE_NAME}"}))
    pages = {}
    for url in urls:
        r = client.get(url)
        assert r.status_code == 200 or url == "/findes-ikke", (url, r.status_code)
        assert_inert(r.text, url)
        pages[url] = r.text
    everything = "\n".join(pages.values())
    for place in PLACES:
        assert shown(everything, place), f"the {place} payload reached no page"
    source = pages["/kilde?" + urlencode({"sti": f"transcripts/{FILE_NAME}"})]
    for place in ("tekst", "taler", "fil", "memo", "tema"):
        assert shown(source, place), place
    # The link to the hostile file name is percent-encoded, not broken out of.
    assert 'href="/kilde?sti=transcripts/%22%3E%3Cimg' in everything


def test_payloads_written_through_the_api_come_back_as_text(
    client: TestClient, study: Study
) -> None:
    csrf = csrf_of(client)
    seg = body_for(study)["segment"]
    r = client.post(
        "/api/memo", json={"segment": seg, "text": payload("memo")}, headers={"X-CSRF-Token": csrf}
    )
    assert r.status_code == 200
    fragment = r.json()["html"]
    assert_inert(fragment, "memo fragment")
    assert shown(fragment, "memo")
    coded = client.post(
        "/api/code",
        json={"segment": seg, "theme": XSS_THEME, "action": "add"},
        headers={"X-CSRF-Token": csrf},
    )
    assert coded.status_code == 200
    assert_inert(coded.json()["html"], "code fragment")
    assert shown(coded.json()["html"], "tema")
    page = client.get("/kilde", params={"sti": seg.split("#")[0]}).text
    assert_inert(page, "source page after the writes")


@pytest.mark.parametrize("analyst", [False, True])
def test_payloads_are_text_in_the_html_report(study: Study, tmp_path: Path, analyst: bool) -> None:
    out = report_study(study, tmp_path / "rapport.html", analyst=analyst, include_suggestions=0.3)
    text = out.read_text(encoding="utf-8")
    assert_inert(text, f"report (analyst={analyst})")
    assert shown(text, "tema") and shown(text, "tekst")


def test_the_inertness_check_itself_catches_live_markup() -> None:
    # Guards the test: the check above would fail on unescaped output.
    for place in PLACES:
        with pytest.raises(AssertionError):
            assert_inert(f"<p>{payload(place)}</p>", "live")
        assert_inert(f"<p>{html.escape(payload(place))}</p>", "escaped")
    with pytest.raises(AssertionError):
        assert_inert('<a href="javascript:alert(1)">x</a>', "link")

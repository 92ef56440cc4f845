"""The theme explorer's routes through FastAPI's TestClient (httpx)."""

from __future__ import annotations

import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from journeylab.coding.model import CodingStatus
from journeylab.coding.store import open_store
from journeylab.coding.study import Study, load_study
from journeylab.themes import explorer as explorer_module
from journeylab.themes.explorer import create_app
from journeylab.themes.explorer_security import access_token
from journeylab.themes.report import load_findings
from tests.conftest import coded_example, copy_study, csrf_of

PAYLOAD = "<script>alert('xss')</script>"
XSS_TRANSCRIPT = f"""\
---
title: Fokusgruppe <b>fed</b>
participants:
  Interviewer: {{role: interviewer}}
  Ulla: {{role: medarbejder, pseudonym: Medarbejder 9}}
  Emil: {{role: ung}}
---
Interviewer: Hvad skete der med sagsbehandleren?

Ulla: Jonas fik en ny sagsbehandler igen, og {PAYLOAD} ingen ringede tilbage.

Emil: Min kontaktperson lyttede, men skolen gjorde ikke noget ved fraværet.
"""
XSS_SOURCE = "transcripts/zz_xss.txt"
BASE = "http://127.0.0.1"


@pytest.fixture(scope="session")
def built_study(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example study plus a hostile transcript, imported and machine-coded once."""
    root = tmp_path_factory.mktemp("explorer") / "fjordby"
    return coded_example(root, {XSS_SOURCE: XSS_TRANSCRIPT}).root


@pytest.fixture
def study(built_study: Path, tmp_path: Path) -> Study:
    return copy_study(built_study, tmp_path)


@pytest.fixture
def client(study: Study) -> Iterator[TestClient]:
    with TestClient(create_app(study, include_suggestions=0.3), base_url=BASE) as c:
        yield c


def post(client: TestClient, url: str, body: dict[str, str], csrf: str) -> int:
    return client.post(url, json=body, headers={"X-CSRF-Token": csrf}).status_code


def first_segment(study: Study, role: str = "medarbejder") -> str:
    with open_store(study) as store:
        return next(s.id for s in store.segments() if s.role.value == role)


def theme_number(study: Study, theme: str) -> str:
    """The theme's 1-based place in the codebook, as data-coded lists it."""
    with open_store(study) as store:
        return str([t.name for t in store.themes()].index(theme) + 1)


def coded_marks(html: str, segment: str) -> list[str]:
    """The theme numbers a segment's block marks as coded."""
    found = re.search(rf'data-segment="{re.escape(segment)}" data-coded="([^"]*)"', html)
    assert found, f"no block for {segment}"
    return found.group(1).split()


def my_codings(study: Study, coder: str = "analytiker") -> dict[tuple[str, str], CodingStatus]:
    with open_store(study) as store:
        return {(c.segment_id, c.theme): c.status for c in store.codings(coder=coder)}


# -- pages ----------------------------------------------------------------


def test_overview_lists_every_theme_with_counts_and_chart(client: TestClient) -> None:
    html = client.get("/").text
    for name in ("Relationen", "Skolen og tidlig indsats", "Organisering og samarbejde"):
        assert name in html
    assert html.count('class="theme-row"') == 7
    assert "<svg" in html and 'href="/tema/relationen"' in html


def test_theme_page_has_both_sides_and_filters_by_role(client: TestClient) -> None:
    html = client.get("/tema/relationen").text
    assert "Hvad siger de unge?" in html and "Hvad siger medarbejderne?" in html
    assert "role-ung" in html and "role-medarbejder" in html
    only_young = client.get("/tema/relationen", params={"rolle": "ung"}).text
    assert "role-ung" in only_young
    assert 'class="segment role-medarbejder' not in only_young.split("Maskinens forslag")[0]


def test_theme_page_filters_by_colour_and_stage(client: TestClient) -> None:
    red = client.get("/tema/relationen", params={"farve": "red"}).text
    main = red.split("Maskinens forslag")[0]
    assert "note-red" in main and "note-green" not in main and "note-yellow" not in main
    stage = client.get("/tema/relationen", params={"fase": "transition_18"}).text
    assert "Overgang til voksen" in stage.split("Maskinens forslag")[0]


def test_unknown_theme_is_404(client: TestClient) -> None:
    assert client.get("/tema/findes-ikke").status_code == 404


def test_source_page_shows_transcript_with_theme_colours(client: TestClient) -> None:
    html = client.get("/kilde", params={"sti": "transcripts/fokusgruppe_familie_skole.md"}).text
    assert "data-segment=" in html and "stripes" in html
    css = client.get("/tema-farver.css").text
    assert re.search(r"\.t-1 \{ --tc: #[0-9A-Fa-f]{6}; \}", css)


def test_journey_source_and_maps_are_svg(client: TestClient) -> None:
    source = client.get("/kilde", params={"sti": "journeys/J01.yaml"}).text
    assert "<svg" in source and "note-yellow" in source
    maps = client.get("/rejser").text
    assert maps.count("<svg") >= 8


def test_codebook_page(client: TestClient) -> None:
    html = client.get("/kodebog").text
    assert "Kodebog" in html and "Relationen" in html and "Nøgleord" in html


def test_search_prefix_highlights_and_filters(client: TestClient) -> None:
    html = client.get("/soeg", params={"q": "sagsbeh"}).text
    marks = re.findall(r"<mark>([^<]*)</mark>", html)
    assert marks and all(m.lower().startswith("sagsbeh") for m in marks)
    young = client.get("/soeg", params={"q": "sagsbeh", "rolle": "ung"}).text
    assert "role-ung" in young and 'class="segment role-medarbejder' not in young
    theme = client.get("/soeg", params={"q": "sagsbeh", "tema": "Relationen"}).text
    assert "<mark>" in theme


# -- escaping and privacy -------------------------------------------------


def test_script_in_a_segment_is_shown_as_text(client: TestClient) -> None:
    for html in (
        client.get("/kilde", params={"sti": XSS_SOURCE}).text,
        client.get("/soeg", params={"q": "alert"}).text,
    ):
        assert PAYLOAD not in html
        assert "&lt;script&gt;alert(" in html
    assert "<b>fed</b>" not in client.get("/kilde", params={"sti": XSS_SOURCE}).text


def test_real_names_are_pseudonymised(client: TestClient) -> None:
    html = client.get("/kilde", params={"sti": XSS_SOURCE}).text
    assert "Jonas" not in html and "Oliver" in html
    assert "Ulla" not in html and "Medarbejder 9" in html
    assert "Jonas" not in client.get("/soeg", params={"q": "ny sagsbeh"}).text


def test_no_url_reaches_the_file_system(client: TestClient) -> None:
    assert client.get("/kilde", params={"sti": "../study.toml"}).status_code == 404
    assert client.get("/kilde", params={"sti": "/etc/passwd"}).status_code == 404
    assert client.get("/static/explorer.py").status_code == 404
    assert client.get("/static/..%2Fbase.html").status_code == 404
    assert client.get("/static/explorer.css").status_code == 200


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(q=st.text(max_size=40))
def test_search_never_fails_on_any_query(client: TestClient, q: str) -> None:
    response = client.get("/soeg", params={"q": q})
    assert response.status_code == 200
    assert "<script>" not in response.text.replace('<script src="/static/explorer.js"', "")


# -- security ---------------------------------------------------------------


def test_security_headers_on_every_response(client: TestClient) -> None:
    for url in ("/", "/static/explorer.js", "/tema-farver.css", "/tema/x"):
        headers = client.get(url).headers
        csp = headers["content-security-policy"]
        assert "default-src 'self'" in csp and "script-src 'self'" in csp
        assert "unsafe-inline" not in csp
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"
        assert headers["x-frame-options"] == "DENY"


def test_pages_have_no_inline_script_or_style(client: TestClient) -> None:
    html = client.get("/tema/relationen").text
    assert re.findall(r"<script(?![^>]*\bsrc=)", html) == []
    assert " style=" not in html and "<style" not in html and " onclick=" not in html


def test_non_local_host_gets_a_token() -> None:
    assert access_token("127.0.0.1", None) is None
    assert access_token("localhost", None) is None
    token = access_token("0.0.0.0", None)
    assert token and len(token) >= 20
    assert access_token("0.0.0.0", "given") == "given"


def test_serve_off_localhost_demands_the_token(
    study: Study, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    seen = {}

    def fake_run(app: object, host: str, port: int, log_level: str) -> None:
        seen.update(app=app, host=host)

    import uvicorn

    monkeypatch.setattr(uvicorn, "run", fake_run)
    explorer_module.serve(study, host="0.0.0.0", port=9999)
    url = capsys.readouterr().out
    token = re.search(r"token=([\w-]+)", url)
    assert token and seen["host"] == "0.0.0.0"
    c = TestClient(seen["app"], base_url="http://192.0.2.1:9999")  # type: ignore[arg-type]
    assert c.get("/").status_code == 401
    assert c.get("/", params={"token": "wrong"}).status_code == 401
    c.get("/", params={"token": token.group(1)})  # sets the cookie
    assert c.get("/kodebog").status_code == 200


def test_token_moves_into_a_strict_cookie(study: Study) -> None:
    c = TestClient(create_app(study, token="s3cret-token"), base_url=BASE)
    assert c.get("/").status_code == 401
    first = c.get("/tema/relationen?token=s3cret-token&rolle=ung", follow_redirects=False)
    assert first.status_code == 303 and "token" not in first.headers["location"]
    cookie = first.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    assert c.get("/").status_code == 200


def test_local_server_refuses_other_host_names(study: Study) -> None:
    c = TestClient(create_app(study), base_url="http://evil.example")
    assert c.get("/").status_code == 400


def test_csrf_token_is_required_for_writes(client: TestClient, study: Study) -> None:
    seg = first_segment(study)
    body = {"segment": seg, "theme": "Relationen", "action": "add"}
    csrf_of(client)
    assert client.post("/api/code", json=body).status_code == 403
    assert post(client, "/api/code", body, "wrong") == 403
    fresh = TestClient(client.app, base_url=BASE)  # no session cookie at all
    assert post(fresh, "/api/code", body, csrf_of(client)) == 403
    assert my_codings(study) == {}


def test_read_only_has_no_write_routes_or_controls(study: Study) -> None:
    c = TestClient(create_app(study, read_only=True, include_suggestions=0.3), base_url=BASE)
    csrf = csrf_of(c)
    body = {"segment": first_segment(study), "theme": "Relationen", "action": "add"}
    for url in ("/api/code", "/api/undo", "/api/memo"):
        assert post(c, url, body, csrf) in (404, 405)
    html = c.get("/tema/relationen").text
    assert "theme-btn" not in html and "memo-form" not in html
    assert my_codings(study) == {}


# -- coding -------------------------------------------------------------------


def test_coding_persists_and_reaches_the_report(client: TestClient, study: Study) -> None:
    csrf = csrf_of(client)
    seg = first_segment(study)
    theme = "Fælles mål og forståelse for kerneopgaven"
    before = next(t for t in load_findings(study)[0].themes if t.name == theme).segments
    response = client.post(
        "/api/code",
        json={"segment": seg, "theme": theme, "action": "add"},
        headers={"X-CSRF-Token": csrf},
    )
    assert response.status_code == 200
    assert my_codings(study)[(seg, theme)] in (CodingStatus.MANUAL, CodingStatus.ACCEPTED)
    # The block sent back marks the theme as coded (explorer.js presses its button).
    assert theme_number(study, theme) in coded_marks(response.json()["html"], seg)
    after = next(t for t in load_findings(study)[0].themes if t.name == theme).segments
    assert after == before + 1
    assert post(client, "/api/code", {"segment": seg, "theme": theme, "action": "toggle"}, csrf)
    assert (seg, theme) not in my_codings(study)


def test_accept_and_reject_a_suggestion(client: TestClient, study: Study) -> None:
    with open_store(study) as store:
        suggestions = store.codings(statuses=[CodingStatus.SUGGESTED])
    a, b = suggestions[0], next(s for s in suggestions if s.segment_id != suggestions[0].segment_id)
    csrf = csrf_of(client)
    assert post(client, "/api/code", {"segment": a.segment_id, "theme": a.theme,
                                      "action": "accept"}, csrf) == 200  # fmt: skip
    assert post(client, "/api/code", {"segment": b.segment_id, "theme": b.theme,
                                      "action": "reject"}, csrf) == 200  # fmt: skip
    mine = my_codings(study)
    assert mine[(a.segment_id, a.theme)] is CodingStatus.ACCEPTED
    assert mine[(b.segment_id, b.theme)] is CodingStatus.REJECTED


def test_bad_requests_write_nothing(client: TestClient, study: Study) -> None:
    csrf = csrf_of(client)
    seg = first_segment(study)
    assert post(client, "/api/code", {"segment": "nope#1", "theme": "Relationen",
                                      "action": "add"}, csrf) == 404  # fmt: skip
    assert post(client, "/api/code", {"segment": seg, "theme": "Ukendt tema",
                                      "action": "add"}, csrf) == 409  # fmt: skip
    assert post(client, "/api/code", {"segment": seg, "theme": "Relationen",
                                      "action": "drop"}, csrf) == 400  # fmt: skip
    assert my_codings(study) == {}


def test_undo_reverts_the_last_act(client: TestClient, study: Study) -> None:
    csrf = csrf_of(client)
    seg = first_segment(study)
    add = {"segment": seg, "theme": "Relationen", "action": "add"}
    reject = {"segment": seg, "theme": "Relationen", "action": "reject"}
    assert post(client, "/api/code", add, csrf) == 200
    assert post(client, "/api/code", reject, csrf) == 200
    assert my_codings(study)[(seg, "Relationen")] is CodingStatus.REJECTED
    assert post(client, "/api/undo", {}, csrf) == 200
    assert my_codings(study)[(seg, "Relationen")] in (CodingStatus.MANUAL, CodingStatus.ACCEPTED)
    assert post(client, "/api/undo", {}, csrf) == 200
    assert (seg, "Relationen") not in my_codings(study)
    assert post(client, "/api/undo", {}, csrf) == 409


def test_memo_is_saved(client: TestClient, study: Study) -> None:
    csrf = csrf_of(client)
    seg = first_segment(study)
    assert post(client, "/api/memo", {"segment": seg, "text": "Vigtigt <i>her</i>"}, csrf) == 200
    with open_store(study) as store:
        assert ("segment", seg, "analytiker", "Vigtigt <i>her</i>") in store.memos("segment")
    html = client.get("/kilde", params={"sti": seg.split("#")[0]}).text
    assert "Vigtigt &lt;i&gt;her&lt;/i&gt;" in html


def test_two_coders_interleaving_lose_nothing(study: Study) -> None:
    anna = TestClient(create_app(study, coder="anna"), base_url=BASE)
    bo = TestClient(create_app(study, coder="bo"), base_url=BASE)
    with open_store(study) as store:
        ids = [s.id for s in store.segments() if s.role.value != "interviewer"][:30]
    themes = ["Relationen", "De rette tilbud"]
    tokens = {"anna": csrf_of(anna), "bo": csrf_of(bo)}
    errors: list[int] = []

    def work(name: str, c: TestClient, theme: str) -> None:
        for seg in ids:
            status = post(c, "/api/code", {"segment": seg, "theme": theme, "action": "add"},
                          tokens[name])  # fmt: skip
            if status != 200:
                errors.append(status)

    threads = [
        threading.Thread(target=work, args=("anna", anna, themes[0])),
        threading.Thread(target=work, args=("bo", bo, themes[1])),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert set(my_codings(study, "anna")) == {(s, themes[0]) for s in ids}
    assert set(my_codings(study, "bo")) == {(s, themes[1]) for s in ids}
    # Each session undoes only its own act.
    assert post(bo, "/api/undo", {}, tokens["bo"]) == 200
    assert len(my_codings(study, "anna")) == 30 and len(my_codings(study, "bo")) == 29


def test_two_sessions_of_one_coder_have_their_own_undo(study: Study) -> None:
    app = create_app(study)
    one, two = TestClient(app, base_url=BASE), TestClient(app, base_url=BASE)
    seg = first_segment(study)
    assert post(one, "/api/code", {"segment": seg, "theme": "Relationen", "action": "add"},
                csrf_of(one)) == 200  # fmt: skip
    assert post(two, "/api/undo", {}, csrf_of(two)) == 409
    assert (seg, "Relationen") in my_codings(study)


def test_machine_coder_name_is_refused(study: Study) -> None:
    from journeylab.errors import InputError

    with pytest.raises(InputError):
        create_app(study, coder="machine:ensemble")


# -- speed work: pagination, the snapshot cache, 404 pages, URLs, English ---------


def _theme_segments(html: str) -> list[str]:
    """The segment ids on the two sides of a theme page (not the pending suggestions)."""
    sides = html.split('<div class="sides">', 1)[1].split('<section class="pending">')[0]
    return re.findall(r'data-segment="([^"]+)"', sides)


def test_theme_page_is_paginated_and_keeps_filters(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from journeylab.themes import explorer_routes

    monkeypatch.setattr(explorer_routes, "PAGE", 10_000)
    everything = _theme_segments(client.get("/tema/relationen").text)
    assert len(everything) > 6
    monkeypatch.setattr(explorer_routes, "PAGE", 3)
    first = client.get("/tema/relationen").text
    assert len(_theme_segments(first)) <= 6  # 3 a side
    seen: list[str] = []
    url: str | None = "/tema/relationen"
    while url:
        html = client.get(url).text
        seen += _theme_segments(html)
        found = re.search(r'<a rel="next" href="([^"]+)"', html)
        url = found.group(1).replace("&amp;", "&") if found else None
    # Every coded segment is on exactly one page.
    assert sorted(seen) == sorted(everything) and len(seen) == len(set(seen))
    young = client.get("/tema/relationen", params={"rolle": "ung"}).text
    next_young = re.search(r'<a rel="next" href="([^"]+)"', young)
    assert next_young and "rolle=ung" in next_young.group(1) and "side=2" in next_young.group(1)
    page_two = client.get("/tema/relationen", params={"rolle": "ung", "side": "2"}).text
    assert 'class="segment role-medarbejder' not in page_two.split("Maskinens forslag")[0]
    assert client.get("/tema/relationen", params={"side": "nonsense"}).status_code == 200


def test_source_page_is_paginated(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from journeylab.themes import explorer_routes

    sti = "transcripts/fokusgruppe_familie_skole.md"
    whole = re.findall(r'data-segment="([^"]+)"', client.get("/kilde", params={"sti": sti}).text)
    monkeypatch.setattr(explorer_routes, "SOURCE_PAGE", 4)
    one = re.findall(r'data-segment="([^"]+)"', client.get("/kilde", params={"sti": sti}).text)
    two_html = client.get("/kilde", params={"sti": sti, "side": "2"}).text
    two = re.findall(r'data-segment="([^"]+)"', two_html)
    assert one == whole[:4] and two == whole[4:8]
    assert 'rel="prev"' in two_html


def test_coding_in_the_browser_shows_at_once(client: TestClient, study: Study) -> None:
    csrf = csrf_of(client)
    before = client.get("/tema/organisering-og-samarbejde").text
    segment = next(
        s
        for s in (first_segment(study, "ung"), first_segment(study))
        if f'data-segment="{s}"' not in before.split("Maskinens forslag")[0]
    )
    body = {"segment": segment, "theme": "Organisering og samarbejde", "action": "add"}
    assert post(client, "/api/code", body, csrf) == 200
    after = client.get("/tema/organisering-og-samarbejde").text
    assert segment in _theme_segments(after)
    assert post(client, "/api/undo", {}, csrf) == 200
    assert segment not in _theme_segments(client.get("/tema/organisering-og-samarbejde").text)


def test_cache_notices_a_write_from_another_connection(client: TestClient, study: Study) -> None:
    app_cache = client.app.state.explorer.cache  # type: ignore[attr-defined]
    count = re.compile(r'data-count-theme="De rette tilbud">(\d+)<')
    before = int(count.findall(client.get("/").text)[0])
    builds = app_cache.builds
    client.get("/")
    assert app_cache.builds == builds  # nothing changed: no rebuild
    with open_store(study) as store:  # as `journeylab review` in another process would
        coded = {c.segment_id for c in store.codings(theme="De rette tilbud")}
        segment = next(s.id for s in store.segments() if s.id not in coded)
        store.set_coding(segment, "De rette tilbud", "anden", CodingStatus.MANUAL)
    assert int(count.findall(client.get("/").text)[0]) == before + 1
    assert app_cache.builds == builds + 1


def test_unknown_pages_are_html_404s(client: TestClient) -> None:
    for url in ("/findes/ikke", "/tema/findes-ikke", "/kilde?sti=nope.txt", "/static/nope.js"):
        response = client.get(url)
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("text/html")
        assert "Siden findes ikke" in response.text and 'href="/"' in response.text
    api = client.post("/api/code", json={}, headers={"X-CSRF-Token": csrf_of(client)})
    assert api.status_code == 400 and api.headers["content-type"] == "application/json"


def test_old_theme_address_redirects(client: TestClient) -> None:
    old = client.get("/tema/tema-relationen", params={"rolle": "ung"}, follow_redirects=False)
    assert old.status_code == 301
    assert old.headers["location"] == "/tema/relationen?rolle=ung"
    assert client.get("/tema/tema-findes-ikke").status_code == 404


def test_english_study_has_an_english_ui(built_study: Path, tmp_path: Path) -> None:
    root = tmp_path / "english"
    shutil.copytree(built_study, root)
    toml = root / "study.toml"
    text = toml.read_text(encoding="utf-8")
    toml.write_text(re.sub(r'language = "da"', 'language = "en"', text), encoding="utf-8")
    study = load_study(root)
    assert study.language == "en"
    with TestClient(create_app(study), base_url=BASE) as c:
        pages = [c.get(u).text for u in ("/", "/tema/relationen", "/kodebog", "/soeg?q=sagsbeh")]
        missing = c.get("/nowhere").text
    assert "Themes overview" in pages[0] and "Temaoversigt" not in pages[0]
    assert "Filter" in pages[1] and "Filtrér" not in pages[1] and "Young person" in pages[1]
    assert "Keywords" in pages[2] and "Nøgleord" not in pages[2]
    assert "hits for" in pages[3] and "træf for" not in pages[3]
    assert "Page not found" in missing


def test_locale_files_have_the_same_keys() -> None:
    from journeylab.themes.explorer_routes import ui_strings

    da, en = ui_strings("da"), ui_strings("en")
    assert set(da) == set(en)
    for key in ("roles", "stages", "colours"):
        assert set(da[key]) == set(en[key])


# -- issue 7: cached segment blocks, theme buttons once a page, findings behind ------


def test_theme_buttons_come_once_a_page_not_per_segment(client: TestClient, study: Study) -> None:
    html = client.get("/tema/relationen").text
    template = re.findall(r'<template id="theme-buttons">(.*?)</template>', html, re.S)
    assert len(template) == 1 and template[0].count('class="theme-btn') == 7
    outside = html.replace(template[0], "")
    assert html.count('class="segment ') > 5 and "theme-btn" not in outside
    ro = TestClient(create_app(study, read_only=True), base_url=BASE).get("/tema/relationen")
    assert 'id="theme-buttons"' not in ro.text


def test_segment_blocks_are_reused_and_never_stale(client: TestClient, study: Study) -> None:
    blocks = client.app.state.explorer.blocks  # type: ignore[attr-defined]
    sti = "transcripts/fokusgruppe_familie_skole.md"
    first = client.get("/kilde", params={"sti": sti}).text
    renders = blocks.renders
    assert client.get("/kilde", params={"sti": sti}).text == first
    assert blocks.renders == renders  # the second visit rendered no block
    seg = first_segment(study)
    theme = "Organisering og samarbejde"
    assert theme_number(study, theme) not in coded_marks(first, seg)
    with open_store(study) as store:  # another process's write
        store.set_coding(seg, theme, "anden", CodingStatus.MANUAL)
    after = client.get("/kilde", params={"sti": sti}).text
    assert theme_number(study, theme) in coded_marks(after, seg)
    assert blocks.renders == renders + 1  # only the changed segment was rendered again


def test_live_counts_match_the_findings(client: TestClient, study: Study) -> None:
    csrf = csrf_of(client)
    with open_store(study) as store:
        suggestion = store.codings(statuses=[CodingStatus.SUGGESTED])[0]
    body = {"segment": suggestion.segment_id, "theme": suggestion.theme, "action": "reject"}
    assert post(client, "/api/code", body, csrf) == 200
    snap = client.app.state.explorer.snapshot()  # type: ignore[attr-defined]
    assert snap.fresh
    from journeylab.themes.explorer_cache import SIDE_ROLES

    for th in snap.findings.themes:
        live = snap.counted.get(th.name, ())
        assert snap.counts[th.name] == th.segments == len(live)
        for group in th.groups:  # each side of the theme page, in the findings' order
            side = [i for i in live if snap.meta[i].role in SIDE_ROLES[group.key]]
            assert side == [c.segment_id for c in group.segments], (th.name, group.key)


def test_slow_findings_rebuild_in_the_background(
    client: TestClient, study: Study, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = client.app.state.explorer.cache  # type: ignore[attr-defined]
    csrf = csrf_of(client)  # the findings are built (quickly, so far at once)
    builds = cache.builds
    monkeypatch.setattr(cache, "SYNC_SECONDS", 0.0)  # as if a build took long
    release = threading.Event()

    def held() -> None:
        assert release.wait(30)
        return None  # as if the child could not build: the thread builds in-process

    monkeypatch.setattr(cache.background, "build", held)
    theme, slug = "Organisering og samarbejde", "/tema/organisering-og-samarbejde"
    count = re.compile(r'<strong data-count-theme="Organisering og samarbejde">(\d+)<')
    before = int(count.findall(client.get(slug).text)[0])
    segment = next(
        s
        for s in (first_segment(study, "ung"), first_segment(study))
        if s not in _theme_segments(client.get(slug).text)
    )
    response = client.post(
        "/api/code",
        json={"segment": segment, "theme": theme, "action": "add"},
        headers={"X-CSRF-Token": csrf},
    )
    assert response.status_code == 200 and response.json()["counts"][theme] == before + 1
    page = client.get(slug).text  # the findings are still being rebuilt
    assert 'class="updating"' in page and "Opdaterer" in page
    assert int(count.findall(page)[0]) == before + 1 and segment in _theme_segments(page)
    release.set()
    cache.wait()
    assert cache.builds == builds + 1
    assert 'class="updating"' not in client.get(slug).text


def test_workshop_search_for_a_real_name_finds_nothing(study: Study) -> None:
    with TestClient(create_app(study, read_only=True), base_url=BASE) as workshop:
        html = workshop.get("/soeg", params={"q": "Jonas"}).text
        assert "Jonas" not in html and "Oliver" in html  # the query, pseudonymised
        assert 'class="segment' not in html
    # The analyst's own machine may look.
    with TestClient(create_app(study), base_url=BASE) as analyst:
        assert 'class="segment' in analyst.get("/soeg", params={"q": "Jonas"}).text


# -- search: ranking, snippets, result cache, kept connections -----------


def test_search_hits_keep_fts5_ranking_and_filters(study: Study) -> None:
    from journeylab.coding.fts import fts_query
    from journeylab.themes.explorer_data import search_hits

    with open_store(study) as store:
        expected = [
            r[0]
            for r in store.conn.execute(
                "SELECT s.id FROM segments_fts JOIN segments s ON s.rowid = segments_fts.rowid"
                " WHERE segments_fts MATCH ? ORDER BY bm25(segments_fts) LIMIT 50",
                (fts_query("sagsbeh"),),
            )
        ]
        hits = search_hits(store, "sagsbeh")
        assert expected and [i for i, _ in hits] == expected
        for _, parts in hits:
            marked = [text for text, hit in parts if hit]
            assert marked and all(m.lower().startswith("sagsbeh") for m in marked)
        young = search_hits(store, "sagsbeh", role="ung")
        roles = {
            r[0]
            for r in store.conn.execute(
                f"SELECT role FROM segments WHERE id IN ({','.join('?' * len(young))})",
                [i for i, _ in young],
            )
        }
        assert young and roles == {"ung"}
        assert search_hits(store, "***") == []


def test_snippet_window_and_phrases() -> None:
    from journeylab.themes.explorer_data import SNIPPET_TOKENS, query_terms, snippet

    words = [f"ord{i}" for i in range(60)]
    words[20] = "Sagsbehandleren"
    parts = snippet(" ".join(words), query_terms("sagsbeh"))
    assert parts[0] == ("…", False) and parts[-1] == ("…", False)
    assert [t for t, hit in parts if hit] == ["Sagsbehandleren"]
    assert len(re.findall(r"\w+", "".join(t for t, _ in parts))) == SNIPPET_TOKENS
    exact = snippet("en ny sagsbehandler og en nyere sag", query_terms('"ny sagsbehandler"'))
    assert [t for t, hit in exact if hit] == ["ny sagsbehandler"]
    assert "".join(t for t, _ in exact) == "en ny sagsbehandler og en nyere sag"


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=300), query=st.text(max_size=20))
def test_snippet_is_a_piece_of_the_text(text: str, query: str) -> None:
    from journeylab.themes.explorer_data import query_terms, snippet

    parts = snippet(text, query_terms(query))
    inner = [t for t, _ in parts if t != "…"] if text.strip() else []
    assert "".join(inner) in text
    terms = query_terms(query)
    for piece, hit in parts:
        if hit:
            assert any(piece.lower().startswith(words[0]) for words, _ in terms)


def test_search_cache_is_a_small_lru() -> None:
    from journeylab.themes.explorer_data import SearchCache

    cache = SearchCache(size=2)
    cache.put(("v1", "a"), [("s1", ())])
    cache.put(("v1", "b"), [("s2", ())])
    assert cache.get(("v1", "a")) == [("s1", ())]  # now the most recent
    cache.put(("v1", "c"), [])
    assert cache.get(("v1", "b")) is None and cache.get(("v1", "a")) is not None
    assert cache.get(("v2", "a")) is None
    off = SearchCache(size=0)
    off.put(("v1", "a"), [])
    assert off.get(("v1", "a")) is None


def test_search_shows_a_new_coding_at_once(client: TestClient) -> None:
    params = {"q": "sagsbeh", "tema": "Relationen"}
    before = set(re.findall(r'data-segment="([^"]+)"', client.get("/soeg", params=params).text))
    shown = re.findall(r'data-segment="([^"]+)"', client.get("/soeg?q=sagsbeh").text)
    segment = next(s for s in shown if s not in before)
    body = {"segment": segment, "theme": "Relationen", "action": "add"}
    assert post(client, "/api/code", body, csrf_of(client)) == 200
    after = set(re.findall(r'data-segment="([^"]+)"', client.get("/soeg", params=params).text))
    assert segment in after


def test_reader_is_kept_per_thread(study: Study) -> None:
    from journeylab.themes.explorer_data import reader

    mine = reader(study)
    assert reader(study) is mine
    other: list[object] = []
    thread = threading.Thread(target=lambda: other.append(reader(study)))
    thread.start()
    thread.join()
    assert other and other[0] is not mine


def test_the_child_process_builds_the_same_findings(study: Study) -> None:
    from journeylab.coding.store import open_store
    from journeylab.journeys.readers import read_journeys
    from journeylab.themes.explorer_data import FindingsCache
    from journeylab.themes.explorer_worker import FindingsWorker

    journeys = read_journeys(study.journey_files(), relative=study.relative)
    worker = FindingsWorker(study, journeys, 0.3)
    try:
        remote = worker.build()
    finally:
        worker.close()
    with open_store(study) as store:
        local = FindingsCache(study, journeys, 0.3).build(store)
    assert remote is not None and remote == local

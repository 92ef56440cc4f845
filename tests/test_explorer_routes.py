"""The explorer's pages through FastAPI's TestClient (httpx): what each page shows."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from journeylab.coding.model import CodingStatus
from journeylab.coding.store import open_store
from journeylab.coding.study import Study, load_study
from journeylab.themes.explorer import create_app
from tests.conftest import csrf_of
from tests.explorer_support import (
    BASE,
    SCRIPT_PAYLOAD,
    XSS_SOURCE,
    explorer_fixtures,
    theme_segments,
)

study, client = explorer_fixtures("explorer_built")


# -- pages -------------------------------------------------------------------------------


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


# -- escaping and privacy ----------------------------------------------------------------


def test_script_in_a_segment_is_shown_as_text(client: TestClient) -> None:
    for html in (
        client.get("/kilde", params={"sti": XSS_SOURCE}).text,
        client.get("/soeg", params={"q": "alert"}).text,
    ):
        assert SCRIPT_PAYLOAD not in html
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


def test_workshop_search_for_a_real_name_finds_nothing(study: Study) -> None:
    with TestClient(create_app(study, read_only=True), base_url=BASE) as workshop:
        html = workshop.get("/soeg", params={"q": "Jonas"}).text
        assert "Jonas" not in html and "Oliver" in html  # the query, pseudonymised
        assert 'class="segment' not in html
    # The analyst's own machine may look.
    with TestClient(create_app(study), base_url=BASE) as analyst:
        assert 'class="segment' in analyst.get("/soeg", params={"q": "Jonas"}).text


NAMED_TITLE = 'title = "Ungeindsatsen hos Jonas"'
TITLE_PAGES = (
    "/",
    "/kodebog",
    "/rejser",
    "/tema/relationen",
    "/kilde?sti=journeys/J01.yaml",
    "/soeg?q=skole",
    "/findes/ikke",
)


def _brand(html: str) -> tuple[str, str]:
    """The page's <title> and the header's study title."""
    title = re.search(r"<title>([^<]*)</title>", html)
    brand = re.search(r'<a class="brand" href="/">([^<]*)</a>', html)
    assert title and brand
    return title.group(1), brand.group(1)


@pytest.mark.parametrize("read_only", [True, False])
def test_the_study_title_is_pseudonymised_on_every_page(study: Study, read_only: bool) -> None:
    # QA pass 2, #2: "(projektleder Søren)" was in every page's header and <title>.
    toml = study.toml_path.read_text(encoding="utf-8")
    old = next(line for line in toml.splitlines() if line.startswith("title = "))
    study.toml_path.write_text(toml.replace(old, NAMED_TITLE, 1), encoding="utf-8")
    named = load_study(study.root)
    with TestClient(create_app(named, read_only=read_only), base_url=BASE) as c:
        for url in TITLE_PAGES:
            html = c.get(url).text
            assert "Jonas" not in html, url
            assert _brand(html)[1] == "Ungeindsatsen hos Oliver (opdigtet navn)", url
        assert _brand(c.get("/").text)[0].startswith("Ungeindsatsen hos Oliver (opdigtet navn)")
        # Edited while the explorer runs: the next page has it, through the names.
        text = study.toml_path.read_text(encoding="utf-8")
        study.toml_path.write_text(text.replace(NAMED_TITLE, 'title = "Jonas igen"'), "utf-8")
        html = c.get("/kodebog").text
        assert "Jonas" not in html and _brand(html)[1] == "Oliver (opdigtet navn) igen"


# -- pagination, 404 pages, URLs, English ------------------------------------------------


def test_theme_page_is_paginated_and_keeps_filters(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from journeylab.themes import explorer_routes

    monkeypatch.setattr(explorer_routes, "PAGE", 10_000)
    everything = theme_segments(client.get("/tema/relationen").text)
    assert len(everything) > 6
    monkeypatch.setattr(explorer_routes, "PAGE", 3)
    first = client.get("/tema/relationen").text
    assert len(theme_segments(first)) <= 6  # 3 a side
    seen: list[str] = []
    url: str | None = "/tema/relationen"
    while url:
        html = client.get(url).text
        seen += theme_segments(html)
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


def test_english_study_has_an_english_ui(explorer_built: Path, tmp_path: Path) -> None:
    root = tmp_path / "english"
    shutil.copytree(explorer_built, root)
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


def test_theme_buttons_come_once_a_page_not_per_segment(client: TestClient, study: Study) -> None:
    html = client.get("/tema/relationen").text
    template = re.findall(r'<template id="theme-buttons">(.*?)</template>', html, re.S)
    assert len(template) == 1 and template[0].count('class="theme-btn') == 7
    outside = html.replace(template[0], "")
    assert html.count('class="segment ') > 5 and "theme-btn" not in outside
    ro = TestClient(create_app(study, read_only=True), base_url=BASE).get("/tema/relationen")
    assert 'id="theme-buttons"' not in ro.text


def svg_text(html: str) -> str:
    """The inline maps of a page, without the rest (a segment may quote the same words)."""
    return "".join(re.findall(r"<svg.*?</svg>", html, flags=re.S))


def test_journey_maps_speak_the_study_language_and_mark_its_transitions(
    client: TestClient, explorer_built: Path, tmp_path: Path
) -> None:
    # fjordby's study.toml declares "Uddannelsesplan (15 år)", drawn where a journey passes 15.
    danish = svg_text(client.get("/kilde", params={"sti": "journeys/J01.yaml"}).text)
    assert "Rejse J01" in danish and "Uddannelsesplan (15 år)" in danish
    root = tmp_path / "english"
    shutil.copytree(explorer_built, root)
    toml = root / "study.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8").replace('language = "da"', 'language = "en"'), "utf-8"
    )
    with TestClient(create_app(load_study(root)), base_url=BASE) as c:
        pages = [c.get("/rejser").text, c.get("/kilde", params={"sti": "journeys/J01.yaml"}).text]
    for svg in map(svg_text, pages):
        assert "Journey J01" in svg and "Rejse J01" not in svg
        assert " steps · " in svg and " trin · " not in svg
        assert "Uddannelsesplan (15 år)" in svg


# -- which suggestion a block offers, the review list, the codebook, the filters ----------


def _block(html: str, segment: str) -> str:
    """One segment's <article> in a page."""
    start = html.index(f'data-segment="{segment}"')
    return html[start : html.index("</article>", start)]


def _shown_suggestions(block: str) -> list[str]:
    """The themes of a block's suggestion spans that are not hidden, in page order."""
    return re.findall(r'<span class="suggest" data-theme="([^"]+)">', block)


def test_a_block_offers_its_highest_scoring_suggestion(client: TestClient, study: Study) -> None:
    with open_store(study) as store:
        order = [t.name for t in store.themes()]
        by_segment: dict[str, dict[str, float]] = {}
        for c in store.codings(statuses=[CodingStatus.SUGGESTED]):
            if c.score is not None:
                by_segment.setdefault(c.segment_id, {})[c.theme] = c.score
        # A segment whose first suggestion in codebook order is not its strongest.
        segment, scores = next(
            (s, sc)
            for s, sc in by_segment.items()
            if len(sc) > 1 and max(sc.values()) > sc[min(sc, key=order.index)]
        )
        source = store.segment(segment).source  # type: ignore[union-attr]
    best = max(scores, key=scores.__getitem__)
    block = _block(client.get("/kilde", params={"sti": source}).text, segment)
    assert _shown_suggestions(block) == [best]
    # The button names the theme it acts on, and acts on that theme.
    accept = re.search(r'<button type="button" class="accept"[^>]*>([^<]*)</button>', block)
    assert accept and f'data-theme="{best}"' in accept.group(0)
    assert accept.group(1) == f"Godkend {best} (a)"
    # The others are there, hidden, for a theme page to show its own.
    assert block.count('class="suggest"') == len(scores)


def test_the_review_list_comes_highest_score_first(client: TestClient, study: Study) -> None:
    theme = "Relationen"
    html = client.get("/tema/relationen").text
    assert f'data-page-theme="{theme}"' in html
    pending = html.split('<section class="pending">', 1)[1]
    assert "Højeste score først" in pending
    ids = re.findall(r'<article class="segment[^"]*" data-segment="([^"]+)"', pending)
    assert len(ids) > 2
    with open_store(study) as store:
        scores = {
            c.segment_id: c.score or 0.0
            for c in store.codings(statuses=[CodingStatus.SUGGESTED])
            if c.theme == theme
        }
    shown = [scores[i] for i in ids]
    assert shown == sorted(shown, reverse=True)
    # The first is the strongest suggestion that does not count yet (the client shows
    # suggestions from 0.3 as counted, on the page's two sides).
    assert shown[0] == max(s for s in scores.values() if s < 0.3)


def test_interviewer_turns_offer_no_coding(client: TestClient) -> None:
    html = client.get("/kilde", params={"sti": "transcripts/fokusgruppe_ledere.docx"}).text
    blocks = html.split("<article ")[1:]
    interviewer = [b for b in blocks if b.startswith('class="segment role-interviewer')]
    others = [b for b in blocks if not b.startswith('class="segment role-interviewer')]
    assert interviewer and others
    assert all('class="no-code"' in b and 'class="suggest"' not in b for b in interviewer)
    assert not any('class="no-code"' in b for b in others)


def test_life_stage_filter_lists_stages_in_life_order(client: TestClient) -> None:
    from journeylab.journeys.model import Stage
    from journeylab.themes.explorer_routes import ui_strings

    html = client.get("/tema/relationen").text
    select = html.split('<select name="fase">', 1)[1].split("</select>", 1)[0]
    values = [v for v in re.findall(r'<option value="([^"]*)"', select) if v]
    assert len(values) >= 4
    assert values == [s.value for s in Stage if s.value in values]
    # The template takes the order from the locale files: they must list Stage's order.
    for lang in ("da", "en"):
        assert list(ui_strings(lang)["stages"]) == [s.value for s in Stage]
    chosen = client.get("/tema/relationen", params={"fase": "school"}).text
    assert '<option value="school" selected>Skole</option>' in chosen


def test_codebook_rules_and_keywords_are_pseudonymised(
    explorer_built: Path, tmp_path: Path
) -> None:
    from journeylab.coding.importer import import_study

    root = tmp_path / "navne"
    shutil.copytree(explorer_built, root)
    codebook = root / "codebook.yaml"
    text = codebook.read_text(encoding="utf-8")
    text = text.replace(
        "      - tillid eller mistillid til en bestemt voksen",
        "      - fx Jonas og hans mentor\n      - tillid eller mistillid til en bestemt voksen",
        1,
    )
    text = text.replace(
        "      - hvilken slags støtte den unge fik",
        "      - Amalies skoleskift\n      - hvilken slags støtte den unge fik",
        1,
    )
    text = text.replace("      - rådgiver\n", "      - rådgiver\n      - Mikkel\n", 1)
    codebook.write_text(text, encoding="utf-8")
    study = load_study(root)
    import_study(study)
    with TestClient(create_app(study, read_only=True), base_url=BASE) as c:
        html = c.get("/kodebog").text
    assert "Oliver (opdigtet navn) og hans mentor" in html
    assert "Idas (opdigtet navn) skoleskift" in html  # an exclude rule
    assert "Malthe (opdigtet navn)" in html  # a keyword
    for name in ("Jonas", "Amalie", "Mikkel"):
        assert name not in html


def test_pages_carry_an_icon_so_no_favicon_request_fails(client: TestClient) -> None:
    html = client.get("/").text
    assert re.search(r'<link rel="icon" href="data:image/svg\+xml,', html)

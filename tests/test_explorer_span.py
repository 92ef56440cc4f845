"""Span coding in the explorer: POST /api/code-span and its undo, through TestClient."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from journeylab.coding.model import CodingStatus
from journeylab.coding.store import open_store
from journeylab.coding.study import Study
from journeylab.themes.explorer import create_app
from journeylab.themes.explorer_coding import MAX_SPAN
from tests.conftest import coded_example, csrf_of
from tests.explorer_support import BASE, explorer_fixtures, lone_transcript

THEME = "Relationen"
HOSTILE = "<b>fed</b>"
XSS_SOURCE = "transcripts/zz_span.txt"
XSS = lone_transcript(HOSTILE)


@pytest.fixture(scope="session")
def built_study(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example study with a transcript holding markup, imported and machine-coded once."""
    return coded_example(tmp_path_factory.mktemp("span") / "fjordby", {XSS_SOURCE: XSS}).root


study, client = explorer_fixtures("built_study")


def span(client: TestClient, body: dict[str, Any], csrf: str) -> Any:
    return client.post("/api/code-span", json=body, headers={"X-CSRF-Token": csrf})


def undo(client: TestClient, csrf: str) -> int:
    return client.post("/api/undo", json={}, headers={"X-CSRF-Token": csrf}).status_code


def three_turns(study: Study) -> list[tuple[str, str]]:
    """Three consecutive non-interviewer segments of one transcript: (id, text)."""
    with open_store(study) as store:
        segs = [s for s in store.segments() if s.role.value != "interviewer"]
    source = segs[0].source
    return [(s.id, s.text) for s in segs if s.source == source][:3]


def mine(study: Study) -> dict[tuple[str, str], tuple[CodingStatus, str | None]]:
    with open_store(study) as store:
        return {
            (c.segment_id, c.theme): (c.status, c.memo) for c in store.codings(coder="analytiker")
        }


def suggested(study: Study, segment: str, theme: str) -> bool:
    with open_store(study) as store:
        return any(
            c.segment_id == segment and c.theme == theme
            for c in store.codings(statuses=[CodingStatus.SUGGESTED])
        )


def theme_number(study: Study, theme: str) -> str:
    with open_store(study) as store:
        return str([t.name for t in store.themes()].index(theme) + 1)


def test_a_span_codes_every_segment_it_touches(client: TestClient, study: Study) -> None:
    ids = [i for i, _ in three_turns(study)]
    response = span(client, {"segments": ids, "theme": THEME}, csrf_of(client))
    assert response.status_code == 200
    codings = mine(study)
    for seg in ids:
        expected = CodingStatus.ACCEPTED if suggested(study, seg, THEME) else CodingStatus.MANUAL
        assert codings[(seg, THEME)] == (expected, None)  # memo-free: the whole segments
    assert len(codings) == 3
    # One block a segment comes back, each marking the theme as coded.
    blocks = response.json()["segments"]
    assert [b["segment"] for b in blocks] == ids
    number = theme_number(study, THEME)
    for b in blocks:
        coded = re.search(r'data-coded="([^"]*)"', b["html"])
        assert coded and number in coded.group(1).split()
    assert response.json()["counts"][THEME] >= 3


def test_partial_selection_keeps_the_words_as_the_memo(client: TestClient, study: Study) -> None:
    (a, text_a), (b, text_b) = three_turns(study)[:2]
    tail, head = text_a[len(text_a) // 2 :].strip(), text_b[: len(text_b) // 2].strip()
    body = {"segments": [a, b], "theme": THEME, "quotes": {a: tail, b: text_b}}
    assert span(client, body, csrf_of(client)).status_code == 200
    codings = mine(study)
    assert codings[(a, THEME)][1] == tail
    assert codings[(b, THEME)][1] is None  # the whole segment: no quote to keep
    page = client.get("/kilde", params={"sti": a.split("#")[0]}).text
    assert 'class="span-quote' in page
    assert head not in re.findall(r"<q>(.*?)</q>", page, flags=re.S)


def test_a_quote_is_escaped_on_the_page(client: TestClient, study: Study) -> None:
    with open_store(study) as store:
        seg = next(s.id for s in store.segments() if s.source == XSS_SOURCE and HOSTILE in s.text)
    quote = f"sagsbehandler {HOSTILE} ved"
    body = {"segments": [seg], "theme": THEME, "quotes": {seg: quote}}
    assert span(client, body, csrf_of(client)).status_code == 200
    assert mine(study)[(seg, THEME)][1] == quote
    page = client.get("/kilde", params={"sti": XSS_SOURCE}).text
    quoted = re.findall(r'class="span-quote[^"]*"[^>]*>.*?<q>(.*?)</q>', page, flags=re.S)
    assert quoted == ["sagsbehandler &lt;b&gt;fed&lt;/b&gt; ved"]
    assert HOSTILE not in page


def test_quote_must_be_words_of_its_segment(client: TestClient, study: Study) -> None:
    (a, _), (b, _), _ = three_turns(study)
    csrf = csrf_of(client)
    bad = {"segments": [a, b], "theme": THEME, "quotes": {a: "ord der ikke står der"}}
    assert span(client, bad, csrf).status_code == 400
    stranger = {"segments": [a], "theme": THEME, "quotes": {b: "x"}}
    assert span(client, stranger, csrf).status_code == 400
    assert mine(study) == {}


def test_unknown_id_is_404_and_writes_nothing(client: TestClient, study: Study) -> None:
    ids = [i for i, _ in three_turns(study)]
    csrf = csrf_of(client)
    response = span(client, {"segments": [ids[0], "nope#1", ids[1]], "theme": THEME}, csrf)
    assert response.status_code == 404
    assert mine(study) == {}
    # An unknown theme is refused inside the one transaction: nothing half-written.
    assert span(client, {"segments": ids, "theme": "Ukendt tema"}, csrf).status_code == 409
    assert mine(study) == {}
    assert undo(client, csrf) == 409  # and no act to undo


@pytest.mark.parametrize(
    "body",
    [
        {"segments": [], "theme": THEME},
        {"segments": "a#1", "theme": THEME},
        {"segments": [1, 2], "theme": THEME},
        {"segments": [f"x#{i}" for i in range(MAX_SPAN + 1)], "theme": THEME},
        {"segments": ["x#1"]},
        {"segments": ["x#1"], "theme": THEME, "quotes": ["x"]},
    ],
)
def test_malformed_bodies_are_400(client: TestClient, study: Study, body: dict[str, Any]) -> None:
    assert span(client, body, csrf_of(client)).status_code == 400
    assert mine(study) == {}


def test_csrf_is_required(client: TestClient, study: Study) -> None:
    body = {"segments": [i for i, _ in three_turns(study)], "theme": THEME}
    csrf_of(client)
    assert client.post("/api/code-span", json=body).status_code == 403
    assert span(client, body, "wrong").status_code == 403
    fresh = TestClient(client.app, base_url=BASE)  # no session cookie
    assert span(fresh, body, csrf_of(client)).status_code == 403
    assert mine(study) == {}


def test_read_only_has_no_span_route_or_bar_text(study: Study) -> None:
    c = TestClient(create_app(study, read_only=True), base_url=BASE)
    body = {"segments": [i for i, _ in three_turns(study)], "theme": THEME}
    assert span(c, body, csrf_of(c)).status_code in (404, 405)
    page = c.get("/kilde", params={"sti": body["segments"][0].split("#")[0]}).text
    assert 'id="theme-buttons"' not in page  # the bar is built from this template
    assert mine(study) == {}


def test_undo_reverts_the_whole_span_and_only_it(client: TestClient, study: Study) -> None:
    (a, text_a), (b, _), (c, _) = three_turns(study)
    csrf = csrf_of(client)
    # Before the span: a is already coded with a memo, b is rejected by this coder.
    words = text_a.split()[0]
    first = {"segments": [a], "theme": THEME, "quotes": {a: words}}
    assert span(client, first, csrf).status_code == 200
    reject = {"segment": b, "theme": THEME, "action": "reject"}
    assert client.post("/api/code", json=reject, headers={"X-CSRF-Token": csrf}).status_code == 200
    before = mine(study)
    assert span(client, {"segments": [a, b, c], "theme": THEME}, csrf).status_code == 200
    during = mine(study)
    assert during[(a, THEME)] == before[(a, THEME)]  # already coded: memo kept
    assert during[(b, THEME)][0] in (CodingStatus.MANUAL, CodingStatus.ACCEPTED)
    assert during[(c, THEME)][0] in (CodingStatus.MANUAL, CodingStatus.ACCEPTED)
    response = client.post("/api/undo", json={}, headers={"X-CSRF-Token": csrf})
    assert response.status_code == 200
    assert mine(study) == before
    assert {s["segment"] for s in response.json()["segments"]} == {b, c}
    # The next undo takes back the single reject, then the first span.
    assert undo(client, csrf) == 200
    assert (b, THEME) not in mine(study)
    assert undo(client, csrf) == 200
    assert mine(study) == {}
    assert undo(client, csrf) == 409


def test_undo_drops_a_quote_added_to_an_existing_coding(client: TestClient, study: Study) -> None:
    (a, text), *_ = three_turns(study)
    csrf = csrf_of(client)
    add = {"segment": a, "theme": THEME, "action": "add"}
    assert client.post("/api/code", json=add, headers={"X-CSRF-Token": csrf}).status_code == 200
    status = mine(study)[(a, THEME)][0]
    words = " ".join(text.split()[:2])
    body = {"segments": [a], "theme": THEME, "quotes": {a: words}}
    assert span(client, body, csrf).status_code == 200
    assert mine(study)[(a, THEME)] == (status, words)
    assert undo(client, csrf) == 200
    assert mine(study)[(a, THEME)] == (status, None)


def test_undo_of_a_span_that_changed_nothing_undoes_nothing(
    client: TestClient, study: Study
) -> None:
    ids = [i for i, _ in three_turns(study)]
    csrf = csrf_of(client)
    assert span(client, {"segments": ids, "theme": THEME}, csrf).status_code == 200
    after = mine(study)
    assert span(client, {"segments": ids, "theme": THEME}, csrf).status_code == 200
    assert undo(client, csrf) == 200  # the second span: a no-op
    assert mine(study) == after
    assert undo(client, csrf) == 200  # the first span
    assert mine(study) == {}


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=12,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    body=st.fixed_dictionaries(
        {}, optional={"segments": JSON, "theme": JSON, "quotes": JSON, "memo": JSON}
    )
)
def test_any_body_gets_an_answer_never_a_crash(client: TestClient, body: dict[str, Any]) -> None:
    csrf = csrf_of(client)
    response = client.post(
        "/api/code-span", content=json.dumps(body), headers={"X-CSRF-Token": csrf}
    )
    assert response.status_code in (200, 400, 404, 409)

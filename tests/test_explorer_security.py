"""The explorer's guards, route by route: token, CSRF, read-only.

Routes are enumerated from `app.routes` (tests/explorer_support.py), so a route added
later is covered (or makes `page_urls` fail until it is given real ids) without editing
these tests. test_leaks reaches `page_urls` through this module.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from journeylab.coding.study import Study
from journeylab.themes import explorer as explorer_module
from journeylab.themes.explorer import create_app
from journeylab.themes.explorer_security import (
    HEADERS,
    SESSION_COOKIE,
    TOKEN_COOKIE,
    UNSAFE_METHODS,
    access_token,
)
from tests.conftest import csrf_of
from tests.explorer_support import (
    BASE,
    body_for,
    endpoints,
    explorer_fixtures,
    page_urls,
    store_state,
    write_routes,
)

TOKEN = "korrekt-token-til-test-0123456789"


study, client = explorer_fixtures("hostile_built")


# -- binding and the access token --------------------------------------------------------


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "example.org", "", "127.0.0.2"])
def test_non_loopback_bind_always_gets_a_fresh_token(
    study: Study, host: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import uvicorn

    runs: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: runs.append({"app": app, **kw}))
    # No real bind (nor a DNS look-up of example.org): the port check has its own tests.
    monkeypatch.setattr(explorer_module, "check_port", lambda host, port: None)
    explorer_module.serve(study, host=host, port=9999)
    explorer_module.serve(study, host=host, port=9999)
    tokens = re.findall(r"token=([\w-]+)", capsys.readouterr().out)
    assert len(tokens) == 2 and tokens[0] != tokens[1] and len(tokens[0]) >= 20
    assert [r["host"] for r in runs] == [host, host]
    c = TestClient(runs[0]["app"], base_url="http://192.0.2.1:9999")
    assert c.get("/").status_code == 401
    assert c.get("/", params={"token": tokens[1]}).status_code == 401  # the other run's
    assert c.get("/", params={"token": tokens[0]}).status_code == 200


def test_loopback_needs_no_token_but_answers_only_to_local_names(study: Study) -> None:
    for host in ("127.0.0.1", "localhost", "::1", " LOCALHOST "):
        assert access_token(host, None) is None
    app = create_app(study)
    assert TestClient(app, base_url=BASE).get("/").status_code == 200
    for name in ("http://evil.example", "http://127.0.0.1.evil.example", "http://10.0.0.1"):
        assert TestClient(app, base_url=name).get("/").status_code == 400


def _all_requests(app: FastAPI, study: Study) -> list[tuple[str, str]]:
    """(method, url) for every route and method of *app*, real ids where there are any."""
    found = [("GET", u) for u in page_urls(app, study)]
    for path, methods in endpoints(app):
        url = re.sub(r"\{[^}]+\}", "x", path)
        found += [(m, url) for m in sorted(methods) if m != "GET"]
    return found


def test_missing_or_wrong_token_is_401_on_every_route(study: Study) -> None:
    app = create_app(study, token=TOKEN)
    requests = _all_requests(app, study)
    assert any(m == "POST" for m, _ in requests)
    bare = TestClient(app, base_url=BASE)
    wrong_cookie = TestClient(app, base_url=BASE, cookies={"journeylab_token": TOKEN[:-1]})
    empty_cookie = TestClient(app, base_url=BASE, cookies={"journeylab_token": ""})
    before = store_state(study)
    for method, url in requests:
        sep = "&" if "?" in url else "?"
        for c, target in (
            (bare, url),
            (bare, f"{url}{sep}token={TOKEN.upper()}"),
            (bare, f"{url}{sep}token="),
            (wrong_cookie, url),
            (empty_cookie, url),
        ):
            r = c.request(method, target, json={}, headers={"X-CSRF-Token": "x"})
            assert r.status_code == 401, (method, target, r.status_code)
            assert "alert(" not in r.text and "sagsbehandler" not in r.text
    assert store_state(study) == before
    # The right token opens them (the 401s above came from the token, not the route).
    good = TestClient(app, base_url=BASE, cookies={"journeylab_token": TOKEN})
    assert all(good.get(u).status_code != 401 for m, u in requests if m == "GET")


# -- CSRF --------------------------------------------------------------------------------


def test_csrf_is_required_on_every_state_changing_route(client: TestClient, study: Study) -> None:
    writes = write_routes(client.app)  # type: ignore[arg-type]
    assert {p for _, p in writes} >= {"/api/code", "/api/undo", "/api/memo"}
    csrf = csrf_of(client)
    body = body_for(study)
    before = store_state(study)
    stranger = TestClient(client.app, base_url=BASE)  # another browser: no session cookie
    for method, path in writes:
        attempts = [
            client.request(method, path, json=body),
            client.request(method, path, json=body, headers={"X-CSRF-Token": ""}),
            client.request(method, path, json=body, headers={"X-CSRF-Token": csrf[:-1]}),
            client.request(method, path, json=body | {"csrf": csrf}),  # not in the body
            client.request(method, path, params={"csrf": csrf}, json=body),
            stranger.request(method, path, json=body, headers={"X-CSRF-Token": csrf}),
            client.request(
                method,
                path,
                json=body,
                headers={"X-CSRF-Token": csrf, "Origin": "http://evil.example"},
            ),
        ]
        assert [r.status_code for r in attempts] == [403] * len(attempts), (method, path)
        assert store_state(study) == before, (method, path)
    # With the token the same requests pass the guard (they are real write routes).
    for method, path in writes:
        r = client.request(method, path, json=body, headers={"X-CSRF-Token": csrf})
        assert r.status_code != 403, (method, path, r.text)
    assert store_state(study) != before


# -- read-only ---------------------------------------------------------------------------


def test_read_only_exposes_no_write_route(study: Study) -> None:
    full = create_app(study)
    ro = create_app(study, read_only=True, include_suggestions=0.3)
    assert write_routes(full)  # there are write routes to hide
    assert write_routes(ro) == []
    methods = {m for _, ms in endpoints(ro) for m in ms}
    assert methods <= {"GET", "HEAD"}
    c = TestClient(ro, base_url=BASE)
    csrf = csrf_of(c)
    before = store_state(study)
    for _, path in write_routes(full):
        for m in UNSAFE_METHODS:
            r = c.request(m, path, json=body_for(study), headers={"X-CSRF-Token": csrf})
            assert r.status_code in (404, 405), (m, path, r.status_code)
    assert store_state(study) == before
    for url in page_urls(ro, study):
        if url.startswith("/static/"):
            continue  # the stylesheet names the classes; it is not a page
        page = c.get(url).text
        assert "memo-form" not in page and 'id="theme-buttons"' not in page, url


# -- headers on every answer ----------------------------------------------------------------


def _stamped(response: Any, cache: str = "no-store") -> None:
    for key, value in HEADERS.items():
        assert response.headers.get_list(key) == [value], (key, response.status_code)
    assert response.headers["cache-control"] == cache, response.status_code


def test_every_answer_is_stamped_including_refusals_and_errors(study: Study) -> None:
    c = TestClient(create_app(study), base_url=BASE)
    first = c.get("/")
    _stamped(first)
    cookie = first.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=") and "HttpOnly" in cookie
    assert "samesite=strict" in cookie.lower()
    assert "set-cookie" not in c.get("/").headers  # the session is known now
    _stamped(c.get("/nope"))  # the explorer's 404 page
    _stamped(c.get("/static/explorer.css"), cache="max-age=300")  # a route's own caching
    _stamped(c.post("/api/code", json={}))  # 403: no CSRF token
    _stamped(TestClient(create_app(study), base_url="http://evil.example").get("/"))  # 400
    guarded = TestClient(create_app(study, token=TOKEN), base_url=BASE)
    _stamped(guarded.get("/"))  # 401
    redirect = guarded.get("/kodebog", params={"token": TOKEN}, follow_redirects=False)
    assert redirect.status_code == 303
    _stamped(redirect)
    assert redirect.headers["set-cookie"].startswith(f"{TOKEN_COOKIE}={TOKEN};")

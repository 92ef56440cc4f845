"""The explorer's guards, route by route: token, CSRF, path traversal, XSS, read-only.

Routes are enumerated from `app.routes`, so a route added later is covered (or
makes `page_urls` fail until it is given real ids) without editing these tests.
"""

from __future__ import annotations

import csv
import html
import io
import re
import shutil
import sys
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import quote, urlencode

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from journeylab.coding.autocode import code_study
from journeylab.coding.importer import import_study
from journeylab.coding.model import CodingStatus
from journeylab.coding.store import open_store
from journeylab.coding.study import Study, load_study
from journeylab.themes import explorer as explorer_module
from journeylab.themes.explorer import STATIC, create_app
from journeylab.themes.explorer_cache import short_slug
from journeylab.themes.explorer_security import UNSAFE_METHODS, access_token
from journeylab.themes.findings import slug
from journeylab.themes.report import report_study
from tests.conftest import csrf_of

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "fjordby"
BASE = "http://127.0.0.1"
TOKEN = "korrekt-token-til-test-0123456789"

# -- helpers shared with test_leaks (imported as a module there) --------------------


def endpoints(app: FastAPI) -> list[tuple[str, frozenset[str]]]:
    """(path, methods) of every route of *app*, routers included (however FastAPI nests them)."""

    def walk(routes: list[Any], prefix: str) -> Iterator[tuple[str, frozenset[str]]]:
        for route in routes:
            inner = getattr(route, "original_router", None)  # FastAPI >= 0.16x: lazy includes
            if inner is not None:
                context = getattr(route, "include_context", None)
                yield from walk(inner.routes, prefix + getattr(context, "prefix", ""))
            elif isinstance(getattr(route, "path", None), str) and getattr(route, "methods", None):
                yield prefix + route.path, frozenset(route.methods)
            else:  # a mount or websocket would escape these tests: fail loudly instead
                raise AssertionError(f"cannot enumerate the route {route!r}")

    found = list(walk(list(app.routes), ""))
    assert found
    return found


def page_urls(app: FastAPI, study: Study, queries: tuple[str, ...] = ("sagsbeh",)) -> list[str]:
    """A concrete URL for every GET route of *app*, with real ids from the study's store."""
    with open_store(study) as store:
        sources = [s.path for s in store.sources()]
        themes = [t.name for t in store.themes()]
    urls: list[str] = ["/findes-ikke"]  # the 404 page shows text too
    for path, methods in endpoints(app):
        if "GET" not in methods:
            continue
        if path == "/tema/{name}":
            urls += [f"/tema/{short_slug(slug(t))}" for t in themes]
        elif path == "/static/{name}":
            urls += [f"/static/{n}" for n in STATIC]
        elif path == "/kilde":
            urls += ["/kilde?" + urlencode({"sti": s}) for s in sources]
        elif path == "/soeg":
            urls += ["/soeg?" + urlencode({"q": q}) for q in queries]
        else:
            # A new parameterised route needs real ids here, or it would go untested.
            assert "{" not in path, f"page_urls does not know the route {path}: add it"
            urls.append(path)
    return urls


def write_routes(app: FastAPI) -> list[tuple[str, str]]:
    """(method, path) of every state-changing route of *app*."""
    return [
        (method, path)
        for path, methods in endpoints(app)
        for method in sorted(methods)
        if method in UNSAFE_METHODS
    ]


def store_state(study: Study) -> tuple[list[Any], list[Any]]:
    """Every coding and memo in the store (to prove a refused request wrote nothing)."""
    with open_store(study) as store:
        codings = sorted(tuple(r) for r in store.conn.execute("SELECT * FROM codings"))
        memos = sorted(store.memos())
    return codings, memos


# -- hostile material -----------------------------------------------------------------

# One marker number a place, so each place's payload can be found (escaped) on a page.
PLACES = {"tekst": 11, "tema": 12, "beskrivelse": 13, "memo": 14, "taler": 15, "fil": 16,
          "note": 17}  # fmt: skip


def payload(place: str) -> str:
    n = PLACES[place]
    return f'<script>alert({n})</script> "><img src=x onerror=alert({n})> javascript:alert({n})'


SPEAKER = f'"><img src=x onerror=alert({PLACES["taler"]})>'
FILE_NAME = f'"><img src=x onerror=alert({PLACES["fil"]})>.txt'
XSS_THEME = f'Farligt tema <script>alert({PLACES["tema"]})</script>"><img src=x onerror=alert(12)>'
TRANSCRIPT = f"""\
---
title: Fokusgruppe
participants:
  Interviewer: {{role: interviewer}}
  '{SPEAKER}': {{role: ung}}
---
Interviewer: Hvordan var det med sagsbehandleren?

{SPEAKER}: Min sagsbehandler skiftede hele tiden. {payload("tekst")} Ingen ringede tilbage.
"""
THEME_YAML = f"""\
  - name: '{XSS_THEME}'
    description: 'Om sagsbehandleren. {payload("beskrivelse")} [klik](javascript:alert(13))'
    keywords: [sagsbehandler]
    examples:
      - '{payload("beskrivelse")}'
"""


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


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Fjordby plus hostile text in every place a user can type, imported and coded once."""
    root = tmp_path_factory.mktemp("security") / "fjordby"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".journeylab"))
    (root / "transcripts" / FILE_NAME).write_text(TRANSCRIPT, encoding="utf-8")
    codebook = root / "codebook.yaml"
    codebook.write_text(codebook.read_text(encoding="utf-8") + THEME_YAML, encoding="utf-8")
    rows = io.StringIO()
    writer = csv.writer(rows, lineterminator="\n")
    writer.writerow(["journey", "colour", "text", "stage", "pseudonym"])
    writer.writerow(["X1", "gul", "Ny sagsbehandler " + payload("note"), "school", "Nora"])
    writer.writerow(["X1", "rød", "Skolen ringede " + payload("note"), "", ""])
    (root / "journeys" / "xss.csv").write_text(rows.getvalue(), encoding="utf-8")
    study = load_study(root)
    import_study(study)
    code_study(study)
    with open_store(study) as store:
        hostile = [s for s in store.segments() if "alert(" in s.text]
        assert len(hostile) >= 3  # the transcript turn and the two notes
        for seg in hostile:
            store.set_coding(seg.id, XSS_THEME, "anna", CodingStatus.MANUAL)
            store.set_coding(seg.id, "Relationen", "anna", CodingStatus.MANUAL)
            store.add_memo("segment", seg.id, "analytiker", payload("memo"))
        store.add_memo("theme", XSS_THEME, "analytiker", payload("memo"))
    return root


@pytest.fixture
def study(built: Path, tmp_path: Path) -> Study:
    root = tmp_path / "fjordby"
    shutil.copytree(built, root)
    return load_study(root)


@pytest.fixture
def client(study: Study) -> Iterator[TestClient]:
    with TestClient(create_app(study, include_suggestions=0.3), base_url=BASE) as c:
        yield c


# -- binding and the access token ---------------------------------------------------


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "example.org", "", "127.0.0.2"])
def test_non_loopback_bind_always_gets_a_fresh_token(
    study: Study, host: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import uvicorn

    runs: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: runs.append({"app": app, **kw}))
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


# -- CSRF -----------------------------------------------------------------------------


def _body(study: Study) -> dict[str, str]:
    with open_store(study) as store:
        seg = next(s.id for s in store.segments() if s.role.value == "medarbejder")
    return {"segment": seg, "theme": "Relationen", "action": "add", "text": "Et notat"}


def test_csrf_is_required_on_every_state_changing_route(client: TestClient, study: Study) -> None:
    writes = write_routes(client.app)  # type: ignore[arg-type]
    assert {p for _, p in writes} >= {"/api/code", "/api/undo", "/api/memo"}
    csrf = csrf_of(client)
    body = _body(study)
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


# -- path traversal -------------------------------------------------------------------

ATTACKS = (
    "../study.toml",
    "../../secret.txt",
    "transcripts/../study.toml",
    "transcripts/../../secret.txt",
    "/etc/passwd",
    "..\\..\\secret.txt",
    "transcripts\\..\\study.toml",
    "study.toml\x00.md",
    "transcripts/fokusgruppe_familie_skole.md\x00",
    "%2e%2e%2fsecret.txt",
    "..%2f..%2fsecret.txt",
    "..%252f..%252fsecret.txt",
    "....//....//secret.txt",
    "file:///etc/passwd",
    "transcripts/fokusgruppe_familie_skole.md/../../../secret.txt",
    "codebook.yaml",
    "study.toml",
    ".journeylab/study.db",
)
RAW_PATHS = (  # put into the URL path as they are (httpx keeps the % escapes)
    "..%2f..%2fsecret.txt",
    "%2e%2e%2f%2e%2e%2fstudy.toml",
    "..%5c..%5cstudy.toml",
    "study.toml%00",
    "%2fetc%2fpasswd",
    "..%252f..%252fstudy.toml",
    "....%2f%2fstudy.toml",
    "%2e%2e",  # (a bare ".." is resolved by the client before it is sent)
    "explorer.css%00.py",
    "..%2fexplorer.py",
    "%5c..%5c..%5ccodebook.yaml",
)


class Opens:
    """Records every file Python opens while active (an audit hook, installed once)."""

    active = False
    seen: ClassVar[list[str]] = []
    installed = False

    @classmethod
    def install(cls) -> None:
        if not cls.installed:

            def hook(event: str, args: tuple[Any, ...]) -> None:
                if cls.active and event in ("open", "sqlite3.connect") and args:
                    cls.seen.append(str(args[0]))

            sys.addaudithook(hook)
            cls.installed = True


@pytest.fixture
def opens() -> Iterator[type[Opens]]:
    Opens.install()
    Opens.seen = []
    Opens.active = True
    try:
        yield Opens
    finally:
        Opens.active = False


def test_path_traversal_never_reaches_a_file(
    client: TestClient, study: Study, opens: type[Opens]
) -> None:
    secret = study.root.parent / "secret.txt"
    secret.write_text("HEMMELIGT-INDHOLD", encoding="utf-8")
    opens.seen.clear()
    csrf = csrf_of(client)
    body = _body(study)
    before = store_state(study)
    answers: list[tuple[str, int, str]] = []
    for attack in ATTACKS:
        for url, params in (
            ("/kilde", {"sti": attack}),
            ("/tema/" + quote(attack, safe=""), {}),
            ("/static/" + quote(attack, safe=""), {}),
        ):
            r = client.get(url, params=params)
            answers.append((f"{url} {params}", r.status_code, r.text))
        search = client.get("/soeg", params={"q": "sagsbeh", "kilde": attack, "tema": attack})
        assert search.status_code == 200 and "data-segment=" not in search.text, attack
        answers.append(("/soeg " + attack, 404, search.text))
        for path, data in (
            ("/api/code", body | {"segment": attack}),
            ("/api/code", body | {"theme": attack}),
            ("/api/memo", body | {"segment": attack}),
        ):
            r = client.post(path, json=data, headers={"X-CSRF-Token": csrf})
            assert r.status_code in (400, 404, 409), (path, data, r.status_code)
            answers.append((path, 404, r.text))
    for raw in RAW_PATHS:
        for prefix in ("/tema/", "/static/", "/kilde/", "/"):
            r = client.get(prefix + raw)
            answers.append((prefix + raw, r.status_code, r.text))
    for where, status, text in answers:
        assert status in (400, 404), (where, status)
        assert "HEMMELIGT" not in text and "root:" not in text and "[study]" not in text, where
    assert store_state(study) == before
    # Nothing but the study's database and settings, the package and Python was opened.
    opened = [p for p in opens.seen if not p.isdigit()]
    package = str(Path(explorer_module.__file__).parents[1])
    own = (str(study.root / ".journeylab"), str(study.root / "study.toml"))
    allowed = (*own, package, sys.prefix, sys.base_prefix)
    assert not [p for p in opened if not p.startswith(allowed)], sorted(set(opened))
    assert str(secret) not in opened and "/etc/passwd" not in opened


# -- XSS --------------------------------------------------------------------------------


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
    seg = _body(study)["segment"]
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


# -- read-only --------------------------------------------------------------------------


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
            r = c.request(m, path, json=_body(study), headers={"X-CSRF-Token": csrf})
            assert r.status_code in (404, 405), (m, path, r.status_code)
    assert store_state(study) == before
    for url in page_urls(ro, study):
        if url.startswith("/static/"):
            continue  # the stylesheet names the classes; it is not a page
        page = c.get(url).text
        assert "memo-form" not in page and 'id="theme-buttons"' not in page, url

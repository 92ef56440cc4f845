"""The explorer app as `journeylab explore` serves it: headers, token, CSRF, read-only."""

from __future__ import annotations

import re
import socket
from typing import Any, ClassVar

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from journeylab.coding.study import Study
from journeylab.themes import explorer as explorer_module
from journeylab.themes.explorer import create_app
from journeylab.themes.explorer_security import access_token
from tests.conftest import csrf_of
from tests.explorer_support import (
    BASE,
    explorer_fixtures,
    first_segment,
    my_codings,
    post,
)

study, client = explorer_fixtures("explorer_built")


# -- security ----------------------------------------------------------------------------


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

    def fake_run(app: object, host: str, port: int, log_level: str, http: str, loop: str) -> None:
        seen.update(app=app, host=host, http=http, loop=loop)

    import uvicorn

    monkeypatch.setattr(uvicorn, "run", fake_run)
    monkeypatch.setattr(explorer_module, "check_port", lambda host, port: None)  # 9999 may be busy
    explorer_module.serve(study, host="0.0.0.0", port=9999)
    url = capsys.readouterr().out
    token = re.search(r"token=([\w-]+)", url)
    assert token and seen["host"] == "0.0.0.0"
    # The C protocol stack is asked for by name, so a missing httptools fails loudly.
    assert seen["http"] == "httptools" and seen["loop"] == "auto"
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


# -- coders ------------------------------------------------------------------------------


def test_machine_coder_name_is_refused(study: Study) -> None:
    from journeylab.errors import InputError

    with pytest.raises(InputError):
        create_app(study, coder="machine:ensemble")


def test_a_taken_port_is_one_line_and_no_url(study: Study, monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    from journeylab.cli import main

    def no_server(*args: object, **kwargs: object) -> None:
        raise AssertionError("the server must not start")

    monkeypatch.setattr(uvicorn, "run", no_server)
    monkeypatch.setattr(explorer_module.webbrowser, "open", no_server)
    with socket.socket() as other:  # another explorer, listening on the port
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        args = ["explore", str(study.root), "--port", str(port), "--open"]
        result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"Error: port {port} is in use (another journeylab explore?): choose another with --port"
    ]


# -- the printed address -----------------------------------------------------------------


def printed(
    study: Study,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    **kwargs: Any,
) -> str:
    """What `serve` prints, with uvicorn not started and the port taken as free."""
    import uvicorn

    monkeypatch.setattr(uvicorn, "run", lambda *args, **kw: None)
    monkeypatch.setattr(explorer_module, "check_port", lambda host, port: None)
    explorer_module.serve(study, port=9999, **kwargs)
    return capsys.readouterr().out


def test_a_wildcard_host_prints_the_lan_address(
    study: Study, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    lan = {socket.AF_INET: "192.168.1.23", socket.AF_INET6: "2001:db8::5"}
    monkeypatch.setattr(explorer_module, "lan_address", lambda family: lan[family])
    out = printed(study, monkeypatch, capsys, host="0.0.0.0")
    assert out.startswith("journeylab explorer: http://192.168.1.23:9999/?token=")
    assert "0.0.0.0" not in out
    out = printed(study, monkeypatch, capsys, host="::")
    assert out.startswith("journeylab explorer: http://[2001:db8::5]:9999/?token=")


def test_without_a_lan_address_the_machine_name_or_a_hint(
    study: Study, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(explorer_module, "lan_address", lambda family: None)
    monkeypatch.setattr(socket, "gethostname", lambda: "kontor-pc")
    out = printed(study, monkeypatch, capsys, host="0.0.0.0")
    assert out.startswith("journeylab explorer: http://kontor-pc:9999/?token=")
    monkeypatch.setattr(socket, "gethostname", lambda: "localhost")
    out = printed(study, monkeypatch, capsys, host="0.0.0.0")
    assert out.startswith("journeylab explorer: http://0.0.0.0:9999/?token=")
    assert "give colleagues its address on your network" in out


def test_the_local_default_is_printed_as_before(
    study: Study, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def no_lookup(family: int) -> str:
        raise AssertionError("a named host is printed as given")

    monkeypatch.setattr(explorer_module, "lan_address", no_lookup)
    assert printed(study, monkeypatch, capsys) == "journeylab explorer: http://127.0.0.1:9999/\n"
    out = printed(study, monkeypatch, capsys, host="192.168.1.40")
    assert out.startswith("journeylab explorer: http://192.168.1.40:9999/?token=")


class FakeUdp:
    """A datagram socket that only connects: any attempt to send would fail the test."""

    answers: ClassVar[dict[str, str | None]] = {}
    made: ClassVar[list[tuple[int, int]]] = []

    def __init__(self, family: int, kind: int) -> None:
        self.made.append((family, kind))
        self.probe = ""

    def __enter__(self) -> FakeUdp:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def connect(self, place: tuple[str, int]) -> None:
        self.probe = place[0]
        if self.answers.get(self.probe) is None:
            raise OSError(101, "Network is unreachable")

    def getsockname(self) -> tuple[str, int]:
        return (str(self.answers[self.probe]), 40000)


def test_lan_address_skips_what_colleagues_cannot_open(monkeypatch: pytest.MonkeyPatch) -> None:
    v4, v6 = explorer_module._PROBES[socket.AF_INET], explorer_module._PROBES[socket.AF_INET6]
    monkeypatch.setattr(socket, "socket", FakeUdp)
    # No route to the first private range, a loopback answer, then the LAN's address.
    FakeUdp.answers = {v4[0]: None, v4[1]: "127.0.0.1", v4[2]: "192.168.7.5"}
    FakeUdp.made = []
    assert explorer_module.lan_address(socket.AF_INET) == "192.168.7.5"
    assert FakeUdp.made == [(socket.AF_INET, socket.SOCK_DGRAM)] * 3
    FakeUdp.answers = {v6[0]: "fe80::1%eth0"}  # link-local only
    assert explorer_module.lan_address(socket.AF_INET6) is None
    FakeUdp.answers = {}  # no route at all
    assert explorer_module.lan_address(socket.AF_INET) is None

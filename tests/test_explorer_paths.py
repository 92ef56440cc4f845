"""No URL or request body reaches a file outside the study's own: path traversal."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from journeylab.coding.study import Study
from journeylab.themes import explorer as explorer_module
from tests.conftest import csrf_of
from tests.explorer_support import (
    body_for,
    explorer_fixtures,
    store_state,
)

study, client = explorer_fixtures("hostile_built")


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
    body = body_for(study)
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

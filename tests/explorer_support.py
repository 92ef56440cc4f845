"""What the explorer's test files share: the coded example's helpers, hostile material
in every place a user can type, and every route of the app enumerated.

The studies themselves are built once a session by conftest.py's `explorer_built`
and `hostile_built` fixtures; `explorer_fixtures` gives a test module its `study` (a fresh
copy of one) and `client` (a TestClient on the coding app over that copy).
"""

from __future__ import annotations

import csv
import io
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from journeylab.coding.autocode import code_study
from journeylab.coding.importer import import_study
from journeylab.coding.model import CodingStatus
from journeylab.coding.store import open_store
from journeylab.coding.study import Study, load_study
from journeylab.themes.explorer import STATIC, create_app
from journeylab.themes.explorer_index import short_slug
from journeylab.themes.explorer_security import UNSAFE_METHODS
from journeylab.themes.findings import slug
from tests.conftest import copy_study

BASE = "http://127.0.0.1"


def copied_study(built: str) -> Any:
    """A test module's `study` fixture: a fresh copy, for a test that writes, of the
    study that the session fixture named *built* makes once."""

    @pytest.fixture(name="study")
    def study(request: pytest.FixtureRequest, tmp_path: Path) -> Study:
        return copy_study(request.getfixturevalue(built), tmp_path)

    return study


@pytest.fixture(name="client")
def coding_client(study: Study) -> Iterator[TestClient]:
    """The coding app over the module's `study`, suggestions from 0.3 shown."""
    with TestClient(create_app(study, include_suggestions=0.3), base_url=BASE) as c:
        yield c


def explorer_fixtures(built: str) -> tuple[Any, Any]:
    """A test module's `study` and `client` fixtures, over the study of the session
    fixture named *built*: `study, client = explorer_fixtures("explorer_built")`."""
    return copied_study(built), coding_client


# -- the coded example with one hostile transcript (test_explorer*.py) ----------------

SCRIPT_PAYLOAD = "<script>alert('xss')</script>"
XSS_TRANSCRIPT = f"""\
---
title: Fokusgruppe <b>fed</b>
participants:
  Interviewer: {{role: interviewer}}
  Ulla: {{role: medarbejder, pseudonym: Medarbejder 9}}
  Emil: {{role: ung}}
---
Interviewer: Hvad skete der med sagsbehandleren?

Ulla: Jonas fik en ny sagsbehandler igen, og {SCRIPT_PAYLOAD} ingen ringede tilbage.

Emil: Min kontaktperson lyttede, men skolen gjorde ikke noget ved fraværet.
"""
XSS_SOURCE = "transcripts/zz_xss.txt"


def lone_transcript(hostile: str, *more: str) -> str:
    """A focus group on transitions whose staff member Lone says *hostile* in her first
    turn, then each of *more* as a turn of its own (test_explorer_span, the browser)."""
    turns = "".join(f"\nLone: {turn}\n" for turn in more)
    return f"""\
---
title: Fokusgruppe om overgange
participants:
  Interviewer: {{role: interviewer}}
  Lone: {{role: medarbejder, pseudonym: Medarbejder 8}}
---
Interviewer: Hvordan går det med overleveringen?

Lone: Vi mangler en fast sagsbehandler {hostile} ved overgangen til voksen.
{turns}"""


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


def theme_segments(html: str) -> list[str]:
    """The segment ids on the two sides of a theme page (not the pending suggestions)."""
    sides = html.split('<div class="sides">', 1)[1].split('<section class="pending">')[0]
    return re.findall(r'data-segment="([^"]+)"', sides)


# -- hostile text in every place a user can type (test_explorer_security/xss/paths) ---

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "fjordby"

# One marker number a place, so each place's payload can be found (escaped) on a page.
PLACES = {"tekst": 11, "tema": 12, "beskrivelse": 13, "memo": 14, "taler": 15, "fil": 16,
          "note": 17}  # fmt: skip


def payload(place: str) -> str:
    n = PLACES[place]
    return f'<script>alert({n})</script> "><img src=x onerror=alert({n})> javascript:alert({n})'


SPEAKER = f'"><img src=x onerror=alert({PLACES["taler"]})>'
FILE_NAME = f'"><img src=x onerror=alert({PLACES["fil"]})>.txt'
XSS_THEME = f'Farligt tema <script>alert({PLACES["tema"]})</script>"><img src=x onerror=alert(12)>'
HOSTILE_TRANSCRIPT = f"""\
---
title: Fokusgruppe
participants:
  Interviewer: {{role: interviewer}}
  '{SPEAKER}': {{role: ung}}
---
Interviewer: Hvordan var det med sagsbehandleren?

{SPEAKER}: Min sagsbehandler skiftede hele tiden. {payload("tekst")} Ingen ringede tilbage.
"""
HOSTILE_THEME_YAML = f"""\
  - name: '{XSS_THEME}'
    description: 'Om sagsbehandleren. {payload("beskrivelse")} [klik](javascript:alert(13))'
    keywords: [sagsbehandler]
    examples:
      - '{payload("beskrivelse")}'
"""


def build_hostile_study(root: Path) -> Path:
    """Fjordby copied to *root* with hostile text in every place a user can type,
    imported and machine-coded, the hostile segments also coded by a person."""
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".journeylab"))
    (root / "transcripts" / FILE_NAME).write_text(HOSTILE_TRANSCRIPT, encoding="utf-8")
    codebook = root / "codebook.yaml"
    codebook.write_text(codebook.read_text(encoding="utf-8") + HOSTILE_THEME_YAML, encoding="utf-8")
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


def body_for(study: Study) -> dict[str, str]:
    with open_store(study) as store:
        seg = next(s.id for s in store.segments() if s.role.value == "medarbejder")
    return {"segment": seg, "theme": "Relationen", "action": "add", "text": "Et notat"}


# -- every route of the app (also used by test_leaks, through test_explorer_security) --


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


# -- real names (test_explorer_search) ----------------------------------------------


def real_name_words(study: Study) -> list[str]:
    """Every word of every real name the study lists: [names] (first names and surnames)
    and the real labels of speakers who have a pseudonym."""
    with open_store(study) as store:
        speakers = [
            p.name
            for s in store.sources()
            for p in s.participants
            if p.pseudonym and p.role.value != "interviewer"
        ]
    return sorted({w for name in [*(r for r, _ in study.names), *speakers] for w in name.split()})

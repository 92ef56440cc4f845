"""Several writers on one study: coders in the explorer, and `journeylab code` in another process.

Nothing may be lost and no "database is locked" may reach a user: the explorer
answers every request, the CLI exits 0, and every write is in the store afterwards.
"""

from __future__ import annotations

import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from journeylab.coding.model import CodingStatus
from journeylab.coding.store import open_store
from journeylab.coding.study import Study
from journeylab.themes.explorer import create_app
from tests.conftest import coded_example, copy_study, csrf_of

BASE = "http://127.0.0.1"
COUNTED = (CodingStatus.MANUAL, CodingStatus.ACCEPTED)
TROUBLE = re.compile(r"locked|busy|traceback|error", re.I)


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Fjordby imported once, with no machine suggestions yet."""
    return coded_example(tmp_path_factory.mktemp("concurrency") / "fjordby", code=False).root


@pytest.fixture
def study(imported: Path, tmp_path: Path) -> Study:
    return copy_study(imported, tmp_path)


def segment_ids(study: Study, n: int) -> list[str]:
    with open_store(study) as store:
        return [s.id for s in store.segments() if s.role.value != "interviewer"][:n]


def person_codings(study: Study, coder: str) -> dict[tuple[str, str], CodingStatus]:
    with open_store(study) as store:
        return {(c.segment_id, c.theme): c.status for c in store.codings(coder=coder)}


def memos_of(study: Study, author: str) -> set[tuple[str, str]]:
    with open_store(study) as store:
        return {(target, text) for _, target, who, text in store.memos("segment") if who == author}


class Coder:
    """One browser session: posts acts and records every answer it got."""

    def __init__(self, app: object, name: str) -> None:
        self.client = TestClient(app, base_url=BASE)  # type: ignore[arg-type]
        self.name = name
        self.csrf = csrf_of(self.client)
        self.answers: list[tuple[str, int, str]] = []

    def post(self, url: str, body: dict[str, str]) -> None:
        r = self.client.post(url, json=body, headers={"X-CSRF-Token": self.csrf})
        self.answers.append((url, r.status_code, r.text if r.status_code != 200 else ""))

    def get(self, url: str) -> None:
        r = self.client.get(url)
        self.answers.append((url, r.status_code, "" if r.status_code == 200 else r.text))

    def failures(self) -> list[tuple[str, int, str]]:
        return [a for a in self.answers if a[1] != 200]


def run_all(*jobs: threading.Thread) -> None:
    for job in jobs:
        job.start()
    for job in jobs:
        job.join(120)
        assert not job.is_alive()


def test_two_coders_on_the_same_segments_lose_nothing(study: Study) -> None:
    # Two explorers (two processes' worth of apps) and a second session of one coder.
    anna_app, bo_app = create_app(study, coder="anna"), create_app(study, coder="bo")
    anna, anna2, bo = Coder(anna_app, "anna"), Coder(anna_app, "anna"), Coder(bo_app, "bo")
    ids = segment_ids(study, 24)
    themes = ("Relationen", "De rette tilbud")

    def work(coder: Coder, theme: str, memo_prefix: str, ids: list[str]) -> None:
        for i, seg in enumerate(ids):
            coder.post("/api/code", {"segment": seg, "theme": theme, "action": "add"})
            coder.post("/api/memo", {"segment": seg, "text": f"{memo_prefix} {i}"})
            if i % 4 == 0:  # a toggle off and on again: the end state is still coded
                coder.post("/api/code", {"segment": seg, "theme": theme, "action": "toggle"})
                coder.post("/api/code", {"segment": seg, "theme": theme, "action": "toggle"})
            if i % 6 == 0:
                coder.get("/tema/relationen")

    run_all(
        threading.Thread(target=work, args=(anna, themes[0], "anna a", ids)),
        threading.Thread(target=work, args=(anna2, themes[1], "anna b", ids[::-1])),
        threading.Thread(target=work, args=(bo, themes[0], "bo", ids)),
        threading.Thread(target=work, args=(bo, themes[1], "bo", [])),  # an idle one
    )
    for coder in (anna, anna2, bo):
        assert coder.failures() == [], coder.failures()[:3]
    mine = person_codings(study, "anna")
    assert set(mine) == {(s, t) for s in ids for t in themes}
    assert set(mine.values()) <= set(COUNTED)
    assert set(person_codings(study, "bo")) == {(s, themes[0]) for s in ids}
    assert memos_of(study, "anna") == {(s, f"anna a {i}") for i, s in enumerate(ids)} | {
        (s, f"anna b {i}") for i, s in enumerate(ids[::-1])
    }
    assert len(memos_of(study, "bo")) == len(ids)
    # Both apps show every coding at once (each noticed the other's writes).
    for c in (anna.client, bo.client):
        count = re.search(r'data-count-theme="Relationen">(\d+)<', c.get("/").text)
        assert count and int(count.group(1)) == len(ids)


def _suggested_marks(client: TestClient, source: str) -> int:
    return client.get("/kilde", params={"sti": source}).text.count('data-state="suggested"')


def test_cli_coding_while_the_explorer_writes(study: Study) -> None:
    app = create_app(study, coder="anna")
    anna, bo = Coder(app, "anna"), Coder(create_app(study, coder="bo"), "bo")
    source = "transcripts/fokusgruppe_familie_skole.md"
    assert _suggested_marks(anna.client, source) == 0  # imported, not coded yet
    ids = segment_ids(study, 400)
    cli = subprocess.Popen(
        [sys.executable, "-m", "journeylab", "code", str(study.root)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    during: list[int] = []  # writes answered while the CLI was still running

    def work(coder: Coder, theme: str) -> None:
        for i, seg in enumerate(ids):
            if cli.poll() is not None and i >= 40:
                break  # the CLI is done and there was enough overlap
            coder.post("/api/code", {"segment": seg, "theme": theme, "action": "add"})
            coder.post("/api/memo", {"segment": seg, "text": f"{coder.name} {i}"})
            if cli.poll() is None:
                during.append(i)
            if i % 10 == 0:
                coder.get("/")

    started = time.monotonic()
    run_all(
        threading.Thread(target=work, args=(anna, "Relationen")),
        threading.Thread(target=work, args=(bo, "Skolen og tidlig indsats")),
    )
    out, err = cli.communicate(timeout=120)
    assert cli.returncode == 0, err
    assert "suggestions for" in out and not TROUBLE.search(out + err), out + err
    assert during, f"the CLI finished before any write ({time.monotonic() - started:.1f} s)"
    for coder in (anna, bo):
        assert coder.failures() == [], coder.failures()[:3]
        assert not any(TROUBLE.search(text) for _, _, text in coder.answers)
    written = {c.name: {a[0] for a in c.answers} for c in (anna, bo)}
    assert written["anna"] >= {"/api/code", "/api/memo"}
    # Every write the coders got a 200 for is in the store, none turned into a suggestion.
    n_anna = sum(1 for url, _, _ in anna.answers if url == "/api/code")
    n_bo = sum(1 for url, _, _ in bo.answers if url == "/api/code")
    mine = person_codings(study, "anna")
    assert set(mine) == {(s, "Relationen") for s in ids[:n_anna]}
    assert set(mine.values()) <= set(COUNTED)
    assert set(person_codings(study, "bo")) == {(s, "Skolen og tidlig indsats") for s in ids[:n_bo]}
    assert memos_of(study, "anna") == {(s, f"anna {i}") for i, s in enumerate(ids[:n_anna])}
    # The running explorer shows the CLI's new suggestions without a restart.
    assert _suggested_marks(anna.client, source) > 0
    with open_store(study) as store:
        machine = store.codings(statuses=[CodingStatus.SUGGESTED])
        assert machine and store.integrity_ok()

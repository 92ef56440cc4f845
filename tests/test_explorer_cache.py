"""The explorer's snapshot per store version, its cached blocks, findings built behind.

explorer_cache.py, explorer_blocks.py and explorer_worker.py.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from journeylab.coding.model import CodingStatus
from journeylab.coding.store import open_store
from journeylab.coding.study import Study
from journeylab.themes.explorer import create_app
from tests.conftest import csrf_of
from tests.explorer_support import (
    coded_marks,
    explorer_fixtures,
    first_segment,
    post,
    theme_number,
    theme_segments,
)

study, client = explorer_fixtures("explorer_built")


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
    from journeylab.themes.explorer_index import SIDE_ROLES

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
        if s not in theme_segments(client.get(slug).text)
    )
    response = client.post(
        "/api/code",
        json={"segment": segment, "theme": theme, "action": "add"},
        headers={"X-CSRF-Token": csrf},
    )
    assert response.status_code == 200 and response.json()["counts"][theme] == before + 1
    page = client.get(slug).text  # the findings are still being rebuilt
    assert 'class="updating"' in page and "Opdaterer" in page
    assert int(count.findall(page)[0]) == before + 1 and segment in theme_segments(page)
    release.set()
    cache.wait()
    assert cache.builds == builds + 1
    assert 'class="updating"' not in client.get(slug).text


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


def test_the_explorer_reads_journeys_from_the_cache_import_filled(
    study: Study, monkeypatch: pytest.MonkeyPatch
) -> None:
    from journeylab.journeys import cache as journey_cache
    from journeylab.journeys import readers
    from journeylab.journeys.readers import read_journeys

    expected = read_journeys(study.journey_files(), relative=study.relative)
    parsed: list[Path] = []
    real = journey_cache.read_journey_file

    def counting(path: Path, **kwargs: object) -> object:
        parsed.append(path)
        return real(path, **kwargs)  # type: ignore[arg-type]

    # Either way of parsing a file is counted: through the cache or straight from readers.
    monkeypatch.setattr(journey_cache, "read_journey_file", counting)
    monkeypatch.setattr(readers, "read_journey_file", counting)
    app = create_app(study, include_suggestions=0.3)
    assert parsed == []  # every journey file came from the cache the import wrote
    assert app.state.explorer.journeys == expected  # the same journeys, in the same order
    # A journey file changed since the import is parsed again, not served stale.
    first = study.journey_files()[0]
    first.write_bytes(first.read_bytes() + b"\n")
    create_app(study, include_suggestions=0.3)
    assert parsed == [first]

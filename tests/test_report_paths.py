"""The report's paths through a real store: the example study end to end, and the fast
paths (journey cache, SQL counting, quick reads, paused collector) byte for byte."""

from __future__ import annotations

import re
from pathlib import Path

import pytest


def test_report_from_the_store_of_the_example_study(tmp_path: Path) -> None:
    import shutil

    from journeylab.coding.importer import import_study
    from journeylab.coding.model import CodingStatus
    from journeylab.coding.store import open_store
    from journeylab.coding.study import example_study_path, load_study
    from journeylab.themes.report import load_findings, report_study

    root = tmp_path / "fjordby"
    shutil.copytree(example_study_path(), root, ignore=shutil.ignore_patterns(".journeylab"))
    study = load_study(root)
    import_study(study)
    with open_store(study) as store:
        themes = [t.name for t in store.themes()] or ["Relationen"]
        segments = [s for s in store.segments() if s.role.value != "interviewer"]
        young = next(s for s in segments if s.role.value == "ung")
        staff = next(s for s in segments if s.role.value == "medarbejder")
        store.set_coding(young.id, themes[0], "anna", CodingStatus.MANUAL)
        store.set_coding(staff.id, themes[0], "anna", CodingStatus.ACCEPTED)
    findings, _participants = load_findings(study)
    first = findings.themes[0]
    assert first.name == themes[0]
    assert first.group("unge").quantity.count == 1
    assert first.group("medarbejdere").quantity.count == 1
    out = report_study(study, tmp_path / "rapport.html")
    text = out.read_text(encoding="utf-8")
    assert text.count("Hvad siger de unge?") == len(findings.themes)
    for real, _ in study.names:
        assert not re.search(rf"\b{re.escape(real.split()[0])}\b", text, re.I)


def test_the_fast_paths_render_the_same_bytes_as_the_plain_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """libyaml, the word caches, the paused collector, the journey cache, the counting in
    SQL, the quick segment read and the shared hint index change no byte of a report."""
    import contextlib
    import gc
    import shutil

    from journeylab import yamlfast
    from journeylab.coding.autocode import code_study
    from journeylab.coding.importer import import_study
    from journeylab.coding.study import example_study_path, load_study
    from journeylab.themes import quotes, report
    from journeylab.themes.report import report_study

    root = tmp_path / "fjordby"
    shutil.copytree(example_study_path(), root, ignore=shutil.ignore_patterns(".journeylab"))
    study = load_study(root)
    import_study(study)
    code_study(study, coder="rules")
    from journeylab.coding.model import CodingStatus
    from journeylab.coding.store import Store, open_store
    from journeylab.journeys import cache
    from journeylab.journeys.readers import read_journeys
    from journeylab.themes import findings
    from journeylab.themes.findings_tables import counted_pairs

    with open_store(study) as store:  # a person's say, so counting meets every status
        first, second, third = store.codings()[:3]
        store.set_coding(first.segment_id, first.theme, "anna", CodingStatus.REJECTED)
        store.set_coding(second.segment_id, second.theme, "anna", CodingStatus.ACCEPTED)
        store.set_coding(third.segment_id, "Relationen", "anna", CodingStatus.MANUAL)
    fast = {}
    for fmt in ("html", "md"):
        assert gc.isenabled()
        out = report_study(
            study, tmp_path / "fast" / f"rapport.{fmt}", include_suggestions=0.3, fmt=fmt
        )
        assert gc.isenabled()  # the collector is back on after the report
        fast[fmt] = out.read_bytes()
    assert b"Relationen" in fast["html"]
    monkeypatch.setattr(yamlfast, "FAST_LOADER", None)
    monkeypatch.setattr(report, "paused_gc", contextlib.nullcontext)
    monkeypatch.setattr(quotes, "_word_facts", quotes._word_facts.__wrapped__)
    quotes.trim.cache_clear()
    monkeypatch.setattr(
        cache,
        "cached_journeys",
        lambda s: read_journeys(s.journey_files(), relative=s.relative),
    )
    monkeypatch.setattr(
        Store,
        "counted_codings",
        lambda self, t: [(a, b, *v) for (a, b), v in counted_pairs(self.codings(), t).items()],
    )
    monkeypatch.setattr(Store, "segments_quickly", Store.segments)
    monkeypatch.setattr(findings, "_frozen", lambda cls, **fields: cls(**fields))
    # An index without the hints: build_statements makes its own for each call.
    empty_index = findings.HintIndex([])
    monkeypatch.setattr(findings, "HintIndex", lambda words: empty_index)
    for fmt in ("html", "md"):
        out = report_study(
            study, tmp_path / "plain" / f"rapport.{fmt}", include_suggestions=0.3, fmt=fmt
        )
        assert out.read_bytes() == fast[fmt]
    fast_svgs = sorted((tmp_path / "fast" / "rapport-filer").iterdir())
    plain_svgs = sorted((tmp_path / "plain" / "rapport-filer").iterdir())
    assert [p.name for p in fast_svgs] == [p.name for p in plain_svgs]
    assert all(a.read_bytes() == b.read_bytes() for a, b in zip(fast_svgs, plain_svgs, strict=True))


def test_paused_gc_restores_the_collector_as_it_was() -> None:
    import gc

    from journeylab.themes.report import paused_gc

    assert gc.isenabled()
    with paused_gc():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with paused_gc():
            pass
        assert not gc.isenabled()  # a caller's own choice is kept
    finally:
        gc.enable()
    with pytest.raises(ValueError), paused_gc():
        raise ValueError
    assert gc.isenabled()

"""Shared fixtures: the spaCy pipeline (built once), a tiny study on disk, and the
example study copied, imported and machine-coded for the explorer's tests."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from spacy.language import Language
from starlette.testclient import TestClient

from journeylab.coding.nlp import get_nlp
from journeylab.coding.study import Study, example_study_path, load_study

# The lemma table's SQLite copy (coding/lemmadb.py) goes to the user's cache folder;
# the tests build their own, once per run, and never touch the real one. Set before
# any test (or CLI subprocess, which inherits it) lemmatises anything.
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="journeylab-test-cache-")

STUDY_TOML = """\
[study]
title = "Ungeindsatsen i Testby Kommune"
municipality = "Testby Kommune"
language = "da"
codebook = "codebook.yaml"

[roles]
default = "medarbejder"

[names]
"Rikke Holm" = "Sofie"
"""

CODEBOOK = """\
name: test
language: da
themes:
  - name: Relationen
    description: Den unges relation til en fast voksen, tillid og skift af sagsbehandler.
    keywords: [sagsbehandler, kontaktperson, tillid]
    examples:
      - Jeg har haft mange sagsbehandlere og skulle fortælle det hele forfra.
  - name: Skolen
    description: Skolen, lærerne, fravær og trivsel i grundskolen.
    keywords: [skole, lærer, fravær]
    examples:
      - Min lærer opdagede ikke, at jeg havde det svært.
  - name: Overgangen til voksen
    description: Overgangen ved 18 år fra børneområdet til voksenområdet.
    keywords: [18 år, voksenområdet, efterværn]
    examples:
      - Da jeg fyldte 18, skulle jeg pludselig have en ny rådgiver.
"""

TRANSCRIPT = """\
---
title: Fokusgruppe med medarbejdere
date: 2026-03-12
participants:
  Interviewer: {role: interviewer}
  Lone: {role: medarbejder, pseudonym: Medarbejder 1}
  Karsten: {role: leder}
---
Interviewer: Hvordan oplever I overgangen fra skole til ungdomsuddannelse?

Lone: Vi ser tit, at de unge får en ny sagsbehandler, når de fylder 18 år.

Karsten: Skolen og UU taler ikke nok sammen. Fraværet bliver opdaget for sent.
"""

JOURNEYS_CSV = """\
journey,colour,text,stage,pseudonym
J01,gul,Starter i folkeskolen,school,Sara
J01,grøn,God klasselærer,,
J01,rød,Blev drillet i frikvartererne,,
J01,gul,Får ny sagsbehandler,transition_18,
J01,rød,Skulle fortælle det hele forfra,,
J02,yellow,Starter på produktionsskole,youth_education,Ali
J02,green,Mentoren lyttede til mig,,
"""


def write_study(root: Path, files: dict[str, str] | None = None) -> Study:
    """Write a small study under *root*: study.toml, codebook, one journey CSV and
    one transcript, with *files* (relative path -> text) added or replacing those."""
    content = {
        "study.toml": STUDY_TOML,
        "codebook.yaml": CODEBOOK,
        "journeys/rejser.csv": JOURNEYS_CSV,
        "transcripts/fokusgruppe.txt": TRANSCRIPT,
    }
    content.update(files or {})
    for rel, text in content.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return load_study(root)


@pytest.fixture(scope="session")
def nlp() -> Language:
    """The embedded Danish pipeline, built once for the test session."""
    return get_nlp("da")


@pytest.fixture
def make_study(tmp_path: Path) -> Callable[..., Study]:
    """Call as make_study() or make_study({"transcripts/x.txt": "..."})."""

    def make(files: dict[str, str] | None = None) -> Study:
        return write_study(tmp_path / "study", files)

    return make


def coded_example(root: Path, extra: dict[str, str] | None = None, *, code: bool = True) -> Study:
    """The example study copied to *root* (never its store), with *extra* files
    (relative path -> text) written in, imported and, with *code*, machine-coded."""
    from journeylab.coding.autocode import code_study
    from journeylab.coding.importer import import_study

    shutil.copytree(example_study_path(), root, ignore=shutil.ignore_patterns(".journeylab"))
    for rel, text in (extra or {}).items():
        (root / rel).write_text(text, encoding="utf-8")
    study = load_study(root)
    import_study(study)
    if code:
        code_study(study)
    return study


def copy_study(built: Path, tmp_path: Path) -> Study:
    """A fresh copy of a study built once for the session, for a test that writes."""
    root = tmp_path / built.name
    shutil.copytree(built, root)
    return load_study(root)


def csrf_of(client: TestClient) -> str:
    """The explorer session's CSRF token, from the page's meta tag."""
    match = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/").text)
    assert match
    return match.group(1)


def code_by_hand(root: Path, study: str, pick: Callable[[Any], bool], theme: str) -> list[str]:
    """Code the segments of *root*/*study* that *pick* selects, as a person ("test")
    would, MANUAL; returns their texts."""
    from journeylab.coding.model import CodingStatus
    from journeylab.coding.store import open_store

    texts = []
    with open_store(load_study(root / study)) as store:
        for seg in store.segments():
            if pick(seg):
                store.set_coding(seg.id, theme, "test", CodingStatus.MANUAL)
                texts.append(seg.text)
    return texts


# -- the explorer's studies, built once a session (helpers in explorer_support.py) ----


@pytest.fixture(scope="session")
def explorer_built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example study plus a hostile transcript, imported and machine-coded once."""
    from tests.explorer_support import XSS_SOURCE, XSS_TRANSCRIPT

    root = tmp_path_factory.mktemp("explorer") / "fjordby"
    return coded_example(root, {XSS_SOURCE: XSS_TRANSCRIPT}).root


@pytest.fixture(scope="session")
def hostile_built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Fjordby plus hostile text in every place a user can type, imported and coded once."""
    from tests.explorer_support import build_hostile_study

    return build_hostile_study(tmp_path_factory.mktemp("security") / "fjordby")


def write_csv(tmp_path: Path, body: str, name: str = "rejser.csv") -> Path:
    """Write *body* as a UTF-8 journey table in *tmp_path* (test_readers, test_tables)."""
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return path


def codings_of(study: Study) -> set[tuple[str, str, str, str]]:
    """(source file stem, segment text, theme, coder) of every accepted and manual
    coding: what must survive a REFI-QDA round trip (test_qdpx, test_qdpx_read)."""
    from journeylab.coding.model import CodingStatus
    from journeylab.coding.store import open_store

    with open_store(study) as store:
        segs = {s.id: s for s in store.segments()}
        return {
            (Path(segs[c.segment_id].source).stem, segs[c.segment_id].text, c.theme, c.coder)
            for c in store.codings(statuses=[CodingStatus.ACCEPTED, CodingStatus.MANUAL])
        }

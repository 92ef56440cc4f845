"""Shared fixtures: the spaCy pipeline (built once), a tiny study on disk, and the
example study copied, imported and machine-coded for the explorer's tests."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from spacy.language import Language
from starlette.testclient import TestClient

from journeylab.coding.model import Codebook, CodingStatus, Role, Segment, SegmentKind, Theme
from journeylab.coding.nlp import get_nlp
from journeylab.coding.study import Study, example_study_path, load_study
from journeylab.journeys.model import Colour, Note, Stage, Step

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


def code_small_study(study: Study, *codings: tuple[str, str, str, CodingStatus]) -> Study:
    """Import *study* (write_study's) and set each of *codings*: (whose, theme, coder,
    status), whose being "Lone" or "Karsten" (their turn in the focus group) or "note"
    (the journey note "God klasselærer")."""
    from journeylab.coding.importer import import_study
    from journeylab.coding.store import open_store

    import_study(study)
    with open_store(study) as store:
        turns = store.segments(source="transcripts/fokusgruppe.txt")
        ids = {
            "Lone": next(s.id for s in turns if s.speaker == "Lone"),
            "Karsten": next(s.id for s in turns if s.speaker == "Karsten"),
            "note": next(s.id for s in store.segments() if s.text == "God klasselærer"),
        }
        for whose, theme, coder, status in codings:
            store.set_coding(ids[whose], theme, coder, status)
    return study


def code_by_hand(root: Path, study: str, pick: Callable[[Any], bool], theme: str) -> list[str]:
    """Code the segments of *root*/*study* that *pick* selects, as a person ("test")
    would, MANUAL; returns their texts."""
    from journeylab.coding.store import open_store

    texts = []
    with open_store(load_study(root / study)) as store:
        for seg in store.segments():
            if pick(seg):
                store.set_coding(seg.id, theme, "test", CodingStatus.MANUAL)
                texts.append(seg.text)
    return texts


def person_coded_programme(root: Path, secret: str) -> Path:
    """The example programme copied to *root* without machine suggestions, imported, and
    coded Relationen by hand in Aaby: the green notes of journeys A01 and A02, Trine's
    turns, and Gitte's turns holding *secret* (client-only), the first of them pinned."""
    from journeylab.coding.importer import import_study
    from journeylab.coding.store import open_store
    from journeylab.themes.synthesis_report import example_programme_path

    shutil.copytree(example_programme_path(), root, ignore=shutil.ignore_patterns(".journeylab"))
    toml = root / "programme.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8").replace("include_suggestions = 0.5", ""), encoding="utf-8"
    )
    for key in ("aaby", "bakkedal", "strandvig"):
        import_study(load_study(root / key))
    code_by_hand(
        root, "aaby", lambda s: s.journey in ("A01", "A02") and s.colour == "green", "Relationen"
    )
    code_by_hand(root, "aaby", lambda s: s.speaker == "Trine", "Relationen")
    texts = code_by_hand(
        root, "aaby", lambda s: s.speaker == "Gitte" and secret in s.text, "Relationen"
    )
    assert texts
    with open_store(load_study(root / "aaby")) as store:
        pos = next(s.id for s in store.segments() if s.text == texts[0]).split("#")[1]
    aaby = root / "aaby" / "study.toml"
    pinned = f'pinned = ["transcripts/fokusgruppe_ledere.md#{pos}"]\n'
    aaby.write_text(aaby.read_text(encoding="utf-8").replace("[report]\n", "[report]\n" + pinned))
    return root


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
    from journeylab.coding.store import open_store

    with open_store(study) as store:
        segs = {s.id: s for s in store.segments()}
        return {
            (Path(segs[c.segment_id].source).stem, segs[c.segment_id].text, c.theme, c.coder)
            for c in store.codings(statuses=[CodingStatus.ACCEPTED, CodingStatus.MANUAL])
        }


# -- segments and codebooks by hand, for the coders (test_rules*, test_similarity, ...) --


def seg(text: str, i: int = 0, lemmas: tuple[str, ...] = (), role: Role = Role.UNG) -> Segment:
    """Turn *i* of the source "t": *text* said by *role*, with *lemmas* if given."""
    return Segment(
        id=f"t#{i}",
        source="t",
        kind=SegmentKind.TURN,
        position=i,
        start=0,
        end=len(text),
        text=text,
        role=role,
        lemmas=lemmas,
    )


def book(*themes: tuple[str, tuple[str, ...]]) -> Codebook:
    """A codebook of (name, keywords) themes, each described "d"."""
    return Codebook("t", "da", tuple(Theme(n, "d", keywords=k) for n, k in themes))


# The rules coder's codebook: words, a number phrase and a two-word phrase.
CB = book(
    ("Relation", ("sagsbehandler", "tillid")),
    ("Skole", ("skole",)),
    ("Vejledning", ("uu", "9. klasse", "stole på")),
)


# -- journey steps by hand (test_analysis, test_svgmap) ---------------------------------


def step(
    text: str,
    stage: Stage | None = None,
    age: float | None = None,
    actor: str | None = None,
    green: Sequence[str] = (),
    red: Sequence[str] = (),
) -> Step:
    """A yellow event note (*text*) with its green and red notes."""
    return Step(
        event=Note(Colour.YELLOW, text, age=age, actor=actor, stage=stage),
        green=tuple(Note(Colour.GREEN, t) for t in green),
        red=tuple(Note(Colour.RED, t) for t in red),
    )


S, U, Y, T, A = (
    Stage.SCHOOL,
    Stage.UDSKOLING,
    Stage.YOUTH_EDUCATION,
    Stage.TRANSITION_18,
    Stage.ADULT,
)

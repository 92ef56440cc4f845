"""Hypothesis: random bytes and near-valid files never make a reader raise anything
but journeylab's own errors (which the CLI prints as one line)."""

from __future__ import annotations

import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from journeylab.coding.codebook import load_codebook
from journeylab.coding.review_io import read_rows
from journeylab.coding.study import load_study
from journeylab.coding.transcripts import read_transcript
from journeylab.errors import JourneylabError
from journeylab.journeys.readers import read_journey_file
from tests.conftest import CODEBOOK, JOURNEYS_CSV, STUDY_TOML, TRANSCRIPT

DATA = Path(__file__).parent / "data"
EXAMPLE = Path(__file__).parent.parent / "examples" / "fjordby"
FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _study_reader(path: Path) -> object:
    target = path.parent / "study.toml"
    path.replace(target)
    return load_study(path.parent)


# suffix -> (reader, a valid file to start near-valid variants from)
READERS: dict[str, tuple[Callable[[Path], object], bytes]] = {
    ".csv": (read_journey_file, JOURNEYS_CSV.encode()),
    ".yaml": (read_journey_file, (DATA / "journeys" / "journey.yaml").read_bytes()),
    ".xlsx": (read_journey_file, (EXAMPLE / "journeys" / "J08.xlsx").read_bytes()),
    ".txt": (read_transcript, TRANSCRIPT.encode()),
    ".md": (
        read_transcript,
        (EXAMPLE / "transcripts" / "fokusgruppe_familie_skole.md").read_bytes(),
    ),
    ".vtt": (read_transcript, (DATA / "transcripts" / "teams.vtt").read_bytes()),
    ".srt": (read_transcript, (DATA / "transcripts" / "interview.srt").read_bytes()),
    ".docx": (read_transcript, (EXAMPLE / "transcripts" / "fokusgruppe_ledere.docx").read_bytes()),
    "codebook.yml": (load_codebook, CODEBOOK.encode()),
    "study.toml": (_study_reader, STUDY_TOML.encode()),
    "sheet.csv": (
        read_rows,
        b"id;tekst;accepter forslag 1;tema 1;tema 2;tema 3;nyt tema;memo\n",
    ),
}


def only_our_errors(kind: str, data: bytes) -> None:
    reader = READERS[kind][0]
    with tempfile.TemporaryDirectory() as folder:
        name = kind if "." in kind[1:] else f"fil{kind}"
        path = Path(folder) / name
        path.write_bytes(data)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                reader(path)
            except JourneylabError as exc:
                assert "\n" not in exc.render()


@st.composite
def near_valid(draw: st.DrawFn, valid: bytes) -> bytes:
    """The valid file with a few bytes flipped, inserted, deleted or the end cut off."""
    data = bytearray(valid)
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["flip", "insert", "delete", "cut"]))
        i = draw(st.integers(0, max(len(data) - 1, 0)))
        if op == "flip" and data:
            data[i] = draw(st.integers(0, 255))
        elif op == "insert":
            data[i:i] = draw(st.sampled_from([b":", b"\n", b"---\n", b"\xff", b'"', b"[", b"\t"]))
        elif op == "delete" and data:
            del data[i : i + draw(st.integers(1, 20))]
        elif op == "cut":
            del data[i:]
    return bytes(data)


@pytest.mark.parametrize("kind", sorted(READERS))
@FAST
@given(data=st.binary(max_size=400))
def test_random_bytes_raise_only_our_errors(kind: str, data: bytes) -> None:
    only_our_errors(kind, data)


@pytest.mark.parametrize("kind", sorted(READERS))
@FAST
@given(data=st.data())
def test_near_valid_files_raise_only_our_errors(kind: str, data: st.DataObject) -> None:
    only_our_errors(kind, data.draw(near_valid(READERS[kind][1])))


@FAST
@given(text=st.text(alphabet=st.sampled_from("Lone: ,;\n\"'-#[]()0123456789æøå:>"), max_size=300))
def test_random_text_transcripts_raise_only_our_errors(text: str) -> None:
    only_our_errors(".txt", text.encode())
    only_our_errors(".csv", ("rejse,farve,tekst\n" + text).encode())

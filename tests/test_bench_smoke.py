"""Smoke run of the benchmark tools: the generator writes a study journeylab reads,
and bench/run.py's phases and tables work on it. Not a timed test."""

from __future__ import annotations

import collections
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from journeylab.bench import generate, run
from journeylab.coding.importer import import_study
from journeylab.coding.store import open_store
from journeylab.coding.study import load_study

WORDS = 8_000
SMALL = (700, 1_000)  # focus-group size, so five of them fit in WORDS


@pytest.fixture(scope="module")
def small_study(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("bench") / "study"
    generate.generate_study(root, WORDS, seed=7, transcript_words=SMALL)
    return root


def _content(path: Path) -> object:
    if path.suffix == ".xlsx":  # openpyxl stamps the zip entries with the time of saving
        from openpyxl import load_workbook

        return [list(r) for r in load_workbook(path).active.iter_rows(values_only=True)]
    return path.read_bytes()


def _texts(root: Path) -> dict[str, object]:
    return {
        p.relative_to(root).as_posix(): _content(p)
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".journeylab" not in p.parts
    }


@given(st.integers(min_value=1, max_value=9_999), st.sampled_from(["", "k", "K", "m", "M"]))
def test_parse_size_reads_what_size_label_writes(n: int, unit: str) -> None:
    words = generate.parse_size(f"{n}{unit}")
    assert words == n * {"": 1, "k": 1_000, "m": 1_000_000}[unit.lower()]
    assert generate.parse_size(generate.size_label(words)) == words


def test_parse_size_rejects_nonsense() -> None:
    with pytest.raises(ValueError):
        generate.parse_size("lots")


def test_same_seed_same_files_other_seed_other_text(tmp_path: Path) -> None:
    a = generate.generate_study(tmp_path / "a", WORDS, seed=3, transcript_words=SMALL)
    b = generate.generate_study(tmp_path / "b", WORDS, seed=3, transcript_words=SMALL)
    c = generate.generate_study(tmp_path / "c", WORDS, seed=4, transcript_words=SMALL)
    assert _texts(a.root) == _texts(b.root)
    assert _texts(a.root) != _texts(c.root)


def test_generated_study_imports_with_every_format(small_study: Path) -> None:
    study = load_study(small_study)
    report = import_study(study)
    suffixes = {Path(p).suffix for p in report.added}
    assert suffixes == {".yaml", ".csv", ".xlsx", ".md", ".txt", ".docx", ".vtt", ".srt"}
    with open_store(study) as store:
        words = sum(s.words for s in store.sources())
        roles = collections.Counter(s.role.value for s in store.segments() if s.role)
    # The size asked for is the size read back (labels and front matter aside).
    assert 0.9 * WORDS <= words <= 1.25 * WORDS
    assert roles["interviewer"] and roles["ung"]
    assert roles["medarbejder"] + roles["leder"] > roles["interviewer"]


def test_generated_text_carries_the_domain_compounds(tmp_path: Path) -> None:
    g = generate.generate_study(tmp_path / "s", 40_000, seed=1)
    text = " ".join(
        p.read_text(encoding="utf-8")
        for p in (g.root / "transcripts").iterdir()
        if p.suffix != ".docx"
    ).lower()
    for compound in ("sagsbehandlerskift", "uddannelsespålæg", "produktionsskolen"):
        assert re.search(compound, text), compound
    assert ":" not in "".join(generate.vocab.FILLER)  # a colon could read as a speaker


def test_bench_phases_and_tables(small_study: Path, tmp_path: Path) -> None:
    study = load_study(small_study)
    if not study.store_path.exists():
        import_study(study)
    measures = {p: run.run_phase(p, small_study) for p in ("tokenizer", "md")}
    assert measures["tokenizer"].info["tokens"] > WORDS
    assert "# Syntetisk partnerskab" in (small_study / "report.md").read_text(encoding="utf-8")
    assert all(m.seconds > 0 and m.rss_mb > 10 for m in measures.values())
    fake = {p: run.Measure(p, 1.0, 100.0, {}) for p in run.PHASES}
    runs = [
        {
            "label": "8k",
            "words": WORDS,
            "segments": 10,
            "largest_md": 300,
            "results": fake,
            "explorer": "not run",
        }
    ]
    out = tmp_path / "RESULTS.md"
    out.write_text("old\n\n" + run.KEEP + "\nkept notes\n", encoding="utf-8")
    run.write_results(runs, out)
    text = out.read_text(encoding="utf-8")
    assert "| 8k | import | 1.00 |" in text
    assert "re-code ≥ 5× faster | 2.0× | **missed**" in text
    assert text.rstrip().endswith("kept notes") and "old" not in text.split(run.KEEP)[0]
    assert "Python" in text and "spacy" in text

"""The coding export: rows per segment and theme, turns merged, names pseudonymised."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import load_workbook

from journeylab.coding.export import COLUMNS, export_codings
from journeylab.coding.importer import import_study
from journeylab.coding.model import CodingStatus, SegmentKind, Suggestion, Theme
from journeylab.coding.store import open_store
from journeylab.coding.study import Study, load_study
from journeylab.errors import InputError, PrivacyError

T = "transcripts/fokusgruppe.txt"
LONG = (
    "Rikke Holm: Første sætning om skolen. Anden sætning om Rikke Holm. Tredje sætning her. "
    "Fjerde sætning om fravær. Femte sætning om UU. Sjette sætning til sidst.\n"
)
TRANSCRIPT = (
    """\
---
title: Fokusgruppe
participants:
  Interviewer: {role: interviewer}
  Lone: {role: medarbejder, pseudonym: Medarbejder 1}
  Rikke Holm: {role: leder}
---
Interviewer: Hvordan går det?

Lone: Rikke Holm ringede til mig om sagsbehandleren.

"""
    + LONG
)


@pytest.fixture
def study(make_study: Callable[..., Study]) -> Study:
    study = make_study({T: TRANSCRIPT})
    import_study(study)
    with open_store(study) as store:
        segs = store.segments(source=T)
        windows = [s for s in segs if s.kind is SegmentKind.SENTENCES]
        assert len(windows) == 2
        lone = next(s for s in segs if s.speaker == "Lone")
        store.replace_suggestions(
            "machine:ensemble",
            [
                Suggestion(windows[0].id, "Skolen", 0.3, 2, "ensemble"),
                Suggestion(windows[1].id, "Skolen", 0.6, 1, "ensemble"),
                Suggestion(lone.id, "Relationen", 0.9, 1, "ensemble"),
            ],
        )
        store.set_coding(lone.id, "Relationen", "anna", CodingStatus.ACCEPTED)
    return study


def read_csv(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs for æ, ø, å
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_csv_has_a_row_per_segment_and_theme(study: Study, tmp_path: Path) -> None:
    out = tmp_path / "kodning.csv"
    n = export_codings(study, out)
    rows = read_csv(out)
    assert len(rows) == n
    assert tuple(rows[0]) == COLUMNS
    by_theme = [
        (r["speaker"], r["theme"], r["coder"], r["status"]) for r in rows if r["source"] == T
    ]
    assert ("Interviewer", "", "", "") in by_theme  # uncoded segments still get a row
    assert ("Medarbejder 1", "Relationen", "anna", "accepted") in by_theme
    assert ("Medarbejder 1", "Relationen", "machine:ensemble", "suggested") in by_theme
    # Every journey note is there too, uncoded.
    assert sum(1 for r in rows if r["source"] == "journeys/rejser.csv") == 7


def test_real_names_never_reach_the_sheet(study: Study, tmp_path: Path) -> None:
    out = tmp_path / "kodning.csv"
    export_codings(study, out)
    text = out.read_text(encoding="utf-8-sig")
    assert "Rikke" not in text and "Holm" not in text
    assert "Lone" not in text  # shown by the pseudonym the participant has
    assert "Sofie (opdigtet navn) ringede til mig" in text


def test_offsets_and_text_match_the_source(study: Study, tmp_path: Path) -> None:
    out = tmp_path / "k.csv"
    export_codings(study, out)
    with open_store(study) as store:
        src = store.source(T)
    assert src is not None
    for r in read_csv(out):
        if r["source"] == T and r["speaker"] == "Medarbejder 1":
            assert src.text[int(r["start"]) : int(r["end"])].startswith("Rikke Holm ringede")


def test_turn_unit_merges_windows_with_the_best_score(study: Study, tmp_path: Path) -> None:
    out = tmp_path / "turns.csv"
    export_codings(study, out, unit="turn")
    rows = [r for r in read_csv(out) if r["theme"] == "Skolen"]
    [row] = rows
    assert float(row["score"]) == pytest.approx(0.6) and row["rank"] == "1"
    assert row["text"].startswith("Første sætning") and row["text"].endswith("til sidst.")
    assert len(row["segment_id"].split()) == 2
    per_segment = tmp_path / "segments.csv"
    export_codings(study, per_segment, unit="segment")
    assert len([r for r in read_csv(per_segment) if r["theme"] == "Skolen"]) == 2


def test_statuses_filter_keeps_only_those_codings(study: Study, tmp_path: Path) -> None:
    out = tmp_path / "k.csv"
    export_codings(study, out, statuses=[CodingStatus.ACCEPTED])
    themed = [r for r in read_csv(out) if r["theme"]]
    assert [(r["theme"], r["coder"]) for r in themed] == [("Relationen", "anna")]


def test_xlsx_has_a_frozen_header_and_wide_text_column(study: Study, tmp_path: Path) -> None:
    out = tmp_path / "kodning.xlsx"
    n = export_codings(study, out, fmt="xlsx")
    ws = load_workbook(out).active
    assert ws is not None
    assert ws.freeze_panes == "A2"
    assert tuple(c.value for c in ws[1]) == COLUMNS
    assert ws.max_row == n + 1
    text_col = "ABCDEFGHIJKLM"[COLUMNS.index("text")]
    assert ws.column_dimensions[text_col].width >= 60


def test_bad_format_writes_nothing_and_keeps_an_old_file(study: Study, tmp_path: Path) -> None:
    out = tmp_path / "k.csv"
    out.write_text("old", encoding="utf-8")
    with pytest.raises(InputError, match="unknown format"):
        export_codings(study, out, fmt="pdf")
    with pytest.raises(InputError, match="unknown unit"):
        export_codings(study, out, unit="paragraph")
    assert out.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir() if p.name != "study"] == ["k.csv"]


# -- Every cell is checked for real names before anything is written --------------------


def named_after_import(study: Study, real: str, fake: str) -> Study:
    """The consultant adds a name to [names] after the material was imported."""
    toml = study.toml_path.read_text(encoding="utf-8")
    study.toml_path.write_text(toml + f'"{real}" = "{fake}"\n', encoding="utf-8")
    return load_study(study.root)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_name_in_a_file_name_refuses_the_export_and_keeps_the_old_file(
    make_study: Callable[..., Study], tmp_path: Path, fmt: str
) -> None:
    first = make_study({T: TRANSCRIPT, "transcripts/samtale_Åse.txt": "Lone: Om skolen.\n"})
    import_study(first)
    study = named_after_import(first, "Åse", "Karen")
    out = tmp_path / f"kodning.{fmt}"
    out.write_bytes(b"old")
    with pytest.raises(PrivacyError) as info:
        export_codings(study, out, fmt=fmt)
    message = str(info.value)
    assert "column 'source'" in message and "('Åse')" in message
    assert "rename the file" in message and "add the name to [names]" not in message
    assert out.read_bytes() == b"old"


@pytest.mark.parametrize(
    ("theme", "coder", "column"),
    [("Holms sag", "anna", "theme"), ("Skolen", "Rikke", "coder")],
)
def test_a_theme_or_coder_naming_a_person_refuses_the_export(
    study: Study, tmp_path: Path, theme: str, coder: str, column: str
) -> None:
    with open_store(study) as store:
        if theme not in {t.name for t in store.themes()}:
            store.add_theme(Theme(theme, "Fra før navnene blev tjekket."))
        lone = next(s for s in store.segments(source=T) if s.speaker == "Lone")
        store.set_coding(lone.id, theme, coder, CodingStatus.MANUAL)
    out = tmp_path / "kodning.csv"
    with pytest.raises(PrivacyError, match=rf"kodning\.csv, row \d+, column '{column}'"):
        export_codings(study, out)
    assert not out.exists()

"""What `journeylab import` prints: the summary line and the kept-aside lines."""

from __future__ import annotations

from journeylab.coding.import_report import ImportReport, OrphanedCoding, short
from journeylab.coding.memo_anchor import OrphanedMemo
from journeylab.coding.model import CodingStatus


def test_summary_counts_files_segments_and_carried_codings() -> None:
    report = ImportReport(added=("a.md",), changed=("b.md", "c.md"), segments=12, reanchored=3)
    assert report.summary() == (
        "1 new, 2 changed, 0 unchanged, 0 removed files; 12 segments; 3 codings re-anchored"
    )
    assert ImportReport(memos_reanchored=2).summary().endswith(", 2 memos re-anchored")


def test_kept_aside_lines_quote_short_pseudonymised_text() -> None:
    gone = OrphanedCoding(
        "b.md", "Relationen", "AB", CodingStatus.MANUAL, "Jonas sagde " * 20, "gone"
    )
    report = ImportReport(orphaned=(gone,))
    [line] = report.kept_aside(lambda text: text.replace("Jonas", "Oliver"))
    assert line.startswith("kept aside: AB's 'Relationen' on b.md: \"Oliver sagde")
    assert "Jonas" not in line and line.endswith('…" (gone)')


def test_a_memo_kept_aside_is_listed_with_its_passage() -> None:
    memo = OrphanedMemo("b.md", "b.md#4", "AB", "vigtig", "Det sagde hun", "gone")
    [line] = ImportReport(orphaned_memos=(memo,)).kept_aside()
    assert line == 'kept aside: AB\'s memo "vigtig" on b.md: "Det sagde hun" (gone)'


def test_short_folds_whitespace_and_cuts_with_an_ellipsis() -> None:
    assert short("a  b\nc") == "a b c"
    assert short("x" * 80) == "x" * 69 + "…"
    assert short("x" * 10, limit=5) == "xxxx…"

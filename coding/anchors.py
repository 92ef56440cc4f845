"""Finding a copied passage again after its file changed: the one matcher re-import uses.

Codings and segment memos both carry a copy of the text they were made on (their
anchor) and its offsets. When the file changes, the importer looks the anchor up
in the new text (exact match nearest the old place, else a whitespace-insensitive
match) and moves the coding or memo to the new segment that overlaps it most.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from journeylab.coding.model import Segment, SegmentKind


def documents(
    segments: Sequence[Segment], source_text: str
) -> dict[str | None, tuple[str, list[Segment]]]:
    """The texts offsets point into: the transcript's (key None), or each journey's."""
    groups: dict[str | None, list[Segment]] = {}
    for seg in segments:
        groups.setdefault(document_key(seg), []).append(seg)
    out: dict[str | None, tuple[str, list[Segment]]] = {}
    for key, segs in groups.items():
        segs.sort(key=lambda s: s.start)
        if key is None:
            out[key] = (source_text, segs)
            continue
        text = ""
        for seg in segs:  # journey_text again: the notes one a line
            text += "\n" * (seg.start - len(text)) + seg.text
        out[key] = (text, segs)
    return out


def document_key(segment: Segment | None) -> str | None:
    """Which of `documents` a segment's offsets point into (a journey note: its journey)."""
    if segment is not None and segment.kind is SegmentKind.NOTE:
        return segment.journey
    return None


def find_anchor(anchor: str, old_start: int, text: str) -> tuple[int, int] | None:
    """Where *anchor* is in *text*: the exact occurrence nearest *old_start*, else a
    whitespace-insensitive one; None when it is gone."""
    if not anchor.strip():
        return None
    spans = []
    i = text.find(anchor)
    while i >= 0:
        spans.append((i, i + len(anchor)))
        i = text.find(anchor, i + 1)
    if not spans:
        pattern = r"\s+".join(re.escape(w) for w in anchor.split())
        spans = [(m.start(), m.end()) for m in re.finditer(pattern, text)]
    if not spans:
        return None
    return min(spans, key=lambda span: (abs(span[0] - old_start), span[0]))


def best_segment(segs: Sequence[Segment], start: int, end: int) -> Segment | None:
    """The segment that overlaps [start, end) most; None when none does."""
    best, best_overlap = None, 0
    for seg in segs:
        overlap = min(end, seg.end) - max(start, seg.start)
        if overlap > best_overlap:
            best, best_overlap = seg, overlap
    return best


def relocate(
    docs: dict[str | None, tuple[str, list[Segment]]],
    old: Segment | None,
    anchor: str,
    anchor_start: int,
) -> tuple[Segment, str, int, int] | None:
    """The new segment for an anchor that was on *old*, with the anchor as found
    (text, start, end); None when the text is gone."""
    text, segs = docs.get(document_key(old), ("", []))
    span = find_anchor(anchor, anchor_start, text)
    target = best_segment(segs, *span) if span else None
    if target is None or span is None:
        return None
    return target, text[span[0] : span[1]], span[0], span[1]

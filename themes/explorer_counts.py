"""What a theme counts and proposes, read from the codings for each store version.

`counted_segments` is what every coding click waits on (the snapshot of the new
version needs it); `open_suggestions` fills a theme page's review list. Both
follow findings' rules exactly; explorer_cache calls them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from journeylab.coding.store import Store

PENDING = 10  # machine suggestions shown for review on a theme page


def open_suggestions(store: Store, theme: str, coded: set[str]) -> tuple[str, ...]:
    """Segments the machine suggests for *theme* that no person has decided on, the
    PENDING with the highest score first (ties in the store's order).

    Highest first, not most uncertain first: a reviewer wants first what most likely
    belongs to the theme and is not counted yet. With --include-suggestions the
    suggestions at or above the threshold already count (they are on the page's two
    sides, not here), so this list then starts with those just below the threshold,
    the ones a decision moves into the count. File order made a 0.19 wait in front of
    a 0.9.
    """
    # The store's order was a sort too (codings_by_theme does not hold it): at 1M words
    # the score order costs ~19 ms a theme against ~15 ms, skipping the ~4,000 suggestions
    # that already count at --include-suggestions 0.5; once a theme and store version.
    rows = store.conn.execute(
        "SELECT c.segment_id FROM codings c WHERE c.theme = ?1 AND c.status = 'suggested'"
        " AND NOT EXISTS (SELECT 1 FROM codings p WHERE p.segment_id = c.segment_id"
        " AND p.theme = ?1 AND substr(p.coder, 1, 8) != 'machine:')"
        " ORDER BY c.score DESC, c.source, c.anchor_start",
        (theme,),
    )
    out: list[str] = []
    for (segment_id,) in rows:
        if segment_id not in coded and segment_id not in out:
            out.append(segment_id)
            if len(out) == PENDING:
                break
    return tuple(out)


def counted_segments(
    store: Store, order: dict[str, int], threshold: float | None
) -> dict[str, tuple[str, ...]]:
    """Theme -> the segments findings count for it, in findings order (source, position).

    The rule of findings._counted: a person's accepted or manual coding counts;
    with a threshold, so does a machine suggestion scoring at least that which no
    person rejected. *order* holds every segment that may count (interviewers'
    turns never do) with its place. Three plain scans and a set difference, not one
    query with a NOT EXISTS per suggestion: at 1M words (180,000 suggestions) that
    took ~1 s of every coding click, this ~0.5 s; tests hold the two to the same answer.
    """
    found: dict[str, set[str]] = {}

    def add(rows: Iterable[tuple[str, str]]) -> None:
        for theme, segment_id in rows:
            if segment_id in order:
                found.setdefault(theme, set()).add(segment_id)

    def rows(sql: str, *params: object) -> sqlite3.Cursor:
        cursor = store.conn.cursor()
        cursor.row_factory = None  # plain tuples, hashable and cheaper than sqlite3.Row
        return cursor.execute(sql, params)

    add(rows(COUNTED_SQL))
    if threshold is not None:
        rejected = set(rows(REJECTED_SQL))
        add(row for row in rows(SUGGESTED_SQL, threshold) if row not in rejected)
    return {theme: tuple(sorted(ids, key=order.__getitem__)) for theme, ids in found.items()}


# Each gives (theme, segment id) rows.
COUNTED_SQL = "SELECT theme, segment_id FROM codings WHERE status IN ('accepted', 'manual')"
REJECTED_SQL = "SELECT theme, segment_id FROM codings WHERE status = 'rejected'"
SUGGESTED_SQL = "SELECT theme, segment_id FROM codings WHERE status = 'suggested' AND score >= ?"

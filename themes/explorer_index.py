"""The explorer's per-segment filter values and each theme's index over them.

Built once per store version by explorer_cache.SnapshotCache: the theme page filters
and splits these light records (no text), and remembers the results per filter.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from journeylab.coding.model import Role
from journeylab.coding.store import Store
from journeylab.themes.privacy import Pseudonymiser

FILTERS = ("rolle", "kilde", "deltager", "fase", "farve")
MEMO = 256  # filter combinations remembered per theme and snapshot
SIDE_ROLES = {
    "unge": (Role.UNG.value,),
    "medarbejdere": (Role.MEDARBEJDER.value, Role.LEDER.value),
}


@dataclass(frozen=True)
class SegmentMeta:
    """What the theme page filters on, for one segment (no text: that is read per page)."""

    id: str
    role: str
    source: str
    participant: str  # "Rejse J01", a speaker's pseudonym, or the source
    stage: str
    colour: str
    position: int = 0

    def value(self, key: str) -> str:
        return {
            "rolle": self.role,
            "kilde": self.source,
            "deltager": self.participant,
            "fase": self.stage,
            "farve": self.colour,
        }[key]


@dataclass(frozen=True)
class ThemeIndex:
    """One theme's coded segments (findings order), filter options and open suggestions."""

    coded: tuple[SegmentMeta, ...]
    options: dict[str, tuple[str, ...]]
    pending: tuple[str, ...]
    # Per-filter results and rendered <option> lists: a theme of 9,000 segments
    # costs ~4 ms to filter and split, and its participant list ~2 ms to render.
    memo: dict[object, object] = field(default_factory=dict, compare=False, hash=False)

    def filtered(self, chosen: dict[str, str]) -> list[SegmentMeta]:
        wanted = {k: v for k, v in chosen.items() if v}
        if not wanted:
            return list(self.coded)
        return [m for m in self.coded if all(m.value(k) == v for k, v in wanted.items())]

    def sides(self, chosen: dict[str, str]) -> tuple[int, dict[str, tuple[SegmentMeta, ...]]]:
        """(how many match the filters, the matches on each side of the page)."""
        key = ("sides", *sorted((k, v) for k, v in chosen.items() if v))
        found = self.memo.get(key)
        if found is None:
            shown = self.filtered(chosen)
            split = {
                side: tuple(m for m in shown if m.role in roles)
                for side, roles in SIDE_ROLES.items()
            }
            found = (len(shown), split)
            if len(self.memo) < MEMO:
                self.memo[key] = found
        return found  # type: ignore[return-value]


def short_slug(anchor: str) -> str:
    """The theme's URL name: the findings anchor without its "tema-" prefix."""
    return anchor[len("tema-") :] if anchor.startswith("tema-") else anchor


def segment_meta(store: Store, names: Pseudonymiser) -> dict[str, SegmentMeta]:
    """Every segment's filter values, from one narrow query (no text, no lemmas)."""
    speakers: dict[str | None, str | None] = {}
    out = {}
    rows = store.conn.execute(
        "SELECT id, role, source, speaker, stage, colour, journey, position FROM segments"
    )
    for r in rows:
        speaker = r["speaker"]
        if speaker not in speakers:
            speakers[speaker] = names.speaker(speaker)
        label = f"Rejse {r['journey']}" if r["journey"] else (speakers[speaker] or r["source"])
        out[r["id"]] = SegmentMeta(
            r["id"],
            r["role"],
            r["source"],
            label,
            r["stage"] or "",
            r["colour"] or "",
            r["position"],
        )
    return out


def segment_order(meta: dict[str, SegmentMeta]) -> dict[str, int]:
    """The place of every segment that can count for a theme, in (source, position) order."""
    countable = [m for m in meta.values() if m.role != Role.INTERVIEWER.value]
    countable.sort(key=lambda m: (m.source, m.position))
    return {m.id: i for i, m in enumerate(countable)}

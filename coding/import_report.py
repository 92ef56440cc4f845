"""What `journeylab import` reports: files, segments, and what was carried over or kept aside."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from journeylab.coding.memo_anchor import OrphanedMemo
from journeylab.coding.model import CodingStatus


@dataclass(frozen=True)
class OrphanedCoding:
    """A person's coding that could not be re-anchored (listed in the report)."""

    source: str
    theme: str
    coder: str
    status: CodingStatus
    text: str
    reason: str


@dataclass(frozen=True)
class ImportReport:
    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    segments: int = 0  # segments in the store after the import
    reanchored: int = 0  # person codings carried over to changed files
    orphaned: tuple[OrphanedCoding, ...] = field(default=())
    memos_reanchored: int = 0  # segment memos carried over to changed files
    orphaned_memos: tuple[OrphanedMemo, ...] = field(default=())

    def summary(self) -> str:
        """The one line `journeylab import` prints."""
        line = (
            f"{len(self.added)} new, {len(self.changed)} changed, "
            f"{len(self.unchanged)} unchanged, {len(self.removed)} removed files; "
            f"{self.segments} segments; {self.reanchored} codings re-anchored"
        )
        if self.memos_reanchored or self.orphaned_memos:
            line += f", {self.memos_reanchored} memos re-anchored"
        return line

    def kept_aside(self, names: Callable[[str], str] = str) -> list[str]:
        """One line per coding or memo whose text is gone (printed to stderr).

        *names* pseudonymises the quoted texts (Pseudonymiser.text): the terminal
        may be on a shared screen.
        """
        out = [
            f"kept aside: {o.coder}'s '{o.theme}' on {o.source}:"
            f' "{short(names(o.text))}" ({o.reason})'
            for o in self.orphaned
        ]
        out += [
            f'kept aside: {m.author}\'s memo "{short(names(m.memo))}" on {m.source}:'
            f' "{short(names(m.text))}" ({m.reason})'
            for m in self.orphaned_memos
        ]
        return out


def short(text: str, limit: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"

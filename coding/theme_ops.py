"""`journeylab theme rename` and `theme remove`: changing a theme that is in the store.

A theme in codebook.yaml is changed by editing the codebook; these two are for
what the codebook cannot reach: an emergent theme added from a review sheet, and
an old codebook name that person codings still use after the codebook changed
(import warns about those, coding/store_themes.py). Both run in one transaction
and are audit-logged. A person's codings are never dropped by a rename: when the
new name exists the two themes merge, one coding per segment and coder.
"""

from __future__ import annotations

import shlex
import sqlite3
import unicodedata
from dataclasses import dataclass, replace

from journeylab.coding import store_themes
from journeylab.coding.model import Codebook, Theme
from journeylab.coding.records import now, theme_from_row
from journeylab.coding.store import Store, open_store
from journeylab.coding.study import Study
from journeylab.errors import InputError, StoreError

# Which of two codings of one segment by one coder a merge keeps: a person's word
# over a machine's suggestion, and "this theme applies" over "it does not" (the
# merged theme holds both meanings, so a yes on either is a yes on the merge).
_RANK = {"suggested": 0, "rejected": 1, "accepted": 2, "manual": 2}


@dataclass(frozen=True)
class RenameResult:
    old: str
    new: str
    person: int  # person codings that were on OLD: all of them are on NEW now
    suggestions: int  # machine suggestions that were on OLD
    merged: int  # of those, codings folded into one NEW already had (same segment, coder)
    merged_into_existing: bool  # NEW was a theme already (stored, in codebook.yaml or coded)
    old_in_codebook: bool  # OLD is still in codebook.yaml (it stays there, without codings)
    findings_mention: str | None = None  # findings.yaml when it still names OLD (not edited)


@dataclass(frozen=True)
class RemoveResult:
    name: str
    person: tuple[tuple[str, int], ...]  # (coder, person codings deleted), by coder
    suggestions: int  # machine suggestions deleted
    memos: int  # memos on the theme: kept

    @property
    def person_total(self) -> int:
        return sum(n for _, n in self.person)


def _name(text: str, what: str = "") -> str:
    # NFC like every file journeylab reads: a name typed on a Mac must match.
    name = unicodedata.normalize("NFC", text).strip()
    if not name:
        raise InputError(f"the {what} theme name is empty".replace("  ", " "), hint="give a name")
    return name


def _codebook(study: Study) -> Codebook:
    from journeylab.coding.codebook import load_codebook

    return load_codebook(study.codebook_path)


def _known(store: Store) -> list[str]:
    """Every theme the store knows: its themes, then any that only codings use."""
    names = [r[0] for r in store._q("SELECT name FROM themes ORDER BY emergent, position, name")]
    used = [r[0] for r in store._q("SELECT DISTINCT theme FROM codings ORDER BY theme")]
    return names + [t for t in used if t not in names]


def _existing(store: Store, name: str) -> str:
    """*name* as the store has it (a different case is forgiven when unambiguous)."""
    known = _known(store)
    if name in known:
        return name
    folded = [t for t in known if t.casefold() == name.casefold()]
    if len(folded) == 1:
        return folded[0]
    raise StoreError(
        f"there is no theme '{name}'",
        hint="the themes are: " + ", ".join(f"'{t}'" for t in known),
    )


def _rename_command(study: Study, name: str) -> str:
    return f"journeylab theme rename {store_themes.study_argument(study)} {shlex.quote(name)} OTHER"


def _joined(first: str | None, second: str | None) -> str | None:
    """Both codings' memos, so a merge keeps every word a person wrote."""
    parts = [m for m in (first, second) if m]
    if len(parts) == 2 and parts[0] == parts[1]:
        parts = parts[:1]
    return "\n\n".join(parts) if parts else None


def rename_theme(study: Study, old: str, new: str, *, actor: str = "journeylab") -> RenameResult:
    """Move every coding (person and machine), memo and orphan from OLD to NEW.

    When NEW is a theme already, the two merge: a segment that one coder coded
    with both keeps one coding, the stronger status (`_RANK`) and both memos.
    NEW may not contain a real name (PrivacyError); OLD must exist (StoreError
    naming the themes that do).
    """
    from journeylab.themes.privacy import Pseudonymiser

    old, new = _name(old, "old"), _name(new, "new")
    codebook = _codebook(study)
    with open_store(study) as store, store.transaction():
        store_themes.refuse_real_name(new, Pseudonymiser.from_sources(study, store.sources()))
        old = _existing(store, old)
        stored_or_coded = _known(store)
        known = stored_or_coded + [t for t in codebook.names if t not in stored_or_coded]
        # "relationen" for "Relationen": merged into the theme meant, not a look-alike.
        alike = [t for t in known if t.casefold() == new.casefold() and t != old]
        new = alike[0] if new not in known and len(alike) == 1 else new
        if new == old:
            raise InputError(f"the theme is called '{old}' already", hint="give another name")
        stored = {r["name"]: r for r in store._q("SELECT * FROM themes")}
        person, suggestions, merged = _move_codings(store, old, new)
        _move_theme_row(store, stored, codebook, old, new)
        memos = store.conn.execute(
            "UPDATE memos SET target = ?, updated = ? WHERE target_kind = 'theme' AND target = ?",
            (new, now(), old),
        ).rowcount
        orphans = store.conn.execute(
            "UPDATE orphans SET theme = ? WHERE theme = ?", (new, old)
        ).rowcount
        detail = {"old": old, "new": new, "person_codings": person, "suggestions": suggestions}
        store.log(
            actor, "rename_theme", detail | {"merged": merged, "memos": memos, "orphans": orphans}
        )
    findings = _mentioning(study, old)
    return RenameResult(
        old, new, person, suggestions, merged, new in known, old in codebook.names, findings
    )


def _mentioning(study: Study, old: str) -> str | None:
    """findings.yaml's name when it still has OLD: the analyst's file, theirs to edit
    (a report stops on a section for a theme the codebook does not have)."""
    from journeylab.themes.written import findings_path

    path = findings_path(study)
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    return path.name if old in text else None


def _move_codings(store: Store, old: str, new: str) -> tuple[int, int, int]:
    """(person codings, suggestions, merged) moved from *old* to *new* (in a transaction)."""
    twins = {
        (r["segment_id"], r["coder"]): r
        for r in store._q(
            "SELECT id, segment_id, coder, status, memo FROM codings WHERE theme = ?", (new,)
        )
    }
    person = suggestions = merged = 0
    stamp = now()
    for row in store._q(
        "SELECT id, segment_id, coder, status, memo FROM codings WHERE theme = ?", (old,)
    ):
        if row["status"] == "suggested":
            suggestions += 1
        else:
            person += 1
        twin = twins.get((row["segment_id"], row["coder"]))
        memo = row["memo"]
        if twin is not None:
            merged += 1
            keep, drop = (
                (row, twin) if _RANK[row["status"]] > _RANK[twin["status"]] else (twin, row)
            )
            memo = _joined(keep["memo"], drop["memo"])
            # The dropped row first: the kept one then takes (segment, NEW, coder).
            store.conn.execute("DELETE FROM codings WHERE id = ?", (drop["id"],))
            row = keep
        store.conn.execute(
            "UPDATE codings SET theme = ?, memo = ?, updated = ? WHERE id = ?",
            (new, memo, stamp, row["id"]),
        )
    return person, suggestions, merged


def _move_theme_row(
    store: Store, stored: dict[str, sqlite3.Row], codebook: Codebook, old: str, new: str
) -> None:
    """The themes table after a rename: NEW has a row, OLD only while codebook.yaml has it."""
    if new not in stored:
        if new in codebook.names:
            # As the next import would sync it (that import still does, whatever this wrote).
            position = codebook.names.index(new)
            store_themes.put_theme(store.conn, codebook.themes[position], False, position)
        else:
            # A name outside the codebook is an emergent theme; it keeps OLD's description.
            base = theme_from_row(stored[old]) if old in stored else Theme(new, "")
            position = stored[old]["position"] if old in stored else len(stored)
            store_themes.put_theme(store.conn, replace(base, name=new), True, position)
    if old not in codebook.names:
        store.conn.execute("DELETE FROM themes WHERE name = ?", (old,))
        store.conn.execute("UPDATE themes SET parent = ? WHERE parent = ?", (new, old))


def remove_theme(
    study: Study, name: str, *, drop_codings: bool = False, actor: str = "journeylab"
) -> RemoveResult:
    """Delete a theme that is not in codebook.yaml, with its machine suggestions.

    Refused (StoreError, saying how many) while a person's codings use it, unless
    *drop_codings*; memos on the theme are kept. A codebook theme is removed by
    editing codebook.yaml (InputError).
    """
    name = _name(name)
    codebook = _codebook(study)
    with open_store(study) as store:
        name = _existing(store, name)
        if name in codebook.names:
            raise InputError(
                f"the theme '{name}' is in {study.codebook_file}",
                hint=f"remove it there and run journeylab import; to keep its codings, first "
                f"run: {_rename_command(study, name)}",
            )
        people = tuple(
            (r[0], int(r[1]))
            for r in store._q(
                "SELECT coder, count(*) FROM codings WHERE theme = ? AND status != 'suggested'"
                " GROUP BY coder ORDER BY coder",
                (name,),
            )
        )
        total = sum(n for _, n in people)
        if total and not drop_codings:
            by = ", ".join(f"{coder} {n}" for coder, n in people)
            codings = "1 person coding uses" if total == 1 else f"{total} person codings use"
            raise StoreError(
                f"{codings} the theme '{name}' ({by}); nothing was removed",
                hint=f"to keep them, merge the theme into another: "
                f"{_rename_command(study, name)}; to delete them with it, add --drop-codings",
            )
        with store.transaction():
            suggestions = store.conn.execute(
                "DELETE FROM codings WHERE theme = ? AND status = 'suggested'", (name,)
            ).rowcount
            store.conn.execute("DELETE FROM codings WHERE theme = ?", (name,))
            store.conn.execute("DELETE FROM themes WHERE name = ?", (name,))
            store.conn.execute("UPDATE themes SET parent = NULL WHERE parent = ?", (name,))
            memos = store._q(
                "SELECT count(*) FROM memos WHERE target_kind = 'theme' AND target = ?", (name,)
            )[0][0]
            store.log(
                actor,
                "remove_theme",
                {"theme": name, "person_codings": dict(people), "suggestions": suggestions},
            )
    return RemoveResult(name, people, suggestions, int(memos))

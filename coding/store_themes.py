"""Writing the stored codebook: themes synced from codebook.yaml and emergent ones.

Split from coding/store.py by topic: `Store.sync_themes` and `Store.add_theme`
call `sync_themes` and `add_theme` here; `Store.themes` reads them back.
`warn_unlisted_themes` says when a person's codings use a theme the codebook no
longer has (a renamed or removed theme): reports leave those codings out.
Renaming and removing stored themes is in coding/theme_ops.py.
"""

from __future__ import annotations

import difflib
import json
import shlex
import sqlite3
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

from journeylab.coding.model import Codebook, Theme
from journeylab.errors import JourneylabWarning, PrivacyError, StoreError

if TYPE_CHECKING:
    from journeylab.coding.store import Store
    from journeylab.coding.study import Study
    from journeylab.themes.privacy import Pseudonymiser


def put_theme(conn: sqlite3.Connection, theme: Theme, emergent: bool, position: int) -> None:
    """Insert or update one theme row (the caller holds the transaction)."""
    conn.execute(
        "INSERT INTO themes VALUES (?,?,?,?,?,?,?,?,?,?) ON CONFLICT (name) DO UPDATE SET"
        " description = excluded.description, include = excluded.include,"
        " exclude = excluded.exclude, keywords = excluded.keywords,"
        " examples = excluded.examples, color = excluded.color, parent = excluded.parent,"
        " emergent = excluded.emergent, position = excluded.position",
        (
            theme.name,
            theme.description,
            *(
                json.dumps(list(v), ensure_ascii=False)
                for v in (theme.include, theme.exclude, theme.keywords, theme.examples)
            ),
            theme.color,
            theme.parent,
            int(emergent),
            position,
        ),
    )


def sync_themes(store: Store, codebook: Codebook) -> None:
    """Make the stored codebook equal *codebook*; emergent themes stay."""
    with store.transaction():
        names = codebook.names
        store.conn.execute(
            f"DELETE FROM themes WHERE emergent = 0 AND name NOT IN ({','.join('?' * len(names))})",
            names,
        )
        for position, theme in enumerate(codebook.themes):
            put_theme(store.conn, theme, False, position)


def add_theme(
    store: Store, theme: Theme, emergent: bool, actor: str, *, names: Pseudonymiser | None = None
) -> None:
    """Add a theme found while coding; StoreError when the name is taken.

    With *names* (the study's Pseudonymiser) a theme name holding a real name is
    refused (PrivacyError): theme names are shown as written in every report, so
    one that names a person would block them all.
    """
    if names is not None:
        refuse_real_name(theme.name, names)
    if store._q("SELECT 1 FROM themes WHERE name = ?", (theme.name,)):
        raise StoreError(f"there is already a theme '{theme.name}'", hint="choose another name")
    with store.transaction():
        position = store._q("SELECT coalesce(max(position), -1) + 1 FROM themes")[0][0]
        put_theme(store.conn, theme, emergent, position)
        store.log(actor, "add_theme", {"theme": theme.name, "emergent": emergent})


def refuse_real_name(name: str, names: Pseudonymiser) -> None:
    """PrivacyError when the theme *name* holds a real name: theme names are shown as
    written in every report, so one that names a person would block them all."""
    found = names.find(name)
    if found is not None:
        raise PrivacyError(
            f"the theme '{name}' contains a real name ('{found}', {names.origin(found)})",
            where="theme name",
            hint="theme names are not pseudonymised: choose a name without it",
        )


# -- person codings on a theme the codebook no longer has -------------------------


def person_codings_per_theme(store: Store) -> dict[str, int]:
    """How many codings a person made (accepted, rejected or added) per theme."""
    rows = store._q(
        "SELECT theme, count(*) FROM codings WHERE status != 'suggested' GROUP BY theme"
    )
    return {r[0]: int(r[1]) for r in rows}


def unlisted_themes(store: Store, codebook: Codebook | None = None) -> list[tuple[str, int]]:
    """(theme, person codings) for each theme that person codings use but the codebook
    does not have, by name.

    The codebook is *codebook* (codebook.yaml as read) plus the stored emergent
    themes; without *codebook*, every stored theme (what import synced last, and
    what a report counts).
    """
    stored = store._q("SELECT name, emergent FROM themes")
    known = {r[0] for r in stored if codebook is None or r[1]}
    if codebook is not None:
        known |= set(codebook.names)
    # Every import, code and report asks: the themes in use come from the theme
    # index (~10 ms at 1M words; counting all person codings scanned the table, 0.15 s),
    # and only a theme the codebook lacks has its person codings counted.
    in_use = [r[0] for r in store._q("SELECT DISTINCT theme FROM codings")]
    out = []
    for theme in sorted(t for t in in_use if t not in known):
        [(n,)] = store._q(
            "SELECT count(*) FROM codings WHERE theme = ? AND status != 'suggested'", (theme,)
        )
        if n:
            out.append((theme, int(n)))
    return out


def warn_unlisted_themes(
    study: Study, store: Store, codebook: Codebook | None = None
) -> list[tuple[str, int]]:
    """One JourneylabWarning per theme of `unlisted_themes`, saying how to fix it."""
    unlisted = unlisted_themes(store, codebook)
    if not unlisted:
        return unlisted
    known = (
        list(codebook.names)
        if codebook is not None
        else [r[0] for r in store._q("SELECT name FROM themes ORDER BY position")]
    )
    used = person_codings_per_theme(store)
    # A renamed theme's new name has no person codings yet: the likely target.
    fresh = [t for t in known if not used.get(t)]
    for name, n in unlisted:
        guess = difflib.get_close_matches(name, fresh, n=1, cutoff=0.6)
        target = shlex.quote(guess[0]) if guess else "NEW"
        command = f"journeylab theme rename {study_argument(study)} {shlex.quote(name)} {target}"
        codings = "1 person coding uses" if n == 1 else f"{n} person codings use"
        where = _shown(study.codebook_path)
        warnings.warn(
            JourneylabWarning(
                f"{where}: {codings} the theme '{name}', which is no longer in the codebook; "
                f"they are left out of reports — rename it back in {study.codebook_file}, "
                f"or run: {command}"
            ),
            stacklevel=2,
        )
    return unlisted


def study_argument(study: Study) -> str:
    """The study folder as the user would type it here, quoted for a shell."""
    return shlex.quote(_shown(Path(study.root)))


def _shown(path: Path) -> str:
    """*path* relative to the current folder when inside it, else as it is."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(path)

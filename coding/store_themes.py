"""Writing the stored codebook: themes synced from codebook.yaml and emergent ones.

Split from coding/store.py by topic: `Store.sync_themes` and `Store.add_theme`
call `sync_themes` and `add_theme` here; `Store.themes` reads them back.
"""

from __future__ import annotations

import json
import sqlite3
from typing import TYPE_CHECKING

from journeylab.coding.model import Codebook, Theme
from journeylab.errors import PrivacyError, StoreError

if TYPE_CHECKING:
    from journeylab.coding.store import Store
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
    found = names.find(theme.name) if names is not None else None
    if names is not None and found is not None:
        raise PrivacyError(
            f"the theme '{theme.name}' contains a real name ('{found}', {names.origin(found)})",
            where="theme name",
            hint="theme names are not pseudonymised: choose a name without it",
        )
    if store._q("SELECT 1 FROM themes WHERE name = ?", (theme.name,)):
        raise StoreError(f"there is already a theme '{theme.name}'", hint="choose another name")
    with store.transaction():
        position = store._q("SELECT coalesce(max(position), -1) + 1 FROM themes")[0][0]
        put_theme(store.conn, theme, emergent, position)
        store.log(actor, "add_theme", {"theme": theme.name, "emergent": emergent})

"""Write tests/data/db/v<N>.db for the current schema version N (see README.md)."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

from journeylab.coding.schema import MIGRATIONS, SCHEMA_VERSION, migrate

ROWS = """
INSERT INTO sources (path, kind, sha256, text, imported_at)
  VALUES ('transcripts/fg.txt', 'transcript', 'abc', 'Lone: Vi får en ny sagsbehandler.', 'then');
INSERT INTO segments (id, source, kind, position, start, "end", text, role, speaker)
  VALUES ('fg-1', 'transcripts/fg.txt', 'turn', 0, 6, 33, 'Vi får en ny sagsbehandler.',
          'medarbejder', 'Lone');
INSERT INTO themes (name, description) VALUES ('Relationen', 'Kontinuitet og tillid.');
INSERT INTO coders (name, kind) VALUES ('AB', 'person');
INSERT INTO codings (segment_id, theme, coder, status, anchor_text, anchor_start, anchor_end,
                     source, created, updated)
  VALUES ('fg-1', 'Relationen', 'AB', 'manual', 'Vi får en ny sagsbehandler.', 6, 33,
          'transcripts/fg.txt', 'then', 'then');
INSERT INTO memos (target_kind, target, author, text, created, updated,
                   source, anchor_text, anchor_start, anchor_end)
  VALUES ('segment', 'fg-1', 'AB', 'Et godt citat.', 'then', 'then',
          'transcripts/fg.txt', 'Vi får en ny sagsbehandler.', 6, 33);
"""


def main(folder: Path) -> Path:
    path = folder / f"v{SCHEMA_VERSION}.db"
    path.unlink(missing_ok=True)
    conn = sqlite3.connect(path, isolation_level=None)
    assert len(MIGRATIONS) == SCHEMA_VERSION
    migrate(conn)
    conn.executescript(f"BEGIN;{ROWS}COMMIT;")
    conn.execute("VACUUM")
    conn.close()
    return path


if __name__ == "__main__":
    print(main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent))

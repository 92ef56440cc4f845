"""`journeylab check`: verify a study's files, its store and its codings, in plain words.

Nothing is written: the store is opened read-only, so a check can run while the
explorer or a coding run is busy, and checking a damaged store cannot damage it more.
"""

from __future__ import annotations

import hashlib
import sqlite3
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from journeylab.coding.schema import SCHEMA_VERSION
from journeylab.coding.study import Study
from journeylab.errors import JourneylabError, JourneylabWarning

Level = Literal["error", "warning", "info"]


@dataclass(frozen=True)
class Finding:
    """One problem (or note) about the study, said in plain words."""

    level: Level
    where: str  # a file, or "the store"
    message: str

    def line(self) -> str:
        return f"{self.level}: {self.where}: {self.message}"


@dataclass(frozen=True)
class CheckReport:
    files: int  # material files read
    segments: int  # segments in the store
    codings: int  # codings in the store
    findings: tuple[Finding, ...] = ()

    @property
    def ok(self) -> bool:
        """True when nothing is an error (warnings and notes may remain)."""
        return not any(f.level == "error" for f in self.findings)

    def lines(self) -> list[str]:
        return [f.line() for f in self.findings]


def _read_files(study: Study) -> tuple[int, list[Finding], dict[str, str]]:
    """Parse the codebook and every material file; (files read, findings, rel -> sha256)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", JourneylabWarning)
        files, findings, digests = _parse_all(study)
    for w in caught:
        if isinstance(w.message, JourneylabWarning):
            findings.append(Finding("warning", "a file", str(w.message)))
    return files, findings, digests


def _parse_all(study: Study) -> tuple[int, list[Finding], dict[str, str]]:
    from journeylab.coding.codebook import load_codebook
    from journeylab.coding.transcripts import read_transcript
    from journeylab.journeys.readers import read_journey_file

    findings: list[Finding] = []
    try:
        load_codebook(study.codebook_path)
    except JourneylabError as exc:
        findings.append(Finding("error", study.codebook_file, exc.render()))
    digests: dict[str, str] = {}
    journey_files = study.journey_files()
    files = journey_files + study.transcript_files()
    journeys_seen: dict[str, str] = {}
    for path in files:
        rel = study.relative(path)
        try:
            digests[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
            if path in journey_files:
                for journey in read_journey_file(path, source=rel):
                    if journey.id in journeys_seen and journeys_seen[journey.id] != rel:
                        findings.append(
                            Finding(
                                "error",
                                rel,
                                f"journey '{journey.id}' is also in {journeys_seen[journey.id]};"
                                " give each journey its own id",
                            )
                        )
                    journeys_seen.setdefault(journey.id, rel)
            else:
                read_transcript(path, study, source=rel)
        except JourneylabError as exc:
            findings.append(Finding("error", rel, exc.render()))
        except OSError as exc:
            findings.append(Finding("error", rel, f"cannot read the file: {exc.strerror}"))
    return len(files), findings, digests


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=10)
    conn.row_factory = sqlite3.Row
    return conn


def _scalar(conn: sqlite3.Connection, sql: str) -> int:
    return int(conn.execute(sql).fetchone()[0])


def _check_store(study: Study, digests: dict[str, str]) -> tuple[int, int, list[Finding]]:
    """Integrity, dangling codings, orphans and changed sources; (segments, codings, findings)."""
    here = "the store"
    path = study.store_path
    if not path.is_file():
        return 0, 0, [Finding("info", here, "no database yet; run journeylab import")]
    findings: list[Finding] = []
    try:
        conn = _connect(path)
    except sqlite3.Error as exc:
        return 0, 0, [Finding("error", here, f"cannot open {path}: {exc}")]
    try:
        version = _scalar(conn, "PRAGMA user_version")
        if version > SCHEMA_VERSION:
            return 0, 0, [Finding("error", here, "made by a newer journeylab; upgrade journeylab")]
        if version < SCHEMA_VERSION:
            findings.append(
                Finding("info", here, "made by an older journeylab; the next import updates it")
            )
            if version == 0:
                return 0, 0, findings
        result = conn.execute("PRAGMA integrity_check").fetchone()[0]
        if result != "ok":
            findings.append(
                Finding(
                    "error",
                    here,
                    f"the database file is damaged ({result})"
                    "; restore a backup or move it away and import again",
                )
            )
            return 0, 0, findings
        segments = _scalar(conn, "SELECT count(*) FROM segments")
        codings = _scalar(conn, "SELECT count(*) FROM codings")
        findings += _dangling(conn)
        findings += _orphans(conn)
        findings += _changed(conn, digests)
    except sqlite3.DatabaseError as exc:
        return 0, 0, [Finding("error", here, f"not a journeylab database ({exc})")]
    finally:
        conn.close()
    return segments, codings, findings


def _dangling(conn: sqlite3.Connection) -> list[Finding]:
    out = []
    gone = conn.execute(
        "SELECT c.coder, c.theme, c.source, c.anchor_text FROM codings c"
        " LEFT JOIN segments s ON s.id = c.segment_id WHERE s.id IS NULL ORDER BY c.id"
    ).fetchall()
    for r in gone:
        out.append(
            Finding(
                "error",
                r["source"],
                f"{r['coder']}'s coding '{r['theme']}' points at a passage that is not in the"
                f' store: "{_short(r["anchor_text"])}"; run journeylab import',
            )
        )
    unknown = conn.execute(
        "SELECT theme, count(*) AS n FROM codings WHERE theme NOT IN (SELECT name FROM themes)"
        " GROUP BY theme ORDER BY theme"
    ).fetchall()
    for r in unknown:
        out.append(
            Finding(
                "error",
                "the store",
                f"{r['n']} codings use the theme '{r['theme']}', which is not in the codebook;"
                " add the theme back to codebook.yaml or recode them",
            )
        )
    return out


def _orphans(conn: sqlite3.Connection) -> list[Finding]:
    rows = conn.execute(
        "SELECT source, coder, theme, anchor_text, reason FROM orphans ORDER BY id"
    ).fetchall()
    return [
        Finding(
            "warning",
            r["source"],
            f"{r['coder']}'s coding '{r['theme']}' was kept aside ({r['reason']}):"
            f' "{_short(r["anchor_text"])}"',
        )
        for r in rows
    ]


def _changed(conn: sqlite3.Connection, digests: dict[str, str]) -> list[Finding]:
    out = []
    stored = {r["path"]: r["sha256"] for r in conn.execute("SELECT path, sha256 FROM sources")}
    for rel, digest in sorted(stored.items()):
        if rel not in digests:
            out.append(Finding("warning", rel, "the file is gone since the last import"))
        elif digests[rel] != digest:
            n = _scalar_params(conn, "SELECT count(*) FROM segments WHERE source = ?", rel)
            out.append(
                Finding(
                    "warning",
                    rel,
                    f"the file changed since the last import ({n} segments may be out of date);"
                    " run journeylab import",
                )
            )
    for rel in sorted(set(digests) - set(stored)):
        out.append(Finding("info", rel, "a new file, not imported yet; run journeylab import"))
    return out


def _scalar_params(conn: sqlite3.Connection, sql: str, *params: object) -> int:
    return int(conn.execute(sql, params).fetchone()[0])


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def check_study(study: Study) -> CheckReport:
    """Check the study's files, store and codings; never writes anything."""
    files, findings, digests = _read_files(study)
    segments, codings, store_findings = _check_store(study, digests)
    return CheckReport(
        files=files,
        segments=segments,
        codings=codings,
        findings=tuple(findings + store_findings),
    )

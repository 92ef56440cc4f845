"""`journeylab check`: verify a study's files, its store and its codings, in plain words.

Nothing is written: the store is opened read-only, so a check can run while the
explorer or a coding run is busy, and checking a damaged store cannot damage it more.
"""

from __future__ import annotations

import hashlib
import sqlite3
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from journeylab.coding.import_report import short
from journeylab.coding.model import Participant
from journeylab.coding.schema import SCHEMA_VERSION
from journeylab.coding.study import Study
from journeylab.errors import JourneylabError, JourneylabWarning, PrivacyError
from journeylab.themes.privacy import Pseudonymiser

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


@dataclass
class _Files:
    """What the check read from the study's material files."""

    count: int = 0
    findings: list[Finding] = field(default_factory=list)
    digests: dict[str, str] = field(default_factory=dict)  # rel -> sha256
    texts: dict[str, str] = field(default_factory=dict)  # rel -> the text offsets point into
    journeys: dict[str, list[str]] = field(default_factory=dict)  # rel -> journey ids
    participants: list[Participant] = field(default_factory=list)
    themes: tuple[str, ...] = ()  # the codebook's theme names


def _read_files(study: Study) -> _Files:
    """Parse the codebook and every material file."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", JourneylabWarning)
        read = _parse_all(study)
    for w in caught:
        if isinstance(w.message, JourneylabWarning):
            read.findings.append(Finding("warning", "a file", str(w.message)))
    read.findings += _real_names(study, read)
    return read


def _real_names(study: Study, read: _Files) -> list[Finding]:
    """File names, journey ids and theme names holding a real name (import refuses them)."""
    from journeylab.coding.real_names import problems

    files = [(rel, read.journeys.get(rel, [])) for rel in sorted(read.digests)]
    try:
        found = problems(
            study,
            files,
            read.participants,
            "until then journeylab import refuses",
            themes=read.themes,
        )
    except PrivacyError as exc:  # [names] itself is inconsistent
        return [Finding("error", study.toml_path.name, _unplaced(study, study.toml_path.name, exc))]
    out = []
    for problem in found:
        rel = study.relative(Path(problem.path)) if problem.path else "a file"
        place = f"{problem.where}: " if problem.where else ""
        out.append(Finding("error", rel, f"{place}{problem.message} ({problem.hint})"))
    return out


def _parse_all(study: Study) -> _Files:
    from journeylab.coding.codebook import load_codebook
    from journeylab.coding.transcripts import read_transcript
    from journeylab.journeys.readers import read_journey_file

    read = _Files()
    findings = read.findings
    try:
        read.themes = load_codebook(study.codebook_path).names
    except JourneylabError as exc:
        findings.append(
            Finding("error", study.codebook_file, _unplaced(study, study.codebook_file, exc))
        )
    digests = read.digests
    journey_files = study.journey_files()
    files = journey_files + study.transcript_files()
    journeys_seen: dict[str, str] = {}
    for path in files:
        rel = study.relative(path)
        try:
            digests[rel] = study.import_key(path, hashlib.sha256(path.read_bytes()).hexdigest())
            if path in journey_files:
                journeys = read_journey_file(path, source=rel)
                read.journeys[rel] = [j.id for j in journeys]
                # As the importer writes it (coding/segment.journey_text, joined).
                read.texts[rel] = "\n\n".join("\n".join(n.text for n in j.notes) for j in journeys)
                for journey in journeys:
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
                transcript = read_transcript(path, study, source=rel)
                read.texts[rel] = transcript.text
                read.participants += transcript.participants
        except JourneylabError as exc:
            findings.append(Finding("error", rel, _unplaced(study, rel, exc)))
        except OSError as exc:
            findings.append(Finding("error", rel, f"cannot read the file: {exc.strerror}"))
    read.count = len(files)
    return read


def _unplaced(study: Study, rel: str, exc: JourneylabError) -> str:
    """*exc*'s line without its file when that is *rel*, which the finding names already
    (QA: the file was said twice); another file (study.toml, say) is still named."""
    if exc.path is None or study.relative(Path(exc.path)) != rel:
        return exc.render()
    return JourneylabError(exc.message, where=exc.where, hint=exc.hint).render()


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=10)
    conn.row_factory = sqlite3.Row
    return conn


def _scalar(conn: sqlite3.Connection, sql: str) -> int:
    return int(conn.execute(sql).fetchone()[0])


def _check_store(study: Study, read: _Files) -> tuple[int, int, list[Finding]]:
    """Integrity, dangling codings, orphans, memos and changed sources;
    (segments, codings, findings)."""
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
        names = _quoting(study, read.participants)
        findings += _orphans(conn, names)
        findings += _changed(conn, read.digests)
        findings += _memos(conn, read, names)
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


def _quoting(study: Study, participants: list[Participant]) -> Callable[[str], str]:
    """Pseudonymises the texts the check quotes: the terminal may be on a shared screen."""
    try:
        return Pseudonymiser.from_study(study, participants).text
    except PrivacyError:  # [names] is inconsistent (reported by _real_names): quote nothing
        return lambda text: "…"


def _orphans(conn: sqlite3.Connection, names: Callable[[str], str]) -> list[Finding]:
    rows = conn.execute(
        "SELECT source, coder, theme, anchor_text, reason FROM orphans ORDER BY id"
    ).fetchall()
    return [
        Finding(
            "warning",
            r["source"],
            f"{r['coder']}'s coding '{r['theme']}' was kept aside ({r['reason']}):"
            f' "{_short(names(r["anchor_text"]))}"',
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


def _memos(conn: sqlite3.Connection, read: _Files, names: Callable[[str], str]) -> list[Finding]:
    """Segment memos whose passage vanished or changed (a segment id is positional,
    so a memo must stay on its text: coding/memo_anchor.py)."""
    from journeylab.coding.anchors import find_anchor

    if _scalar(conn, "PRAGMA user_version") < 2:  # memos have no anchor before schema 2
        return []
    out = [
        Finding(
            "warning",
            r["source"],
            f'{r["author"]}\'s memo "{_short(names(r["text"]))}" was kept aside ({r["reason"]}):'
            f' it was on "{_short(names(r["anchor_text"]))}"',
        )
        for r in conn.execute(
            "SELECT source, author, text, anchor_text, reason FROM memo_orphans ORDER BY id"
        )
    ]
    rows = conn.execute(
        "SELECT m.author, m.text, m.target, m.source, m.anchor_text, m.anchor_start,"
        ' m.anchor_end, s.id AS seg, s.kind, s.text AS seg_text, s.start, s."end", src.sha256,'
        " substr(src.text, m.anchor_start + 1, length(m.anchor_text)) AS stored"
        " FROM memos m LEFT JOIN segments s ON s.id = m.target"
        " LEFT JOIN sources src ON src.path = m.source"
        " WHERE m.target_kind = 'segment' ORDER BY m.id"
    ).fetchall()
    for r in rows:
        memo = f'{r["author"]}\'s memo "{_short(names(r["text"]))}"'
        where = r["source"] or str(r["target"]).split("#")[0]
        if r["seg"] is None:
            out.append(
                Finding("warning", where, f"{memo} is on a passage that is no longer in the store")
            )
        elif r["anchor_text"] is None:
            continue  # written before memos kept their text; nothing to compare
        elif not _on_its_passage(r):
            out.append(
                Finding(
                    "warning",
                    where,
                    f'{memo} was written on "{_short(names(r["anchor_text"]))}", which is no longer'
                    " its passage; check the memo",
                )
            )
        elif (
            where in read.texts
            and read.digests.get(where) != r["sha256"]
            and find_anchor(r["anchor_text"], r["anchor_start"], read.texts[where]) is None
        ):
            out.append(
                Finding(
                    "warning",
                    where,
                    f'{memo} is on "{_short(names(r["anchor_text"]))}", which is no longer in the'
                    " changed file; the next journeylab import keeps the memo aside",
                )
            )
    return out


def _on_its_passage(r: sqlite3.Row) -> bool:
    """The memo's copied text is still where its segment is."""
    if not (r["anchor_start"] < r["end"] and r["anchor_end"] > r["start"]):
        return False
    if r["kind"] == "note":  # a note's offsets point into its journey's text, not the file's
        return bool(r["anchor_text"] in r["seg_text"])
    return bool(r["stored"] == r["anchor_text"])


def _scalar_params(conn: sqlite3.Connection, sql: str, *params: object) -> int:
    return int(conn.execute(sql, params).fetchone()[0])


def _short(text: str) -> str:
    return short(text, 60)


def check_study(study: Study) -> CheckReport:
    """Check the study's files, store and codings; never writes anything."""
    read = _read_files(study)
    segments, codings, store_findings = _check_store(study, read)
    return CheckReport(
        files=read.count,
        segments=segments,
        codings=codings,
        findings=tuple(read.findings + store_findings),
    )

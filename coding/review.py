"""Review sheets: the person in the loop, working in Excel or LibreOffice.

`write_review_sheet` exports one row per segment with the machine's top
suggestions and columns for a person to fill (themes, accept/reject, memo, a
new theme); `read_review_sheet` reads it back as that person's codings, all or
nothing, in one store transaction. The shared column layout lives here; the
xlsx/csv writing and reading in review_io.py.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from journeylab.coding.model import Coding, CodingStatus, Role, Segment, Theme
from journeylab.coding.study import Study
from journeylab.errors import SheetError

if TYPE_CHECKING:
    from journeylab.themes.privacy import Pseudonymiser

Order = Literal["uncertain", "source"]
TOP = 3
SHEET = "Kodning"  # the sheet a person fills in
LISTS = "Temaer"  # the hidden sheet the theme dropdowns read

# Column ids -> the Danish header a consultant sees. Reading matches the headers.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "id"),
    ("source", "kilde"),
    ("speaker", "taler"),
    ("role", "rolle"),
    ("text", "tekst"),
    ("s1", "forslag 1"),
    ("c1", "sikkerhed 1"),
    ("s2", "forslag 2"),
    ("c2", "sikkerhed 2"),
    ("s3", "forslag 3"),
    ("c3", "sikkerhed 3"),
    ("accept", "accepter forslag 1"),
    ("t1", "tema 1"),
    ("t2", "tema 2"),
    ("t3", "tema 3"),
    ("new", "nyt tema"),
    ("memo", "memo"),
    # What the row showed as the person's themes when the sheet was written (hidden in xlsx):
    # reading removes only themes cleared from that, never a coding made after the sheet.
    ("shown", "vist ved udtræk (rør ikke)"),
)
HEADERS = {key: label for key, label in COLUMNS}
REQUIRED = ("id", "text", "accept", "t1", "t2", "t3", "new", "memo")
YES = {"ja", "j", "yes", "y", "x", "1"}
NO = {"nej", "n", "no", "0"}

GUIDE: tuple[tuple[str, str], ...] = (
    ("id", "Segmentets nøgle i undersøgelsen. Må ikke ændres."),
    ("kilde", "Filen, segmentet kommer fra (transskription eller brugerrejse)."),
    ("taler", "Hvem der taler (opdigtet navn) eller hvilken rejse noten hører til."),
    ("rolle", "Talerens rolle: ung, medarbejder eller leder."),
    ("tekst", "Det, der blev sagt eller skrevet. Må ikke ændres."),
    ("forslag 1-3", "Maskinens bedste bud på temaer, det bedste først."),
    ("sikkerhed 1-3", "Hvor sikker maskinen er, fra 0 til 1. Under 0,3 er et løst gæt."),
    (
        "accepter forslag 1",
        "Skriv ja, hvis forslag 1 passer, nej, hvis det ikke gør. Tom: ikke taget stilling.",
    ),
    ("tema 1-3", "Vælg de temaer, du selv mener passer, fra listen. Tomme felter er i orden."),
    (
        "nyt tema",
        "Navnet på et nyt tema, hvis intet af kodebogens temaer passer. "
        "Det bliver oprettet og sat på rækken.",
    ),
    ("memo", "En note til analysen, fx hvorfor rækken er svær at kode."),
    (
        "vist ved udtræk",
        "Skjult kolonne: dine temaer på rækken, da arket blev lavet. journeylab fjerner kun "
        "et tema, du har slettet herfra, aldrig en kodning, du har lavet siden. Må ikke ændres.",
    ),
    ("", ""),
    (
        "Sådan gør du",
        "Gå rækkerne igennem oppefra. Gem filen i samme format, og læs den ind igen i journeylab.",
    ),
    (
        "",
        "Rækker, du ikke udfylder, ændrer ingenting. "
        "Et tema, du fjerner fra en række, fjernes også fra dine kodninger.",
    ),
)


@dataclass(frozen=True)
class SheetRow:
    """One row of a review sheet, as written (strings for what a person edits)."""

    segment: Segment
    speaker: str
    suggestions: tuple[tuple[str, float], ...]  # (theme, confidence), best first
    themes: tuple[str, ...]  # the person's current themes (prefilled)
    accept: str = ""

    def values(self) -> dict[str, object]:
        out: dict[str, object] = {
            "id": self.segment.id,
            "source": self.segment.source,
            "speaker": self.speaker,
            "role": self.segment.role.value,
            "text": self.segment.text,
            "accept": self.accept,
            "new": "",
            "memo": "",
            "shown": shown_record(self.segment.id, self.themes),
        }
        for i in range(TOP):
            theme, conf = self.suggestions[i] if i < len(self.suggestions) else ("", None)
            out[f"s{i + 1}"] = theme
            out[f"c{i + 1}"] = round(conf, 2) if conf is not None else ""
            out[f"t{i + 1}"] = self.themes[i] if i < len(self.themes) else ""
        return out


@dataclass(frozen=True)
class ReviewResult:
    """What reading a sheet changed: counted, and new themes named."""

    rows: int  # segment rows read
    accepted: int
    rejected: int
    manual: int
    removed: int
    memos: int
    new_themes: tuple[str, ...]
    # (segment id, theme): what was removed, and the person's codings left alone because
    # the sheet did not show them (made after it was written) or has no record of its rows.
    removals: tuple[tuple[str, str], ...] = ()
    not_shown: tuple[tuple[str, str], ...] = ()
    unrecorded: tuple[tuple[str, str], ...] = ()

    def details(self) -> list[str]:
        """Lines for the read summary: every removal by segment, and what was kept."""
        lines = [f"removed from {sid}: {', '.join(t)}" for sid, t in _by_segment(self.removals)]
        if self.not_shown:
            lines.append(
                f"kept {len(self.not_shown)} of your codings that this sheet did not show "
                "(coded after it was written, or beyond its three theme columns)"
            )
        if self.unrecorded:
            lines.append(
                f"kept {len(self.unrecorded)} of your codings that are not on their row: the "
                "sheet does not record what these rows showed (an older sheet, or the column "
                f"'{HEADERS['shown']}' was changed), so a theme you cleared cannot be told "
                "from one coded since. To remove one, export a fresh sheet:"
            )
            lines += [f"  {sid}: {', '.join(t)}" for sid, t in _by_segment(self.unrecorded)]
        return lines


def _by_segment(pairs: Iterable[tuple[str, str]]) -> list[tuple[str, list[str]]]:
    grouped: dict[str, list[str]] = {}
    for sid, theme in pairs:
        grouped.setdefault(sid, []).append(theme)
    return list(grouped.items())


def shown_record(segment_id: str, themes: Sequence[str]) -> str:
    """The 'shown' cell: the row's segment and the person's themes it showed, as JSON.

    JSON in one text cell survives Excel, LibreOffice and a CSV round trip; the id
    catches a record that got separated from its row (a sort of some columns only).
    """
    return json.dumps({"id": segment_id, "themes": list(themes)}, ensure_ascii=False)


def parse_shown(cell: str, segment_id: str) -> frozenset[str] | None:
    """The casefolded themes a row showed, or None when the row has no usable record."""
    try:
        data = json.loads(cell)
    except ValueError:
        return None
    if not isinstance(data, dict) or data.get("id") != segment_id:
        return None
    themes = data.get("themes")
    if not isinstance(themes, list) or not all(isinstance(t, str) for t in themes):
        return None
    return frozenset(fold(t) for t in themes)


def fold(theme: str) -> str:
    """A theme name as cells are compared: whitespace collapsed, case ignored."""
    return " ".join(theme.split()).casefold()


def suggestions_by_segment(codings: Sequence[Coding]) -> dict[str, list[tuple[str, float]]]:
    """Segment id -> machine (theme, score) pairs, best first, one per theme."""
    best: dict[str, dict[str, float]] = {}
    for c in codings:
        if c.status != CodingStatus.SUGGESTED or not c.coder.startswith("machine:"):
            continue
        score = c.score if c.score is not None else 0.0
        themes = best.setdefault(c.segment_id, {})
        themes[c.theme] = max(score, themes.get(c.theme, 0.0))
    return {
        seg: sorted(themes.items(), key=lambda item: (-item[1], item[0]))
        for seg, themes in best.items()
    }


def uncertainty(suggestions: Sequence[tuple[str, float]]) -> float:
    """Higher = less certain: 1 - the margin between the top two scores (entropy breaks ties)."""
    scores = [s for _, s in suggestions[:TOP]]
    if not scores:
        return 2.0  # nothing suggested: the machine knows least
    margin = scores[0] - (scores[1] if len(scores) > 1 else 0.0)
    total = sum(scores)
    entropy = -sum((s / total) * math.log(s / total) for s in scores if s > 0) if total else 0.0
    return 1.0 - margin + entropy / 100.0


def sheet_rows(
    study: Study,
    *,
    coder: str,
    theme: str | None = None,
    limit: int | None = None,
    order: Order = "source",
    only: Iterable[str] | None = None,
) -> tuple[list[SheetRow], list[Theme]]:
    """The rows a review sheet holds, and the themes its dropdowns offer."""
    rows, themes, _ = _sheet(study, coder, theme, limit, order, only)
    return rows, themes


def _sheet(
    study: Study,
    coder: str,
    theme: str | None,
    limit: int | None,
    order: Order,
    only: Iterable[str] | None,
) -> tuple[list[SheetRow], list[Theme], Pseudonymiser]:
    from journeylab.coding.store import open_store

    if order not in ("uncertain", "source"):
        raise SheetError(f"unknown order '{order}'", hint="use 'uncertain' or 'source'")
    with open_store(study) as store:
        themes = store.themes()
        if theme is not None and theme not in {t.name for t in themes}:
            raise SheetError(
                f"unknown theme '{theme}'",
                hint="use a theme name from the codebook: " + ", ".join(t.name for t in themes),
            )
        segments = [s for s in store.segments() if s.role != Role.INTERVIEWER]
        codings = store.codings()
        sources = {s.path: s for s in store.sources()}
    suggested = suggestions_by_segment(codings)
    mine: dict[str, list[str]] = {}
    anyone: dict[str, set[str]] = {}
    for c in codings:
        if c.status != CodingStatus.REJECTED:
            anyone.setdefault(c.segment_id, set()).add(c.theme)
        if c.coder == coder and c.status in (CodingStatus.MANUAL, CodingStatus.ACCEPTED):
            mine.setdefault(c.segment_id, []).append(c.theme)
    if theme is not None:
        segments = [s for s in segments if theme in anyone.get(s.id, set())]
    if only is not None:
        wanted = set(only)
        segments = [s for s in segments if s.id in wanted]
    if order == "uncertain":
        # Active learning: the segments the machine is least sure of first.
        segments = sorted(segments, key=lambda s: -uncertainty(suggested.get(s.id, [])))
    if limit is not None:
        segments = segments[: max(0, limit)]
    from journeylab.themes.privacy import Pseudonymiser

    # Never a real name in a sheet that leaves the office: text and speakers.
    pseudo = Pseudonymiser.from_sources(study, sources.values())
    rows = []
    for s in segments:
        record = sources.get(s.source)
        participant = record.participant(s.speaker) if record else None
        speaker = (participant.pseudonym if participant else None) or s.speaker or s.journey or ""
        speaker = pseudo.speaker(speaker) or ""
        rows.append(
            SheetRow(
                segment=dataclasses.replace(s, text=pseudo.text(s.text)),
                speaker=speaker,
                suggestions=tuple(suggested.get(s.id, [])[:TOP]),
                themes=tuple(dict.fromkeys(mine.get(s.id, [])))[:TOP],
            )
        )
    return rows, themes, pseudo


THEME_COLUMNS = frozenset({"s1", "s2", "s3", "t1", "t2", "t3", "new", "theme"})


def _cell_fix(column: str, value: str) -> str | None:
    """What to do about a real name in a sheet cell that is written as stored."""
    from journeylab.themes.privacy import file_fix, theme_fix

    if column in ("id", "source"):
        return file_fix(value)
    if column in THEME_COLUMNS:
        return theme_fix(value)
    return None


def check_sheet(
    pseudo: Pseudonymiser, out: Path, rows: Sequence[SheetRow], themes: Sequence[str]
) -> None:
    """PrivacyError naming the sheet, row and column when any cell holds a real name.

    Text and speakers are pseudonymised; ids, file names and themes are written as
    stored (reading the sheet back needs them), so they are checked here.
    """
    sheet = SHEET if Path(out).suffix.lower() == ".xlsx" else None
    # In the columns' order, so the cell named is the first a person sees.
    cells = ({k: v[k] for k, _ in COLUMNS if k in v} for v in (r.values() for r in rows))
    pseudo.check_rows(cells, out, sheet=sheet, labels=HEADERS, fix=_cell_fix)
    pseudo.check_rows(
        ({"theme": name} for name in themes),
        out,
        first=1,
        sheet=LISTS if sheet else None,
        labels={"theme": "A"},
        fix=_cell_fix,
    )


def write_review_sheet(
    study: Study,
    out: Path,
    *,
    coder: str,
    theme: str | None = None,
    limit: int | None = None,
    order: Order = "source",
    only: Iterable[str] | None = None,
) -> int:
    """Write a review sheet (.xlsx or .csv by suffix); returns the number of rows.

    *only* limits the sheet to those segment ids (e.g. where two coders disagree).
    A real name in any cell refuses the sheet (PrivacyError): nothing is written.
    """
    from journeylab.coding.review_io import write_csv, write_xlsx

    suffix = Path(out).suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise SheetError("a review sheet must be .xlsx or .csv", path=out)
    rows, themes, pseudo = _sheet(study, coder, theme, limit, order, only)
    names = [t.name for t in themes]
    check_sheet(pseudo, Path(out), rows, names if suffix == ".xlsx" else ())
    if suffix == ".xlsx":
        write_xlsx(Path(out), rows, names)
    else:
        write_csv(Path(out), rows)
    return len(rows)


def read_review_sheet(study: Study, path: Path, *, coder: str) -> ReviewResult:
    """Read a filled sheet back as *coder*'s codings; one bad row and nothing is written."""
    from journeylab.coding.review_io import apply_rows, read_rows

    if not coder.strip() or coder.startswith("machine:"):
        raise SheetError(
            f"'{coder}' is not a person's name", path=path, hint="give the coder's own name"
        )
    records = read_rows(Path(path))
    return apply_rows(study, Path(path), records, coder=coder.strip())

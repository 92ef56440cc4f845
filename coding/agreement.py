"""Inter-coder agreement: Cohen's kappa per theme, Krippendorff's alpha, and the disagreements.

Themes overlap, so a segment can carry several: agreement is measured per theme
on binary presence (did the coder put this theme on this segment?), and overall
on each coder's top theme. A person's codings are their MANUAL and ACCEPTED
ones; a machine coder ("machine:ensemble") counts with its top-1 SUGGESTED theme.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import krippendorff
import numpy as np
import pandas as pd

from journeylab.coding.model import Coding, CodingStatus
from journeylab.coding.study import Study
from journeylab.errors import StudyError

PERSON_STATUSES = (CodingStatus.MANUAL, CodingStatus.ACCEPTED)
NO_THEME = "(intet tema)"

# Landis & Koch (1977): upper bound of each band -> (Danish, English).
_BANDS: tuple[tuple[float, str, str], ...] = (
    (0.0, "ringe", "poor"),
    (0.20, "ringe", "slight"),
    (0.40, "nogenlunde", "fair"),
    (0.60, "moderat", "moderate"),
    (0.80, "betydelig", "substantial"),
    (1.0, "næsten perfekt", "almost perfect"),
)
_UNDEFINED = {"da": "ikke defineret", "en": "undefined"}

_COLUMNS = {
    "da": {
        "theme": "tema",
        "n": "n",
        "both": "begge",
        "only_a": "kun A",
        "only_b": "kun B",
        "neither": "ingen",
        "percent": "enighed %",
        "kappa": "kappa",
        "alpha": "alpha",
        "label": "vurdering",
    },
    "en": {},
}


def interpret(kappa: float | None, lang: str = "da") -> str:
    """Landis & Koch's words for a kappa or alpha, so a consultant knows whether to trust it."""
    if kappa is None or math.isnan(kappa):
        return _UNDEFINED.get(lang, _UNDEFINED["en"])
    for upper, da, en in _BANDS:
        # Below 0 is "poor"; after that each band includes its upper bound (0.20 is "slight").
        if kappa < upper or (upper > 0.0 and kappa <= upper):
            return da if lang == "da" else en
    return _BANDS[-1][1] if lang == "da" else _BANDS[-1][2]


@dataclass(frozen=True)
class ThemeAgreement:
    """Agreement on one theme: counts of segments by who coded it, and kappa/alpha."""

    theme: str
    n: int
    both: int
    only_a: int
    only_b: int
    neither: int
    kappa: float | None  # None: undefined (e.g. nobody, or everybody, used the theme)
    alpha: float | None
    label: str

    @property
    def percent(self) -> float:
        return 100.0 * (self.both + self.neither) / self.n if self.n else 0.0


@dataclass(frozen=True)
class Disagreement:
    """A segment the two coders coded differently: material for a discussion."""

    segment_id: str
    themes_a: tuple[str, ...]
    themes_b: tuple[str, ...]


@dataclass(frozen=True)
class AgreementReport:
    coder_a: str
    coder_b: str
    n_segments: int
    themes: tuple[ThemeAgreement, ...]
    kappa: float | None  # overall: Cohen's kappa on each coder's top theme
    kappa_label: str
    alpha: float | None  # overall: Krippendorff's alpha, nominal, over all (segment, theme) pairs
    alpha_label: str
    percent: float  # overall: share of segments with the same top theme, in %
    disagreements: tuple[Disagreement, ...]
    lang: str = "da"
    top_pairs: tuple[tuple[str, str], ...] = ()  # per segment: (A's top theme, B's)

    def confusion(self) -> pd.DataFrame:
        """Which themes get mixed up: A's top theme (rows) against B's (columns)."""
        if not self.top_pairs:
            return pd.DataFrame()
        frame = pd.DataFrame(self.top_pairs, columns=[self.coder_a, self.coder_b])
        return pd.crosstab(frame[self.coder_a], frame[self.coder_b])

    def theme(self, name: str) -> ThemeAgreement | None:
        for row in self.themes:
            if row.theme == name:
                return row
        return None

    def table(self) -> pd.DataFrame:
        """One row per theme; column names in the report's language."""
        rows = [
            {
                "theme": r.theme,
                "n": r.n,
                "both": r.both,
                "only_a": r.only_a,
                "only_b": r.only_b,
                "neither": r.neither,
                "percent": round(r.percent, 1),
                "kappa": r.kappa,
                "alpha": r.alpha,
                "label": r.label,
            }
            for r in self.themes
        ]
        frame = pd.DataFrame(rows, columns=list(_COLUMNS["da"]))
        return frame.rename(columns=_COLUMNS.get(self.lang, {}))


def coder_themes(
    codings: Sequence[Coding], coder: str, segment_ids: Sequence[str] | None = None
) -> dict[str, list[str]]:
    """Segment id -> the coder's themes, the top theme first.

    A person's MANUAL and ACCEPTED codings count (REJECTED means "not this theme");
    SUGGESTED codings count only as the coder's top-1 per segment, which is how a
    machine coder is compared with a person.
    """
    wanted = set(segment_ids) if segment_ids is not None else None
    person: dict[str, list[Coding]] = {}
    machine: dict[str, Coding] = {}
    for c in codings:
        if c.coder != coder or (wanted is not None and c.segment_id not in wanted):
            continue
        if c.status in PERSON_STATUSES:
            person.setdefault(c.segment_id, []).append(c)
        elif c.status == CodingStatus.SUGGESTED:
            best = machine.get(c.segment_id)
            if best is None or _rank_key(c) < _rank_key(best):
                machine[c.segment_id] = c
    out: dict[str, list[str]] = {}
    for seg, items in person.items():
        # Stable sort keeps the order the codings came in where no rank/score says otherwise.
        ordered = sorted(items, key=_rank_key)
        out[seg] = list(dict.fromkeys(c.theme for c in ordered))
    for seg, c in machine.items():
        if seg not in out:
            out[seg] = [c.theme]
    return out


def _rank_key(c: Coding) -> tuple[float, float]:
    rank = float(c.rank) if c.rank is not None else math.inf
    score = -c.score if c.score is not None else 0.0
    return (rank, score)


def cohen_kappa(a: Sequence[str | int | bool], b: Sequence[str | int | bool]) -> float | None:
    """Cohen's kappa of two equally long label sequences; None where it is undefined."""
    if len(a) != len(b):
        raise ValueError("both coders must label the same units")
    n = len(a)
    if n == 0:
        return None
    po = sum(1 for x, y in zip(a, b, strict=True) if x == y) / n
    cats = set(a) | set(b)
    count_a, count_b = Counter(a), Counter(b)
    pe = sum((count_a[c] / n) * (count_b[c] / n) for c in cats)
    if math.isclose(pe, 1.0):
        # One category for both: chance agreement is total, kappa is 0/0.
        return None
    return (po - pe) / (1.0 - pe)


def krippendorff_alpha(rows: Sequence[Sequence[float]]) -> float | None:
    """Nominal Krippendorff's alpha of a coders x units matrix (nan: missing); None: undefined."""
    data = np.asarray(rows, dtype=float)
    if data.size == 0:
        return None
    values = set(np.unique(data[~np.isnan(data)]).tolist())
    if len(values) < 2:
        return None
    try:
        value = float(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))
    except (ValueError, ZeroDivisionError):
        return None
    return None if math.isnan(value) else value


def alpha_across(
    codings: Sequence[Coding],
    coders: Sequence[str],
    themes: Sequence[str],
    segment_ids: Sequence[str],
) -> float | None:
    """Krippendorff's alpha across any number of coders, each theme a binary variable.

    Every (segment, theme) pair is one unit, so multi-label coding is compared
    without forcing one theme per segment.
    """
    per_coder = [coder_themes(codings, c, segment_ids) for c in coders]
    rows = [
        [1.0 if t in coded.get(seg, ()) else 0.0 for seg in segment_ids for t in themes]
        for coded in per_coder
    ]
    return krippendorff_alpha(rows)


def agreement(
    codings: Sequence[Coding],
    coder_a: str,
    coder_b: str,
    themes: Sequence[str],
    segment_ids: Sequence[str],
    *,
    lang: str = "da",
) -> AgreementReport:
    """Agreement between two coders on *segment_ids*, per theme and overall."""
    seg_ids = list(dict.fromkeys(segment_ids))
    a = coder_themes(codings, coder_a, seg_ids)
    b = coder_themes(codings, coder_b, seg_ids)
    n = len(seg_ids)
    rows = []
    for theme in themes:
        xa = [theme in a.get(s, ()) for s in seg_ids]
        xb = [theme in b.get(s, ()) for s in seg_ids]
        both = sum(1 for x, y in zip(xa, xb, strict=True) if x and y)
        only_a = sum(1 for x, y in zip(xa, xb, strict=True) if x and not y)
        only_b = sum(1 for x, y in zip(xa, xb, strict=True) if y and not x)
        kappa = cohen_kappa(xa, xb)
        alpha = krippendorff_alpha([[float(x) for x in xa], [float(y) for y in xb]])
        rows.append(
            ThemeAgreement(
                theme=theme,
                n=n,
                both=both,
                only_a=only_a,
                only_b=only_b,
                neither=n - both - only_a - only_b,
                kappa=kappa,
                alpha=alpha,
                label=interpret(kappa, lang),
            )
        )
    top_a = [a[s][0] if a.get(s) else NO_THEME for s in seg_ids]
    top_b = [b[s][0] if b.get(s) else NO_THEME for s in seg_ids]
    kappa = cohen_kappa(top_a, top_b)
    same = sum(1 for x, y in zip(top_a, top_b, strict=True) if x == y)
    alpha = krippendorff_alpha(
        [
            [1.0 if t in coded.get(s, ()) else 0.0 for s in seg_ids for t in themes]
            for coded in (a, b)
        ]
    )
    disagreements = tuple(
        Disagreement(
            segment_id=s,
            themes_a=tuple(t for t in a.get(s, ()) if t in themes),
            themes_b=tuple(t for t in b.get(s, ()) if t in themes),
        )
        for s in seg_ids
        if {t for t in a.get(s, ()) if t in themes} != {t for t in b.get(s, ()) if t in themes}
    )
    return AgreementReport(
        coder_a=coder_a,
        coder_b=coder_b,
        n_segments=n,
        themes=tuple(rows),
        kappa=kappa,
        kappa_label=interpret(kappa, lang),
        alpha=alpha,
        alpha_label=interpret(alpha, lang),
        percent=100.0 * same / n if n else 0.0,
        disagreements=disagreements,
        lang=lang,
        top_pairs=tuple(zip(top_a, top_b, strict=True)),
    )


def person_coders(codings: Sequence[Coding]) -> list[str]:
    """The people (not machine coders) who coded, most codings first."""
    counts: dict[str, int] = {}
    for c in codings:
        if not c.coder.startswith("machine:") and c.status is not CodingStatus.SUGGESTED:
            counts[c.coder] = counts.get(c.coder, 0) + 1
    return sorted(counts, key=lambda name: (-counts[name], name))


def study_agreement(
    study: Study, coder_a: str | None = None, coder_b: str | None = None
) -> AgreementReport:
    """Agreement in a study's store; by default two people, else a person vs the machine.

    Only segments the first coder (a person) has coded are compared, so a
    coder who has done a sample is measured on that sample.
    """
    from journeylab.coding.store import open_store

    with open_store(study) as store:
        codings = store.codings()
        themes = [t.name for t in store.themes()]
    people = person_coders(codings)
    if coder_a is None:
        if not people:
            raise StudyError(
                "no person has coded anything yet",
                path=study.root,
                hint="code a sample with journeylab review, then measure agreement",
            )
        coder_a = people[0]
    if coder_b is None:
        others = [p for p in people if p != coder_a]
        coder_b = others[0] if others else "machine:ensemble"
    known = set(people) | {c.coder for c in codings}
    for name in (coder_a, coder_b):
        if name not in known:
            raise StudyError(
                f"no codings by '{name}'",
                path=study.root,
                hint=f"coders in this study: {', '.join(sorted(known)) or 'none'}",
            )
    sample = list(dict.fromkeys(c.segment_id for c in codings if c.coder == coder_a))
    return agreement(codings, coder_a, coder_b, themes, sample, lang=study.language)

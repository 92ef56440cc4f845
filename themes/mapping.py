"""Mapping each study's own themes onto the programme's themes.

journeylab suggests the mapping from theme similarity (the similarity coder's
TF-IDF on each theme's name, description, hints, keywords and examples) and
writes it as an editable YAML file; the analyst corrects it; the synthesis
reads the edited file back and checks it against the codebooks::

    studies:
      aaby:
        Relationen: [Relationen]            # a local theme -> programme themes
        Skolen og tidlig indsats: [Skole, Familien og tidlig indsats]
        Organisering og samarbejde: []      # maps to none

A local theme may map to several programme themes or to none; every local
theme of every study must be listed, so a theme added later is not silently lost.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from journeylab.coding.model import Codebook, Theme
from journeylab.errors import CodebookError
from journeylab.fileio import read_text, write_text_atomic

# A second programme theme is suggested when it scores this close to the best.
SECOND_SHARE = 0.8
MIN_SCORE = 0.05


@dataclass(frozen=True)
class ThemeLink:
    """One local theme of one study and the programme themes it maps onto."""

    study: str
    local: str
    programme: tuple[str, ...]
    scores: tuple[tuple[str, float], ...] = ()  # suggestion only: best programme themes


@dataclass(frozen=True)
class ThemeMapping:
    links: tuple[ThemeLink, ...]

    def targets(self, study: str, local: str) -> tuple[str, ...]:
        for link in self.links:
            if link.study == study and link.local == local:
                return link.programme
        return ()

    def sources(self, study: str, programme_theme: str) -> tuple[str, ...]:
        """The study's local themes that map onto *programme_theme*."""
        return tuple(
            link.local
            for link in self.links
            if link.study == study and programme_theme in link.programme
        )


def _theme_text(theme: Theme) -> str:
    parts = [theme.name, theme.description, *theme.include, ", ".join(theme.keywords)]
    return ". ".join([*(p for p in parts if p), *theme.examples])


def _folded(name: str) -> str:
    return " ".join(name.casefold().split())


def theme_scores(local: Codebook, programme: Codebook, lang: str = "da") -> list[list[float]]:
    """Cosine similarity of every local theme (rows) to every programme theme (columns).

    TF-IDF on lemma uni- and bigrams (the similarity coder's text preparation);
    raw cosines, not the coder's clipped scores, so long theme texts stay apart.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import cosine_similarity

    from journeylab.coding.scores import text_lemmas
    from journeylab.coding.similarity import _STOP

    stop = _STOP.get(lang, frozenset())
    texts = [_theme_text(t) for t in (*local.themes, *programme.themes)]
    docs = [
        " ".join(w for w in lem if w not in stop and any(c.isalnum() for c in w))
        for lem in text_lemmas(texts, lang)
    ]
    matrix = TfidfVectorizer(
        token_pattern=r"\S+", ngram_range=(1, 2), sublinear_tf=True, lowercase=False
    ).fit_transform(docs)
    n = len(local.themes)
    sims = cosine_similarity(matrix[:n], matrix[n:])
    rows = [[round(float(v), 4) for v in row] for row in sims]
    # The same name is the same theme, whatever the texts say.
    for i, theme in enumerate(local.themes):
        for j, target in enumerate(programme.themes):
            if _folded(theme.name) == _folded(target.name):
                rows[i][j] = 1.0
    return rows


def suggest_mapping(
    codebooks: Mapping[str, Codebook], programme: Codebook, lang: str = "da"
) -> ThemeMapping:
    """For each local theme: the most similar programme theme, plus any within 80 % of it."""
    links = []
    for key, local in codebooks.items():
        if not local.themes:
            continue
        for theme, row in zip(local.themes, theme_scores(local, programme, lang), strict=True):
            ranked = sorted(zip(programme.names, row, strict=True), key=lambda p: -p[1])
            best = ranked[0][1]
            chosen = tuple(
                name for name, s in ranked if s >= MIN_SCORE and s >= SECOND_SHARE * best
            )[:2]
            links.append(
                ThemeLink(key, theme.name, chosen, tuple((n, round(s, 2)) for n, s in ranked[:3]))
            )
    return ThemeMapping(tuple(links))


def _q(text: str) -> str:
    # A JSON string is a valid YAML double-quoted scalar, whatever it contains.
    return json.dumps(text, ensure_ascii=False)


def dump_mapping(mapping: ThemeMapping, programme: Codebook) -> str:
    """The mapping as the YAML file the analyst edits, with the scores as comments."""
    lines = [
        "# Kortlægning af kommunernes egne temaer på programmets temaer.",
        "# Foreslået af journeylab ud fra temaernes ligheder; ret den, før den bruges.",
        "# Et lokalt tema kan høre til flere programtemaer eller til ingen ([]).",
        f"# Programmets temaer: {', '.join(programme.names)}",
        "studies:",
    ]
    current = None
    for link in mapping.links:
        if link.study != current:
            lines.append(f"  {_q(link.study)}:")
            current = link.study
        if link.scores:
            lines.append("    # forslag: " + ", ".join(f"{n} {s:.2f}" for n, s in link.scores))
        targets = ", ".join(_q(t) for t in link.programme)
        lines.append(f"    {_q(link.local)}: [{targets}]")
    return "\n".join(lines) + "\n"


def write_mapping(mapping: ThemeMapping, programme: Codebook, path: str | Path) -> Path:
    path = Path(path)
    write_text_atomic(path, dump_mapping(mapping, programme))
    return path


def parse_mapping(
    text: str, path: Path, codebooks: Mapping[str, Codebook], programme: Codebook
) -> ThemeMapping:
    """Read an edited mapping; CodebookError naming the study and theme when it does not fit."""
    try:
        data: Any = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else None
        raise CodebookError(
            "not valid YAML",
            path=path,
            where=where,
            hint="check the indentation and the [brackets]",
        ) from exc
    studies = data.get("studies") if isinstance(data, dict) else None
    if not isinstance(studies, dict):
        raise CodebookError(
            "the mapping has no 'studies:' table",
            path=path,
            hint="write studies: then one block per study",
        )
    links: list[ThemeLink] = []
    for key in studies:
        if str(key) not in codebooks:
            raise CodebookError(
                f"'{key}' is not a study of the programme",
                path=path,
                where=f"studies > {key}",
                hint=f"use: {', '.join(codebooks)}",
            )
    for key, local in codebooks.items():
        block = studies.get(key)
        if not isinstance(block, dict):
            raise CodebookError(
                f"the study '{key}' is missing from the mapping",
                path=path,
                hint="add its block, or suggest the mapping again",
            )
        for name in block:
            if local.theme(str(name)) is None:
                raise CodebookError(
                    f"'{name}' is not a theme in {key}'s codebook",
                    path=path,
                    where=f"studies > {key} > {name}",
                    hint=f"use: {', '.join(local.names)}",
                )
        for theme in local.themes:
            where = f"studies > {key} > {theme.name}"
            if theme.name not in block:
                raise CodebookError(
                    f"the theme '{theme.name}' is not mapped",
                    path=path,
                    where=f"studies > {key}",
                    hint="add it with the programme themes it belongs to, or []",
                )
            targets = block[theme.name]
            if targets is None:
                targets = []
            if isinstance(targets, str):
                targets = [targets]
            if not isinstance(targets, list) or not all(isinstance(t, str) for t in targets):
                raise CodebookError(
                    "must be a list of programme themes",
                    path=path,
                    where=where,
                    hint='write [Theme A, "Theme, with comma"] or []',
                )
            for t in targets:
                if programme.theme(t) is None:
                    raise CodebookError(
                        f"'{t}' is not a programme theme",
                        path=path,
                        where=where,
                        hint=f"use: {', '.join(programme.names)}",
                    )
            links.append(ThemeLink(key, theme.name, tuple(dict.fromkeys(targets))))
    return ThemeMapping(tuple(links))


def load_mapping(
    path: str | Path, codebooks: Mapping[str, Codebook], programme: Codebook
) -> ThemeMapping:
    path = Path(path)
    if not path.is_file():
        raise CodebookError(
            "the theme mapping file is missing",
            path=path,
            hint="suggest one with suggest_mapping/write_mapping and edit it",
        )
    return parse_mapping(read_text(path), path, codebooks, programme)

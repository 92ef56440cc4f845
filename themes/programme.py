"""A programme (partnership): several municipalities' studies, one set of themes.

``programme.toml`` in the programme folder::

    [programme]
    title = "Partnerskab om ungeindsatsen"
    language = "da"
    codebook = "kl-seks"            # a preset name, or a codebook file in the folder
    mapping = "mapping.yaml"         # local themes -> programme themes (journeylab suggests it)
    date = "2026-06-01"
    background = "…"
    include_suggestions = 0.5        # optional: count machine suggestions from this score

    [[studies]]
    path = "aaby"                    # relative to the programme folder
    client_only = ["transcripts/ledere.md"]   # shown only in this municipality's own report

    [transitions]                    # as in study.toml; a study's own points win on their key
    voksen = { age = 17.5, label = "Voksenplanen begynder" }

    [[recommendations]]
    id = "A1"
    title = "Én fast voksen gennem overgangene"
    text = "…"
    themes = ["Relationen"]
    transitions = ["voksen"]         # optional
    considerations = ["Hvordan …?"]
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from journeylab.coding.model import Codebook
from journeylab.coding.study import PRESETS, Study, load_study, preset_path
from journeylab.errors import StudyError
from journeylab.themes.transitions import TransitionPoint, parse_transitions

FILENAME = "programme.toml"


@dataclass(frozen=True)
class Member:
    """A member study: its key (the folder name), its folder and its client-only sources."""

    key: str
    path: Path
    client_only: tuple[str, ...] = ()  # source paths relative to the study folder


@dataclass(frozen=True)
class Recommendation:
    id: str
    title: str
    text: str
    themes: tuple[str, ...]  # programme theme names
    transitions: tuple[str, ...] = ()  # transition point keys
    considerations: tuple[str, ...] = ()


@dataclass(frozen=True)
class Programme:
    root: Path
    title: str
    language: str
    codebook: str  # a preset name or a file relative to root
    mapping_file: str
    members: tuple[Member, ...]
    recommendations: tuple[Recommendation, ...] = ()
    transitions: tuple[TransitionPoint, ...] = ()
    date: str | None = None
    background: str = ""
    include_suggestions: float | None = None

    @property
    def toml_path(self) -> Path:
        return self.root / FILENAME

    @property
    def mapping_path(self) -> Path:
        return self.root / self.mapping_file

    @property
    def codebook_path(self) -> Path:
        if self.codebook in PRESETS and not (self.root / self.codebook).is_file():
            return preset_path(self.codebook)
        return self.root / self.codebook

    def member(self, key: str) -> Member:
        for m in self.members:
            if m.key == key:
                return m
        raise StudyError(
            f"'{key}' is not a study of the programme",
            path=self.toml_path,
            hint=f"choose one of: {', '.join(m.key for m in self.members)}",
        )

    def study(self, key: str) -> Study:
        return load_study(self.member(key).path)


def load_programme_codebook(programme: Programme) -> Codebook:
    """The programme's own themes (a preset or a codebook file)."""
    from journeylab.coding.codebook import load_codebook, with_default_colours

    return with_default_colours(load_codebook(programme.codebook_path))


def _text(data: dict[str, Any], key: str, path: Path, where: str, default: str = "") -> str:
    value = data.get(key, default)
    if not isinstance(value, str):
        raise StudyError(
            f"'{key}' must be text", path=path, where=where, hint=f'write {key} = "..."'
        )
    return value


def _texts(data: dict[str, Any], key: str, path: Path, where: str) -> tuple[str, ...]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise StudyError(
            f"'{key}' must be a list of texts",
            path=path,
            where=where,
            hint=f'write {key} = ["...", "..."]',
        )
    return tuple(value)


def _members(raw: Any, root: Path, path: Path) -> tuple[Member, ...]:
    if not isinstance(raw, list) or not raw:
        raise StudyError(
            "the programme lists no studies",
            path=path,
            hint='add [[studies]] tables with path = "folder"',
        )
    members: list[Member] = []
    for i, spec in enumerate(raw, start=1):
        where = f"[[studies]] number {i}"
        if isinstance(spec, str):
            spec = {"path": spec}
        if not isinstance(spec, dict) or not isinstance(spec.get("path"), str):
            raise StudyError('a study needs path = "folder"', path=path, where=where)
        folder = (root / spec["path"]).resolve()
        if not (folder / "study.toml").is_file():
            raise StudyError(
                f"no study at '{spec['path']}'",
                path=path,
                where=where,
                hint="the path is relative to the programme folder and must hold a study.toml",
            )
        key = str(spec.get("key") or Path(spec["path"]).name)
        if any(m.key == key for m in members):
            raise StudyError(f"the study '{key}' is listed twice", path=path, where=where)
        members.append(Member(key, folder, _texts(spec, "client_only", path, where)))
    return tuple(members)


def _recommendations(raw: Any, path: Path) -> tuple[Recommendation, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise StudyError("recommendations must be [[recommendations]] tables", path=path)
    out: list[Recommendation] = []
    for i, spec in enumerate(raw, start=1):
        where = f"[[recommendations]] number {i}"
        if not isinstance(spec, dict):
            raise StudyError("a recommendation must be a table", path=path, where=where)
        title = _text(spec, "title", path, where)
        if not title.strip():
            raise StudyError(
                "the recommendation has no title", path=path, where=where, hint='add title = "..."'
            )
        rid = str(spec.get("id") or f"A{i}")
        if any(r.id == rid for r in out):
            raise StudyError(f"the recommendation id '{rid}' is used twice", path=path, where=where)
        out.append(
            Recommendation(
                id=rid,
                title=title.strip(),
                text=_text(spec, "text", path, where).strip(),
                themes=_texts(spec, "themes", path, where),
                transitions=_texts(spec, "transitions", path, where),
                considerations=_texts(spec, "considerations", path, where),
            )
        )
    return tuple(out)


def _threshold(value: Any, path: Path) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise StudyError(
            "include_suggestions must be a number from 0 to 1", path=path, where="[programme]"
        )
    return float(value)


def load_programme(root: str | Path) -> Programme:
    """Read *root*/programme.toml (or the file itself); StudyError when missing or malformed."""
    root = Path(root)
    if root.is_file():
        root = root.parent
    path = root / FILENAME
    if not path.is_file():
        raise StudyError(
            "programme.toml is missing",
            path=root,
            hint="a programme folder holds programme.toml and the studies",
        )
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise StudyError("programme.toml is not UTF-8", path=path) from exc
    except tomllib.TOMLDecodeError as exc:
        raise StudyError(f"not valid TOML: {exc}", path=path) from exc
    head = data.get("programme", {})
    if not isinstance(head, dict):
        raise StudyError("[programme] must be a table", path=path)
    title = _text(head, "title", path, "[programme]")
    if not title.strip():
        raise StudyError(
            "the programme has no title", path=path, where="[programme]", hint='add title = "..."'
        )
    language = _text(head, "language", path, "[programme]", "da")
    if language not in ("da", "en"):
        raise StudyError(
            f"language must be 'da' or 'en', not '{language}'", path=path, where="[programme]"
        )
    codebook = _text(head, "codebook", path, "[programme]", "kl-seks")
    if codebook not in PRESETS and not (root / codebook).is_file():
        raise StudyError(
            f"no codebook '{codebook}'",
            path=path,
            where="[programme]",
            hint=f"name a preset ({', '.join(PRESETS)}) or a codebook file in the folder",
        )
    date = head.get("date")
    recommendations = _recommendations(data.get("recommendations"), path)
    transitions = parse_transitions(data.get("transitions"), path)
    keys = {p.key for p in transitions}
    for r in recommendations:
        unknown = [k for k in r.transitions if k not in keys]
        if unknown:
            raise StudyError(
                f"recommendation '{r.id}' names unknown transitions: {', '.join(unknown)}",
                path=path,
                where="[[recommendations]]",
                hint=f"declare them under [transitions] ({', '.join(sorted(keys)) or 'none yet'})",
            )
    return Programme(
        root=root,
        title=title.strip(),
        language=language,
        codebook=codebook,
        mapping_file=_text(head, "mapping", path, "[programme]", "mapping.yaml"),
        members=_members(data.get("studies"), root, path),
        recommendations=recommendations,
        transitions=transitions,
        date=str(date) if date is not None else None,
        background=_text(head, "background", path, "[programme]").strip(),
        include_suggestions=_threshold(head.get("include_suggestions"), path),
    )


def check_recommendation_themes(programme: Programme, codebook: Codebook) -> None:
    """Every theme a recommendation names must be a programme theme."""
    for r in programme.recommendations:
        unknown = [t for t in r.themes if codebook.theme(t) is None]
        if unknown:
            raise StudyError(
                f"recommendation '{r.id}' names themes the programme does not have: "
                + ", ".join(unknown),
                path=programme.toml_path,
                where="[[recommendations]]",
                hint=f"use the programme's themes: {', '.join(codebook.names)}",
            )

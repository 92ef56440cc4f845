"""A study on disk: study.toml, its codebook, journeys/ and transcripts/ folders."""

from __future__ import annotations

import difflib
import hashlib
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from journeylab.coding.model import Participant, Role, parse_role
from journeylab.errors import StudyError
from journeylab.fileio import normalise

JOURNEY_SUFFIXES = (".yaml", ".yml", ".csv", ".xlsx")
TRANSCRIPT_SUFFIXES = (".txt", ".md", ".docx", ".vtt", ".srt")
PRESETS = ("ungeindsats", "kl-seks")


@dataclass(frozen=True)
class TranscriptMeta:
    """What study.toml says about one transcript file ([transcripts."name"])."""

    title: str | None = None
    date: str | None = None
    municipality: str | None = None
    participants: tuple[Participant, ...] = ()


@dataclass(frozen=True)
class Study:
    root: Path
    title: str
    municipality: str | None = None
    language: str = "da"
    codebook_file: str = "codebook.yaml"
    date: str | None = None
    pipeline: str | None = None
    roles: tuple[tuple[str, Role], ...] = ()  # speaker label -> role
    default_role: Role | None = None
    names: tuple[tuple[str, str], ...] = ()  # real name -> made-up name
    background: str = ""
    considerations: tuple[str, ...] = ()
    transcripts: tuple[tuple[str, TranscriptMeta], ...] = field(default=())

    @property
    def toml_path(self) -> Path:
        return self.root / "study.toml"

    @property
    def codebook_path(self) -> Path:
        return self.root / self.codebook_file

    @property
    def store_path(self) -> Path:
        return self.root / ".journeylab" / "study.db"

    def role_for(self, speaker: str) -> Role | None:
        """The role study.toml's [roles] gives *speaker*, else the default role."""
        for name, role in self.roles:
            if name.casefold() == speaker.casefold():
                return role
        return self.default_role

    def transcript_meta(self, filename: str) -> TranscriptMeta:
        for name, meta in self.transcripts:
            if name == filename:
                return meta
        return TranscriptMeta()

    def journey_files(self) -> list[Path]:
        folder = self.root / "journeys"
        if not folder.is_dir():
            return []
        return sorted(
            p for p in folder.iterdir() if p.suffix.lower() in JOURNEY_SUFFIXES and _visible(p)
        )

    def transcript_files(self) -> list[Path]:
        folder = self.root / "transcripts"
        if not folder.is_dir():
            return []
        return sorted(
            p for p in folder.iterdir() if p.suffix.lower() in TRANSCRIPT_SUFFIXES and _visible(p)
        )

    def import_key(self, path: Path, content_digest: str) -> str:
        """What decides whether `import` reads a file again: its bytes' digest, and
        for a transcript also what study.toml says about it.

        A transcript's speakers get their roles and pseudonyms from study.toml
        ([transcripts."name"], [roles]); a pseudonym or role added there after the
        first import must reach the store, or outputs built from the stored
        participants would print the speaker's real name.
        """
        if path.suffix.lower() not in TRANSCRIPT_SUFFIXES:
            return content_digest
        settings = repr(
            (self.transcript_meta(path.name), self.roles, self.default_role, self.language,
             self.pipeline)
        )  # fmt: skip
        return hashlib.sha256(f"{content_digest}|{settings}".encode()).hexdigest()

    def relative(self, path: Path) -> str:
        """A file's name relative to the study folder, with forward slashes."""
        try:
            return path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return path.as_posix()


def _visible(path: Path) -> bool:
    # Office lock files (~$x.xlsx, .~lock.x#) and hidden files are not material.
    return not path.name.startswith((".", "~"))


def example_study_path() -> Path:
    """The embedded example study (Fjordby Kommune), used when no study is given."""
    return Path(str(resources.files("journeylab") / "examples" / "fjordby"))


def preset_path(name: str) -> Path:
    if name not in PRESETS:
        raise StudyError(
            f"unknown codebook preset '{name}'", hint=f"choose one of: {', '.join(PRESETS)}"
        )
    return Path(str(resources.files("journeylab.coding") / "presets" / f"{name}.yaml"))


# What study.toml may hold. A misspelt table or key would otherwise be dropped without
# a word: `[navne]` for `[names]` turns off every name replacement. The keys of
# [roles], [names] and [transitions] are the user's own; their values are checked
# where they are read.
_TABLES = ("study", "roles", "names", "report", "transcripts", "transitions")
_KEYS = {
    "study": ("title", "municipality", "language", "codebook", "date", "pipeline", "programme"),
    "report": (
        "background", "considerations", "consideration", "pinned", "banned",
        "quote_min_words", "quote_max_words", "quotes_per_theme",
    ),
    "transcripts": ("title", "date", "municipality", "participants"),
    "participant": ("role", "pseudonym", "unit"),
}  # fmt: skip
# Danish names a consultant may reach for first.
_DANISH = {
    "studie": "study", "roller": "roles", "navne": "names", "rapport": "report",
    "transskriptioner": "transcripts", "overgange": "transitions",
}  # fmt: skip


def _guess(word: str, known: tuple[str, ...]) -> str | None:
    if word.casefold() in _DANISH:
        return _DANISH[word.casefold()]
    found = difflib.get_close_matches(word.casefold(), known, n=1, cutoff=0.6)
    return found[0] if found else None


def _unknown_keys(data: dict[str, Any], known: tuple[str, ...], path: Path, where: str) -> None:
    """StudyError for the first key of *data* not in *known*, with a guess at the meant one."""
    for key in data:
        if key in known:
            continue
        guess = _guess(str(key), known)
        if not where:
            raise StudyError(
                f"unknown table [{key}]",
                path=path,
                hint=(f"did you mean [{guess}]? " if guess else "")
                + f"study.toml has the tables {', '.join(f'[{k}]' for k in known)}",
            )
        if data[key] is None and not guess:
            # YAML front matter: `{unit: Skolen, AKT}` reads "AKT" as a key of its own.
            hint = 'a comma inside { } starts a new key: put the value in quotes, e.g. "A, B"'
        else:
            hint = (f"did you mean '{guess}'? " if guess else "") + (
                f"the keys here are {', '.join(known)}"
            )
        raise StudyError(f"unknown key '{key}'", path=path, where=where, hint=hint)


def _str(data: dict[str, Any], key: str, path: Path, table: str, default: str | None = None) -> Any:
    value = data.get(key, default)
    if value is not None and not isinstance(value, str):
        raise StudyError(
            f"'{key}' must be text, not {type(value).__name__}",
            path=path,
            where=f"[{table}]",
            hint=f'write it in quotes, e.g. {key} = "..."',
        )
    return value


def _role(value: Any, path: Path, where: str) -> Role:
    role = parse_role(str(value)) if isinstance(value, str) else None
    if role is None:
        raise StudyError(
            f"unknown role '{value}'",
            path=path,
            where=where,
            hint="use ung, medarbejder, leder or interviewer",
        )
    return role


def _participants(raw: Any, path: Path, where: str) -> tuple[Participant, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, dict):
        raise StudyError(
            "participants must be a table of speaker = {role = ...}", path=path, where=where
        )
    out = []
    for name, spec in raw.items():
        if isinstance(spec, str):
            spec = {"role": spec}
        if not isinstance(spec, dict):
            raise StudyError(
                f"participant '{name}' must be a table like {{ role = \"medarbejder\" }}",
                path=path,
                where=where,
            )
        # A misspelt `pseudonym` would print the real name wherever the speaker is named.
        _unknown_keys(spec, _KEYS["participant"], path, f"{where}, participant '{name}'")
        out.append(
            Participant(
                name=str(name),
                role=_role(spec.get("role"), path, f"{where}, participant '{name}'"),
                pseudonym=str(spec["pseudonym"]) if spec.get("pseudonym") else None,
                unit=str(spec["unit"]) if spec.get("unit") else None,
            )
        )
    return tuple(out)


def parse_participants(raw: Any, path: Path, where: str) -> tuple[Participant, ...]:
    """Participants from front matter or study.toml: {name: {role, pseudonym, unit}}."""
    return _participants(raw, path, where)


def load_study(root: str | Path) -> Study:
    """Read *root*/study.toml into a Study; StudyError when missing or malformed."""
    root = Path(root)
    path = root / "study.toml"
    if not root.is_dir():
        raise StudyError(
            "no such study folder", path=root, hint="create one with: journeylab init DIR"
        )
    if not path.is_file():
        raise StudyError(
            "study.toml is missing", path=root, hint="create a study with: journeylab init DIR"
        )
    try:
        # NFC: a name typed or pasted in decomposed form (macOS) must match the material.
        data = tomllib.loads(normalise(path.read_text(encoding="utf-8-sig")))
    except UnicodeDecodeError as exc:
        raise StudyError(
            "study.toml is not UTF-8", path=path, hint="save it as UTF-8 in your editor"
        ) from exc
    except tomllib.TOMLDecodeError as exc:
        raise StudyError(
            f"not valid TOML: {exc}",
            path=path,
            hint='names with æ, ø, å or spaces must be in quotes, e.g. "efterværn" = ...',
        ) from exc

    _unknown_keys(data, _TABLES, path, "")
    for table in _TABLES:
        if table in data and not isinstance(data[table], dict):
            raise StudyError(f"[{table}] must be a table", path=path)
    for table in ("study", "report"):
        _unknown_keys(data.get(table, {}), _KEYS[table], path, f"[{table}]")
    s = data.get("study", {})
    title = _str(s, "title", path, "study")
    if not title:
        raise StudyError(
            "the study has no title", path=path, where="[study]", hint='add title = "..."'
        )
    language = _str(s, "language", path, "study", "da")
    if language not in ("da", "en"):
        raise StudyError(
            f"language must be 'da' or 'en', not '{language}'", path=path, where="[study]"
        )
    roles_raw = dict(data.get("roles", {}))
    default_raw = roles_raw.pop("default", None)
    roles = tuple((str(k), _role(v, path, f"[roles] '{k}'")) for k, v in roles_raw.items())
    default_role = _role(default_raw, path, "[roles] default") if default_raw else None
    names = []
    for real, fake in data.get("names", {}).items():
        if not isinstance(fake, str) or not fake.strip():
            raise StudyError(
                f"the made-up name for '{real}' must be text",
                path=path,
                where="[names]",
                hint='write "Real Name" = "Made-up name"',
            )
        names.append((str(real), fake))
    report = data.get("report", {})
    background = _str(report, "background", path, "report", "") or ""
    considerations = report.get("considerations", [])
    if not isinstance(considerations, list) or not all(isinstance(c, str) for c in considerations):
        raise StudyError("considerations must be a list of texts", path=path, where="[report]")
    metas = []
    for fname, spec in data.get("transcripts", {}).items():
        where = f'[transcripts."{fname}"]'
        if not isinstance(spec, dict):
            raise StudyError("must be a table", path=path, where=where)
        _unknown_keys(spec, _KEYS["transcripts"], path, where)
        metas.append(
            (
                str(fname),
                TranscriptMeta(
                    title=_str(spec, "title", path, where),
                    date=str(spec["date"]) if spec.get("date") is not None else None,
                    municipality=_str(spec, "municipality", path, where),
                    participants=_participants(
                        spec.get("participants"), path, f"{where}.participants"
                    ),
                ),
            )
        )
    return Study(
        root=root,
        title=title,
        municipality=_str(s, "municipality", path, "study"),
        language=language,
        codebook_file=_str(s, "codebook", path, "study", "codebook.yaml"),
        date=str(s["date"]) if s.get("date") is not None else None,
        pipeline=_str(s, "pipeline", path, "study"),
        roles=roles,
        default_role=default_role,
        names=tuple(names),
        background=background,
        considerations=tuple(considerations),
        transcripts=tuple(metas),
    )


def find_study(path: str | Path | None) -> Study:
    """The study at *path*; without one, the study the current folder is in, else the example.

    "In" as git finds its repository: the current folder or the nearest parent with a
    study.toml, so a command run from transcripts/ uses its study, not the example.
    """
    if path is not None:
        return load_study(path)
    here = Path.cwd()
    for folder in (here, *here.parents):
        if (folder / "study.toml").is_file():
            return load_study(folder)
    return load_study(example_study_path())

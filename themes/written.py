"""The analyst's own findings: `findings.yaml` beside study.toml.

The report's bullets under "Hvad siger de unge?" / "Hvad siger medarbejderne?"
are the analyst's sentences where the file has them, and the tool's drafts
(themes/statements.py) where it has none. The file::

    Relationen:
      unge:
        - text: fortæller om at skifte sagsbehandler mange gange.
          segments: ["transcripts/unge.txt#4", "journeys/rejser.yaml#J01-2"]
          quantifier: auto      # "Flere unge" (+ "n = 2 af 8" for the analyst)
        - En ung beskriver, at mentoren var den første, der lyttede.
      medarbejdere: []

A bullet is a string or a mapping with `text`, optional `segments` (the
evidence) and `quantifier: auto`, which puts the careful quantifier for the
listed segments' distinct participants of the group where the text says `{q}`,
or before the text. `draft: true` keeps a scaffolded bullet marked as a draft
in the analyst version until the analyst has edited it and removed the line.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from journeylab.coding.model import Role, Segment
from journeylab.coding.study import Study
from journeylab.errors import EncodingError, InputError
from journeylab.fileio import read_text, write_text_atomic
from journeylab.themes.quantifiers import Quantity
from journeylab.themes.statements import topic_text

FINDINGS_FILE = "findings.yaml"
GROUP_KEYS = ("unge", "medarbejdere")
PLACEHOLDER = "{q}"
_GROUP_ROLES = {"unge": (Role.UNG,), "medarbejdere": (Role.MEDARBEJDER, Role.LEDER)}
_NOUNS = {"unge": "ung", "medarbejdere": "medarbejder"}


@dataclass(frozen=True)
class WrittenBullet:
    """One bullet as the analyst wrote it (before names are replaced and counts made)."""

    text: str
    segments: tuple[str, ...] = ()
    auto: bool = False  # quantifier: auto
    draft: bool = False
    line: int = 0


@dataclass(frozen=True)
class Bullet:
    """A bullet the report shows: the analyst's text, pseudonymised, with its quantity."""

    text: str  # without the quantifier; `{q}` marks where it goes when inside the text
    segment_ids: tuple[str, ...] = ()
    quantity: Quantity | None = None  # set for quantifier: auto
    draft: bool = False

    @property
    def before(self) -> str:
        """The text before the quantifier ("" when it opens the sentence)."""
        return self.text.split(PLACEHOLDER, 1)[0].strip() if PLACEHOLDER in self.text else ""

    @property
    def after(self) -> str:
        """The text after the quantifier (all of it when there is no `{q}`)."""
        text = self.text.split(PLACEHOLDER, 1)[1] if PLACEHOLDER in self.text else self.text
        return text.strip()

    @property
    def spaced(self) -> bool:
        """Whether a space goes between the quantifier and the text after it."""
        return bool(self.after) and self.after[0] not in ",.;:!?)"


# (theme, group key) -> the analyst's bullets; a missing or empty entry means "use drafts".
WrittenFindings = Mapping[tuple[str, str], tuple[WrittenBullet, ...]]


def findings_path(study: Study) -> Path:
    return study.root / FINDINGS_FILE


def _fail(path: Path, node: yaml.Node | None, message: str, hint: str | None = None) -> InputError:
    where = f"line {node.start_mark.line + 1}" if node is not None else None
    return InputError(message, path=path, where=where, hint=hint)


def _scalar(node: yaml.Node) -> Any:
    """A scalar node's plain value (bool/int/str as YAML's safe loader would give)."""
    # Constructed from the node itself: serialising it and loading the text again
    # failed on an empty key ("?" alone), a ParserError instead of an InputError.
    return yaml.SafeLoader("").construct_object(node, deep=True)


def _bullet(path: Path, node: yaml.Node, ids: Collection[str]) -> WrittenBullet:
    line = node.start_mark.line + 1
    if isinstance(node, yaml.ScalarNode):
        text = str(_scalar(node) or "").strip()
        if not text:
            raise _fail(path, node, "an empty bullet", hint="write the sentence or remove the line")
        return WrittenBullet(text=text, line=line)
    if not isinstance(node, yaml.MappingNode):
        raise _fail(path, node, "a bullet must be a sentence or a mapping with 'text'")
    fields: dict[str, yaml.Node] = {}
    for key_node, value_node in node.value:
        key = str(_scalar(key_node))
        if key not in ("text", "segments", "quantifier", "draft"):
            raise _fail(
                path, key_node, f"unknown key '{key}' in a bullet",
                hint="use text, segments, quantifier or draft",
            )  # fmt: skip
        fields[key] = value_node
    text_node = fields.get("text")
    text = str(_scalar(text_node) or "").strip() if isinstance(text_node, yaml.ScalarNode) else ""
    if not text:
        raise _fail(path, node, "a bullet has no 'text'", hint="add text: <your sentence>")
    segments: list[str] = []
    seg_node = fields.get("segments")
    if seg_node is not None:
        items = seg_node.value if isinstance(seg_node, yaml.SequenceNode) else None
        if items is None or not all(isinstance(n, yaml.ScalarNode) for n in items):
            raise _fail(path, seg_node, "'segments' must be a list of segment ids")
        for item in items:
            seg_id = str(_scalar(item))
            if seg_id not in ids:
                raise _fail(
                    path, item, f"unknown segment id '{seg_id}'",
                    hint="copy ids from the scaffolded file or the coding export",
                )  # fmt: skip
            segments.append(seg_id)
    auto = False
    if (q_node := fields.get("quantifier")) is not None:
        value = _scalar(q_node) if isinstance(q_node, yaml.ScalarNode) else None
        if value not in ("auto", None, "none"):
            raise _fail(path, q_node, f"quantifier must be 'auto', not '{value}'")
        auto = value == "auto"
        if auto and not segments:
            raise _fail(
                path, q_node, "quantifier: auto needs the segments to count",
                hint="list them under segments: [...]",
            )  # fmt: skip
    if PLACEHOLDER in text and not auto:
        raise _fail(
            path, node, f"the text has {PLACEHOLDER} but no quantifier: auto",
            hint=f"add quantifier: auto, or remove {PLACEHOLDER}",
        )  # fmt: skip
    draft = False
    if (d_node := fields.get("draft")) is not None:
        draft = _scalar(d_node) is True
    return WrittenBullet(text=text, segments=tuple(segments), auto=auto, draft=draft, line=line)


def parse_findings_file(
    text: str, path: Path, themes: Sequence[str], segment_ids: Collection[str]
) -> dict[tuple[str, str], tuple[WrittenBullet, ...]]:
    """The bullets of a findings file; InputError naming the line for anything wrong."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}" if mark is not None else None
        raise InputError(
            f"not valid YAML: {exc.problem}", path=path, where=where,
            hint="check the indentation and quotes on that line",
        ) from exc  # fmt: skip
    except yaml.YAMLError as exc:
        raise InputError(f"not valid YAML: {exc}", path=path) from exc
    if root is None:
        return {}
    if not isinstance(root, yaml.MappingNode):
        raise _fail(path, root, "the file must map theme names to unge:/medarbejdere: lists")
    known = {t.casefold(): t for t in themes}
    out: dict[tuple[str, str], tuple[WrittenBullet, ...]] = {}
    for theme_node, body in root.value:
        raw = str(_scalar(theme_node))
        theme = known.get(raw.strip().casefold())
        if theme is None:
            raise _fail(
                path, theme_node, f"unknown theme '{raw}'",
                hint=f"themes in the codebook: {', '.join(themes)}",
            )  # fmt: skip
        if isinstance(body, yaml.ScalarNode) and _scalar(body) is None:
            continue
        if not isinstance(body, yaml.MappingNode):
            raise _fail(path, body, f"'{theme}' must hold unge: and medarbejdere: lists")
        for key_node, items in body.value:
            key = str(_scalar(key_node))
            if key not in GROUP_KEYS:
                raise _fail(
                    path, key_node, f"unknown group '{key}' under '{theme}'",
                    hint="use unge: or medarbejdere:",
                )  # fmt: skip
            if isinstance(items, yaml.ScalarNode) and _scalar(items) is None:
                continue
            if not isinstance(items, yaml.SequenceNode):
                raise _fail(path, items, f"'{key}' must be a list of bullets (- ...)")
            bullets = tuple(_bullet(path, item, segment_ids) for item in items.value)
            out[(theme, key)] = out.get((theme, key), ()) + bullets
    return out


def read_findings_file(
    study: Study, themes: Sequence[str], segment_ids: Collection[str]
) -> dict[tuple[str, str], tuple[WrittenBullet, ...]]:
    """The study's findings.yaml, or {} when there is none."""
    path = findings_path(study)
    if not path.is_file():
        return {}
    try:
        text = read_text(path)
    except EncodingError:
        raise
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror}", path=path) from exc
    return parse_findings_file(text, path, themes, segment_ids)


def participant_of(segment: Segment) -> str:
    """Who said it (same key as findings.participant_key): journey or source|speaker."""
    if segment.journey or segment.kind.value == "note":
        return f"journey:{segment.journey or segment.source}"
    return f"{segment.source}|{segment.speaker or ''}"


def draft_text(key: str, topic: str, count: int, lang: str) -> str:
    """The tool's draft of a bullet, after its quantifier: "fortæller om <topic>." or,
    for the overall bullet (no topic), "berører temaet i deres fortællinger."."""
    from journeylab.themes.templating import strings

    t = strings(lang)
    one = "_one" if count == 1 else ""
    return f"{t['verb_' + key + one]} {topic}." if topic else f"{t['touch_' + key + one]}."


def read_draft(text: str, key: str, topics: Collection[str]) -> tuple[str, str] | None:
    """(language, topic) when *text* is word for word a draft the tool writes for the
    group *key*, in some language, about one of *topics* (or the overall bullet);
    None for any other text, so an edited sentence is never taken for a draft."""
    from journeylab.themes.templating import LANGUAGES

    for lang in LANGUAGES:
        for count in (1, 2):  # "fortæller om" / "touches on ... in their story" and plurals
            for topic in ("", *topics):
                if text == draft_text(key, topic, count, lang):
                    return lang, topic
    return None


def resolve_bullets(
    written: Iterable[WrittenBullet],
    key: str,
    group_size: int,
    segments: Mapping[str, Segment],
    pseudonymise: Callable[[str], str],
    *,
    language: str | None = None,
    hints: Sequence[str] = (),
) -> tuple[Bullet, ...]:
    """The analyst's bullets of one group, names replaced and auto quantities counted.

    *language*: the report's. `journeylab findings` scaffolds drafts in the study's
    language; a bullet that is still the tool's draft word for word (`draft: true`,
    `quantifier: auto`, the text as scaffolded from one of the theme's *hints*) is
    drafted again in the report's language, so an English report of a Danish study
    does not read "Most young people berører temaet ...". Any other bullet, and any
    bullet without `draft: true`, is the analyst's and is printed as written.
    """
    topics = tuple(dict.fromkeys(topic_text(h) for h in hints))
    out = []
    for wb in written:
        quantity = None
        if wb.auto:
            roles = _GROUP_ROLES[key]
            who = {
                participant_of(seg)
                for sid in wb.segments
                if (seg := segments.get(sid)) is not None and seg.role in roles
            }
            quantity = Quantity(len(who), group_size, _NOUNS[key])
        text = wb.text
        if language is not None and wb.draft and quantity is not None:
            drafted = read_draft(text, key, topics)
            if drafted is not None and drafted[0] != language:
                text = draft_text(key, drafted[1], quantity.count, language)
        out.append(
            Bullet(
                text=pseudonymise(text), segment_ids=wb.segments, quantity=quantity, draft=wb.draft
            )
        )
    return tuple(out)


# -- scaffolding -------------------------------------------------------------

_HEADER = {
    "da": """\
# Analyseteamets fund til rapporten (journeylab).
#
# Under hvert tema: punkterne til »Hvad siger de unge?« (unge:) og »Hvad siger
# medarbejderne?« (medarbejdere:). Punkterne herunder er UDKAST, som værktøjet
# har lavet ud fra de kodede tekststykker: ret teksten, slet »draft: true«, når
# punktet er jeres eget, og slet de punkter, I ikke vil bruge.
#   text:       sætningen. Med »quantifier: auto« sættes mængdeordet (»Flere unge«)
#               foran teksten, eller hvor der står {q}.
#   segments:   de tekststykker, punktet bygger på; mængdeordet tæller deres deltagere.
# En tom liste ([]) betyder: brug værktøjets udkast (markeret »Udkast« i analyseversionen).
""",
    "en": """\
# The analysis team's findings for the report (journeylab).
#
# Under each theme: the bullets of "What do the young people say?" (unge:) and
# "What do the employees say?" (medarbejdere:). The bullets below are DRAFTS the
# tool made from the coded segments: edit the text, delete "draft: true" once a
# bullet is yours, and delete the bullets you do not want.
#   text:       the sentence. With "quantifier: auto" the quantifier ("Several young
#               people") goes before the text, or where it says {q}.
#   segments:   the evidence; the quantifier counts their distinct participants.
# An empty list ([]) means: use the tool's drafts (marked "Draft" in the analyst version).
""",
}


def _q(text: str) -> str:
    # A JSON string is a valid YAML double-quoted scalar.
    return json.dumps(text, ensure_ascii=False)


def scaffold_text(findings: Any, lang: str) -> str:
    """The findings file text with the tool's draft bullets for every theme and group."""
    lines = [_HEADER.get(lang, _HEADER["da"])]
    for theme in findings.themes:
        lines.append(f"{_q(theme.name)}:")
        for key in GROUP_KEYS:
            statements = theme.group(key).statements
            if not statements:
                lines.append(f"  {key}: []")
                continue
            lines.append(f"  {key}:")
            for st in statements:
                text = draft_text(key, st.topic, st.quantity.count, lang)
                ids = ", ".join(_q(s) for s in st.segment_ids)
                lines.append(f"    - text: {_q(text)}")
                lines.append(f"      segments: [{ids}]")
                lines.append("      quantifier: auto")
                lines.append("      draft: true")
        lines.append("")
    return "\n".join(lines)


def scaffold_findings(study: Study, out: str | Path | None = None) -> Path:
    """Write findings.yaml pre-filled with draft bullets; never over an existing file."""
    from journeylab.themes.report import load_findings

    path = Path(out) if out is not None else findings_path(study)
    if path.exists():
        raise InputError(
            "the findings file already exists",
            path=path,
            hint="edit it, or move it away to scaffold a new one",
        )
    findings, _ = load_findings(study, written=False)
    write_text_atomic(path, scaffold_text(findings, study.language))
    return path

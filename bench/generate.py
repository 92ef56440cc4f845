"""A synthetic partnership-size study: deterministic, seeded, sized in words.

    .venv/bin/python bench/generate.py OUT --words 200k [--seed 1]

Writes OUT/study.toml, OUT/codebook.yaml (the `ungeindsats` preset), journeys in
YAML, CSV and XLSX, and focus-group transcripts in Markdown, text, Word, WebVTT
and SubRip, all in the formats of docs/FORMATS.md. About 5 % of the words are
journey notes (6 journeys a municipality at the least), the rest focus groups
of 7,000-11,000 words; at least 18 journeys. The sentences come from bench/vocab.py. The same seed
and size give the same files (XLSX: the same cells; openpyxl stamps its zip).
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import yaml

from journeylab.bench import vocab
from journeylab.bench.writers import (
    Group,
    docx,
    participants,
    rows,
    srt,
    text_transcript,
    vtt,
    write_csv,
    write_xlsx,
)
from journeylab.coding.study import preset_path

JOURNEY_SHARE = 0.05
TRANSCRIPT_WORDS = (7_000, 11_000)
T_FORMATS = ("md", "txt", "docx", "vtt", "srt")
_SLOT = re.compile(r"\{(\w+)\}")


def parse_size(text: str) -> int:
    """'50k' -> 50000, '1M' -> 1000000, '2500' -> 2500."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kKmM]?)\s*", text)
    if not m:
        raise ValueError(f"not a size in words: {text!r} (write e.g. 50k, 1M)")
    factor = {"": 1, "k": 1_000, "m": 1_000_000}[m.group(2).lower()]
    return int(float(m.group(1)) * factor)


def size_label(words: int) -> str:
    if words >= 1_000_000 and words % 1_000_000 == 0:
        return f"{words // 1_000_000}M"
    if words >= 1_000 and words % 1_000 == 0:
        return f"{words // 1_000}k"
    return str(words)


@dataclass(frozen=True)
class Generated:
    root: Path
    words: int  # words written (turn texts and note texts)
    journeys: int
    transcripts: int
    files: int


class _Writer:
    """Sentence maker over one seeded random source."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.themes = list(vocab.THEME_PATTERNS)
        # Relative rates of the themes in employee talk; a third is no theme at all.
        self.weights = [18, 12, 14, 12, 14, 8, 16]

    def fill(self, pattern: str) -> str:
        text = _SLOT.sub(lambda m: self.rng.choice(vocab.SLOTS[m.group(1)]), pattern)
        return text[0].upper() + text[1:]

    def sentence(self, theme: str | None, young: bool = False) -> str:
        rng = self.rng
        if theme is None or rng.random() < 0.3:
            return rng.choice(vocab.FILLER)
        if young and rng.random() < 0.5:
            return self.fill(rng.choice(vocab.YOUNG_PATTERNS))
        return self.fill(rng.choice(vocab.THEME_PATTERNS[theme]))

    def turn(self, young: bool) -> str:
        rng = self.rng
        theme = rng.choices(self.themes, self.weights)[0] if rng.random() < 0.8 else None
        n = rng.choice((1, 1, 2, 2, 3, 3, 4, 5, 6, 8))
        out: list[str] = []
        for _ in range(n):
            s = self.sentence(theme, young)
            if s in out:  # one more draw: people seldom say the same sentence twice
                s = self.sentence(theme, young)
            out.append(s)
        return " ".join(out)


# -- transcripts ------------------------------------------------------------------


def _group(w: _Writer, i: int, municipality: str, words: int) -> Group:
    rng = w.rng
    kind = rng.choices(("medarbejder", "leder", "ung"), (7, 2, 1))[0]
    pool = vocab.YOUNG_NAMES if kind == "ung" else vocab.NAMES
    names = rng.sample(pool, rng.randint(3, 5))
    title = {
        "medarbejder": "Fokusgruppe med medarbejdere",
        "leder": "Fokusgruppe med ledere",
        "ung": "Fokusgruppe med unge",
    }[kind]
    prefix = {"medarbejder": "Medarbejder", "leder": "Leder", "ung": "Ung"}[kind]
    people = [("Interviewer", "interviewer", "", "")]
    people += [
        (n, kind, f"{prefix} {k}", rng.choice(vocab.UNITS) if kind != "ung" else "")
        for k, n in enumerate(names, start=1)
    ]
    turns: list[tuple[str, str]] = []
    count = 0
    last = ""
    while count < words:
        if rng.random() < 0.15 or not turns:
            label, text = "Interviewer", w.fill(rng.choice(vocab.QUESTIONS))
        else:
            label = rng.choice([n for n in names if n != last] or names)
            text = w.turn(kind == "ung")
        last = label
        turns.append((label, text))
        count += len(text.split())
    fmt = T_FORMATS[i % len(T_FORMATS)]
    slug = municipality.lower().replace("å", "aa").replace("ø", "oe").replace("æ", "ae")
    return Group(
        name=f"fg{i + 1:04d}_{slug}_{kind}.{fmt}",
        title=f"{title} i {municipality} Kommune",
        date=f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}",
        municipality=f"{municipality} Kommune",
        people=tuple(people),
        turns=tuple(turns),
    )


# -- journeys ----------------------------------------------------------------------


def _journey(w: _Writer, jid: str, municipality: str) -> dict[str, object]:
    rng = w.rng
    n_steps = rng.randint(8, 14)
    events = sorted(rng.sample(vocab.EVENTS, n_steps), key=lambda e: (e[1], vocab.EVENTS.index(e)))
    steps = []
    age = 0
    for stage, lo, hi, actor, text in events:
        age = max(age, rng.randint(lo, hi))
        step: dict[str, object] = {"text": text, "age": age, "stage": stage, "actor": actor}
        greens = [w.fill(rng.choice(vocab.GREEN)) for _ in range(rng.choice((0, 1, 1, 2)))]
        reds = [w.fill(rng.choice(vocab.RED)) for _ in range(rng.choice((0, 1, 1, 2, 2)))]
        if greens:
            step["green"] = greens
        if reds:
            step["red"] = reds
        steps.append(step)
    return {
        "journey": jid,
        "pseudonym": rng.choice(vocab.JOURNEY_PSEUDONYMS),
        "age": max(age, 18) + rng.randint(0, 3),
        "gender": rng.choice(("kvinde", "mand")),
        "municipality": f"{municipality} Kommune",
        "steps": steps,
    }


def _note_words(j: dict[str, object]) -> int:
    return sum(len(str(r[3]).split()) for r in rows(j))


# -- the study ---------------------------------------------------------------------


def _toml_str(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _study_toml(words: int, groups: list[Group]) -> str:
    lines = [
        "# Syntetisk studie til benchmarks (bench/generate.py); alt er opdigtet.",
        "[study]",
        f'title = "Syntetisk partnerskab, {size_label(words)} ord"',
        'municipality = "Partnerskabet"',
        'language = "da"',
        'codebook = "codebook.yaml"',
        'date = "2026-05-01"',
        "",
        "[report]",
        'background = "Syntetisk materiale, skrevet af bench/generate.py til at måle hastighed."',
        'considerations = ["Hvordan sikrer vi én fast voksen på tværs af afdelingerne?"]',
        "",
    ]
    for g in groups:
        if g.name.endswith((".md", ".txt")):
            continue  # these carry their own front matter
        lines += [
            f'[transcripts."{g.name}"]',
            f"title = {_toml_str(g.title)}",
            f'date = "{g.date}"',
            f"municipality = {_toml_str(g.municipality)}",
            "",
            f'[transcripts."{g.name}".participants]',
        ]
        for label, spec in participants(g).items():
            inner = ", ".join(f"{k} = {_toml_str(v)}" for k, v in spec.items())
            lines.append(f"{label} = {{ {inner} }}")
        lines.append("")
    return "\n".join(lines)


def generate_study(
    root: str | Path,
    words: int,
    *,
    seed: int = 1,
    transcript_words: tuple[int, int] = TRANSCRIPT_WORDS,
) -> Generated:
    """Write a study of about *words* words to *root* (replaced if it exists).

    Journeys: at least 18, so YAML, CSV and XLSX all occur; focus groups of
    *transcript_words* words (smaller only for smoke tests).
    """
    if words < 500:
        raise ValueError("a study needs at least 500 words")
    root = Path(root)
    if root.exists():
        shutil.rmtree(root)
    (root / "journeys").mkdir(parents=True)
    (root / "transcripts").mkdir()
    w = _Writer(random.Random(seed))
    rng = w.rng
    munis = vocab.MUNICIPALITIES

    # Journeys: 5 % of the words, at least 18; municipality by municipality.
    journeys: list[tuple[str, dict[str, object]]] = []
    budget, journey_words = int(words * JOURNEY_SHARE), 0
    while journey_words < budget or len(journeys) < 18:
        muni = munis[(len(journeys) // 6) % len(munis)]
        j = _journey(w, f"J{len(journeys) + 1:04d}", muni)
        journeys.append((muni, j))
        journey_words += _note_words(j)
    files = 0
    for k in range(0, len(journeys), 6):
        batch = [j for _, j in journeys[k : k + 6]]
        slug = f"rejser_{k // 6 + 1:03d}"
        kind = (k // 6) % 3
        if kind == 0:
            for j in batch:
                text = yaml.safe_dump(j, allow_unicode=True, sort_keys=False)
                (root / "journeys" / f"{j['journey']}.yaml").write_text(text, encoding="utf-8")
                files += 1
        elif kind == 1:
            write_csv(root / "journeys" / f"{slug}.csv", batch)
            files += 1
        else:
            write_xlsx(root / "journeys" / f"{slug}.xlsx", batch)
            files += 1

    # Focus groups: the rest of the words.
    groups: list[Group] = []
    left = words - journey_words
    while left > 0:
        size = rng.randint(*transcript_words)
        if left - size < transcript_words[0] // 2:
            size = left
        g = _group(w, len(groups), munis[len(groups) % len(munis)], size)
        groups.append(g)
        left -= sum(len(t.split()) for _, t in g.turns)
    for g in groups:
        path = root / "transcripts" / g.name
        if g.name.endswith((".md", ".txt")):
            path.write_text(text_transcript(g), encoding="utf-8")
        elif g.name.endswith(".vtt"):
            path.write_text(vtt(g), encoding="utf-8")
        elif g.name.endswith(".srt"):
            path.write_text(srt(g), encoding="utf-8")
        else:
            path.write_bytes(docx(g))
        files += 1
    (root / "study.toml").write_text(_study_toml(words, groups), encoding="utf-8")
    shutil.copyfile(preset_path("ungeindsats"), root / "codebook.yaml")
    written = journey_words + sum(len(t.split()) for g in groups for _, t in g.turns)
    return Generated(root, written, len(journeys), len(groups), files)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--words", default="50k", help="e.g. 50k, 200k, 1M, 2M")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    g = generate_study(args.out, parse_size(args.words), seed=args.seed)
    print(
        f"{g.root}: {g.words} words, {g.journeys} journeys, {g.transcripts} focus groups,"
        f" {g.files} files"
    )


if __name__ == "__main__":
    main()

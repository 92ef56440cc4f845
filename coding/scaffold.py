"""`journeylab init`: a new study folder with a codebook and empty material folders."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from journeylab.coding.study import preset_path
from journeylab.errors import StudyError

_STUDY_TOML = """\
# En journeylab-studie. Se docs/FORMATS.md for alle felter.

[study]
title = "{title}"
municipality = "{municipality}"
language = "{language}"              # da | en
codebook = "codebook.yaml"
# pipeline = "da_core_news_sm"       # en installeret spaCy-pipeline; ellers den indbyggede

[roles]
# Talere, som ingen transskription selv giver en rolle:
# "Interviewer" = "interviewer"
# default = "medarbejder"

[names]
# Rigtigt navn = opdigtet navn. Rigtige navne skrives aldrig i rapporter og eksporter.
# "Rikke Holm" = "Sofie"

[report]
background = ""
considerations = []
"""

_README = """\
# {title}

journeys/     brugerrejser: *.yaml, *.csv, *.xlsx (én række pr. seddel)
transcripts/  fokusgrupper: *.txt, *.md, *.docx, *.vtt, *.srt
codebook.yaml temaerne (forudindstillet: {codebook})

Næste skridt:
  journeylab import .
  journeylab code .
  journeylab report . --out rapport.html
"""


def init_study(
    folder: str | Path,
    *,
    title: str | None = None,
    municipality: str = "",
    language: str = "da",
    codebook: str = "ungeindsats",
) -> Path:
    """Create a study in *folder* (new or empty); nothing is written on failure."""
    folder = Path(folder)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise StudyError(
            "the folder exists and is not empty",
            path=folder,
            hint="choose a new folder name; journeylab init never overwrites files",
        )
    if language not in ("da", "en"):
        raise StudyError(f"language must be 'da' or 'en', not '{language}'")
    preset = preset_path(codebook)
    title = title or folder.name
    for value, field in ((title, "title"), (municipality, "municipality")):
        if '"' in value or "\\" in value or "\n" in value:
            raise StudyError(f"the {field} cannot contain quotes, backslashes or line breaks")
    # Build the study beside its destination and rename it into place at the end.
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        (tmp / "journeys").mkdir()
        (tmp / "transcripts").mkdir()
        (tmp / "study.toml").write_text(
            _STUDY_TOML.format(title=title, municipality=municipality, language=language),
            encoding="utf-8",
        )
        shutil.copyfile(preset, tmp / "codebook.yaml")
        (tmp / "LÆSMIG.txt").write_text(
            _README.format(title=title, codebook=codebook), encoding="utf-8"
        )
        if folder.exists():
            folder.rmdir()
        tmp.rename(folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return folder

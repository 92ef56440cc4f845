"""journeylab init: a new study that loads, from each preset, never over existing files."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from journeylab.coding.scaffold import init_study
from journeylab.coding.study import load_study
from journeylab.errors import StudyError


@pytest.mark.parametrize("preset", ["ungeindsats", "kl-seks"])
def test_new_study_loads_and_has_the_preset(tmp_path: Path, preset: str) -> None:
    root = init_study(tmp_path / "ny", municipality="Fjordby Kommune", codebook=preset)
    study = load_study(root)
    assert study.title == "ny" and study.municipality == "Fjordby Kommune"
    assert (root / "journeys").is_dir() and (root / "transcripts").is_dir()
    themes = yaml.safe_load(study.codebook_path.read_text(encoding="utf-8"))["themes"]
    assert len(themes) == (7 if preset == "ungeindsats" else 6)


def test_init_refuses_a_folder_with_files(tmp_path: Path) -> None:
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "noter.txt").write_text("vigtigt", encoding="utf-8")
    with pytest.raises(StudyError, match="not empty"):
        init_study(tmp_path / "old")
    assert (tmp_path / "old" / "noter.txt").read_text(encoding="utf-8") == "vigtigt"


def test_unknown_preset_writes_nothing(tmp_path: Path) -> None:
    with pytest.raises(StudyError, match="ungeindsats"):
        init_study(tmp_path / "x", codebook="nope")
    assert list(tmp_path.iterdir()) == []


def test_title_with_quote_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StudyError):
        init_study(tmp_path / "x", title='Say "hi"')
    assert list(tmp_path.iterdir()) == []

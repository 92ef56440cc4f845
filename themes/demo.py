"""`journeylab demo`: the whole job on the embedded example study."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from journeylab.coding.autocode import code_study
from journeylab.coding.export import export_codings
from journeylab.coding.importer import import_study
from journeylab.coding.study import Study, example_study_path, load_study
from journeylab.journeys.overview import write_journey_maps
from journeylab.themes.report import report_study
from journeylab.themes.synthesis_report import run_programme_demo

# The example has no person's codings yet, so the demo report counts machine
# suggestions from this confidence on; the report marks them as suggestions.
DEMO_SUGGESTION_THRESHOLD = 0.5

Progress = Callable[[int, int, str], None]


def _import(study: Study) -> Path:
    import_study(study)
    return study.store_path


def _code(study: Study) -> Path:
    code_study(study)
    return study.store_path


def _maps(study: Study, outdir: Path) -> Path:
    write_journey_maps(study, outdir, lang=study.language)
    return outdir / "index.html"


def _report(study: Study, out: Path, *, analyst: bool = False) -> Path:
    fmt = "md" if out.suffix == ".md" else "html"
    return report_study(
        study,
        out,
        fmt=fmt,
        analyst=analyst,
        include_suggestions=DEMO_SUGGESTION_THRESHOLD,
    )


def _export(study: Study, out: Path) -> Path:
    export_codings(study, out, fmt="csv")
    return out


def run_demo(
    out: str | Path, *, progress: Progress | None = None, programme: bool = True
) -> list[tuple[str, Path]]:
    """Copy the example study into *out*, run every step, return (label, path) pairs.

    With *programme*, also the synthesis of the example partnership programme.
    """
    out = Path(out)
    work = out / "studie"
    if work.exists():
        shutil.rmtree(work)
    shutil.copytree(
        example_study_path(), work, ignore=shutil.ignore_patterns(".journeylab", "__pycache__")
    )
    study = load_study(work)
    steps: list[tuple[str, Callable[[], Path]]] = [
        ("study (copy of the example)", lambda: work),
        ("import", lambda: _import(study)),
        ("code", lambda: _code(study)),
        ("journey maps", lambda: _maps(study, out / "kort")),
        ("report (html)", lambda: _report(study, out / "rapport.html")),
        ("report (markdown)", lambda: _report(study, out / "rapport.md")),
        (
            "analyst report (html)",
            lambda: _report(study, out / "rapport-analytiker.html", analyst=True),
        ),
        ("coding export (csv)", lambda: _export(study, out / "kodning.csv")),
    ]
    done: list[tuple[str, Path]] = []
    for i, (label, step) in enumerate(steps):
        if progress is not None:
            progress(i, len(steps) + 1, label)
        done.append((label, step()))
    if programme:
        if progress is not None:
            progress(len(steps), len(steps) + 1, "partnership synthesis")
        done.extend(run_programme_demo(out))
    return done

"""A study's journeys as terminal tables and map files (`journeylab journeys`)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd

from journeylab.coding.study import Study
from journeylab.fileio import write_text_atomic
from journeylab.journeys import analysis
from journeylab.journeys.cache import cached_journeys
from journeylab.journeys.cells import STAGE_NAMES
from journeylab.journeys.model import Journey
from journeylab.journeys.svgmap import write_maps
from journeylab.themes.privacy import Pseudonymiser
from journeylab.themes.privacy_journeys import pseudonymised_journey, study_pseudonymiser

_TITLES = {
    "da": {
        "summary": "Rejserne",
        "stages": "Trin pr. livsfase",
        "balance": "Grønne og røde sedler pr. livsfase",
        "transitions": "Overgange",
        "points": "Overgangspunkter (study.toml): grønne og røde sedler før og efter",
    },
    "en": {
        "summary": "The journeys",
        "stages": "Steps per life stage",
        "balance": "Green and red notes per life stage",
        "transitions": "Transitions",
        "points": "Transition points (study.toml): green and red notes before and after",
    },
}


_DANISH_COLUMNS = {
    "journey": "rejse",
    "id": "rejse",
    "pseudonym": "pseudonym",
    "age": "alder",
    "steps": "trin",
    "green": "grønne",
    "red": "røde",
    "balance": "balance",
    "actors": "aktører",
    "contact_changes": "skift af sagsbehandler",
    "stages": "faser",
    "passes_18": "fylder 18",
    "share_red": "andel røde",
    "transition": "overgang",
    "step": "trin",
    "green_before": "grønne før",
    "red_before": "røde før",
    "green_after": "grønne efter",
    "red_after": "røde efter",
    "stage": "fase",
    "total": "i alt",
    "point": "overgangspunkt",
    "journeys": "rejser",
    "actor_changes": "nye aktører",
    "waits": "ventetid",
}


# What the tables print for the frames' ids (the frames keep the ids: they are an API).
_WORDS = {
    "da": {
        analysis.UNKNOWN_STAGE: "uden livsfase",
        analysis.TOTAL: "i alt",
        "after_9th": "efter 9. klasse",
        "at_18": "18 år",
        "leaving_aftercare": "efterværnet slutter",
        True: "ja",
        False: "nej",
    },
    "en": {
        analysis.UNKNOWN_STAGE: "no life stage",
        analysis.TOTAL: "total",
        "after_9th": "after 9th grade",
        "at_18": "at 18",
        "leaving_aftercare": "leaving aftercare",
        True: "yes",
        False: "no",
    },
}


def study_journeys(study: Study) -> list[Journey]:
    """Every journey of the study, read from its files, in id order."""
    journeys = cached_journeys(study)
    return sorted(journeys, key=lambda j: j.id)


def _words(study: Study, lang: str, names: Pseudonymiser) -> dict[object, str]:
    """Printed names of stages, transitions, totals and yes/no in *lang*.

    A found transition takes the label of the first study.toml [transitions]
    point that stands for it (analysis.declared_kind), with real names replaced
    as on the maps.
    """
    from journeylab.themes.transitions import study_transitions

    lang = lang if lang in _WORDS else "da"
    words: dict[object, str] = {stage.value: name for stage, name in STAGE_NAMES[lang].items()}
    words.update(_WORDS[lang])
    labelled: set[str] = set()
    for point in study_transitions(study):
        kind = analysis.declared_kind(point.key, point.label, point.age)
        if kind is not None and kind not in labelled:
            words[kind] = names.text(point.label)
            labelled.add(kind)
    return words


def _printed(
    key: str, frame: pd.DataFrame, words: dict[object, str], names: Pseudonymiser
) -> pd.DataFrame:
    """A copy of table *key* with ids in its cells and heads put in the study's words."""
    frame = frame.copy()
    if key == "points" and "point" in frame:
        frame["point"] = frame["point"].map(names.text)
    elif key == "stages":  # rows are journey ids, and the total
        frame = frame.rename(columns=words, index={analysis.TOTAL: words[analysis.TOTAL]})
    elif key == "balance":
        frame = frame.rename(index=words)
    elif key == "summary" and "passes_18" in frame:
        frame["passes_18"] = frame["passes_18"].map(words)
    elif key == "transitions" and "transition" in frame:
        frame["transition"] = frame["transition"].map(words)
    return frame


def _labelled(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Danish column and index names for a Danish study; English ids otherwise."""
    if lang != "da":
        return frame
    frame = frame.rename(columns=_DANISH_COLUMNS, index={"total": "i alt"})
    frame.columns.name = _DANISH_COLUMNS.get(str(frame.columns.name), frame.columns.name)
    frame.index.name = _DANISH_COLUMNS.get(str(frame.index.name), frame.index.name)
    return frame


def transitions_frame(journeys: list[Journey]) -> pd.DataFrame:
    """One row per transition found in a journey, with green/red before and after."""
    rows = [
        {
            "journey": j.id,
            "transition": t.kind,
            "step": t.step,
            "age": t.age,
            "green_before": t.green_before,
            "red_before": t.red_before,
            "green_after": t.green_after,
            "red_after": t.red_after,
        }
        for j in journeys
        for t in analysis.transitions(j)
    ]
    return pd.DataFrame(rows)


def journey_tables(study: Study, *, lang: str = "da") -> list[tuple[str, str]]:
    """(title, text table) pairs describing the study's journeys."""
    journeys = study_journeys(study)
    titles = _TITLES.get(lang, _TITLES["da"])
    if not journeys:
        return [(titles["summary"], "(ingen rejser)" if lang == "da" else "(no journeys)")]
    frames = [
        ("summary", analysis.summary(journeys)),
        ("stages", analysis.steps_per_stage(journeys)),
        ("balance", analysis.balance_per_stage(journeys)),
        ("transitions", transitions_frame(journeys)),
    ]
    if declared_transitions(study):
        frames.append(("points", transition_points_frame(study, journeys)))
    # Transition labels are the study's own text: real names replaced, as on the maps.
    names = Pseudonymiser.from_study(study, language=lang if lang in _WORDS else None)
    words = _words(study, lang, names)
    printed = [(key, _printed(key, frame, words, names)) for key, frame in frames]
    with pd.option_context("display.width", 160, "display.max_columns", 20):
        return [(titles[key], _labelled(frame, lang).to_string()) for key, frame in printed]


def declared_transitions(study: Study) -> list[tuple[float, str]]:
    """The study's [transitions] points as (age, label), for the maps."""
    from journeylab.themes.transitions import study_transitions

    return [(p.age, p.label) for p in study_transitions(study)]


def transition_points_frame(study: Study, journeys: list[Journey]) -> pd.DataFrame:
    """Per declared transition point: green/red before and after, actor changes, waits."""
    from journeylab.themes.transitions import place_journey, study_transitions, summarise

    points = study_transitions(study)
    windows = [w for j in journeys for w in place_journey(j, points)]
    rows = []
    for point in points:
        t = summarise(point, windows)
        rows.append(
            {
                "point": point.label,
                "age": point.age,
                "journeys": t.journeys,
                "green_before": t.green_before,
                "red_before": t.red_before,
                "green_after": t.green_after,
                "red_after": t.red_after,
                "actor_changes": t.actor_changes,
                "waits": t.waits,
            }
        )
    return pd.DataFrame(rows)


def write_journey_maps(study: Study, outdir: Path, *, lang: str = "da") -> list[Path]:
    """One SVG map per journey, an overview and an index page in *outdir*.

    The journeys are pseudonymised as on the explorer's map pages, and every
    file is drawn and checked for real names before any is written: a leak
    raises PrivacyError and *outdir* is left as it was.
    """
    names = study_pseudonymiser(study)
    journeys = [pseudonymised_journey(j, names) for j in study_journeys(study)]
    # study.toml's transition labels are drawn on the maps too, as in the explorer.
    marks = [(age, names.text(label)) for age, label in declared_transitions(study)]
    outdir = Path(outdir)
    # Drawn in a scratch folder first, so a leak in the last file leaves no first one.
    # It sits beside the maps (the user's chosen place), not in the shared temp folder.
    outdir.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f".{outdir.name}-", dir=outdir.parent) as scratch:
        drafts = write_maps(journeys, scratch, lang=lang, transitions=marks)
        texts = [(p.name, p.read_text(encoding="utf-8")) for p in drafts]
    for name, text in texts:
        names.check(text, path=outdir / name)
    written: list[Path] = []
    for name, text in texts:
        write_text_atomic(outdir / name, text)
        written.append(outdir / name)
    return written

"""Journeys without real names: one definition for every place that draws a journey.

The explorer's map pages (`/rejser`, `/kilde`) and the journey map files
(`journeylab journeys --map`, the demo's `kort/`) both draw a journey from
`pseudonymised_journey`, so a map shows the same made-up names wherever it is
seen. What the pseudonymiser cannot replace is still caught by the check each
output runs before it is written.

`study_pseudonymiser` is the pseudonymiser for outputs that can be made before
the first import (the maps, the .qdc codebook): the study's [names], plus the
speakers' real labels once the store knows them, as the explorer uses.
"""

from __future__ import annotations

from dataclasses import replace

from journeylab.coding.study import Study
from journeylab.journeys.model import Journey, Note, Step
from journeylab.themes.privacy import Pseudonymiser


def study_pseudonymiser(study: Study) -> Pseudonymiser:
    """The study's [names] plus, once it is imported, every participant's pseudonym."""
    from journeylab.coding.store import open_store

    if not study.store_path.exists():  # maps and the codebook may come before an import
        return Pseudonymiser.from_study(study)
    with open_store(study) as store:
        return Pseudonymiser.from_sources(study, store.sources())


def pseudonymised_journey(journey: Journey, names: Pseudonymiser) -> Journey:
    """A copy of *journey* whose note texts carry no real names."""

    def note(n: Note) -> Note:
        return replace(n, text=names.text(n.text), actor=names.text(n.actor) if n.actor else None)

    steps = tuple(
        Step(note(s.event), tuple(map(note, s.green)), tuple(map(note, s.red)))
        for s in journey.steps
    )
    return replace(journey, steps=steps, pseudonym=names.text(journey.pseudonym or "") or None)

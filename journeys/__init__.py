"""Journeys: notes, steps and journeys, and reading and writing journey files."""

from journeylab.journeys.model import Colour, Journey, Note, Stage, Step
from journeylab.journeys.readers import journey_from_dict, read_journey_file, read_journeys
from journeylab.journeys.writers import journey_to_dict, write_table, write_yaml

__all__ = [
    "Colour",
    "Journey",
    "Note",
    "Stage",
    "Step",
    "journey_from_dict",
    "journey_to_dict",
    "read_journey_file",
    "read_journeys",
    "write_table",
    "write_yaml",
]

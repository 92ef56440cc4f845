"""journeylab: qualitative research on user journeys."""

__version__ = "0.1.0"

"""YAML node trees through libyaml when it is there, with the pure-Python composer's errors.

Journeys and codebooks are read as composed nodes (not plain data) so every error
can name its line. libyaml's composer gives the same nodes with the same line
marks, several times faster (re-reading the journeys was 2 s of a 1M-word report;
the codebook's pure-Python compose was most of a re-import's fixed cost at 50k).
Its error messages are worded differently, so on any error the pure-Python
composer runs again and its error (wording and line) is the one raised.
"""

from __future__ import annotations

from typing import Any

import yaml

FAST_LOADER: Any = getattr(yaml, "CSafeLoader", None)


def compose(text: str) -> yaml.Node | None:
    """The YAML node tree of *text*; the pure-Python composer's errors."""
    if FAST_LOADER is not None:
        try:
            return yaml.compose(text, Loader=FAST_LOADER)
        except yaml.YAMLError:
            pass
    return yaml.compose(text, Loader=yaml.SafeLoader)

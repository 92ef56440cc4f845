"""journeylab: qualitative research on user journeys.

`journeylab.open_study(path)` gives a study's tables as pandas DataFrames
(see coding/frames.py). It is loaded on first use, so that `import journeylab.x`
(every CLI command) does not pay for importing pandas.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from journeylab.coding.frames import open_study

__all__ = ["open_study"]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    if name == "open_study":
        from journeylab.coding.frames import open_study

        return open_study
    raise AttributeError(f"module 'journeylab' has no attribute {name!r}")

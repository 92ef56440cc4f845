"""The explorer's background findings build, in a child process.

Building the findings of a large study is seconds of pure Python. Run in a
thread of the server it holds the interpreter lock, and every click and page
in the meantime waits for it; run in a child process it only costs the server
the unpickling of the result. A child that cannot start or dies is not an
error: the caller falls back to building in-process.
"""

from __future__ import annotations

import multiprocessing
import pickle
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from journeylab.coding.study import Study
from journeylab.journeys.model import Journey
from journeylab.themes.findings import Findings


def build_findings_in_child(
    study: Study, journeys: Sequence[Journey], include_suggestions: float | None
) -> Findings:
    """Run in the child: open the store and build the findings as the explorer does."""
    from journeylab.themes.explorer_data import FindingsCache, open_for

    with open_for(study) as store:
        return FindingsCache(study, journeys, include_suggestions).build(store)


class FindingsWorker:
    """One long-lived child process ('spawn': safe beside the server's threads)."""

    def __init__(
        self, study: Study, journeys: Sequence[Journey], include_suggestions: float | None
    ) -> None:
        self.study = study
        self.journeys = list(journeys)
        self.include_suggestions = include_suggestions
        self._pool: ProcessPoolExecutor | None = None

    def build(self) -> Findings | None:
        """The findings built in the child, or None when the child could not do it."""
        try:
            if self._pool is None:
                context = multiprocessing.get_context("spawn")
                self._pool = ProcessPoolExecutor(max_workers=1, mp_context=context)
            future = self._pool.submit(
                build_findings_in_child, self.study, self.journeys, self.include_suggestions
            )
            return future.result()
        except (BrokenProcessPool, OSError, pickle.PicklingError, RuntimeError):
            self.close()
            return None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

"""`journeylab code`: machine suggestions for every stored segment.

Segments and their lemmas come from the store (so `import` must have run), the
codebook from its file. Suggestions are stored under the coder name
``machine:<coder>`` and replace that coder's earlier suggestions in one
transaction; accepted, rejected and manual codings are never touched.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from journeylab.coding.model import Codebook, CodingStatus, Role, Segment, Suggestion
from journeylab.coding.store import MACHINE_PREFIX, open_store
from journeylab.coding.study import Study

Progress = Callable[[int, int, str], None]
SuggestFn = Callable[..., list[Suggestion]]


@dataclass(frozen=True)
class CodeReport:
    coder: str  # the stored coder name, e.g. "machine:ensemble"
    segments: int  # segments given to the coder
    suggestions: int  # suggestions stored
    per_theme: tuple[tuple[str, int], ...]  # (theme, stored suggestions), codebook order


def machine_coder(coder: str) -> str:
    """The store's name for a machine coder: 'ensemble' -> 'machine:ensemble'."""
    return coder if coder.startswith(MACHINE_PREFIX) else f"{MACHINE_PREFIX}{coder}"


def _load_codebook(study: Study) -> Codebook:
    from journeylab.coding.codebook import load_codebook

    return load_codebook(study.codebook_path)


def code_study(
    study: Study,
    *,
    coder: str = "ensemble",
    progress: Progress | None = None,
    suggest_fn: SuggestFn | None = None,
    codebook: Codebook | None = None,
) -> CodeReport:
    """Suggest themes for the study's segments with *coder* and store them."""
    if suggest_fn is None:
        # Lazy: scikit-learn and numpy load only when coding actually runs.
        from journeylab.coding.ensemble import suggest

        suggest_fn = suggest
    codebook = codebook or _load_codebook(study)
    name = machine_coder(coder)
    with open_store(study) as store:
        # The interviewer's questions are not material.
        segments: Sequence[Segment] = [
            s for s in store.segments() if s.role is not Role.INTERVIEWER
        ]
        if progress:
            progress(0, len(segments), name)
        suggestions = suggest_fn(segments, codebook, coder, lang=study.language)
        if progress:
            progress(len(segments), len(segments), name)
        with store.transaction():
            stored = store.replace_suggestions(name, suggestions)
        counts = Counter(
            c.theme for c in store.codings(coder=name, statuses=[CodingStatus.SUGGESTED])
        )
    order = list(codebook.names) + sorted(set(counts) - set(codebook.names))
    return CodeReport(
        coder=name,
        segments=len(segments),
        suggestions=stored,
        per_theme=tuple((theme, counts.get(theme, 0)) for theme in order),
    )

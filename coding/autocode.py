"""`journeylab code`: machine suggestions for every stored segment.

Segments and their lemmas come from the store (so `import` must have run), the
codebook from its file. Suggestions are stored under the coder name
``machine:<coder>`` and replace that coder's earlier suggestions in one
transaction; accepted, rejected and manual codings are never touched.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from journeylab.coding.codable import Codable
from journeylab.coding.model import Codebook, Coding, Role, Segment, Suggestion
from journeylab.coding.store import MACHINE_PREFIX, open_store
from journeylab.coding.store_themes import warn_unlisted_themes
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


def _default_suggest(cache_dir: Path) -> SuggestFn:
    from journeylab.coding.ensemble import suggest

    # The segments' similarity features are kept beside the store: a re-code after
    # a codebook change then only counts the codebook's texts.
    return functools.partial(suggest, cache_dir=cache_dir)


def _model_suggestions(
    codings: Sequence[Coding], segments: Sequence[Segment], codebook: Codebook, lang: str
) -> list[Suggestion]:
    """Suggestions from a model trained on this study's person codings (with the codebook)."""
    from journeylab.coding.trained import suggest_trained, train_from_codings

    trained = train_from_codings(list(segments), codings, codebook, lang=lang)
    return suggest_trained(list(segments), trained, name="model")


def code_study(
    study: Study,
    *,
    coder: str = "ensemble",
    progress: Progress | None = None,
    suggest_fn: SuggestFn | None = None,
    codebook: Codebook | None = None,
) -> CodeReport:
    """Suggest themes for the study's segments with *coder* and store them."""
    # "model" learns from this study's person codings; the others need no labels.
    train_model = coder == "model" and suggest_fn is None
    # The built-in coders read only id, role, text and lemmas: light records, not
    # Segments (coding/codable.py). A given suggest_fn and the model get Segments.
    light = suggest_fn is None and not train_model
    if suggest_fn is None:
        # Lazy: scikit-learn and numpy load only when coding actually runs.
        suggest_fn = _default_suggest(study.store_path.parent)
    codebook = codebook or _load_codebook(study)
    name = machine_coder(coder)
    with open_store(study) as store:
        # The interviewer's questions are not material.
        segments: Sequence[Codable] = (
            store.codable_segments()
            if light
            else [s for s in store.segments() if s.role is not Role.INTERVIEWER]
        )
        if progress:
            progress(0, len(segments), name)
        if train_model:
            full = [s for s in segments if isinstance(s, Segment)]
            suggestions = _model_suggestions(store.codings(), full, codebook, study.language)
        else:
            suggestions = suggest_fn(segments, codebook, coder, lang=study.language)
        if progress:
            progress(len(segments), len(segments), name)
        with store.transaction():
            stored, counts = store.replace_suggestions_counted(name, suggestions)
        warn_unlisted_themes(study, store, codebook)  # person codings on a dropped theme
    order = list(codebook.names) + sorted(set(counts) - set(codebook.names))
    return CodeReport(
        coder=name,
        segments=len(segments),
        suggestions=stored,
        per_theme=tuple((theme, counts.get(theme, 0)) for theme in order),
    )

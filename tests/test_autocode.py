"""Auto-coding: machine suggestions stored beside, never over, a person's coding."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest

from journeylab.coding.autocode import code_study
from journeylab.coding.importer import import_study
from journeylab.coding.model import Codebook, CodingStatus, Role, Segment, Suggestion
from journeylab.coding.store import open_store
from journeylab.coding.study import Study
from journeylab.errors import StoreError, StudyError


def keyword_suggest(
    segments: Sequence[Segment], codebook: Codebook, coder: str = "fake", *, lang: str = "da"
) -> list[Suggestion]:
    """A stand-in coder: 'Relationen' wherever a lemma is 'sagsbehandler'."""
    assert all(s.role is not Role.INTERVIEWER for s in segments)
    assert all(s.lemmas for s in segments)  # lemmas come back from the store
    return [
        Suggestion(s.id, "Relationen", 0.8, 1, coder, "sagsbehandler")
        for s in segments
        if "sagsbehandler" in s.lemmas or "sagsbehandle" in s.lemmas
    ]


@pytest.fixture
def study(make_study: Callable[..., Study]) -> Study:
    study = make_study()
    import_study(study)
    return study


def test_code_needs_an_import_first(make_study: Callable[..., Study]) -> None:
    with pytest.raises(StoreError, match="import"):
        code_study(make_study(), suggest_fn=keyword_suggest)


def test_suggestions_are_stored_under_the_machine_coder(study: Study) -> None:
    report = code_study(study, coder="rules", suggest_fn=keyword_suggest)
    assert report.coder == "machine:rules"
    assert report.segments == 9  # 10 segments less the interviewer's question
    with open_store(study) as store:
        stored = store.codings(coder="machine:rules")
        texts = sorted(store.segment(c.segment_id).text for c in stored)  # type: ignore[union-attr]
    assert texts == [
        "Får ny sagsbehandler",
        "Vi ser tit, at de unge får en ny sagsbehandler, når de fylder 18 år.",
    ]
    assert all(c.status is CodingStatus.SUGGESTED for c in stored)
    assert dict(report.per_theme) == {"Relationen": 2, "Skolen": 0, "Overgangen til voksen": 0}
    assert report.suggestions == 2


def test_recoding_replaces_and_never_overwrites_a_person(study: Study) -> None:
    code_study(study, coder="rules", suggest_fn=keyword_suggest)
    with open_store(study) as store:
        first, second = store.codings(coder="machine:rules")
        store.set_coding(first.segment_id, "Relationen", "machine:rules", CodingStatus.REJECTED)
        store.set_coding(second.segment_id, "Skolen", "anna", CodingStatus.MANUAL)
    report = code_study(study, coder="rules", suggest_fn=keyword_suggest)
    assert report.suggestions == 1  # the rejected one is not suggested again
    with open_store(study) as store:
        statuses = sorted(c.status.value for c in store.codings(coder="machine:rules"))
        assert statuses == ["rejected", "suggested"]
        [mine] = store.codings(coder="anna")
        assert mine.status is CodingStatus.MANUAL and mine.theme == "Skolen"


def test_real_ensemble_codes_the_tiny_study(study: Study) -> None:
    report = code_study(study)
    assert report.coder == "machine:ensemble"
    with open_store(study) as store:
        lone = next(s for s in store.segments() if s.speaker == "Lone")
        themes = {
            c.theme for c in store.codings(coder="machine:ensemble") if c.segment_id == lone.id
        }
    assert "Relationen" in themes or "Overgangen til voksen" in themes


def test_unknown_coder_is_refused(study: Study) -> None:
    with pytest.raises(StudyError, match="unknown coder"):
        code_study(study, coder="magic")


def test_ensemble_keeps_segment_features_beside_the_store(study: Study) -> None:
    from journeylab.coding.similarity import CACHE_NAME

    first = code_study(study)
    cache = study.store_path.parent / CACHE_NAME
    assert cache.exists()
    with open_store(study) as store:
        before = {(c.segment_id, c.theme, c.score) for c in store.codings(coder=first.coder)}
    second = code_study(study)  # from the cache: the same suggestions
    with open_store(study) as store:
        after = {(c.segment_id, c.theme, c.score) for c in store.codings(coder=second.coder)}
    assert after == before and second.per_theme == first.per_theme

"""The rules coder's segment index: built once per set of segments, cached by their key."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from journeylab.coding.model import Role
from journeylab.coding.rules import score_rules
from journeylab.coding.rules_index import INDEX_NAME, build_index, segment_index
from journeylab.coding.scores import segment_lemmas
from tests.conftest import CB, seg


def test_index_is_cached_and_rebuilt_for_other_segments(tmp_path: Path) -> None:
    segments = [seg("Min sagsbehandler var der ikke", 0), seg("Efter 9. klasse", 1)]
    first = score_rules(segments, CB, cache_dir=tmp_path)
    path = tmp_path / INDEX_NAME
    assert path.exists()
    cached = segment_index(segments, "da", tmp_path)
    assert cached.vocab == build_index(segments, segment_lemmas(segments)).vocab
    again = score_rules(segments, CB, cache_dir=tmp_path)
    assert np.array_equal(first.matrix, again.matrix)
    # Other segments miss the key: their own index, not the cached one.
    other = [seg("Jeg gik i folkeskolen", 0)]
    assert score_rules(other, CB, cache_dir=tmp_path).matrix[0, 1] > 0
    assert "folkeskolen" in segment_index(other, "da", tmp_path).vocab


def test_broken_index_cache_is_ignored(tmp_path: Path) -> None:
    segments = [seg("Min sagsbehandler var der ikke", 0)]
    (tmp_path / INDEX_NAME).write_bytes(b"not a zip file")
    s = score_rules(segments, CB, cache_dir=tmp_path)
    assert s.matrix[0, 0] > 0


def test_changed_lemmas_alone_miss_the_cached_index(tmp_path: Path) -> None:
    """The key covers the lemmas as the store gives them (one string), not only the texts."""
    from journeylab.coding.codable import CodableSegment

    first = [CodableSegment("t#0", Role.UNG, "Han var der ikke", "han være der ikke")]
    assert score_rules(first, CB, cache_dir=tmp_path).matrix[0, 0] == 0
    # Same text, another lemma (as after a new lemma table): the index is built again.
    second = [CodableSegment("t#0", Role.UNG, "Han var der ikke", "sagsbehandler være der ikke")]
    assert "sagsbehandler" in segment_index(second, "da", tmp_path).vocab
    assert score_rules(second, CB, cache_dir=tmp_path).matrix[0, 0] > 0
    # A light record and a Segment with the same content score alike.
    full = [seg("Han var der ikke", 0, ("sagsbehandler", "være", "der", "ikke"))]
    assert np.array_equal(score_rules(full, CB).matrix, score_rules(second, CB).matrix)

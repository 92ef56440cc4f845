"""The similarity coder: closeness to each theme's description, hints and examples."""

from __future__ import annotations

import numpy as np
import pytest

from journeylab.coding import similarity_cache
from journeylab.coding.codebook import load_preset
from journeylab.coding.model import Codebook, Role, Segment, Theme
from journeylab.coding.similarity import MODES, score_similarity
from tests.conftest import seg


@pytest.fixture(scope="module")
def preset() -> Codebook:
    return load_preset("ungeindsats")


TEXTS = [
    "Ny sagsbehandler igen. Jeg orkede ikke at fortælle min historie en gang til.",
    "Efter 9. klasse vidste jeg ikke, hvilken uddannelse jeg skulle vælge.",
    "Jeg ventede et halvt år på en psykolog, og så var bevillingen brugt.",
]


@pytest.mark.parametrize("mode", MODES)
def test_clear_sentences_rank_their_theme_first(preset: Codebook, mode: str) -> None:
    s = score_similarity([seg(t, i) for i, t in enumerate(TEXTS)], preset, mode=mode)
    top = [s.themes[int(np.argmax(row))] for row in s.matrix]
    assert top == ["Relationen", "Udskoling og overgangen efter 9. klasse", "De rette tilbud"]
    assert ((s.matrix >= 0) & (s.matrix <= 1)).all()


def test_compounds_match_through_character_ngrams() -> None:
    # No shared whole word: only the compound's parts link the segment to the theme.
    cb = Codebook(
        "t",
        "da",
        (
            Theme("Sag", "sagsbehandler", examples=("sagsbehandler",)),
            Theme("Mad", "frokost og madpakke", examples=("madpakke",)),
        ),
    )
    s = score_similarity([seg("sagsbehandlerskiftet"), seg("madpakkerne")], cb)
    assert s.matrix[0, 0] > s.matrix[0, 1]
    assert s.matrix[1, 1] > s.matrix[1, 0]


def test_explanation_is_the_nearest_example(preset: Codebook) -> None:
    example = preset.themes[0].examples[0]
    s = score_similarity([seg(example)], preset)
    assert s.explanations[0][0].startswith("nær: " + example[:20])
    assert len(s.explanations[0][0]) <= 70


def test_empty_and_unknown_mode(preset: Codebook) -> None:
    assert score_similarity([], preset).matrix.shape == (0, len(preset.themes))
    with pytest.raises(ValueError):
        score_similarity([seg("x")], preset, mode="nope")


def test_cache_is_written_reused_and_gives_the_same_scores(preset: Codebook, tmp_path) -> None:
    from journeylab.coding import similarity

    segments = [seg(t, i) for i, t in enumerate(TEXTS)]
    plain = score_similarity(segments, preset)
    first = score_similarity(segments, preset, cache_dir=tmp_path)
    cache = tmp_path / similarity.CACHE_NAME
    assert cache.exists()
    stamp = cache.stat().st_mtime_ns
    second = score_similarity(segments, preset, cache_dir=tmp_path)
    assert cache.stat().st_mtime_ns == stamp  # read, not counted and written again
    np.testing.assert_allclose(first.matrix, plain.matrix, atol=1e-6)
    np.testing.assert_allclose(second.matrix, plain.matrix, atol=1e-6)
    assert second.explanations == plain.explanations


def test_cache_for_other_segments_is_not_used(preset: Codebook, tmp_path) -> None:
    from journeylab.coding import similarity

    score_similarity([seg(t, i) for i, t in enumerate(TEXTS)], preset, cache_dir=tmp_path)
    others = [seg(t, i) for i, t in enumerate(reversed(TEXTS))]
    got = score_similarity(others, preset, cache_dir=tmp_path)
    np.testing.assert_allclose(got.matrix, score_similarity(others, preset).matrix, atol=1e-6)
    (tmp_path / similarity.CACHE_NAME).write_bytes(b"not a cache")
    again = score_similarity(others, preset, cache_dir=tmp_path)
    np.testing.assert_allclose(again.matrix, got.matrix, atol=1e-6)


def test_codebook_change_reuses_segment_features(preset: Codebook, tmp_path) -> None:
    import dataclasses

    from journeylab.coding import similarity

    segments = [seg(t, i) for i, t in enumerate(TEXTS)]
    score_similarity(segments, preset, cache_dir=tmp_path)
    first = preset.themes[0]
    changed = dataclasses.replace(
        preset,
        themes=(
            dataclasses.replace(first, keywords=(*first.keywords, "hjemmebesøg")),
            *preset.themes[1:],
        ),
    )
    calls: list[int] = []
    real = similarity.count_segments

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    similarity.count_segments = counting  # type: ignore[assignment]
    try:
        cached = score_similarity(segments, changed, cache_dir=tmp_path)
    finally:
        similarity.count_segments = real  # type: ignore[assignment]
    assert calls == []
    np.testing.assert_allclose(cached.matrix, score_similarity(segments, changed).matrix, atol=1e-6)


def test_hashed_features_match_tfidf_vectorizer(preset: Codebook) -> None:
    """The hashed TF-IDF gives scikit-learn's TfidfVectorizer cosines (bar rare collisions)."""
    import scipy.sparse as sp
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import normalize

    from journeylab.coding import similarity as sim

    segments = [seg(t, i) for i, t in enumerate(TEXTS * 3)]
    tt = sim._theme_texts(preset, "da")
    lemma_docs = [sim._content(lem, "da") for lem in sim.segment_lemmas(segments, "da")]
    lemma_docs += list(tt.lemmas)
    char_docs = [s.text.lower() for s in segments] + [t.lower() for t in tt.texts]
    words = TfidfVectorizer(
        token_pattern=r"\S+", ngram_range=(1, 2), sublinear_tf=True, lowercase=False
    ).fit_transform(lemma_docs)
    chars = TfidfVectorizer(
        analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, min_df=2
    ).fit_transform(char_docs)
    from journeylab.coding.similarity_products import CHAR_WEIGHT as w

    joined = normalize(sp.hstack([words * np.sqrt(1 - w), chars * np.sqrt(w)], format="csr"))
    n = len(segments)
    expected = (joined[:n] @ joined[n:].T).toarray()
    feats = sim.segment_features(segments, "da")
    t_wc = sim._WORDS.transform(list(tt.lemmas))
    t_cc = sim._CHARS.transform([t.lower() for t in tt.texts])
    idf_w = sim._idf(feats.words_df, n, t_wc, 1)
    idf_c = sim._idf(feats.chars_df, n, t_cc, sim.CHAR_MIN_DF)
    got = sim._joined_sims(
        sim._tfidf(feats.words, idf_w),
        sim._tfidf(feats.chars, idf_c),
        sim._tfidf(t_wc, idf_w),
        sim._tfidf(t_cc, idf_c),
    )
    # A handful of the ~5k n-grams share a hash bucket here: cosines move by ~1e-3.
    np.testing.assert_allclose(got, expected, atol=5e-3)
    assert (got.argmax(axis=1) == expected.argmax(axis=1)).all()


def test_empty_and_wordless_segments_score_zero(preset: Codebook) -> None:
    """Rows without n-grams (first, middle, last) give zero scores, not an error."""
    texts = ["", TEXTS[0], "?!", TEXTS[1], "…"]
    s = score_similarity([seg(t, i) for i, t in enumerate(texts)], preset)
    assert s.matrix.shape == (5, len(preset.themes))
    assert not s.matrix[[0, 2, 4]].any()
    assert s.matrix[1].max() > 0 and s.matrix[3].max() > 0
    assert s.explanations[0] == ("",) * len(preset.themes)


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> list[Segment]:
    """The material segments of a small generated study (bench/generate.py)."""
    from journeylab.bench.generate import generate_study
    from journeylab.coding.importer import import_study
    from journeylab.coding.store import open_store
    from journeylab.coding.study import load_study

    root = tmp_path_factory.mktemp("generated") / "study"
    generate_study(root, 6000, seed=3)
    study = load_study(root)
    import_study(study)
    with open_store(study) as store:
        return [s for s in store.segments() if s.role is not Role.INTERVIEWER]


@pytest.mark.parametrize("mode", MODES)
def test_blocks_from_the_cache_file_give_the_one_block_scores(
    generated: list[Segment], preset: Codebook, mode: str, tmp_path, monkeypatch
) -> None:
    """Block by block, from memory or read back from the file: the whole-matrix result."""
    from journeylab.coding import similarity

    whole = score_similarity(generated, preset, mode=mode)  # one block: CHUNK > segments
    assert len(generated) < similarity.CHUNK
    monkeypatch.setattr(similarity, "CHUNK", 17)
    in_memory = score_similarity(generated, preset, mode=mode)
    written = score_similarity(generated, preset, mode=mode, cache_dir=tmp_path)
    feats = similarity_cache.load_features(
        tmp_path / similarity.CACHE_NAME, _key(similarity, generated)
    )
    assert feats is not None and len(feats._layout) == -(-len(generated) // 17)
    read = score_similarity(generated, preset, mode=mode, cache_dir=tmp_path)
    for got in (in_memory, written, read):
        np.testing.assert_allclose(got.matrix, whole.matrix, rtol=0, atol=1e-9)
        assert got.explanations == whole.explanations
    top = np.argsort(-whole.matrix, axis=1, kind="stable")[:, :3]
    assert (np.argsort(-read.matrix, axis=1, kind="stable")[:, :3] == top).all()


def _key(similarity, segments: list[Segment]) -> str:
    return similarity.segments_key(segments, "da")


def test_truncated_cache_is_counted_again(preset: Codebook, tmp_path) -> None:
    from journeylab.coding import similarity

    segments = [seg(t, i) for i, t in enumerate(TEXTS)]
    first = score_similarity(segments, preset, cache_dir=tmp_path)
    cache = tmp_path / similarity.CACHE_NAME
    cache.write_bytes(cache.read_bytes()[:-20])
    again = score_similarity(segments, preset, cache_dir=tmp_path)
    np.testing.assert_allclose(again.matrix, first.matrix, atol=1e-9)


def test_cache_replaced_while_reading_is_a_store_error(preset: Codebook, tmp_path) -> None:
    from journeylab.coding import similarity
    from journeylab.errors import StoreError

    segments = [seg(t, i) for i, t in enumerate(TEXTS)]
    score_similarity(segments, preset, cache_dir=tmp_path)
    feats = similarity_cache.load_features(
        tmp_path / similarity.CACHE_NAME, _key(similarity, segments)
    )
    assert feats is not None
    assert feats.words.shape[0] == len(segments)  # readable while the file is the same
    others = [seg(t, i) for i, t in enumerate(reversed(TEXTS))]
    score_similarity(others, preset, cache_dir=tmp_path)  # another run replaces the file
    with pytest.raises(StoreError):
        list(feats.blocks())


def test_changed_lemmas_alone_miss_the_cached_features(preset: Codebook, tmp_path) -> None:
    """The key covers the stored lemma string: a changed lemma is counted again."""
    from journeylab.coding import similarity
    from journeylab.coding.codable import CodableSegment

    text = TEXTS[0]
    first = [CodableSegment("t#0", Role.UNG, text, "ny sagsbehandler igen")]
    second = [CodableSegment("t#0", Role.UNG, text, "ny skole igen")]
    assert similarity.segments_key(first, "da") != similarity.segments_key(second, "da")
    score_similarity(first, preset, cache_dir=tmp_path)
    got = score_similarity(second, preset, cache_dir=tmp_path)
    np.testing.assert_array_equal(got.matrix, score_similarity(second, preset).matrix)
    # A Segment and a light record with the same lemmas: the same scores.
    full = score_similarity([seg(text)], preset).matrix
    light = [CodableSegment("t#0", Role.UNG, text, " ".join(_lemmas_of(text)))]
    np.testing.assert_array_equal(score_similarity(light, preset).matrix, full)


def _lemmas_of(text: str) -> tuple[str, ...]:
    from journeylab.coding.scores import text_lemmas

    return text_lemmas([text])[0]

"""The study store: schema versions, codings that people own, themes, search."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from journeylab.coding.model import (
    Codebook,
    CodingStatus,
    Role,
    Segment,
    SegmentKind,
    Suggestion,
    Theme,
)
from journeylab.coding.schema import SCHEMA_VERSION
from journeylab.coding.store import SourceRecord, Store, open_store
from journeylab.coding.study import Study
from journeylab.errors import StoreError

TEXT = "Lone: Vi skifter sagsbehandler hele tiden.\n\nKarsten: Skolen ringer for sent."


def segs() -> list[Segment]:
    return [
        Segment(
            id="t.txt#0",
            source="t.txt",
            kind=SegmentKind.TURN,
            position=0,
            start=6,
            end=42,
            text=TEXT[6:42],
            role=Role.MEDARBEJDER,
            speaker="Lone",
            turn_index=0,
            lemmas=("vi", "skifte", "sagsbehandler"),
        ),
        Segment(
            id="t.txt#1",
            source="t.txt",
            kind=SegmentKind.TURN,
            position=1,
            start=53,
            end=len(TEXT),
            text=TEXT[53:],
            role=Role.LEDER,
            speaker="Karsten",
            turn_index=1,
        ),
    ]


CODEBOOK = Codebook(
    "test",
    "da",
    (Theme("Relationen", "Relationen til en voksen.", keywords=("tillid",)), Theme("Skolen", "S.")),
)


@pytest.fixture
def study(make_study: Callable[..., Study]) -> Study:
    return make_study()


@pytest.fixture
def store(study: Study) -> Iterator[Store]:
    with open_store(study, create=True) as s:
        s.sync_themes(CODEBOOK)
        s.put_source(SourceRecord("t.txt", "transcript", "abc", TEXT, title="FG"), segs())
        yield s


def test_missing_store_says_run_import(study: Study) -> None:
    with pytest.raises(StoreError, match="run journeylab import first"):
        open_store(study)
    assert not study.store_path.exists()


def test_new_store_is_wal_with_current_schema(store: Store) -> None:
    assert store.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert store.integrity_ok()


def test_store_from_a_newer_journeylab_is_refused(study: Study) -> None:
    open_store(study, create=True).close()
    conn = sqlite3.connect(study.store_path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(StoreError, match="newer journeylab; upgrade"):
        open_store(study)


def test_a_file_that_is_not_a_database_is_reported(study: Study) -> None:
    study.store_path.parent.mkdir(parents=True)
    study.store_path.write_bytes(b"not sqlite at all" * 100)
    with pytest.raises(StoreError, match="not a journeylab database"):
        open_store(study)


def test_a_read_only_database_is_not_called_damaged(
    study: Study, monkeypatch: pytest.MonkeyPatch
) -> None:
    from journeylab.coding import store as store_module

    open_store(study, create=True).close()
    # SQLite's own error for a write to a read-only database (root ignores file modes,
    # so the error is made through a read-only connection and raised where a write is).
    ro = sqlite3.connect(f"{study.store_path.resolve().as_uri()}?mode=ro", uri=True)
    with pytest.raises(sqlite3.OperationalError) as caught:
        ro.execute("CREATE TABLE x (y)")
    ro.close()

    def read_only(conn: sqlite3.Connection) -> None:
        raise caught.value

    monkeypatch.setattr(store_module, "migrate", read_only)
    with pytest.raises(StoreError) as err:
        open_store(study)
    message = str(err.value)
    assert "read-only" in message and "not a journeylab database" not in message
    assert "move the file away" not in message


def test_sources_and_segments_round_trip(store: Store) -> None:
    assert store.segments() == segs()
    assert store.segment("t.txt#0") is not None
    assert store.segment("t.txt#0").lemmas == ("vi", "skifte", "sagsbehandler")  # type: ignore[union-attr]
    assert [s.id for s in store.segments(roles=[Role.LEDER])] == ["t.txt#1"]
    src = store.source("t.txt")
    assert src is not None and src.text == TEXT and src.title == "FG"
    assert store.source("other.txt") is None


def test_replace_suggestions_never_touches_person_codings(store: Store) -> None:
    store.set_coding("t.txt#0", "Relationen", "anna", CodingStatus.MANUAL, memo="vigtig")
    store.replace_suggestions("machine:rules", [Suggestion("t.txt#0", "Skolen", 0.4, 1, "rules")])
    store.set_coding("t.txt#0", "Skolen", "machine:rules", CodingStatus.REJECTED)
    store.replace_suggestions(
        "machine:rules",
        [
            Suggestion("t.txt#0", "Skolen", 0.9, 1, "rules"),  # already rejected: stays so
            Suggestion("t.txt#1", "Skolen", 0.7, 1, "rules", "skole"),
        ],
    )
    got = {(c.segment_id, c.theme, c.coder): c for c in store.codings()}
    assert got["t.txt#0", "Relationen", "anna"].status is CodingStatus.MANUAL
    assert got["t.txt#0", "Relationen", "anna"].memo == "vigtig"
    assert got["t.txt#0", "Skolen", "machine:rules"].status is CodingStatus.REJECTED
    assert got["t.txt#1", "Skolen", "machine:rules"].score == pytest.approx(0.7)
    assert len(got) == 3
    # A second run replaces, it does not pile up.
    store.replace_suggestions("machine:rules", [])
    assert [c.status for c in store.codings(coder="machine:rules")] == [CodingStatus.REJECTED]


def test_replace_suggestions_refuses_a_person_coder(store: Store) -> None:
    with pytest.raises(StoreError, match="person"):
        store.replace_suggestions("anna", [])


def test_set_coding_upserts_and_is_audited(store: Store) -> None:
    store.set_coding("t.txt#1", "Skolen", "anna", CodingStatus.MANUAL)
    store.set_coding("t.txt#1", "Skolen", "anna", CodingStatus.REJECTED, memo="nej")
    [coding] = store.codings(theme="Skolen")
    assert coding.status is CodingStatus.REJECTED and coding.memo == "nej"
    [anchored] = store.anchored_codings(theme="Skolen")
    assert anchored.anchor_text == TEXT[53:] and anchored.anchor_start == 53
    actions = [(e.actor, e.action, e.detail.get("status")) for e in store.audit_log()]
    assert actions[-2:] == [("anna", "set_coding", "manual"), ("anna", "set_coding", "rejected")]
    assert store.remove_coding("t.txt#1", "Skolen", "anna")
    assert not store.remove_coding("t.txt#1", "Skolen", "anna")
    assert store.codings() == []
    assert store.audit_log()[-1].action == "remove_coding"


def test_set_coding_checks_segment_and_theme(store: Store) -> None:
    with pytest.raises(StoreError, match="no theme 'Familien'"):
        store.set_coding("t.txt#0", "Familien", "anna", CodingStatus.MANUAL)
    with pytest.raises(StoreError, match="no segment"):
        store.set_coding("nope#0", "Skolen", "anna", CodingStatus.MANUAL)


def test_sync_themes_keeps_emergent_themes(store: Store) -> None:
    store.add_theme(Theme("Fællesskab", "Venner og fritid."))
    with pytest.raises(StoreError, match="already a theme"):
        store.add_theme(Theme("Skolen", "igen"))
    store.sync_themes(Codebook("test", "da", (Theme("Relationen", "Ny beskrivelse."),)))
    themes = {t.name: t for t in store.themes()}
    assert set(themes) == {"Relationen", "Fællesskab"}
    assert themes["Relationen"].description == "Ny beskrivelse."
    assert themes["Fællesskab"].emergent and not themes["Relationen"].emergent


def test_transaction_rolls_back_everything(store: Store) -> None:
    with pytest.raises(RuntimeError), store.transaction():
        store.set_coding("t.txt#0", "Skolen", "anna", CodingStatus.MANUAL)
        raise RuntimeError("boom")
    assert store.codings() == []


def test_a_source_with_codings_cannot_be_deleted_silently(store: Store) -> None:
    store.set_coding("t.txt#0", "Skolen", "anna", CodingStatus.MANUAL)
    with pytest.raises(StoreError, match="codings still point"):
        store.delete_source("t.txt")
    assert len(store.segments()) == 2


def test_integrity_check_catches_a_dangling_segment(study: Study) -> None:
    with open_store(study, create=True) as s:
        s.put_source(SourceRecord("t.txt", "transcript", "abc", TEXT), segs())
        assert s.integrity_ok()
    conn = sqlite3.connect(study.store_path)  # foreign keys are off by default here
    conn.execute("DELETE FROM sources")
    conn.commit()
    conn.close()
    with open_store(study) as s:
        assert not s.integrity_ok()


def test_a_recode_refreshes_kept_suggestions_and_drops_stale_ones(store: Store) -> None:
    first = [
        Suggestion("t.txt#0", "Skolen", 0.4, 1, "rules", "skole"),
        Suggestion("t.txt#1", "Skolen", 0.5, 1, "rules", "skole"),
    ]
    assert store.replace_suggestions("machine:rules", first) == 2
    second = [
        Suggestion("t.txt#1", "Skolen", 0.8, 2, "rules", "ny"),  # kept, rescored
        Suggestion("t.txt#1", "Relationen", 0.6, 1, "rules", "tillid"),  # new
    ]
    assert store.replace_suggestions("machine:rules", second) == 2
    got = {(c.segment_id, c.theme): c for c in store.codings(coder="machine:rules")}
    assert set(got) == {("t.txt#1", "Skolen"), ("t.txt#1", "Relationen")}
    kept = got["t.txt#1", "Skolen"]
    assert (kept.score, kept.rank, kept.explanation) == (pytest.approx(0.8), 2, "ny")
    assert kept.status is CodingStatus.SUGGESTED
    assert kept.memo is None


# -- coding speed (issue 9): a replace that writes only what changed


_SUGGESTIONS = st.lists(
    st.builds(
        Suggestion,
        st.sampled_from(["t.txt#0", "t.txt#1", "nope#0"]),  # nope#0: no such segment
        st.sampled_from(["Relationen", "Skolen"]),
        st.sampled_from([0.2, 0.5, 0.9]),
        st.integers(1, 3),
        st.just("rules"),
        st.sampled_from(["", "skole", "tillid"]),
    ),
    max_size=6,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rounds=st.lists(st.tuples(_SUGGESTIONS, st.booleans()), min_size=1, max_size=4))
def test_replace_suggestions_is_a_plain_replace(
    store: Store, rounds: list[tuple[list[Suggestion], bool]]
) -> None:
    """Whatever was stored before: the coder's rows are its person-status rows plus the
    new suggestions (the last one per pair wins), counted as the upsert counted them."""
    coder = "machine:rules"
    for suggestions, reject_one in rounds:
        before = {(c.segment_id, c.theme): c for c in store.codings(coder=coder)}
        person = {k: c.status for k, c in before.items() if c.status is not CodingStatus.SUGGESTED}
        want: dict[tuple[str, str], tuple[object, ...]] = {k: (v,) for k, v in person.items()}
        written = 0
        for s in suggestions:
            key = (s.segment_id, s.theme)
            if s.segment_id != "nope#0" and key not in person:
                written += 1
                want[key] = (CodingStatus.SUGGESTED, s.score, s.rank, s.explanation, None)
        stored, counts = store.replace_suggestions_counted(coder, suggestions)
        got = {
            (c.segment_id, c.theme): (c.status,)
            if c.status is not CodingStatus.SUGGESTED
            else (c.status, c.score, c.rank, c.explanation, c.memo)
            for c in store.codings(coder=coder)
        }
        assert got == want
        assert stored == written
        assert counts == store.count_codings(coder=coder, statuses=[CodingStatus.SUGGESTED])
        if reject_one and got:
            seg, theme = sorted(got)[0]
            store.set_coding(seg, theme, coder, CodingStatus.REJECTED)


def test_unchanged_suggestions_are_not_rewritten(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    from journeylab.coding import store_suggestions as store_module

    def stamped() -> list[tuple[str, str, str]]:
        rows = store.conn.execute(
            "SELECT segment_id, theme, updated FROM codings ORDER BY segment_id, theme"
        )
        return [tuple(r) for r in rows]

    monkeypatch.setattr(store_module, "now", lambda: "T1")
    store.replace_suggestions(
        "machine:rules",
        [
            Suggestion("t.txt#0", "Skolen", 0.4, 1, "rules", "skole"),
            Suggestion("t.txt#1", "Skolen", 0.5, 1, "rules", "skole"),
        ],
    )
    monkeypatch.setattr(store_module, "now", lambda: "T2")
    stored, counts = store.replace_suggestions_counted(
        "machine:rules",
        [
            Suggestion("t.txt#0", "Skolen", 0.4, 1, "rules", "skole"),  # the same: kept as is
            Suggestion("t.txt#1", "Skolen", 0.5, 1, "rules", "skolen"),  # explanation changed
            Suggestion("t.txt#1", "Relationen", 0.3, 2, "rules", "tillid"),  # new
        ],
    )
    assert (stored, counts) == (3, {"Skolen": 2, "Relationen": 1})
    assert stamped() == [
        ("t.txt#0", "Skolen", "T1"),
        ("t.txt#1", "Relationen", "T2"),
        ("t.txt#1", "Skolen", "T2"),
    ]
    assert store.audit_log()[-1].detail == {"suggestions": 3}

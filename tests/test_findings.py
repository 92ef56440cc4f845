"""build_findings: which codings count, distinct participants, quotes, notes and tables."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from journeylab.coding.model import Coding, CodingStatus, Role
from journeylab.themes.findings import Findings, build_findings, slug


def _sample() -> ModuleType:
    path = Path(__file__).parent / "data" / "findings" / "sample.py"
    spec = importlib.util.spec_from_file_location("findings_sample", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


S = _sample()


def build(tmp_path: Path, codings: tuple[Coding, ...] = S.CODINGS, **kw: object) -> Findings:
    study = S.make_study(tmp_path / "study")
    return build_findings(
        study, S.CODEBOOK, S.SEGMENTS, S.CODINGS if codings is None else codings,
        S.JOURNEYS, S.SOURCES, **kw,
    )  # fmt: skip


def test_themes_in_codebook_order_with_group_sizes(tmp_path: Path) -> None:
    f = build(tmp_path)
    assert [t.name for t in f.themes] == list(S.CODEBOOK.names)
    # 3 journeys + 2 young speakers; 2 employees + 1 leader (interviewers never count)
    assert dict(f.group_sizes) == {"unge": 5, "medarbejdere": 3}
    assert dict(f.basis.participants) == {"ung": 5, "medarbejder": 2, "leder": 1}
    assert f.basis.journeys == 3 and len(f.basis.focus_groups) == 2


def test_accepted_and_manual_count_rejected_and_suggestions_do_not(tmp_path: Path) -> None:
    f = build(tmp_path)
    rel = f.themes[0].group("unge")
    ids = {s.segment_id for s in rel.segments}
    assert f"{S.UNGE}#3" not in ids  # rejected
    assert "journeys/rejser.yaml#J02-1" not in ids  # only suggested
    # Mikkel (two segments), Amalie, journey J01 (two notes): three people
    assert rel.quantity.count == 3 and rel.quantity.group_size == 5
    org = f.themes[2].group("medarbejdere")
    assert org.quantity.count == 1  # the leader only; Lone's is a suggestion


def test_the_interviewer_is_never_in_the_findings(tmp_path: Path) -> None:
    f = build(tmp_path)
    roles = {s.role for t in f.themes for g in t.groups for s in g.segments}
    assert Role.INTERVIEWER not in roles
    assert all(q.role is not Role.INTERVIEWER for t in f.themes for q in t.quotes)


def test_suggestions_above_the_threshold_count_and_are_marked(tmp_path: Path) -> None:
    f = build(tmp_path, include_suggestions=0.5)
    org = f.themes[2].group("medarbejdere")
    assert org.quantity.count == 2  # Lone's suggestion (0.8) now counts
    lone = next(s for s in org.segments if s.segment_id == f"{S.FG}#4")
    assert lone.suggested
    assert org.statements[0].suggested
    quote = next(q for q in f.themes[2].quotes if q.segment_id == f"{S.FG}#4")
    assert quote.suggested
    ids = {s.segment_id for g in f.themes[2].groups for s in g.segments}
    assert f"{S.UNGE}#3" not in ids  # score 0.4 stays below the threshold
    note = next(n for n in f.themes[0].notes if n.segment_id.endswith("J02-1"))
    assert note.suggested
    assert f.themes[2].suggested == 1


def test_a_rejected_suggestion_never_counts(tmp_path: Path) -> None:
    codings = (
        Coding(f"{S.UNGE}#1", "Relationen", "machine:x", CodingStatus.SUGGESTED, 0.99),
        Coding(f"{S.UNGE}#1", "Relationen", "anna", CodingStatus.REJECTED),
    )
    f = build(tmp_path, codings, include_suggestions=0.1)
    assert f.themes[0].segments == 0


def test_accepted_beats_suggested_for_the_same_segment(tmp_path: Path) -> None:
    codings = (
        Coding(f"{S.UNGE}#1", "Relationen", "machine:x", CodingStatus.SUGGESTED, 0.9),
        Coding(f"{S.UNGE}#1", "Relationen", "anna", CodingStatus.ACCEPTED),
    )
    f = build(tmp_path, codings, include_suggestions=0.5)
    (seg,) = f.themes[0].group("unge").segments
    assert not seg.suggested and seg.score == 0.9


def test_text_is_pseudonymised(tmp_path: Path) -> None:
    f = build(tmp_path)
    texts = [s.text for t in f.themes for g in t.groups for s in g.segments]
    texts += [q.text for t in f.themes for q in t.quotes]
    joined = " ".join(texts)
    assert "Jonas" not in joined and "Sabrina" not in joined
    assert "Olivers (opdigtet navn) sag" in joined and "Cecilies (opdigtet navn) mor" in joined
    speakers = {s.speaker for t in f.themes for g in t.groups for s in g.segments}
    assert "Medarbejder 1" in speakers and "Lone" not in speakers


def test_leaders_are_distinguishable(tmp_path: Path) -> None:
    f = build(tmp_path)
    org = f.themes[2].group("medarbejdere")
    assert org.leaders is not None and org.leaders.count == 1
    assert {s.role for s in org.segments} == {Role.LEDER}


def test_statements_come_from_hints_matched_in_the_data(tmp_path: Path) -> None:
    f = build(tmp_path)
    unge = f.themes[0].group("unge")
    overall, *topics = unge.statements
    assert overall.topic == "" and overall.quantity.count == 3
    topic = next(s for s in topics if s.topic.startswith("skift af sagsbehandler"))
    # Mikkel's turn and J01's red note speak of a new case worker and telling it again.
    assert topic.quantity.count == 2
    assert f"{S.UNGE}#1" in topic.segment_ids
    assert f"{S.UNGE}#2" not in topic.segment_ids


def test_journey_notes_and_stage_balance(tmp_path: Path) -> None:
    f = build(tmp_path)
    notes = f.themes[1].notes
    assert {(n.colour, n.stage) for n in notes} == {
        ("green", "transition_18"),
        ("red", "transition_18"),
    }
    green = next(n for n in notes if n.colour == "green")
    assert green.step == "Fylder 18 år" and green.pseudonym == "Sara"
    assert [(b.stage, b.green, b.red) for b in f.themes[1].balance] == [("transition_18", 1, 1)]


def test_crosstab_and_cooccurrence(tmp_path: Path) -> None:
    f = build(tmp_path)
    cross = dict(f.crosstab)
    assert cross["Relationen"] == (4, 2, 0)  # ung, medarbejder, leder segments
    assert cross["Organisering og samarbejde"] == (0, 0, 1)
    assert f.cooccurrence == (("Relationen", "Overgangen fra ung til voksen", 1),)


def test_basis_counts_words_and_coded_segments(tmp_path: Path) -> None:
    f = build(tmp_path)
    assert f.basis.segments == 12  # interviewer turns are not material
    assert f.basis.segments_coded == 11
    assert f.basis.words > 150
    assert dict(f.basis.notes) == {"yellow": 4, "green": 2, "red": 2}


@pytest.mark.parametrize(
    ("name", "anchor"),
    [
        ("Relationen", "tema-relationen"),
        ("Skolen og tidlig indsats", "tema-skolen-og-tidlig-indsats"),
        ("Fællesskab, basale behov", "tema-faellesskab-basale-behov"),
    ],
)
def test_slug(name: str, anchor: str) -> None:
    assert slug(name) == anchor


def test_objects_built_without_their_init_have_every_field_and_equal_the_plain_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dataclasses

    from journeylab.themes import findings
    from journeylab.themes.findings import CodedSegment

    fast = build(tmp_path / "fast", include_suggestions=0.5)
    coded = [c for t in fast.themes for g in t.groups for c in g.segments]
    assert coded
    names = {f.name for f in dataclasses.fields(CodedSegment)}
    assert all(type(c) is CodedSegment and set(vars(c)) == names for c in coded)
    monkeypatch.setattr(findings, "_frozen", lambda cls, **fields: cls(**fields))
    assert build(tmp_path / "plain", include_suggestions=0.5) == fast


def test_counted_pairs_given_by_the_caller_are_used_instead_of_the_codings(
    tmp_path: Path,
) -> None:
    from journeylab.themes.findings_tables import counted_pairs

    counted = counted_pairs(S.CODINGS, 0.5)
    assert build(tmp_path, (), include_suggestions=0.5, counted=counted) == build(
        tmp_path, include_suggestions=0.5
    )

"""The synthesis's member studies: each one imported and coded when asked, its findings
loaded (pseudonymised with its own names) with its journeys and codebook."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from journeylab.coding.model import Codebook, Participant
from journeylab.coding.study import Study, load_study
from journeylab.journeys.model import Journey
from journeylab.themes.findings import Findings
from journeylab.themes.privacy import Pseudonymiser
from journeylab.themes.programme import Member, Programme


@dataclass(frozen=True)
class MemberData:
    """One member study loaded: its findings (pseudonymised), journeys and names."""

    member: Member
    study: Study
    findings: Findings
    participants: tuple[Participant, ...]
    journeys: tuple[Journey, ...]
    language: str | None = None  # the synthesis's (made-up names are marked in it)

    @property
    def municipality(self) -> str:
        return self.study.municipality or self.study.title


def load_member(
    member: Member, include_suggestions: float | None, language: str | None = None
) -> MemberData:
    """The member's findings from its store (run import and code first) and its journeys.

    *language*: the synthesis's, so a made-up name is marked in the synthesis's language
    and not in the member study's (None: the study's own).
    """
    from journeylab.journeys.readers import read_journeys
    from journeylab.themes.report import load_findings

    study = load_study(member.path)
    journeys = read_journeys(study.journey_files(), relative=study.relative)
    findings, participants = load_findings(
        study, include_suggestions=include_suggestions, journeys=journeys, language=language
    )
    return MemberData(member, study, findings, participants, tuple(journeys), language)


def prepare_member(study: Study) -> None:
    """Import the study's files and, when nothing is coded yet, let the machine suggest."""
    from journeylab.coding.autocode import code_study
    from journeylab.coding.importer import import_study
    from journeylab.coding.model import CodingStatus
    from journeylab.coding.store import open_store

    report = import_study(study)
    with open_store(study) as store:
        coded = store.codings(statuses=[CodingStatus.SUGGESTED])
    if report.added or report.changed or not coded:
        code_study(study)


def load_members(
    programme: Programme, *, prepare: bool = False, language: str | None = None
) -> list[MemberData]:
    """Every member's data; with *prepare*, import and code each study first.

    *language*: the synthesis's (None: each member study's own).
    """
    out = []
    for member in programme.members:
        if prepare:
            prepare_member(load_study(member.path))
        out.append(load_member(member, programme.include_suggestions, language))
    return out


def member_codebooks(members: Sequence[MemberData]) -> dict[str, Codebook]:
    """Each member's own codebook file (what the mapping file must cover)."""
    from journeylab.coding.codebook import load_codebook

    return {d.member.key: load_codebook(d.study.codebook_path) for d in members}


def member_names(data: MemberData) -> Pseudonymiser:
    return Pseudonymiser.from_study(data.study, data.participants, language=data.language)


def privacy_checkers(members: Sequence[MemberData]) -> list[Pseudonymiser]:
    """One checker per member: each study's own [names] and participants."""
    return [member_names(d) for d in members]

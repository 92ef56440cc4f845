"""Hand-made material for the findings and report tests (made up for the project).

Loaded by path from the tests (tests/ is not a package). Fjordby Kommune and
every person here are invented.
"""

from __future__ import annotations

from pathlib import Path

from journeylab.coding.model import (
    Codebook,
    Coding,
    CodingStatus,
    Participant,
    Role,
    Segment,
    SegmentKind,
    Theme,
)
from journeylab.coding.study import Study, load_study
from journeylab.journeys.model import Colour, Journey, Note, Stage, Step
from journeylab.themes.findings import SourceInfo

STUDY_TOML = """\
[study]
title = "Ungeindsatsen i Fjordby Kommune"
municipality = "Fjordby Kommune"
language = "da"
date = "2026-05-04"

[names]
"Jonas" = "Oliver"
"Sabrina Holt" = "Cecilie"

[report]
background = "Fjordby Kommune vil vide, hvordan unge oplever overgangene i ungeindsatsen."
considerations = [
  "Hvordan sikrer vi, at en ung kun skal fortælle sin historie én gang?",
  "Hvem indkalder til det første møde før det 18. år?",
]
"""

RELATIONEN = Theme(
    name="Relationen",
    description="Kontinuitet og tillid i relationen mellem den unge og de voksne.",
    include=(
        "skift af sagsbehandler eller kontaktperson, og at skulle fortælle sin historie forfra",
        "tillid til en bestemt voksen, og hvad der skabte den",
    ),
    color="#1f77b4",
)
OVERGANG = Theme(
    name="Overgangen fra ung til voksen",
    description="Overgangen ved 18 år fra børneområdet til voksenområdet.",
    include=("overgangen ved 18 år og mødet med jobcenteret",),
    color="#d62728",
)
ORGANISERING = Theme(
    name="Organisering og samarbejde",
    description="Samarbejdet på tværs af afdelinger og hvem der har ansvaret.",
    include=("afdelinger der ikke deler viden om den unge",),
)
CODEBOOK = Codebook(name="test", language="da", themes=(RELATIONEN, OVERGANG, ORGANISERING))

FG = "transcripts/fokusgruppe_medarbejdere.txt"
UNGE = "transcripts/samtale_unge.txt"
PARTICIPANTS_FG = (
    Participant("Interviewer", Role.INTERVIEWER),
    Participant("Lone", Role.MEDARBEJDER, pseudonym="Medarbejder 1"),
    Participant("Bente", Role.MEDARBEJDER, pseudonym="Medarbejder 2"),
    Participant("Karsten", Role.LEDER, pseudonym="Leder 1"),
)
PARTICIPANTS_UNGE = (
    Participant("Interviewer", Role.INTERVIEWER),
    Participant("Mikkel", Role.UNG, pseudonym="Malthe"),
    Participant("Amalie", Role.UNG, pseudonym="Ida"),
)
SOURCES = (
    SourceInfo(FG, "transcript", "Fokusgruppe med medarbejdere", PARTICIPANTS_FG,
               "Fjordby Kommune", "2026-03-12"),
    SourceInfo(UNGE, "transcript", "Samtale med unge", PARTICIPANTS_UNGE, "Fjordby Kommune"),
    SourceInfo("journeys/rejser.yaml", "journey", "Brugerrejser"),
)  # fmt: skip


def turn(source: str, pos: int, speaker: str, role: Role, text: str) -> Segment:
    return Segment(
        id=f"{source}#{pos}", source=source, kind=SegmentKind.TURN, position=pos,
        start=0, end=len(text), text=text, role=role, speaker=speaker, turn_index=pos,
    )  # fmt: skip


def note(journey: str, pos: int, step: int, colour: str, stage: str, text: str) -> Segment:
    return Segment(
        id=f"journeys/rejser.yaml#{journey}-{pos}", source="journeys/rejser.yaml",
        kind=SegmentKind.NOTE, position=pos, start=0, end=len(text), text=text, role=Role.UNG,
        colour=colour, stage=stage, journey=journey, step=step,
    )  # fmt: skip


SKIFT = "Skifter sagsbehandler for tredje gang"
FORFRA = "Skulle fortælle det hele forfra til en ny sagsbehandler"
SEGMENTS = (
    turn(FG, 0, "Interviewer", Role.INTERVIEWER,
         "Hvordan oplever I det, når en ung skifter sagsbehandler, og hvad betyder det "
         "for tilliden?"),
    turn(FG, 1, "Lone", Role.MEDARBEJDER,
         "Vi ser tit, at de unge får en ny sagsbehandler, når de fylder 18 år. Så skal de "
         "fortælle hele deres historie forfra, og mange af dem orker det ikke."),
    turn(FG, 2, "Bente", Role.MEDARBEJDER,
         "Jonas' sag er et godt eksempel. Han havde tillid til sin kontaktperson, og da hun "
         "stoppede, stoppede han også med at komme."),
    turn(FG, 3, "Karsten", Role.LEDER,
         "Som leder kan jeg se, at afdelingerne ikke deler viden om den unge. Vi har hver vores "
         "system, og ingen har det samlede overblik over sagen."),
    turn(FG, 4, "Lone", Role.MEDARBEJDER,
         "Det er også sådan, at vi aldrig hører fra jobcenteret, når en ung fylder 18 år og "
         "skal flytte over til voksenområdet."),
    turn(UNGE, 0, "Interviewer", Role.INTERVIEWER,
         "Kan du fortælle om din kontaktperson og om at skifte sagsbehandler?"),
    turn(UNGE, 1, "Mikkel", Role.UNG,
         "Jeg har haft fem forskellige sagsbehandlere. Hver gang skulle jeg fortælle min "
         "historie forfra, og til sidst gad jeg ikke mere. Sabrinas mor sagde det samme."),
    turn(UNGE, 2, "Amalie", Role.UNG,
         "Min kontaktperson var den første voksne, jeg stolede på. Hun ringede altid tilbage, "
         "og det betød alt for mig, at der var tillid mellem os."),
    turn(UNGE, 3, "Mikkel", Role.UNG,
         "Da jeg fyldte 18 år, var der pludselig ingen. Jobcenteret sendte bare et brev om et "
         "møde, og jeg kendte ingen af dem, der sad der."),
    note("J01", 0, 0, "yellow", "udskoling", SKIFT),
    note("J01", 1, 0, "red", "udskoling", FORFRA),
    note("J01", 2, 1, "green", "transition_18", "Kontaktpersonen fulgte med til jobcenteret"),
    note("J02", 0, 0, "red", "transition_18", "Ingen sagde noget om, hvad der skete ved 18 år"),
    note("J02", 1, 0, "green", "udskoling", "Lærer der troede på mig"),
)  # fmt: skip

JOURNEYS = (
    Journey(
        id="J01",
        pseudonym="Sara",
        steps=(
            Step(Note(Colour.YELLOW, SKIFT, stage=Stage.UDSKOLING),
                 red=(Note(Colour.RED, FORFRA),)),
            Step(Note(Colour.YELLOW, "Fylder 18 år", stage=Stage.TRANSITION_18),
                 green=(Note(Colour.GREEN, "Kontaktpersonen fulgte med til jobcenteret"),)),
        ),
    ),
    Journey(
        id="J02",
        pseudonym="Emil",
        steps=(
            Step(Note(Colour.YELLOW, "Går i 9. klasse", stage=Stage.UDSKOLING),
                 green=(Note(Colour.GREEN, "Lærer der troede på mig"),),
                 red=(Note(Colour.RED, "Ingen sagde noget om, hvad der skete ved 18 år"),)),
        ),
    ),
    Journey(id="J03", pseudonym="Noah", steps=(Step(Note(Colour.YELLOW, "Starter i skole")),)),
)  # fmt: skip


def coding(seg: str, theme: str, status: CodingStatus = CodingStatus.ACCEPTED,
           score: float | None = None, coder: str = "anna") -> Coding:  # fmt: skip
    return Coding(segment_id=seg, theme=theme, coder=coder, status=status, score=score)


R, OV, S = RELATIONEN.name, OVERGANG.name, ORGANISERING.name
CODINGS = (
    coding(f"{FG}#0", R),  # the interviewer: never counted
    coding(f"{FG}#1", R),
    coding(f"{FG}#1", OV, CodingStatus.MANUAL),
    coding(f"{FG}#2", R),
    coding(f"{FG}#3", S, CodingStatus.MANUAL),
    coding(f"{FG}#4", OV),
    coding(f"{FG}#4", S, CodingStatus.SUGGESTED, 0.8, "machine:ensemble"),
    coding(f"{UNGE}#1", R),
    coding(f"{UNGE}#2", R, CodingStatus.ACCEPTED, 0.9),
    coding(f"{UNGE}#3", OV),
    coding(f"{UNGE}#3", R, CodingStatus.REJECTED),
    coding(f"{UNGE}#3", S, CodingStatus.SUGGESTED, 0.4, "machine:ensemble"),
    coding("journeys/rejser.yaml#J01-0", R),
    coding("journeys/rejser.yaml#J01-1", R),
    coding("journeys/rejser.yaml#J01-2", OV),
    coding("journeys/rejser.yaml#J02-0", OV, CodingStatus.MANUAL),
    coding("journeys/rejser.yaml#J02-1", R, CodingStatus.SUGGESTED, 0.7, "machine:ensemble"),
)

PARTICIPANTS = PARTICIPANTS_FG + PARTICIPANTS_UNGE


def make_study(root: Path, toml: str = STUDY_TOML) -> Study:
    root.mkdir(parents=True, exist_ok=True)
    (root / "study.toml").write_text(toml, encoding="utf-8")
    return load_study(root)

"""Quote text: sentences, and the turns that present their speaker (never quoted)."""

from __future__ import annotations

import pytest

from journeylab.themes.quote_text import is_introduction

# Turns as the example's focus groups open them, speaker names already pseudonymised.
INTRODUCTIONS = [
    "Ja. Medarbejder 5, jeg er jobkonsulent i ungeenheden i jobcentret.",
    "Ja, jeg kan godt starte. Jeg hedder Medarbejder 3, og jeg sidder i Familiecentret. "
    "Jeg er familiebehandler, så jeg er ude i hjemmene, to-tre gange om ugen.",
    "Jeg er mentor i Ungecentret, og jeg har været det i snart ni år, så jeg har set en del.",
    "Hej alle sammen. Mit navn er Medarbejder 8, og jeg har været her længe.",
    "Øh, jeg er UU-vejleder på de tre skoler i den nordlige del af kommunen.",
    "Jeg er ansat som mentor hos Ungdommens Uddannelsesvejledning, og det har jeg været i fem år.",
    "Godt. Jeg er leder af ungeenheden, og jeg har været med fra starten af projektet.",
    # The example's focus groups, as the report sees them (speaker names replaced):
    "Medarbejder 2. Inklusionsvejleder på Skovvangskolen. Det vil sige, at jeg er den, "
    "lærerne kommer til, når der er en elev, de er bekymrede for.",
    "Jeg er Medarbejder 3, psykolog i PPR. Jeg dækker tre skoler, så vi kender hinanden.",
    "Og jeg er Medarbejder 4, forebyggende socialrådgiver i familieafdelingen.",
    "Medarbejder 6, UU-vejleder. Jeg har tre skoler og så 10.-klassecentret.",
    "Leder 1, jeg er leder for familieafdelingen, altså myndighed på børne- og ungeområdet.",
    "Leder 2, skolechef. Jeg har de ni folkeskoler, PPR og 10.-klassecentret.",
    "Yes. My name is Employee 2 and I have been a mentor here for nine years now.",
    "Employee 3, youth worker at the job centre. I see them when they turn eighteen.",
    "I'm a youth counsellor at the job centre, and I see most of them after ninth grade.",
]
NOT_INTRODUCTIONS = [
    "Jeg er bekymret for de unge, der falder fra i november, for der er ingen, der ser dem.",
    "Jeg er helt enig i det, Medarbejder 7 siger om overleveringen fra skolen.",
    "Jeg er træt af at vente i telefonkø, hver gang jeg skal have fat i nogen.",
    "Jeg er i praktik hos en tømrer nu, og det er første gang, jeg glæder mig til at stå op.",
    "Så kom der en ny, og hun sagde: Hej, jeg er din nye sagsbehandler i kommunen. Igen.",
    "Tak. Men altså … jeg kan mærke forskel på de unge, der kommer med en mentor. "
    "Dem, der kommer med Medarbejder 7 eller en af de andre, de tør sige noget.",
    "Det var svært. Vi havde ingen plan. Jeg er leder i dag, og jeg ville gøre det anderledes.",
    "I'm a bit worried about them in the autumn, when nobody checks on them.",
    "Min mentor, hun lyttede til mig. Det var første gang, nogen gjorde det.",
    "Sagsbehandleren i jobcentret ringede aldrig tilbage, og så stod jeg uden penge.",
    "Ja, lærerne ser det jo godt, men de har 26 andre elever i klassen.",
]


@pytest.mark.parametrize("text", INTRODUCTIONS)
def test_a_turn_that_presents_its_speaker_is_an_introduction(text: str) -> None:
    assert is_introduction(text)


@pytest.mark.parametrize("text", NOT_INTRODUCTIONS)
def test_a_turn_about_the_theme_is_not_an_introduction(text: str) -> None:
    assert not is_introduction(text)

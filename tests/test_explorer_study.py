"""A running explorer follows study.toml and re-imports: names, journeys, an unreadable file.

explorer_study.py, and how explorer_cache.py and explorer.py use it. Every test keeps one
app alive across the change, as a workshop's server is.
"""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from journeylab.coding.importer import import_study
from journeylab.coding.study import Study, load_study
from journeylab.themes.explorer import create_app
from tests.explorer_support import BASE, explorer_fixtures

study, client = explorer_fixtures("explorer_built")

J03 = "journeys/J03.yaml"


def add_name(study: Study, real: str, made_up: str) -> None:
    """A line in study.toml's [names], as the consultant adds it in an editor."""
    toml = study.toml_path
    text = toml.read_text(encoding="utf-8")
    toml.write_text(text.replace("[names]", f'[names]\n"{real}" = "{made_up}"', 1), "utf-8")


def hanne_in_j03(study: Study) -> None:
    """A name that study.toml does not know yet, in J03's first sagsbehandler note."""
    path = study.root / J03
    text = path.read_text(encoding="utf-8")
    old = "Den første sagsbehandler kommer på besøg"
    assert old in text
    path.write_text(text.replace(old, "Den første sagsbehandler Hanne kommer på besøg"), "utf-8")
    import_study(study)


def test_a_name_added_to_study_toml_is_hidden_without_a_restart(study: Study) -> None:
    hanne_in_j03(study)
    with (
        TestClient(create_app(study, include_suggestions=0.3), base_url=BASE) as analyst,
        TestClient(create_app(study, read_only=True), base_url=BASE) as workshop,
    ):
        urls = ("/kilde?sti=journeys/J03.yaml", "/rejser", "/soeg?q=sagsbehandler")
        assert all("Hanne" in analyst.get(u).text for u in urls)  # not a name yet
        assert 'class="segment' in workshop.get("/soeg", params={"q": "Hanne"}).text
        add_name(study, "Hanne", "Lærke")
        import_study(study)  # "0 new, 0 changed": the store need not change at all
        for url in urls:
            html = analyst.get(url).text
            assert "Hanne" not in html and "Lærke" in html, url
        # The workshop's search guard uses the new names: the name finds nothing.
        html = workshop.get("/soeg", params={"q": "Hanne"}).text
        assert "Hanne" not in html and 'class="segment' not in html


def test_study_toml_is_read_again_without_an_import(study: Study) -> None:
    hanne_in_j03(study)
    page = "/kilde?sti=journeys/J03.yaml"
    with TestClient(create_app(study), base_url=BASE) as c:
        assert "Hanne" in c.get(page).text
        add_name(study, "Hanne", "Lærke")  # saved in the editor, no import yet
        html = c.get(page).text
    assert "Hanne" not in html and "Lærke" in html


def test_an_unreadable_study_toml_shows_what_to_fix_not_the_old_names(study: Study) -> None:
    hanne_in_j03(study)
    good = study.toml_path.read_text(encoding="utf-8")
    with TestClient(create_app(study), base_url=BASE) as c:
        assert "Hanne" in c.get("/rejser").text
        # The name is added, but without quotes around "Lærke": not valid TOML.
        study.toml_path.write_text(good.replace("[names]", "[names]\nHanne = Lærke", 1), "utf-8")
        for url in ("/", "/rejser", "/kilde?sti=journeys/J03.yaml", "/soeg?q=Hanne", "/nowhere"):
            response = c.get(url)
            assert response.status_code == 503, url
            assert "Hanne" not in response.text, url
            assert str(study.toml_path) in response.text and "not valid TOML" in response.text
            assert "Ret filen" in response.text  # what to do, in the study's language
        assert c.get("/static/explorer.css").status_code == 200  # the error page's style
        study.toml_path.write_text(good.replace("[names]", '[names]\nHanne = "Lærke"', 1), "utf-8")
        html = c.get("/rejser").text
    assert "Hanne" not in html and "Lærke" in html


def test_a_workshop_error_page_quotes_nothing_from_study_toml(study: Study) -> None:
    with (
        TestClient(create_app(study, read_only=True), base_url=BASE) as workshop,
        TestClient(create_app(study), base_url=BASE) as analyst,
    ):
        assert workshop.get("/").status_code == analyst.get("/").status_code == 200
        toml = study.toml_path
        toml.write_text(toml.read_text("utf-8").replace("[names]", '[names]\n"Birgitte" = 3', 1))
        on_projector, on_desk = workshop.get("/"), analyst.get("/")
    # The message names the new real name; the last names read cannot know it yet.
    assert on_desk.status_code == 503 and "must be text" in on_desk.text
    assert on_projector.status_code == 503 and str(toml) in on_projector.text
    assert "[names]" in on_projector.text and "Birgitte" not in on_projector.text


def test_a_journey_added_and_re_imported_appears(client: TestClient, study: Study) -> None:
    assert client.get("/rejser").text.count("<svg") == 8
    assert "8 brugerrejser" in client.get("/").text
    j02 = (study.root / "journeys/J02.yaml").read_text(encoding="utf-8")
    assert "Pædagogerne var søde ved mig" in j02
    changed = j02.replace("Pædagogerne var søde ved mig", "Pædagogerne var RIGTIG søde ved mig")
    (study.root / "journeys/J02.yaml").write_text(changed, encoding="utf-8")
    j09 = re.sub(r"(?m)^journey: J02$", "journey: J09", j02)
    (study.root / "journeys/J09.yaml").write_text(j09, encoding="utf-8")
    import_study(load_study(study.root))
    maps = client.get("/rejser").text
    assert maps.count("<svg") == 9 and "J09" in maps
    assert "<svg" in client.get("/kilde", params={"sti": "journeys/J09.yaml"}).text
    source = client.get("/kilde", params={"sti": "journeys/J02.yaml"}).text
    svg = source[source.index("<svg") : source.index("</svg>")]
    assert "RIGTIG" in svg  # the map, not only the segment list under it
    assert "9 brugerrejser" in client.get("/").text

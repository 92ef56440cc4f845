"""Coding in the explorer: the write routes, undo, memos, two coders at once."""

from __future__ import annotations

import re
import threading
from itertools import pairwise

from fastapi.testclient import TestClient

from journeylab.coding.model import CodingStatus, Role
from journeylab.coding.store import open_store
from journeylab.coding.study import Study
from journeylab.themes.explorer import create_app
from journeylab.themes.explorer_coding import INTERVIEWER_REFUSED
from journeylab.themes.explorer_routes import ui_strings
from journeylab.themes.report import load_findings
from tests.conftest import csrf_of
from tests.explorer_support import (
    BASE,
    coded_marks,
    explorer_fixtures,
    first_segment,
    my_codings,
    post,
    theme_number,
    theme_segments,
)

study, client = explorer_fixtures("explorer_built")


# -- coding ------------------------------------------------------------------------------


def test_coding_persists_and_reaches_the_report(client: TestClient, study: Study) -> None:
    csrf = csrf_of(client)
    seg = first_segment(study)
    theme = "Fælles mål og forståelse for kerneopgaven"
    before = next(t for t in load_findings(study)[0].themes if t.name == theme).segments
    response = client.post(
        "/api/code",
        json={"segment": seg, "theme": theme, "action": "add"},
        headers={"X-CSRF-Token": csrf},
    )
    assert response.status_code == 200
    assert my_codings(study)[(seg, theme)] in (CodingStatus.MANUAL, CodingStatus.ACCEPTED)
    # The block sent back marks the theme as coded (explorer.js presses its button).
    assert theme_number(study, theme) in coded_marks(response.json()["html"], seg)
    after = next(t for t in load_findings(study)[0].themes if t.name == theme).segments
    assert after == before + 1
    assert post(client, "/api/code", {"segment": seg, "theme": theme, "action": "toggle"}, csrf)
    assert (seg, theme) not in my_codings(study)


def test_accept_and_reject_a_suggestion(client: TestClient, study: Study) -> None:
    with open_store(study) as store:
        suggestions = store.codings(statuses=[CodingStatus.SUGGESTED])
    a, b = suggestions[0], next(s for s in suggestions if s.segment_id != suggestions[0].segment_id)
    csrf = csrf_of(client)
    assert post(client, "/api/code", {"segment": a.segment_id, "theme": a.theme,
                                      "action": "accept"}, csrf) == 200  # fmt: skip
    assert post(client, "/api/code", {"segment": b.segment_id, "theme": b.theme,
                                      "action": "reject"}, csrf) == 200  # fmt: skip
    mine = my_codings(study)
    assert mine[(a.segment_id, a.theme)] is CodingStatus.ACCEPTED
    assert mine[(b.segment_id, b.theme)] is CodingStatus.REJECTED


def test_bad_requests_write_nothing(client: TestClient, study: Study) -> None:
    csrf = csrf_of(client)
    seg = first_segment(study)
    assert post(client, "/api/code", {"segment": "nope#1", "theme": "Relationen",
                                      "action": "add"}, csrf) == 404  # fmt: skip
    assert post(client, "/api/code", {"segment": seg, "theme": "Ukendt tema",
                                      "action": "add"}, csrf) == 409  # fmt: skip
    assert post(client, "/api/code", {"segment": seg, "theme": "Relationen",
                                      "action": "drop"}, csrf) == 400  # fmt: skip
    assert my_codings(study) == {}


def test_undo_reverts_the_last_act(client: TestClient, study: Study) -> None:
    csrf = csrf_of(client)
    seg = first_segment(study)
    add = {"segment": seg, "theme": "Relationen", "action": "add"}
    reject = {"segment": seg, "theme": "Relationen", "action": "reject"}
    assert post(client, "/api/code", add, csrf) == 200
    assert post(client, "/api/code", reject, csrf) == 200
    assert my_codings(study)[(seg, "Relationen")] is CodingStatus.REJECTED
    assert post(client, "/api/undo", {}, csrf) == 200
    assert my_codings(study)[(seg, "Relationen")] in (CodingStatus.MANUAL, CodingStatus.ACCEPTED)
    assert post(client, "/api/undo", {}, csrf) == 200
    assert (seg, "Relationen") not in my_codings(study)
    assert post(client, "/api/undo", {}, csrf) == 409


def test_memo_is_saved(client: TestClient, study: Study) -> None:
    csrf = csrf_of(client)
    seg = first_segment(study)
    assert post(client, "/api/memo", {"segment": seg, "text": "Vigtigt <i>her</i>"}, csrf) == 200
    with open_store(study) as store:
        assert ("segment", seg, "analytiker", "Vigtigt <i>her</i>") in store.memos("segment")
    html = client.get("/kilde", params={"sti": seg.split("#")[0]}).text
    assert "Vigtigt &lt;i&gt;her&lt;/i&gt;" in html


def test_two_coders_interleaving_lose_nothing(study: Study) -> None:
    anna = TestClient(create_app(study, coder="anna"), base_url=BASE)
    bo = TestClient(create_app(study, coder="bo"), base_url=BASE)
    with open_store(study) as store:
        ids = [s.id for s in store.segments() if s.role.value != "interviewer"][:30]
    themes = ["Relationen", "De rette tilbud"]
    tokens = {"anna": csrf_of(anna), "bo": csrf_of(bo)}
    errors: list[int] = []

    def work(name: str, c: TestClient, theme: str) -> None:
        for seg in ids:
            status = post(c, "/api/code", {"segment": seg, "theme": theme, "action": "add"},
                          tokens[name])  # fmt: skip
            if status != 200:
                errors.append(status)

    threads = [
        threading.Thread(target=work, args=("anna", anna, themes[0])),
        threading.Thread(target=work, args=("bo", bo, themes[1])),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert set(my_codings(study, "anna")) == {(s, themes[0]) for s in ids}
    assert set(my_codings(study, "bo")) == {(s, themes[1]) for s in ids}
    # Each session undoes only its own act.
    assert post(bo, "/api/undo", {}, tokens["bo"]) == 200
    assert len(my_codings(study, "anna")) == 30 and len(my_codings(study, "bo")) == 29


def test_two_sessions_of_one_coder_have_their_own_undo(study: Study) -> None:
    app = create_app(study)
    one, two = TestClient(app, base_url=BASE), TestClient(app, base_url=BASE)
    seg = first_segment(study)
    assert post(one, "/api/code", {"segment": seg, "theme": "Relationen", "action": "add"},
                csrf_of(one)) == 200  # fmt: skip
    assert post(two, "/api/undo", {}, csrf_of(two)) == 409
    assert (seg, "Relationen") in my_codings(study)


# -- a coding shows at once --------------------------------------------------------------


def test_coding_in_the_browser_shows_at_once(client: TestClient, study: Study) -> None:
    csrf = csrf_of(client)
    before = client.get("/tema/organisering-og-samarbejde").text
    segment = next(
        s
        for s in (first_segment(study, "ung"), first_segment(study))
        if f'data-segment="{s}"' not in before.split("Maskinens forslag")[0]
    )
    body = {"segment": segment, "theme": "Organisering og samarbejde", "action": "add"}
    assert post(client, "/api/code", body, csrf) == 200
    after = client.get("/tema/organisering-og-samarbejde").text
    assert segment in theme_segments(after)
    assert post(client, "/api/undo", {}, csrf) == 200
    assert segment not in theme_segments(client.get("/tema/organisering-og-samarbejde").text)


def test_search_shows_a_new_coding_at_once(client: TestClient, study: Study) -> None:
    # Interviewer turns are not coded, so the hit must be another's; and one that the
    # theme filter does not show yet (every hit of the query may carry Relationen).
    blocks = re.findall(r'class="segment role-(\w+)[^"]*" data-segment="([^"]+)"',
                        client.get("/soeg?q=sagsbeh").text)  # fmt: skip
    shown = [seg for role, seg in blocks if role != "interviewer"]
    with open_store(study) as store:
        themes = [t.name for t in store.themes()]

    def filtered(theme: str) -> set[str]:
        page = client.get("/soeg", params={"q": "sagsbeh", "tema": theme}).text
        return set(re.findall(r'data-segment="([^"]+)"', page))

    theme, segment = next((t, s) for t, f in ((t, filtered(t)) for t in themes)
                          for s in shown if s not in f)  # fmt: skip
    body = {"segment": segment, "theme": theme, "action": "add"}
    assert post(client, "/api/code", body, csrf_of(client)) == 200
    assert segment in filtered(theme)


# -- interviewer turns are not coded -----------------------------------------------------


def interviewer_and_answer(study: Study) -> tuple[str, str]:
    """An interviewer turn and the next segment of its transcript, which is not one."""
    with open_store(study) as store:
        segs = list(store.segments())
    for question, answer in pairwise(segs):
        if (
            question.role is Role.INTERVIEWER
            and answer.role is not Role.INTERVIEWER
            and answer.source == question.source
        ):
            return question.id, answer.id
    raise AssertionError("the example study has no interviewer turn followed by an answer")


def test_an_interviewer_turn_is_refused_in_the_study_language(
    client: TestClient, study: Study
) -> None:
    seg = first_segment(study, "interviewer")
    csrf = csrf_of(client)
    for action in ("add", "toggle", "accept", "reject"):
        body = {"segment": seg, "theme": "Relationen", "action": action}
        response = client.post("/api/code", json=body, headers={"X-CSRF-Token": csrf})
        assert response.status_code == 409, action
        assert response.json()["detail"] == INTERVIEWER_REFUSED
        assert response.json()["message"] == ui_strings(study.language)["interviewer_not_coded"]
    assert my_codings(study) == {}
    assert post(client, "/api/undo", {}, csrf) == 409  # a refusal leaves nothing to undo


def test_an_old_coding_of_an_interviewer_turn_can_still_be_removed(
    client: TestClient, study: Study
) -> None:
    seg = first_segment(study, "interviewer")
    with open_store(study) as store:  # coded before the explorer refused it
        store.set_coding(seg, "Relationen", "analytiker", CodingStatus.MANUAL)
        store.set_coding(seg, "De rette tilbud", "analytiker", CodingStatus.ACCEPTED)
    csrf = csrf_of(client)
    assert post(client, "/api/code", {"segment": seg, "theme": "Relationen",
                                      "action": "toggle"}, csrf) == 200  # fmt: skip
    assert post(client, "/api/code", {"segment": seg, "theme": "De rette tilbud",
                                      "action": "remove"}, csrf) == 200  # fmt: skip
    assert my_codings(study) == {}
    # Undo puts back what was there; coding it anew is still refused.
    assert post(client, "/api/undo", {}, csrf) == 200
    assert my_codings(study) == {(seg, "De rette tilbud"): CodingStatus.ACCEPTED}
    assert post(client, "/api/code", {"segment": seg, "theme": "Relationen",
                                      "action": "toggle"}, csrf) == 409  # fmt: skip


def test_a_span_codes_only_its_non_interviewer_turns(client: TestClient, study: Study) -> None:
    question, answer = interviewer_and_answer(study)
    csrf = csrf_of(client)
    body = {"segments": [question, answer], "theme": "Relationen"}
    response = client.post("/api/code-span", json=body, headers={"X-CSRF-Token": csrf})
    assert response.status_code == 200
    assert set(my_codings(study)) == {(answer, "Relationen")}
    assert post(client, "/api/undo", {}, csrf) == 200
    assert my_codings(study) == {}
    # A selection of the interviewer's turn alone codes nothing, and says why.
    only = {"segments": [question], "theme": "Relationen"}
    response = client.post("/api/code-span", json=only, headers={"X-CSRF-Token": csrf})
    assert response.status_code == 409
    assert response.json()["message"] == ui_strings(study.language)["interviewer_not_coded"]
    assert my_codings(study) == {}
    assert post(client, "/api/undo", {}, csrf) == 409

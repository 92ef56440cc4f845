"""The explorer's write routes: code a segment or a selected span, undo, write a memo.

Registered only when the explorer is not read-only. Each act is one short
store transaction under the explorer's coder name (a person coder), so the
report sees it at once; the session remembers what to restore on undo.

Interviewer turns are never coded: findings skip them (they never count), so a
coding there would show as saved and change nothing. The routes refuse one with a
409, except a removal, so that a coding made before this rule can still be cleared.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse

from journeylab.coding.model import CodingStatus, Role
from journeylab.coding.store import Store
from journeylab.errors import StoreError
from journeylab.themes.explorer_data import open_for, segment_views, segments_by_id
from journeylab.themes.explorer_routes import explorer_of, fragment, ui_strings
from journeylab.themes.explorer_security import Act, SpanAct, session_of

ACTIONS = ("toggle", "add", "remove", "accept", "reject")
MAX_MEMO = 5000
MAX_UNDO = 200
MAX_SPAN = 200  # segments one selection may code (a source page shows 100)

router = APIRouter()


async def _json(request: Request) -> dict[str, Any]:
    try:
        data = await request.json()
    except ValueError as exc:
        raise HTTPException(400, "the request body is not JSON") from exc
    if not isinstance(data, dict):
        raise HTTPException(400, "the request body must be a JSON object")
    return data


def _text(data: dict[str, Any], key: str, limit: int = 500) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value or len(value) > limit:
        raise HTTPException(400, f"'{key}' must be a non-empty string")
    return value


def _mine(store: Store, segment: str, theme: str, coder: str) -> tuple[str, str | None] | None:
    row = store.conn.execute(
        "SELECT status, memo FROM codings WHERE segment_id = ? AND theme = ? AND coder = ?",
        (segment, theme, coder),
    ).fetchone()
    return (row["status"], row["memo"]) if row else None


def _suggested(store: Store, segment: str, theme: str) -> bool:
    row = store.conn.execute(
        "SELECT 1 FROM codings WHERE segment_id = ? AND theme = ? AND status = 'suggested'",
        (segment, theme),
    ).fetchone()
    return row is not None


def _removes(before: tuple[str, str | None] | None, action: str) -> bool:
    """Whether *action* takes the coder's coding off (what a toggle of a counted one does)."""
    counted = before is not None and before[0] in ("manual", "accepted")
    return action == "remove" or (action == "toggle" and counted)


def _apply(store: Store, segment: str, theme: str, coder: str, action: str) -> None:
    before = _mine(store, segment, theme, coder)
    if action == "toggle":
        action = "remove" if _removes(before, action) else "add"
    if action == "remove":
        store.remove_coding(segment, theme, coder)
        return
    if action == "add":
        # Adding a theme the machine proposed is accepting its suggestion.
        status = CodingStatus.ACCEPTED if _suggested(store, segment, theme) else CodingStatus.MANUAL
    else:
        status = CodingStatus.ACCEPTED if action == "accept" else CodingStatus.REJECTED
    store.set_coding(segment, theme, coder, status)


# The API's own words (English, as every `detail` here) and, as `message`, the
# explorer's sentence in the study's language for the status bar.
INTERVIEWER_REFUSED = "interviewer turns are not coded: they never count"


def _interviewer_refused(request: Request) -> JSONResponse:
    lang = explorer_of(request).study.language
    message = ui_strings(lang)["interviewer_not_coded"]
    return JSONResponse({"detail": INTERVIEWER_REFUSED, "message": message}, status_code=409)


def _answer(request: Request, store: Store, ids: list[str]) -> JSONResponse:
    """The segments' new blocks (rendered HTML) and the themes' new counts."""
    ex = explorer_of(request)
    # The write moved the store's version: this reads the counted segments anew
    # (one narrow query); the findings follow, in the background on a big study.
    snap = ex.cache.get(store)
    views = segment_views(store, segments_by_id(store, ids), snap.themes, ex.coder, snap.names)
    blocks = [{"segment": v.id, "html": fragment(request, v)} for v in views]
    first = blocks[0] if blocks else {"segment": ids[0] if ids else "", "html": ""}
    return JSONResponse({**first, "segments": blocks, "counts": snap.counts})


@router.post("/api/code")
async def code(request: Request) -> JSONResponse:
    ex = explorer_of(request)
    data = await _json(request)
    segment, theme, action = _text(data, "segment"), _text(data, "theme"), _text(data, "action")
    if action not in ACTIONS:
        raise HTTPException(400, f"unknown action '{action}'")
    session = session_of(request)
    with open_for(ex.study) as store:
        found = store.segment(segment)
        if found is None:
            raise HTTPException(404, "no such segment")
        before = _mine(store, segment, theme, ex.coder)
        if found.role is Role.INTERVIEWER and not _removes(before, action):
            return _interviewer_refused(request)
        try:
            _apply(store, segment, theme, ex.coder, action)
        except StoreError as exc:
            raise HTTPException(409, str(exc)) from exc
        session.undo.append(Act(segment, theme, before))
        del session.undo[:-MAX_UNDO]
        return _answer(request, store, [segment])


def _restore(store: Store, act: Act, coder: str) -> None:
    """Put the coder's coding of *act* back as it was before the act."""
    if act.before is None:
        store.remove_coding(act.segment, act.theme, coder)
        return
    status, memo = act.before
    now = _mine(store, act.segment, act.theme, coder)
    if memo is None and now is not None and now[1] is not None:
        # set_coding keeps a memo it is not given: drop the act's memo with the row.
        store.remove_coding(act.segment, act.theme, coder)
    store.set_coding(act.segment, act.theme, coder, CodingStatus(status), memo=memo)


@router.post("/api/undo")
async def undo(request: Request) -> JSONResponse:
    ex = explorer_of(request)
    session = session_of(request)
    if not session.undo:
        raise HTTPException(409, "nothing to undo")
    last = session.undo.pop()
    acts = last.acts if isinstance(last, SpanAct) else (last,)
    with open_for(ex.study) as store:
        try:
            with store.transaction():  # a span is undone whole or not at all
                for act in reversed(acts):
                    _restore(store, act, ex.coder)
        except StoreError as exc:
            raise HTTPException(409, str(exc)) from exc
        return _answer(request, store, list(dict.fromkeys(a.segment for a in acts)))


@router.post("/api/memo")
async def memo(request: Request) -> JSONResponse:
    ex = explorer_of(request)
    data = await _json(request)
    segment, text = _text(data, "segment"), _text(data, "text", MAX_MEMO).strip()
    with open_for(ex.study) as store:
        if store.segment(segment) is None:
            raise HTTPException(404, "no such segment")
        store.add_memo("segment", segment, ex.coder, text)
        return _answer(request, store, [segment])


# -- span coding: a text selection across one or more segments -----------------


def _span_ids(data: dict[str, Any]) -> list[str]:
    value = data.get("segments")
    if (
        not isinstance(value, list)
        or not 0 < len(value) <= MAX_SPAN
        or not all(isinstance(v, str) and 0 < len(v) <= 500 for v in value)
    ):
        raise HTTPException(400, f"'segments' must be a list of 1 to {MAX_SPAN} segment ids")
    return list(dict.fromkeys(value))


def _span_quotes(data: dict[str, Any], ids: list[str]) -> dict[str, str]:
    value = data.get("quotes") or {}
    if not isinstance(value, dict) or not all(
        k in ids and isinstance(v, str) and len(v) <= MAX_MEMO for k, v in value.items()
    ):
        raise HTTPException(400, "'quotes' must map segments of the span to selected words")
    return {k: v.strip() for k, v in value.items() if v.strip()}


def _code_one(store: Store, segment: str, theme: str, coder: str, quote: str | None) -> Act | None:
    """Give *theme* to one segment of a span; the Act to undo it, or None if nothing changed."""
    before = _mine(store, segment, theme, coder)
    if before is not None and before[0] in ("manual", "accepted"):
        if quote is None or before[1] is not None:
            return None  # already coded (and an earlier memo is never overwritten)
        store.set_coding(segment, theme, coder, CodingStatus(before[0]), memo=quote)
        return Act(segment, theme, before)
    # As with a theme button, adding what the machine proposed accepts its suggestion.
    status = CodingStatus.ACCEPTED if _suggested(store, segment, theme) else CodingStatus.MANUAL
    keep = before is not None and before[1] is not None
    store.set_coding(segment, theme, coder, status, memo=None if keep else quote)
    return Act(segment, theme, before)


@router.post("/api/code-span")
async def code_span(request: Request) -> JSONResponse:
    """Code every segment a selection touched with one theme, as one undoable act.

    A quote (the selected words, when they are less than the whole segment) must
    be words of the segment as shown, and is kept as the coding's memo.

    Interviewer turns in the span are left uncoded, as explorer.js leaves them out
    of a selection: a selection dragged over a question and its answers means the
    answers. A span of interviewer turns only is refused (409).
    """
    ex = explorer_of(request)
    data = await _json(request)
    ids, theme = _span_ids(data), _text(data, "theme")
    quotes = _span_quotes(data, ids)
    session = session_of(request)
    with open_for(ex.study) as store:
        found = {s.id: s for s in segments_by_id(store, ids)}
        if len(found) != len(ids):
            raise HTTPException(404, "no such segment")
        names = ex.cache.get(store).names
        for segment, quote in list(quotes.items()):
            shown = names.text(found[segment].text).strip()
            if quote not in shown:
                raise HTTPException(400, "a quote must be words of its segment")
            if quote == shown:
                del quotes[segment]  # the whole segment: nothing to keep beyond the coding
        coded = [i for i in ids if found[i].role is not Role.INTERVIEWER]
        if not coded:
            return _interviewer_refused(request)
        try:
            with store.transaction():  # every segment of the span, or none
                done = [_code_one(store, i, theme, ex.coder, quotes.get(i)) for i in coded]
        except StoreError as exc:
            raise HTTPException(409, str(exc)) from exc
        # Pushed even when nothing changed, so that u always undoes this act, not an older one.
        session.undo.append(SpanAct(tuple(a for a in done if a is not None)))
        del session.undo[:-MAX_UNDO]
        return _answer(request, store, ids)

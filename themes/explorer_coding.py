"""The explorer's write routes: code a segment, undo, write a memo.

Registered only when the explorer is not read-only. Each act is one short
store transaction under the explorer's coder name (a person coder), so the
report sees it at once; the session remembers what to restore on undo.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse

from journeylab.coding.model import CodingStatus
from journeylab.coding.store import Store
from journeylab.errors import StoreError
from journeylab.themes.explorer_data import open_for, segment_views
from journeylab.themes.explorer_routes import explorer_of, fragment
from journeylab.themes.explorer_security import Act, session_of

ACTIONS = ("toggle", "add", "remove", "accept", "reject")
MAX_MEMO = 5000
MAX_UNDO = 200

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


def _apply(store: Store, segment: str, theme: str, coder: str, action: str) -> None:
    before = _mine(store, segment, theme, coder)
    if action == "toggle":
        counted = before is not None and before[0] in ("manual", "accepted")
        action = "remove" if counted else "add"
    if action == "remove":
        store.remove_coding(segment, theme, coder)
        return
    if action == "add":
        # Adding a theme the machine proposed is accepting its suggestion.
        status = CodingStatus.ACCEPTED if _suggested(store, segment, theme) else CodingStatus.MANUAL
    else:
        status = CodingStatus.ACCEPTED if action == "accept" else CodingStatus.REJECTED
    store.set_coding(segment, theme, coder, status)


def _answer(request: Request, store: Store, segment: str) -> JSONResponse:
    """The segment's new controls (rendered HTML) and the themes' new counts."""
    ex = explorer_of(request)
    seg = store.segment(segment)
    # The write moved the store's version: this reads the counted segments anew
    # (one narrow query); the findings follow, in the background on a big study.
    snap = ex.cache.get(store)
    html = ""
    if seg is not None:
        view = segment_views(store, [seg], snap.themes, ex.coder, snap.names)[0]
        html = fragment(request, view)
    counts = snap.counts
    return JSONResponse({"segment": segment, "html": html, "counts": counts})


@router.post("/api/code")
async def code(request: Request) -> JSONResponse:
    ex = explorer_of(request)
    data = await _json(request)
    segment, theme, action = _text(data, "segment"), _text(data, "theme"), _text(data, "action")
    if action not in ACTIONS:
        raise HTTPException(400, f"unknown action '{action}'")
    session = session_of(request)
    with open_for(ex.study) as store:
        if store.segment(segment) is None:
            raise HTTPException(404, "no such segment")
        before = _mine(store, segment, theme, ex.coder)
        try:
            _apply(store, segment, theme, ex.coder, action)
        except StoreError as exc:
            raise HTTPException(409, str(exc)) from exc
        session.undo.append(Act(segment, theme, before))
        del session.undo[:-MAX_UNDO]
        return _answer(request, store, segment)


@router.post("/api/undo")
async def undo(request: Request) -> JSONResponse:
    ex = explorer_of(request)
    session = session_of(request)
    if not session.undo:
        raise HTTPException(409, "nothing to undo")
    act = session.undo.pop()
    with open_for(ex.study) as store:
        try:
            if act.before is None:
                store.remove_coding(act.segment, act.theme, ex.coder)
            else:
                status, memo = act.before
                store.set_coding(act.segment, act.theme, ex.coder, CodingStatus(status), memo=memo)
        except StoreError as exc:
            raise HTTPException(409, str(exc)) from exc
        return _answer(request, store, act.segment)


@router.post("/api/memo")
async def memo(request: Request) -> JSONResponse:
    ex = explorer_of(request)
    data = await _json(request)
    segment, text = _text(data, "segment"), _text(data, "text", MAX_MEMO).strip()
    with open_for(ex.study) as store:
        if store.segment(segment) is None:
            raise HTTPException(404, "no such segment")
        store.add_memo("segment", segment, ex.coder, text)
        return _answer(request, store, segment)

"""The explorer's guards: access token, host check, sessions with CSRF tokens, headers.

Sessions live in the server's memory (a random id in an HttpOnly, SameSite=Strict
cookie); each holds its CSRF token and the coder's undo stack. Nothing here
trusts the browser beyond comparing secrets in constant time.
"""

from __future__ import annotations

import hmac
import secrets
import threading
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

from fastapi import FastAPI, Request, Response
from fastapi.responses import PlainTextResponse, RedirectResponse
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")
TOKEN_COOKIE = "journeylab_token"
SESSION_COOKIE = "journeylab_session"
CSRF_HEADER = "x-csrf-token"
UNSAFE_METHODS = ("POST", "PUT", "PATCH", "DELETE")

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}


def is_local(host: str) -> bool:
    return host.strip().lower() in LOCAL_HOSTS


def access_token(host: str, token: str | None) -> str | None:
    """The token the server must demand: the given one, a fresh one off-localhost, else None."""
    if token:
        return token
    return None if is_local(host) else secrets.token_urlsafe(24)


def _hostname(header: str) -> str:
    return (urlsplit(f"//{header}").hostname or "").lower()


@dataclass
class Act:
    """One coding act, with what to restore on undo (None: there was no coding)."""

    segment: str
    theme: str
    before: tuple[str, str | None] | None  # (status, memo) of the coder's coding


@dataclass(frozen=True)
class SpanAct:
    """One theme given to every segment a text selection touched; undone as one act."""

    acts: tuple[Act, ...]


@dataclass
class Session:
    csrf: str
    undo: list[Act | SpanAct] = field(default_factory=list)


class Sessions:
    """In-memory sessions; ids are 32 random bytes, so guessing one is hopeless."""

    def __init__(self) -> None:
        self._items: dict[str, Session] = {}
        self._lock = threading.Lock()

    def get(self, sid: str | None) -> Session | None:
        if not sid:
            return None
        with self._lock:
            return self._items.get(sid)

    def new(self) -> tuple[str, Session]:
        sid = secrets.token_urlsafe(32)
        session = Session(csrf=secrets.token_urlsafe(32))
        with self._lock:
            if len(self._items) > 10_000:  # a bound against cookie-less clients piling up
                self._items.clear()
            self._items[sid] = session
        return sid, session


def same(a: str | None, b: str | None) -> bool:
    """Constant-time equality of two secrets (False when either is missing)."""
    if not a or not b:
        return False
    return hmac.compare_digest(a.encode(), b.encode())


def install(app: FastAPI, *, token: str | None, sessions: Sessions) -> None:
    """Add the middleware that guards every request and stamps every response."""
    app.add_middleware(Guard, token=token, sessions=sessions)


class Guard:
    """The guard as a plain ASGI middleware.

    It was a BaseHTTPMiddleware, which runs the app in a task group and streams
    the body through a memory channel: ~0.2 ms of every request, a twentieth
    of a search at 1M words (issue 9). This one only edits the response's start
    message; the checks, cookies and headers are the same, in the same order.
    """

    def __init__(self, app: ASGIApp, *, token: str | None, sessions: Sessions) -> None:
        self.app = app
        self.token = token
        self.sessions = sessions

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        cookies: list[bytes] = []  # Set-Cookie values for the app's response

        async def stamped(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for cookie in cookies:
                    headers.append("set-cookie", cookie.decode("latin-1"))
                for key, value in HEADERS.items():
                    headers[key] = value
                headers.setdefault("Cache-Control", "no-store")
            await send(message)

        refusal, sid, new_token = _checked(request, self.token, self.sessions)
        if refusal is not None:
            await refusal(scope, receive, stamped)
            return
        if sid is not None:
            cookies.append(_cookie_value(SESSION_COOKIE, sid, request))
        if new_token:
            cookies.append(_cookie_value(TOKEN_COOKIE, self.token or "", request))
        await self.app(scope, receive, stamped)


def _cookie(response: Response, name: str, value: str, request: Request) -> None:
    response.set_cookie(
        name,
        value,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )


def _cookie_value(name: str, value: str, request: Request) -> bytes:
    """The Set-Cookie header `_cookie` would add to a response."""
    carrier = Response()
    _cookie(carrier, name, value, request)
    return next(v for k, v in carrier.raw_headers if k == b"set-cookie")


def _checked(
    request: Request, token: str | None, sessions: Sessions
) -> tuple[Response | None, str | None, bool]:
    """(refusal or redirect to send instead of the page, new session id, token just given).

    When the first is None the request goes on to the app, with its session in
    request.state.
    """
    host = _hostname(request.headers.get("host", ""))
    if token is None and not is_local(host):
        # Without a token the server only answers to a local name (DNS rebinding).
        return PlainTextResponse("unknown host", status_code=400), None, False
    new_token = False
    if token is not None:
        given = request.query_params.get("token")
        if same(given, token):
            new_token = True
        elif not same(request.cookies.get(TOKEN_COOKIE), token):
            refusal = PlainTextResponse(
                "access token required: open the address the server printed", status_code=401
            )
            return refusal, None, False
    if new_token and request.method == "GET":
        # Drop the token from the address bar (and history) once the cookie holds it.
        rest = [(k, v) for k, v in request.query_params.multi_items() if k != "token"]
        target = request.url.path + (f"?{urlencode(rest)}" if rest else "")
        redirect = RedirectResponse(target, status_code=303)
        _cookie(redirect, TOKEN_COOKIE, token or "", request)
        return redirect, None, False
    session = sessions.get(request.cookies.get(SESSION_COOKIE))
    if request.method in UNSAFE_METHODS:
        origin = request.headers.get("origin")
        if origin and _hostname(urlsplit(origin).netloc) != host:
            return PlainTextResponse("cross-origin request refused", status_code=403), None, False
        if session is None or not same(request.headers.get(CSRF_HEADER), session.csrf):
            return PlainTextResponse("missing or wrong CSRF token", status_code=403), None, False
    sid = None
    if session is None:
        sid, session = sessions.new()
    request.state.session = session
    return None, sid, new_token


def session_of(request: Request) -> Session:
    session: Any = getattr(request.state, "session", None)
    assert isinstance(session, Session)  # the guard always sets it
    return session

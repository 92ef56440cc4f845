"""The theme explorer: a small web app over the study's store and findings.

`create_app` builds the FastAPI app (pages in explorer_routes, search in
explorer_search_page, coding in explorer_coding, guards in explorer_security);
`serve` runs it with uvicorn on 127.0.0.1, and off localhost only behind an
access token.
"""

from __future__ import annotations

import errno
import ipaddress
import socket
import webbrowser
from pathlib import Path

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from markupsafe import Markup
from starlette.exceptions import HTTPException as StarletteHTTPException

from journeylab.coding.study import Study
from journeylab.errors import InputError, JourneylabError
from journeylab.journeys.cache import cached_journeys
from journeylab.themes.explorer_cache import SnapshotCache
from journeylab.themes.explorer_data import open_for
from journeylab.themes.explorer_security import Sessions, access_token, install, is_local
from journeylab.themes.explorer_study import StudyUnreadable
from journeylab.themes.templating import templates_dir

# The only files the app serves from disk, read once at start: name -> media type.
STATIC = {
    "explorer.css": "text/css; charset=utf-8",
    "explorer.js": "text/javascript; charset=utf-8",
}


def static_dir() -> Path:
    return templates_dir() / "explorer" / "static"


def _static_files() -> dict[str, bytes]:
    return {name: (static_dir() / name).read_bytes() for name in STATIC}


def create_app(
    study: Study,
    *,
    read_only: bool = False,
    token: str | None = None,
    coder: str = "analytiker",
    include_suggestions: float | None = None,
) -> FastAPI:
    """The explorer app for *study*; with *token*, every request must carry it."""
    from journeylab.themes import explorer_coding, explorer_routes, explorer_search_page

    if coder.startswith("machine:") or not coder.strip():
        raise InputError(
            f"'{coder}' cannot be the explorer's coder", hint="give a person's coder name"
        )
    with open_for(study):
        pass  # fail now (StoreError) if the study has not been imported
    # Through the parsed-journeys cache `import` fills: the same journeys, in the same
    # order, without parsing every journey file again (~1 s at 1M words).
    # The cache re-reads study.toml and the journeys when they change (explorer_study).
    journeys = cached_journeys(study)
    cache = SnapshotCache(study, journeys, include_suggestions)
    app = FastAPI(title="journeylab explorer", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.explorer = explorer_routes.Explorer(coder=coder, read_only=read_only, cache=cache)
    install(app, token=token, sessions=Sessions())
    files = _static_files()

    @app.get("/static/{name}")
    def static(name: str) -> Response:
        # A fixed allow-list: the name is a dictionary key, never a path.
        if name not in files:
            raise HTTPException(404, "not found")
        return Response(
            files[name], media_type=STATIC[name], headers={"Cache-Control": "max-age=300"}
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        # Browsers get the explorer's own 404 page; the JSON API keeps JSON answers.
        if exc.status_code == 404 and not request.url.path.startswith("/api/"):
            try:
                return explorer_routes.not_found(request)
            except StudyUnreadable as unreadable:  # the 404 page needs the study too
                return await study_unreadable(request, unreadable)
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code)

    @app.exception_handler(StudyUnreadable)
    async def study_unreadable(request: Request, exc: StudyUnreadable) -> Response:
        # Never the old names: until study.toml reads again, every page says what to fix.
        shown = unreadable_text(exc.error, cache, read_only=read_only)
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": shown}, status_code=503)
        return HTMLResponse(unreadable_page(shown, cache.study.language), status_code=503)

    app.include_router(explorer_routes.router)
    app.include_router(explorer_search_page.router)
    if not read_only:
        app.include_router(explorer_coding.router)
    return app


def unreadable_text(error: JourneylabError, cache: SnapshotCache, *, read_only: bool) -> str:
    """The error for the page, through the last names read (its message may quote one).

    In a workshop (read-only, on a projector) only the file, the place and the hint
    are shown: a message can quote a name that the last names read do not know yet.
    """
    names = cache.last_names()
    message = "cannot be read" if read_only else names.text(error.message)
    where = names.text(error.where) if error.where else None
    hint = names.text(error.hint) if error.hint else None
    return JourneylabError(message, path=error.path, where=where, hint=hint).render()


_UNREADABLE = {
    "da": (
        "Studiet kan ikke læses",
        "Ret filen, og genindlæs så siden. Indtil da viser explorer intet fra studiet."
        " Den præcise fejl står i terminalen, når du kører journeylab import.",
    ),
    "en": (
        "The study cannot be read",
        "Fix the file, then reload this page. Until then the explorer shows nothing of the"
        " study. Run journeylab import in the terminal to see the exact error.",
    ),
}


def unreadable_page(shown: str, lang: str) -> str:
    """A page of its own (no snapshot, no template context): the study is what failed."""
    title, todo = _UNREADABLE.get(lang, _UNREADABLE["da"])
    return Markup(
        '<!doctype html><html lang="{}"><head><meta charset="utf-8"><title>{}</title>'
        '<link rel="stylesheet" href="/static/explorer.css"></head>'
        "<body><main><h1>{}</h1><p><code>{}</code></p><p>{}</p></main></body></html>"
    ).format(lang, title, title, shown, todo)


# Hosts that mean "every address of this machine": uvicorn binds them, but nobody can
# open them, so the printed URL names the machine's own LAN address instead.
WILDCARDS = ("0.0.0.0", "::", "[::]", "")

# Private addresses a UDP socket is connected to. connect() on a datagram socket sends
# nothing: the kernel only picks the route, and with it the source address
# (getsockname) that a packet there would leave from, i.e. the LAN interface's.
# Several, as a machine without a default route may still route one private range.
_PROBES = {
    socket.AF_INET: ("10.254.254.254", "172.31.254.254", "192.168.254.254"),
    socket.AF_INET6: ("fd00::1",),
}


def lan_address(family: socket.AddressFamily = socket.AF_INET) -> str | None:
    """This machine's address on its network, found without any network traffic.

    None when there is no route to a private address. A loopback, unspecified or
    link-local answer is skipped: colleagues cannot open it.
    """
    for probe in _PROBES[family]:
        try:
            with socket.socket(family, socket.SOCK_DGRAM) as sock:
                sock.connect((probe, 9))
                found = str(sock.getsockname()[0])
        except OSError:
            continue
        try:
            ip = ipaddress.ip_address(found.split("%")[0])
        except ValueError:
            continue
        if not (ip.is_loopback or ip.is_unspecified or ip.is_link_local):
            return found
    return None


def shown_host(host: str) -> tuple[str, str]:
    """The host for the printed URL, and a hint to print after it ("" when none).

    A named host is shown as given. For a wildcard: the LAN address of its family
    (uvicorn's asyncio server binds "::" IPv6 only), else the machine's name (which
    colleagues may resolve), else the wildcard with a hint.
    """
    if host.strip() not in WILDCARDS:
        return host, ""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    found = lan_address(family)
    if found:
        return found, ""
    name = socket.gethostname()
    if name and name.lower() != "localhost":
        return name, ""
    return host or "0.0.0.0", (
        "  (this is every address of the machine: give colleagues its address on your network)"
    )


def address(host: str, port: int, token: str | None) -> str:
    """The URL to open (with the token, which then moves into a cookie)."""
    shown = f"[{host}]" if ":" in host and not host.startswith("[") else host
    return f"http://{shown}:{port}/" + (f"?token={token}" if token else "")


# How `serve` (and bench/explorer_bench.py, which must measure the same server)
# runs uvicorn. At "warning" the access log costs one level check a request, not a
# formatted line. httptools parses HTTP in C where uvicorn's default h11 is pure
# Python, and uvloop runs the event loop in C: together about 0.2-0.3 ms less
# server CPU a request at 1M words (issue 9), which is what 8 concurrent users
# queue behind. Both are dependencies; uvloop has no Windows build, so the loop is
# "auto" (uvloop where installed, else asyncio). Sync routes run in anyio's
# thread pool, so a slow page does not hold up the others.
LOG_LEVEL = "warning"
HTTP = "httptools"
LOOP = "auto"


def check_port(host: str, port: int) -> None:
    """JourneylabError when *port* is taken, checked before any URL is printed.

    Printed first, the URL of a taken port opens the other explorer (perhaps another
    study's, or one that codes); uvicorn would then only log its bind error. The
    socket is set up as uvicorn's (SO_REUSEADDR), so a port left in TIME_WAIT by the
    last run is not refused, only a listening one. Other failures (a host that is not
    this machine's, a port below 1024) are left to uvicorn, which names them.
    """
    # The address family as uvicorn picks it, so "localhost" is tried where it binds.
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        found = socket.getaddrinfo(host, port, family=family, type=socket.SOCK_STREAM)
        family, kind, proto, _, place = found[0]
        with socket.socket(family, kind, proto) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(place)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise JourneylabError(
                f"port {port} is in use (another journeylab explore?): choose another with --port"
            ) from None


def serve(
    study: Study,
    *,
    host: str = "127.0.0.1",
    port: int = 8765,
    read_only: bool = False,
    token: str | None = None,
    open_browser: bool = False,
    coder: str = "analytiker",
    include_suggestions: float | None = None,
) -> None:
    """Run the explorer until interrupted; off localhost a token is always required."""
    import uvicorn

    check_port(host, port)
    token = access_token(host, token)
    app = create_app(
        study,
        read_only=read_only,
        token=token,
        coder=coder,
        include_suggestions=include_suggestions,
    )
    shown, hint = shown_host(host)
    url = address(shown, port, token)
    secret = "" if is_local(host) else "  (keep the token secret)"
    print(f"journeylab explorer: {url}{secret}{hint}")
    if open_browser:
        webbrowser.open(url)
    uvicorn.run(app, host=host, port=port, log_level=LOG_LEVEL, http=HTTP, loop=LOOP)

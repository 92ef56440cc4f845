"""The explorer's read-only pages: overview, theme, source, journey maps, search, codebook.

Sources are looked up by their id in the store (never opened from a URL path),
and every text shown has passed the study's Pseudonymiser. What does not change
between requests (findings, names, per-theme indexes) comes from the Snapshot
of explorer_cache; a page reads only the segments it shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import lru_cache
from math import ceil
from typing import Any
from urllib.parse import urlencode

import yaml
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment
from markupsafe import Markup

from journeylab.coding.model import Role, Theme
from journeylab.coding.store import Store
from journeylab.coding.study import Study
from journeylab.journeys.model import Journey
from journeylab.journeys.svgmap import journey_svg
from journeylab.themes.explorer_blocks import BlockCache
from journeylab.themes.explorer_cache import Snapshot, SnapshotCache
from journeylab.themes.explorer_data import SegmentView, segment_views, segments_by_id
from journeylab.themes.explorer_index import FILTERS, MEMO, ThemeIndex, short_slug
from journeylab.themes.explorer_search import SearchCache, reader
from journeylab.themes.explorer_security import session_of
from journeylab.themes.privacy_journeys import pseudonymised_journey
from journeylab.themes.templating import _colour, make_environment, strings, templates_dir

PAGE = 25  # segments a side on a theme page (50 a page)
SOURCE_PAGE = 100  # segments on a source page
MAX_VIEWS = 20_000  # segment views remembered per snapshot


@lru_cache(maxsize=1)
def environment() -> Environment:
    """One Jinja environment for the app: templates compile once, not per request."""
    env = make_environment()
    # Templates are package files, fixed while the server runs: without this every
    # page stat()s each template it uses (base, page, includes) to check for edits.
    env.auto_reload = False
    return env


@lru_cache(maxsize=2)
def ui_strings(lang: str) -> dict[str, Any]:
    """The explorer's UI strings for *lang*, from templates/locale/explorer_<lang>.yaml."""
    name = "explorer_en.yaml" if lang == "en" else "explorer_da.yaml"
    data: dict[str, Any] = yaml.safe_load((templates_dir() / "locale" / name).read_text("utf-8"))
    return data


@dataclass
class Explorer:
    """What every route needs; one per app."""

    coder: str
    read_only: bool
    cache: SnapshotCache
    _blocks: dict[str, BlockCache] = field(init=False, default_factory=dict)
    searches: SearchCache = field(default_factory=SearchCache)

    # Study and journeys are the cache's: it re-reads them when study.toml or the
    # imported material change while the server runs.
    @property
    def study(self) -> Study:
        return self.cache.study

    @property
    def journeys(self) -> list[Journey]:
        return self.cache.journeys

    @property
    def blocks(self) -> BlockCache:
        # One cache a language: a block holds its labels, and study.toml may change it.
        lang = self.study.language
        found = self._blocks.get(lang)
        if found is None:
            template = environment().get_template("explorer/_segment.html")
            made = BlockCache(template, lambda: block_context(lang, self.read_only))
            found = self._blocks.setdefault(lang, made)
        return found

    def snapshot(self) -> Snapshot:
        # Pages only read: this thread's kept connection (explorer_search.reader),
        # not a new one per request (~0.2 ms each, and an empty page cache).
        return self.cache.get(reader(self.study))


def explorer_of(request: Request) -> Explorer:
    value: Any = request.app.state.explorer
    assert isinstance(value, Explorer)
    return value


@lru_cache(maxsize=4)
def block_context(lang: str, read_only: bool) -> dict[str, Any]:
    """What a segment block needs besides its view: labels and the read-only flag."""
    ui = ui_strings(lang)
    return {
        "read_only": read_only,
        "ui": ui,
        "lang": lang,
        "role_label": lambda r: ui["roles"].get(r, r),
        "stage_label": lambda s: ui["stages"].get(s or "", s or ui["no_stage"]),
        "colour_label": lambda c: ui["colours"].get(c or "", c or ""),
    }


def page_context(request: Request, **context: Any) -> dict[str, Any]:
    """The shared context of base.html and the partials, plus *context*."""
    ex = explorer_of(request)
    base = block_context(ex.study.language, ex.read_only) | {
        # Through the names, as every text shown (the current snapshot: already cached).
        "study_title": ex.snapshot().material.title,
        "csrf": session_of(request).csrf,
        "t": strings(ex.study.language),
        "theme_index": {t.name: i for i, t in enumerate(context.get("all_themes", []), 1)},
        "show_source": True,
        "slug": theme_slug,
        "updating": False,
    }
    return base | context


def theme_slug(anchor: str) -> str:
    return short_slug(anchor)


def render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A page from templates/explorer/ with the shared context of base.html."""
    template = environment().get_template(f"explorer/{name}")
    return HTMLResponse(template.render(**page_context(request, **context)), status_code=status)


def not_found(request: Request) -> HTMLResponse:
    """The explorer's own 404 page (never a JSON body for a browser)."""
    ex = explorer_of(request)
    return render(request, "notfound.html", status=404, all_themes=ex.snapshot().themes)


def fragment(request: Request, view: SegmentView) -> str:
    """One segment's block (_segment.html), as the coding routes send it back."""
    return str(explorer_of(request).blocks.block(view))


def theme_colours_css(themes: list[Theme]) -> str:
    """One class a theme (t-1, t-2, ...) carrying its codebook colour (validated hex)."""
    from journeylab.coding.codebook import with_default_colours
    from journeylab.coding.model import Codebook

    coloured = with_default_colours(Codebook("x", "da", tuple(themes))).themes
    lines = [
        f".t-{i} {{ --tc: {_colour(t.color, '#2a5d84')}; }}" for i, t in enumerate(coloured, 1)
    ]
    return "\n".join(lines) + "\n"


def cached_views(
    store: Store, snap: Snapshot, ids: list[str], coder: str
) -> dict[str, SegmentView]:
    """The views of these segments; each is read once per store version (snapshot)."""
    views = snap.views
    missing = [i for i in ids if i not in views]
    if missing:
        fresh = segment_views(store, segments_by_id(store, missing), snap.themes, coder, snap.names)
        if len(views) > MAX_VIEWS:
            views.clear()
        views.update((v.id, v) for v in fresh)
    return {i: views[i] for i in ids if i in views}


def option_tags(index: ThemeIndex, key: str, chosen: str, ex: Explorer) -> Markup:
    """The <option>s of one theme-page filter, rendered once per theme, filter and choice."""
    memo_key = ("options", key, chosen)
    found = index.memo.get(memo_key)
    if isinstance(found, Markup):
        return found
    context = block_context(ex.study.language, ex.read_only)
    label = {
        "rolle": context["role_label"],
        "fase": context["stage_label"],
        "farve": context["colour_label"],
    }.get(key, str)
    html = Markup("").join(
        Markup('<option value="{}"{}>{}</option>').format(
            value, Markup(" selected") if value == chosen else "", label(value)
        )
        for value in index.options[key]
    )
    if len(index.memo) < MEMO:
        index.memo[memo_key] = html
    return html


def page_number(request: Request) -> int:
    """The ?side= page number (1 when missing or not a positive number)."""
    raw = request.query_params.get("side", "1")
    return int(raw) if raw.isdigit() and 0 < int(raw) < 1_000_000 else 1


def page_links(path: str, params: dict[str, str], page: int, pages: int) -> dict[str, Any]:
    """Previous/next links that keep the filters."""
    kept = {k: v for k, v in params.items() if v}

    def url(n: int) -> str:
        query = urlencode(kept | ({"side": str(n)} if n > 1 else {}))
        return path + (f"?{query}" if query else "")

    return {
        "page": page,
        "pages": pages,
        "prev": url(page - 1) if page > 1 else None,
        "next": url(page + 1) if page < pages else None,
    }


router = APIRouter()


@router.get("/", response_class=HTMLResponse)
def overview(request: Request) -> HTMLResponse:
    snap = explorer_of(request).snapshot()
    findings = snap.findings
    return render(
        request,
        "overview.html",
        f=findings,
        all_themes=snap.themes,
        charts=snap.charts,
        counts=snap.counts,
        updating=not snap.fresh,
        crosstab=dict(findings.crosstab),
        sizes=dict(findings.group_sizes),
        roles=[r.value for r in (Role.UNG, Role.MEDARBEJDER, Role.LEDER)],
    )


@router.get("/tema/{name}", response_class=HTMLResponse)
def theme_page(request: Request, name: str) -> Response:
    ex = explorer_of(request)
    chosen = {k: request.query_params.get(k) or "" for k in FILTERS}
    page = page_number(request)
    store = reader(ex.study)  # this thread's kept read connection
    snap = ex.cache.get(store)
    theme = snap.theme(name)
    if theme is None:
        if name.startswith("tema-") and snap.theme(name[5:]) is not None:
            # The old address (/tema/tema-relationen) still works.
            query = request.url.query
            return RedirectResponse(f"/tema/{name[5:]}" + (f"?{query}" if query else ""), 301)
        return not_found(request)
    index = snap.index(store, theme)
    shown, sides = index.sides(chosen)
    pages = max(1, *(ceil(len(v) / PAGE) for v in sides.values()))
    page = min(page, pages)
    wanted = {key: [m.id for m in v[(page - 1) * PAGE : page * PAGE]] for key, v in sides.items()}
    ids = [i for v in wanted.values() for i in v] + list(index.pending)
    views = cached_views(store, snap, ids, ex.coder)
    pending = [views[i] for i in index.pending if i in views] if not ex.read_only else []
    blocks = ex.blocks.blocks
    return render(
        request,
        "theme.html",
        theme=theme,
        all_themes=snap.themes,
        count=snap.counts.get(theme.name, 0),
        updating=not snap.fresh,
        unge=blocks([views[i] for i in wanted["unge"] if i in views]),
        medarbejdere=blocks([views[i] for i in wanted["medarbejdere"] if i in views]),
        pending=blocks(pending),
        chosen=chosen,
        options=index.options,
        filtered=any(chosen.values()),
        shown=shown,
        option_tags={k: option_tags(index, k, chosen[k], ex) for k in FILTERS},
        total=len(index.coded),
        pager=page_links(f"/tema/{name}", chosen, page, pages),
    )


@router.get("/kilde", response_class=HTMLResponse)
def source_page(request: Request, sti: str = "") -> HTMLResponse:
    ex = explorer_of(request)
    page = page_number(request)
    store = reader(ex.study)  # this thread's kept read connection
    snap = ex.cache.get(store)
    record = store.source(sti)  # an id in the store, never a file path
    if record is None:
        return not_found(request)
    (count,) = store.conn.execute(
        "SELECT count(*) FROM segments WHERE source = ?", (sti,)
    ).fetchone()
    pages = max(1, ceil(count / SOURCE_PAGE))
    page = min(page, pages)
    rows = store.conn.execute(
        "SELECT id FROM segments WHERE source = ? ORDER BY position LIMIT ? OFFSET ?",
        (sti, SOURCE_PAGE, (page - 1) * SOURCE_PAGE),
    ).fetchall()
    found = cached_views(store, snap, [r[0] for r in rows], ex.coder)
    views = [found[r[0]] for r in rows if r[0] in found]
    maps = []
    if record.kind == "journey":
        for journey in ex.journeys:
            if journey.source == record.path:
                maps.append(journey_map(ex, snap, journey))
    return render(
        request,
        "source.html",
        record=record,
        title=snap.names.text(record.title or record.path),
        segments=ex.blocks.blocks(views, show_source=False),
        count=count,
        maps=maps,
        all_themes=snap.themes,
        pager=page_links("/kilde", {"sti": sti}, page, pages),
    )


def _inline_svg(
    journey: Journey, lang: str, transitions: tuple[tuple[float, str], ...] = ()
) -> str:
    # journey_svg escapes every text itself (ElementTree); drop the XML declaration.
    svg = journey_svg(journey, lang=lang, transitions=transitions)
    return svg.split("?>", 1)[1].strip() if svg.startswith("<?xml") else svg


def journey_map(ex: Explorer, snap: Snapshot, journey: Journey) -> Markup:
    """The map of *journey* as `journeylab journeys --map` draws it: the study's language
    and declared transitions, every text (the labels too) through the study's names."""
    names = snap.names
    marks = tuple((age, names.text(label)) for age, label in ex.cache.transitions)
    return Markup(_inline_svg(pseudonymised_journey(journey, names), ex.study.language, marks))


@router.get("/rejser", response_class=HTMLResponse)
def journeys_page(request: Request) -> HTMLResponse:
    ex = explorer_of(request)
    snap = ex.snapshot()
    maps = [(j.id, j.source or "", journey_map(ex, snap, j)) for j in ex.journeys]
    return render(request, "journeys.html", maps=maps, all_themes=snap.themes)


@router.get("/kodebog", response_class=HTMLResponse)
def codebook_page(request: Request) -> HTMLResponse:
    snap = explorer_of(request).snapshot()
    names = snap.names
    shown = [
        replace(
            t,
            description=names.text(t.description),
            # Every field shown, not only the prose: a rule or keyword may name someone.
            include=tuple(names.text(x) for x in t.include),
            exclude=tuple(names.text(x) for x in t.exclude),
            keywords=tuple(names.text(k) for k in t.keywords),
            examples=tuple(names.text(e) for e in t.examples),
        )
        for t in snap.themes
    ]
    return render(request, "codebook.html", themes_shown=shown, all_themes=snap.themes)


@router.get("/tema-farver.css")
def theme_css(request: Request) -> Response:
    return Response(
        theme_colours_css(explorer_of(request).snapshot().themes),
        media_type="text/css; charset=utf-8",
    )

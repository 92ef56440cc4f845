"""The explorer's search page (GET /soeg): FTS5 hits with snippets, filters, result cache.

Per request this does the ranking query (or takes the hits from the result
cache), reads the shown segments' views, and renders; what depends only on the
material (the filters' <option>s) is rendered once per import. The hits come
pseudonymised and checked (explorer_search_names.search_hits), and the query is
shown with made-up names in place of real ones.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from journeylab.coding.model import Role
from journeylab.themes.explorer_cache import Snapshot
from journeylab.themes.explorer_index import MEMO
from journeylab.themes.explorer_routes import block_context, cached_views, explorer_of, render
from journeylab.themes.explorer_search import Parts, option_tags, reader, snippet_html
from journeylab.themes.explorer_search_names import search_hits, shown_query

SEARCH_LIMIT = 50

router = APIRouter()


def form_options(
    snap: Snapshot,
    key: str,
    values: Callable[[], Sequence[str]],
    chosen: str,
    label: Callable[[str], str] = str,
) -> Markup:
    """One filter's <option>s, rendered once per material and choice (kept: MEMO of them)."""
    memo = snap.material.memo
    found = memo.get(("search-options", key, chosen))
    if isinstance(found, Markup):
        return found
    html = option_tags(values(), chosen, label)
    if len(memo) < MEMO:
        memo[("search-options", key, chosen)] = html
    return html


@router.get("/soeg", response_class=HTMLResponse)
def search_page(
    request: Request, q: str = "", rolle: str = "", kilde: str = "", tema: str = ""
) -> HTMLResponse:
    ex = explorer_of(request)
    # This thread's kept connection: a search reads many FTS5 index pages, and a
    # fresh connection would read them again (reader() in explorer_search).
    store = reader(ex.study)
    snap = ex.cache.get(store)
    # The query box and the count line show the query with made-up names, on the
    # analyst's screen too (it may be projected). In a workshop a search for a real
    # name must not confirm where it occurs: it finds nothing.
    shown = shown_query(q, snap.names)
    if ex.read_only and shown != q:
        hits: list[tuple[str, Parts]] = []
    else:
        key = (snap.version, ex.read_only, q, rolle, kilde, tema)
        found_hits = ex.searches.get(key)
        if found_hits is None:
            found_hits = search_hits(
                store,
                q,
                snap.names,
                workshop=ex.read_only,
                role=rolle or None,
                source=kilde or None,
                theme=tema or None,
                limit=SEARCH_LIMIT,
            )
            ex.searches.put(key, found_hits)
        hits = found_hits
    found = cached_views(store, snap, [i for i, _ in hits], ex.coder)
    results = [(ex.blocks.block(found[i]), snippet_html(parts)) for i, parts in hits if i in found]
    role_label = block_context(ex.study.language, ex.read_only)["role_label"]
    roles = [r.value for r in Role]
    return render(
        request,
        "search.html",
        q=shown,
        results=results,
        limit=SEARCH_LIMIT,
        role_options=form_options(snap, "rolle", lambda: roles, rolle, role_label),
        source_options=form_options(snap, "kilde", lambda: [s.path for s in snap.sources], kilde),
        theme_options=form_options(snap, "tema", lambda: [t.name for t in snap.themes], tema),
        all_themes=snap.themes,
    )

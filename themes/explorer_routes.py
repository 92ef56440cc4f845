"""The explorer's read-only pages: overview, theme, source, journey maps, search, codebook.

Sources are looked up by their id in the store (never opened from a URL path),
and every text shown has passed the study's Pseudonymiser.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from journeylab.coding.model import CodingStatus, Role, Theme
from journeylab.coding.study import Study
from journeylab.journeys.model import Journey, Note, Stage, Step
from journeylab.journeys.svgmap import journey_svg
from journeylab.themes.explorer_data import (
    FindingsCache,
    SegmentView,
    codings_for,
    open_for,
    pseudonymiser,
    role_label,
    search,
    segment_views,
    segments_by_id,
    snippet_parts,
)
from journeylab.themes.explorer_security import session_of
from journeylab.themes.findings import ThemeFindings
from journeylab.themes.privacy import Pseudonymiser
from journeylab.themes.report import overview_svg
from journeylab.themes.templating import _colour, make_environment, strings

STAGE_LABELS = {
    Stage.EARLY_CHILDHOOD.value: "Tidlig barndom",
    Stage.SCHOOL.value: "Skole",
    Stage.UDSKOLING.value: "Udskoling",
    Stage.YOUTH_EDUCATION.value: "Ungdomsuddannelse",
    Stage.TRANSITION_18.value: "Overgang til voksen",
    Stage.ADULT.value: "Voksen",
}
COLOUR_LABELS = {"yellow": "Gul", "green": "Grøn", "red": "Rød"}
FILTERS = ("rolle", "kilde", "deltager", "fase", "farve")


@dataclass
class Explorer:
    """What every route needs; one per app."""

    study: Study
    coder: str
    read_only: bool
    findings: FindingsCache
    journeys: list[Journey]

    def themes(self) -> list[Theme]:
        with open_for(self.study) as store:
            return store.themes()


def explorer_of(request: Request) -> Explorer:
    value: Any = request.app.state.explorer
    assert isinstance(value, Explorer)
    return value


def page_context(request: Request, **context: Any) -> dict[str, Any]:
    """The shared context of base.html and the partials, plus *context*."""
    ex = explorer_of(request)
    base = {
        "study_title": ex.study.title,
        "csrf": session_of(request).csrf,
        "read_only": ex.read_only,
        "t": strings(ex.study.language),
        "lang": ex.study.language,
        "role_label": role_label,
        "stage_label": lambda s: STAGE_LABELS.get(s or "", s or "Uden livsfase"),
        "colour_label": lambda c: COLOUR_LABELS.get(c or "", c or ""),
        "theme_index": {t.name: i for i, t in enumerate(context.get("all_themes", []), 1)},
        "show_source": True,
    }
    return base | context


def render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A page from templates/explorer/ with the shared context of base.html."""
    html = (
        make_environment()
        .get_template(f"explorer/{name}")
        .render(**page_context(request, **context))
    )
    return HTMLResponse(html, status_code=status)


def fragment(request: Request, view: SegmentView, themes: list[Theme]) -> str:
    """One segment's block (_segment.html), as the coding routes send it back."""
    template = make_environment().get_template("explorer/_segment.html")
    return template.render(**page_context(request, s=view, all_themes=themes))


def pseudonymised_journey(journey: Journey, names: Pseudonymiser) -> Journey:
    """A copy of *journey* whose note texts carry no real names."""

    def note(n: Note) -> Note:
        return replace(n, text=names.text(n.text), actor=names.text(n.actor) if n.actor else None)

    steps = tuple(
        Step(note(s.event), tuple(map(note, s.green)), tuple(map(note, s.red)))
        for s in journey.steps
    )
    return replace(journey, steps=steps, pseudonym=names.text(journey.pseudonym or "") or None)


def theme_colours_css(themes: list[Theme]) -> str:
    """One class a theme (t-1, t-2, ...) carrying its codebook colour (validated hex)."""
    from journeylab.coding.codebook import with_default_colours
    from journeylab.coding.model import Codebook

    coloured = with_default_colours(Codebook("x", "da", tuple(themes))).themes
    lines = [
        f".t-{i} {{ --tc: {_colour(t.color, '#2a5d84')}; }}" for i, t in enumerate(coloured, 1)
    ]
    return "\n".join(lines) + "\n"


router = APIRouter()


@router.get("/", response_class=HTMLResponse)
def overview(request: Request) -> HTMLResponse:
    ex = explorer_of(request)
    with open_for(ex.study) as store:
        findings = ex.findings.get(store)
        themes = store.themes()
    t = strings(ex.study.language)
    sizes = dict(findings.group_sizes)
    charts = {th.name: overview_svg(th, t, sizes) for th in findings.themes}
    crosstab = dict(findings.crosstab)
    return render(
        request,
        "overview.html",
        f=findings,
        all_themes=themes,
        charts=charts,
        crosstab=crosstab,
        sizes=sizes,
        roles=[r.value for r in (Role.UNG, Role.MEDARBEJDER, Role.LEDER)],
    )


def _find_theme(themes: tuple[ThemeFindings, ...], anchor: str) -> ThemeFindings:
    for theme in themes:
        if theme.anchor == anchor:
            return theme
    raise HTTPException(404, "no such theme")


def _participant_label(seg_journey: str | None, speaker: str | None, source: str) -> str:
    return f"Rejse {seg_journey}" if seg_journey else (speaker or source)


@router.get("/tema/{anchor}", response_class=HTMLResponse)
def theme_page(request: Request, anchor: str) -> HTMLResponse:
    ex = explorer_of(request)
    chosen = {k: request.query_params.get(k) or "" for k in FILTERS}
    with open_for(ex.study) as store:
        findings = ex.findings.get(store)
        theme = _find_theme(findings.themes, anchor)
        themes = store.themes()
        names = pseudonymiser(ex.study, store)
        coded_ids = [c.segment_id for g in theme.groups for c in g.segments]
        views = segment_views(store, segments_by_id(store, coded_ids), themes, ex.coder, names)
        pending = []
        if not ex.read_only:
            # Machine suggestions for this theme that no person has decided on yet.
            ids = [
                c.segment_id
                for c in store.codings(theme=theme.name, statuses=[CodingStatus.SUGGESTED])
            ]
            decided = codings_for(store, ids)
            open_ids = [
                i
                for i in dict.fromkeys(ids)
                if i not in set(coded_ids)
                and not any(
                    c.theme == theme.name and not c.coder.startswith("machine:")
                    for c in decided.get(i, [])
                )
            ]
            pending = segment_views(
                store, segments_by_id(store, open_ids[:25]), themes, ex.coder, names
            )
    options: dict[str, set[str]] = {k: set() for k in FILTERS}
    for v in views:
        options["rolle"].add(v.role)
        options["kilde"].add(v.source)
        options["deltager"].add(_participant_label(v.journey, v.speaker, v.source))
        if v.stage:
            options["fase"].add(v.stage)
        if v.colour:
            options["farve"].add(v.colour)

    def keep(v: Any) -> bool:
        values = {
            "rolle": v.role,
            "kilde": v.source,
            "deltager": _participant_label(v.journey, v.speaker, v.source),
            "fase": v.stage or "",
            "farve": v.colour or "",
        }
        return all(not chosen[k] or values[k] == chosen[k] for k in FILTERS)

    shown = [v for v in views if keep(v)]
    unge = [v for v in shown if v.role == Role.UNG.value]
    medarbejdere = [v for v in shown if v.role in (Role.MEDARBEJDER.value, Role.LEDER.value)]
    return render(
        request,
        "theme.html",
        theme=theme,
        all_themes=themes,
        unge=unge,
        medarbejdere=medarbejdere,
        pending=pending,
        chosen=chosen,
        options={k: sorted(v) for k, v in options.items()},
        filtered=any(chosen.values()),
        shown=len(shown),
        total=len(views),
    )


@router.get("/kilde", response_class=HTMLResponse)
def source_page(request: Request, sti: str = "") -> HTMLResponse:
    ex = explorer_of(request)
    with open_for(ex.study) as store:
        record = store.source(sti)  # an id in the store, never a file path
        if record is None:
            raise HTTPException(404, "no such source")
        themes = store.themes()
        names = pseudonymiser(ex.study, store)
        views = segment_views(store, store.segments(source=sti), themes, ex.coder, names)
    maps = []
    if record.kind == "journey":
        for journey in ex.journeys:
            if journey.source == record.path:
                maps.append(Markup(_inline_svg(pseudonymised_journey(journey, names))))
    return render(
        request,
        "source.html",
        record=record,
        title=names.text(record.title or record.path),
        segments=views,
        maps=maps,
        all_themes=themes,
    )


def _inline_svg(journey: Journey) -> str:
    # journey_svg escapes every text itself (ElementTree); drop the XML declaration.
    svg = journey_svg(journey)
    return svg.split("?>", 1)[1].strip() if svg.startswith("<?xml") else svg


@router.get("/rejser", response_class=HTMLResponse)
def journeys_page(request: Request) -> HTMLResponse:
    ex = explorer_of(request)
    with open_for(ex.study) as store:
        names = pseudonymiser(ex.study, store)
        themes = store.themes()
    maps = [
        (j.id, j.source or "", Markup(_inline_svg(pseudonymised_journey(j, names))))
        for j in ex.journeys
    ]
    return render(request, "journeys.html", maps=maps, all_themes=themes)


@router.get("/soeg", response_class=HTMLResponse)
def search_page(
    request: Request, q: str = "", rolle: str = "", kilde: str = "", tema: str = ""
) -> HTMLResponse:
    ex = explorer_of(request)
    with open_for(ex.study) as store:
        themes = store.themes()
        sources = [s.path for s in store.sources()]
        names = pseudonymiser(ex.study, store)
        hits = search(store, q, role=rolle or None, source=kilde or None, theme=tema or None)
        views = segment_views(store, [s for s, _ in hits], themes, ex.coder, names)
    results = [(v, snippet_parts(snip, names)) for v, (_, snip) in zip(views, hits, strict=True)]
    return render(
        request,
        "search.html",
        q=q,
        chosen={"rolle": rolle, "kilde": kilde, "tema": tema},
        results=results,
        sources=sources,
        roles=[r.value for r in Role],
        all_themes=themes,
    )


@router.get("/kodebog", response_class=HTMLResponse)
def codebook_page(request: Request) -> HTMLResponse:
    ex = explorer_of(request)
    with open_for(ex.study) as store:
        themes = store.themes()
        names = pseudonymiser(ex.study, store)
    shown = [
        replace(
            t,
            description=names.text(t.description),
            examples=tuple(names.text(e) for e in t.examples),
        )
        for t in themes
    ]
    return render(request, "codebook.html", themes_shown=shown, all_themes=themes)


@router.get("/tema-farver.css")
def theme_css(request: Request) -> Response:
    return Response(
        theme_colours_css(explorer_of(request).themes()), media_type="text/css; charset=utf-8"
    )

"""The explorer's search (explorer_search.py, explorer_search_page.py): each fast path
against its plain definition, ranking and filters, the result cache, the per-thread
reader, the search page's cached form against a new import, and no real name on a
search page in either mode (the QA pass's repro; the name rules themselves are in
test_explorer_search_names.py).
"""

from __future__ import annotations

import re
import shutil
import threading
from collections.abc import Sequence
from html import unescape

import pytest
from fastapi.testclient import TestClient
from hypothesis import example, given, settings
from hypothesis import strategies as st

from journeylab.coding.importer import import_study
from journeylab.coding.store import open_store
from journeylab.coding.study import Study, load_study
from journeylab.themes.explorer import create_app
from journeylab.themes.explorer_search import (
    SNIPPET_LEAD,
    SNIPPET_TOKENS,
    option_tags,
    query_terms,
    snippet,
    snippet_html,
)
from journeylab.themes.templating import make_environment
from tests.explorer_support import BASE, copied_study, real_name_words

# -- the plain definitions the fast paths must equal ----------------------------------------

_TOKEN = re.compile(r"[^\W_]+")


def plain_snippet(text: str, terms: Sequence[tuple[tuple[str, ...], bool]]) -> list[object]:
    """The snippet token by token, as it was first written (FTS5 snippet()'s rules)."""
    tokens = [(m.start(), m.end(), m.group().lower()) for m in _TOKEN.finditer(text)]
    spans: set[tuple[int, int]] = set()
    for words, prefix in terms:
        n = len(words)
        for i in range(len(tokens) - n + 1):
            if prefix:
                found = tokens[i][2].startswith(words[0])
            else:
                found = all(tokens[i + k][2] == words[k] for k in range(n))
            if found:
                spans.add((i, i + n))
    first, last = 0, len(tokens)
    if len(tokens) > SNIPPET_TOKENS:
        best = -1
        for i, _ in sorted(spans) or [(0, 0)]:
            begin = max(0, min(i - SNIPPET_LEAD, len(tokens) - SNIPPET_TOKENS))
            inside = sum(1 for a, b in spans if a >= begin and b <= begin + SNIPPET_TOKENS)
            if inside > best:
                best, first = inside, begin
        last = first + SNIPPET_TOKENS
    lo = tokens[first][0] if first > 0 else 0
    hi = tokens[last - 1][1] if last < len(tokens) else len(text)
    out: list[object] = [("…", False)] if first > 0 else []
    at = lo
    for a, b in sorted(spans):
        if a < first or b > last or tokens[a][0] < at:
            continue
        if tokens[a][0] > at:
            out.append((text[at : tokens[a][0]], False))
        out.append((text[tokens[a][0] : tokens[b - 1][1]], True))
        at = tokens[b - 1][1]
    if hi > at:
        out.append((text[at:hi], False))
    if last < len(tokens):
        out.append(("…", False))
    return out


# The loops search.html had before they were rendered in Python.
SNIPPET_LOOP = (
    "{% for text, hit in parts %}{% if hit %}<mark>{{ text }}</mark>{% else %}{{ text }}"
    "{% endif %}{% endfor %}"
)
OPTION_LOOP = (
    '{% for v in values %}<option value="{{ v }}"{% if chosen == v %} selected{% endif %}>'
    "{{ label(v) }}</option>{% endfor %}"
)

WORDS = ["sagsbehandler", "Sagsbeh", "ung", "UNGE", "møde", "Jonas", "Jonas'", "Ærø", "x_y", "42"]
GLUE = [" ", "  ", ", ", ". ", "\n", "-", "'", "’s ", "_", "\x00", "<b>", '"', "&", ""]
words = st.sampled_from(WORDS) | st.text(max_size=4)
texts = st.lists(st.tuples(words, st.sampled_from(GLUE))).map(
    lambda pairs: "".join(w + g for w, g in pairs)
)
queries = st.lists(st.sampled_from([*WORDS, '"ung møde"', '"sagsbehandler ung"', "x"])).map(
    " ".join
) | st.text(max_size=12)


@settings(max_examples=400, deadline=None)
@given(text=texts, query=queries, filler=st.integers(0, 40))
@example(text="en ung pige", query='"ung møde"', filler=0)  # a phrase's first word alone
@example(text="ung møde ung møde", query='"ung møde" ung', filler=30)
def test_snippet_equals_the_token_by_token_definition(text: str, query: str, filler: int) -> None:
    long = " ".join(["ord"] * filler) + " " + text + " " + " ".join(["ord"] * (40 - filler))
    for t in (text, long):
        terms = query_terms(query)
        assert list(snippet(t, terms)) == plain_snippet(t, terms)


@settings(max_examples=200, deadline=None)
@given(found=st.lists(st.tuples(st.text(max_size=8), st.booleans()), max_size=6))
def test_snippet_html_is_the_template_loop(found: list[tuple[str, bool]]) -> None:
    loop = make_environment().from_string(SNIPPET_LOOP)
    assert str(snippet_html(tuple(found))) == loop.render(parts=found)


@settings(max_examples=200, deadline=None)
@given(values=st.lists(st.text(max_size=8), max_size=6), pick=st.integers(0, 7))
def test_option_tags_are_the_template_loop(values: list[str], pick: int) -> None:
    chosen = values[pick] if pick < len(values) else "<none>"
    loop = make_environment().from_string(OPTION_LOOP)
    label = str.upper
    assert str(option_tags(values, chosen, label)) == loop.render(
        values=values, chosen=chosen, label=label
    )


# -- the page ---------------------------------------------------------------------------------


study = copied_study("explorer_built")


def _options(html: str, name: str) -> list[str]:
    select = html.split(f'<select name="{name}">', 1)[1].split("</select>", 1)[0]
    return [v for v in re.findall(r'<option value="([^"]*)"', select) if v]


def test_search_form_lists_a_new_source_after_a_re_import(study: Study) -> None:
    client = TestClient(create_app(study), base_url=BASE)
    page = client.get("/soeg", params={"q": "sagsbeh"}).text
    sources = _options(page, "kilde")
    assert sources and "transcripts/zz_nyt.txt" not in sources
    chosen = client.get("/soeg", params={"q": "sagsbeh", "kilde": sources[0]}).text
    assert f'<option value="{sources[0]}" selected>' in chosen
    assert chosen.count(" selected>") == 1
    # A new transcript: the next request sees the new material and its <option>.
    shutil.copy(
        study.root / "transcripts" / "zz_xss.txt", study.root / "transcripts" / "zz_nyt.txt"
    )
    import_study(load_study(study.root))
    again = client.get("/soeg", params={"q": "sagsbeh"}).text
    assert _options(again, "kilde") == sorted([*sources, "transcripts/zz_nyt.txt"])
    assert "transcripts/zz_nyt.txt" in again.split("</form>", 1)[1]  # and it is searched


def test_search_page_marks_matches_and_keeps_names_out(study: Study) -> None:
    client = TestClient(create_app(study), base_url=BASE)
    html = client.get("/soeg", params={"q": "ny sagsbeh"}).text
    snippets = re.findall(r'<p class="snippet">(.*?)</p>', html)
    assert snippets and all("<mark>" in s for s in snippets)
    assert any("<mark>ny</mark>" in s.lower() for s in snippets)
    # The hostile transcript's segment: real names out, its markup shown as text.
    assert "Oliver (opdigtet navn) fik en ny" in html
    assert "Jonas" not in html and "Ulla" not in html
    assert "&lt;script&gt;" in html and "<script>alert" not in html


# -- the counted segments a coding click recomputes (explorer_cache) -------------------------

RULE_SQL = (
    "SELECT c.theme, c.segment_id FROM codings c WHERE c.status IN ('accepted', 'manual')"
    " OR (?1 IS NOT NULL AND c.status = 'suggested' AND c.score >= ?1 AND NOT EXISTS"
    " (SELECT 1 FROM codings r WHERE r.segment_id = c.segment_id AND r.theme = c.theme"
    " AND r.status = 'rejected'))"
)


def test_counted_segments_equal_the_one_query_rule(study: Study) -> None:
    from journeylab.coding.model import CodingStatus
    from journeylab.coding.store import open_store
    from journeylab.themes.explorer_counts import counted_segments
    from journeylab.themes.explorer_data import pseudonymiser
    from journeylab.themes.explorer_index import segment_meta, segment_order

    with open_store(study) as store:
        suggestions = store.codings(statuses=[CodingStatus.SUGGESTED])
        assert len(suggestions) > 12
        # People reject, accept and add; two of them disagree on one suggestion.
        for n, c in enumerate(suggestions[:12]):
            status = (CodingStatus.REJECTED, CodingStatus.ACCEPTED, CodingStatus.MANUAL)[n % 3]
            store.set_coding(c.segment_id, c.theme, "anna", status)
        store.set_coding(suggestions[0].segment_id, suggestions[0].theme, "bo", CodingStatus.MANUAL)
        interviewer = next(s for s in store.segments() if s.role.value == "interviewer")
        store.set_coding(interviewer.id, "Relationen", "anna", CodingStatus.MANUAL)
        order = segment_order(segment_meta(store, pseudonymiser(study, store)))
        scores = sorted({c.score for c in suggestions if c.score is not None})
        for threshold in (None, 0.0, scores[len(scores) // 2], 1.1):
            expected: dict[str, set[str]] = {}
            for theme, segment_id in store.conn.execute(RULE_SQL, (threshold,)):
                if segment_id in order:
                    expected.setdefault(theme, set()).add(segment_id)
            got = counted_segments(store, order, threshold)
            assert {k: set(v) for k, v in got.items()} == expected, threshold
            for ids in got.values():
                assert list(ids) == sorted(ids, key=order.__getitem__)
        assert interviewer.id not in {i for ids in got.values() for i in ids}


def test_search_hits_keep_fts5_ranking_and_filters(study: Study) -> None:
    from journeylab.coding.fts import fts_query
    from journeylab.themes.explorer_data import pseudonymiser
    from journeylab.themes.explorer_search_names import search_hits

    with open_store(study) as store:
        names = pseudonymiser(study, store)
        expected = [
            r[0]
            for r in store.conn.execute(
                "SELECT s.id FROM segments_fts JOIN segments s ON s.rowid = segments_fts.rowid"
                " WHERE segments_fts MATCH ? ORDER BY bm25(segments_fts) LIMIT 50",
                (fts_query("sagsbeh"),),
            )
        ]
        hits = search_hits(store, "sagsbeh", names)
        assert expected and [i for i, _ in hits] == expected
        for _, parts in hits:
            marked = [text for text, hit in parts if hit]
            assert marked and all(m.lower().startswith("sagsbeh") for m in marked)
        young = search_hits(store, "sagsbeh", names, role="ung")
        roles = {
            r[0]
            for r in store.conn.execute(
                f"SELECT role FROM segments WHERE id IN ({','.join('?' * len(young))})",
                [i for i, _ in young],
            )
        }
        assert young and roles == {"ung"}
        assert search_hits(store, "***", names) == []


def test_snippet_window_and_phrases() -> None:
    from journeylab.themes.explorer_search import SNIPPET_TOKENS, query_terms, snippet

    words = [f"ord{i}" for i in range(60)]
    words[20] = "Sagsbehandleren"
    parts = snippet(" ".join(words), query_terms("sagsbeh"))
    assert parts[0] == ("…", False) and parts[-1] == ("…", False)
    assert [t for t, hit in parts if hit] == ["Sagsbehandleren"]
    assert len(re.findall(r"\w+", "".join(t for t, _ in parts))) == SNIPPET_TOKENS
    exact = snippet("en ny sagsbehandler og en nyere sag", query_terms('"ny sagsbehandler"'))
    assert [t for t, hit in exact if hit] == ["ny sagsbehandler"]
    assert "".join(t for t, _ in exact) == "en ny sagsbehandler og en nyere sag"


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=300), query=st.text(max_size=20))
def test_snippet_is_a_piece_of_the_text(text: str, query: str) -> None:
    from journeylab.themes.explorer_search import query_terms, snippet

    parts = snippet(text, query_terms(query))
    inner = [t for t, _ in parts if t != "…"] if text.strip() else []
    assert "".join(inner) in text
    terms = query_terms(query)
    for piece, hit in parts:
        if hit:
            assert any(piece.lower().startswith(words[0]) for words, _ in terms)


def test_search_cache_is_a_small_lru() -> None:
    from journeylab.themes.explorer_search import SearchCache

    cache = SearchCache(size=2)
    cache.put(("v1", "a"), [("s1", ())])
    cache.put(("v1", "b"), [("s2", ())])
    assert cache.get(("v1", "a")) == [("s1", ())]  # now the most recent
    cache.put(("v1", "c"), [])
    assert cache.get(("v1", "b")) is None and cache.get(("v1", "a")) is not None
    assert cache.get(("v2", "a")) is None
    off = SearchCache(size=0)
    off.put(("v1", "a"), [])
    assert off.get(("v1", "a")) is None


def test_reader_is_kept_per_thread(study: Study) -> None:
    from journeylab.themes.explorer_search import reader

    mine = reader(study)
    assert reader(study) is mine
    other: list[object] = []
    thread = threading.Thread(target=lambda: other.append(reader(study)))
    thread.start()
    thread.join()
    assert other and other[0] is not mine


# -- no real name on a search page (QA pass: "Sabrina Holt" = "Cecilie" in [names]) --------

QA_QUERIES = ("hol", "Holt", "Sabrina", "Sabrina Holt", "Jona", "Amali", "Pernill", "Lon", "and")


def _plain(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", "", html)).split())


def _real_names(study: Study) -> re.Pattern[str]:
    words = real_name_words(study)
    assert {"Sabrina", "Holt", "Jonas", "Amalie", "Lone", "Pernille", "Ulla"} <= set(words)
    alternatives = "|".join(re.escape(w) for w in words)
    return re.compile(rf"(?<![^\W\d_])({alternatives})(s|'s|')?(?![^\W\d_])", re.IGNORECASE)


@pytest.mark.parametrize("read_only", [False, True])
def test_no_real_name_or_surname_on_any_search_page(study: Study, read_only: bool) -> None:
    real = _real_names(study)
    with TestClient(create_app(study, read_only=read_only), base_url=BASE) as client:
        pages = {q: client.get("/soeg", params={"q": q}).text for q in QA_QUERIES}
    for q, html in pages.items():
        leak = real.search(html)
        assert leak is None, (q, html[max(0, leak.start() - 80) : leak.end() + 80])
        # Each snippet reads as a part of its segment as the block shows it (pseudonymised
        # whole): not "Cecilie (opdigtet navn) Cecilie (opdigtet navn)" for "Sabrina Holt".
        for item in re.findall(r"<li>(.*?)</li>", html.split("</form>", 1)[1], re.DOTALL):
            found = re.search(r'<p class="snippet">(.*?)</p>(.*)', item, re.DOTALL)
            assert found, (q, item)
            snippet_text, block = (_plain(part) for part in found.groups())
            assert snippet_text.strip("…") in block, (q, snippet_text)
    # The pages did show passages around the names (so the names had to be removed).
    assert 'class="segment' in pages["hol"] and "<mark>hold" in pages["hol"]
    if not read_only:
        # "Holt" alone matched: the whole made-up name is marked, not the surname left over.
        for q in ("Holt", "Sabrina", "Sabrina Holt", "hol"):
            assert "<mark>Cecilie (opdigtet navn)</mark>. Det var præcis" in pages[q], q
        assert 'value="Cecilie"' in pages["Holt"]  # the query box shows the made-up name


def test_workshop_search_marks_only_what_the_screen_shows(study: Study) -> None:
    with TestClient(create_app(study, read_only=True), base_url=BASE) as workshop:
        for q in ("Jona", "Amali", "Pernill", "Lon"):
            # Part of a real name: found only inside a replaced name, so nothing is found.
            assert 'class="segment' not in workshop.get("/soeg", params={"q": q}).text, q
        for q in ("hol", "and"):
            html = workshop.get("/soeg", params={"q": q}).text
            snippets = re.findall(r'<p class="snippet">(.*?)</p>', html, re.DOTALL)
            assert snippets and all("<mark>" in s for s in snippets), q
            marks = re.findall(r"<mark>(.*?)</mark>", html)
            assert all(m.lower().startswith(q) for m in marks), (q, marks)
    # The analyst's own explorer finds those passages, the made-up name marked.
    with TestClient(create_app(study), base_url=BASE) as analyst:
        assert "<mark>Oliver (opdigtet navn)</mark>" in analyst.get("/soeg?q=Jona").text
        assert "<mark>Medarbejder 6</mark>" in analyst.get("/soeg?q=and").text


@pytest.mark.parametrize("read_only", [False, True])
def test_a_made_up_name_on_screen_can_be_searched(study: Study, read_only: bool) -> None:
    with TestClient(create_app(study, read_only=read_only), base_url=BASE) as client:
        oliver = client.get("/soeg", params={"q": "Oliver"}).text
        cecilie = client.get("/soeg", params={"q": "cecil"}).text
        staff = client.get("/soeg", params={"q": "Medarbejder 1"}).text
    assert oliver.count("<mark>Oliver</mark> (opdigtet navn)") >= 3 and "Jonas" not in oliver
    assert "<mark>Cecilie</mark> (opdigtet navn). Det var præcis" in cecilie
    assert "Sabrina" not in cecilie and "Holt" not in cecilie
    assert "<mark>Medarbejder</mark> <mark>1</mark>" in staff and "Lone" not in staff

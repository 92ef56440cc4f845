"""Rendered segment blocks, cached: each distinct segment state is rendered once.

A page showing 50 segments used to run `_segment.html` 50 times per request
(30-40 ms at 1M words, the bulk of a theme page). A block depends only on the
SegmentView (text, speaker, every theme's state, memos: all in the frozen view)
and on whether it shows its source link; the app's language and read-only flag
are fixed per cache. So the view itself is the cache key: a coding or a memo
changes the view and therefore misses the cache, and nothing is ever stale.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any

from jinja2 import Template
from markupsafe import Markup

from journeylab.themes.explorer_data import SegmentView

MAX_BLOCKS = 20_000  # about 40 MB of HTML at the most; an LRU drops the oldest


class BlockCache:
    """Segment blocks by (view, show_source), least recently used dropped first."""

    def __init__(
        self, template: Template, context: Callable[[], dict[str, Any]], size: int = MAX_BLOCKS
    ) -> None:
        self._template = template
        self._context = context  # the shared, request-independent template context
        self._size = size
        self._items: OrderedDict[tuple[SegmentView, bool], Markup] = OrderedDict()
        self._lock = threading.Lock()
        self.renders = 0  # blocks actually rendered (tests read it)

    def block(self, view: SegmentView, show_source: bool = True) -> Markup:
        key = (view, show_source)
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
                return found
        html = Markup(self._template.render(**self._context(), s=view, show_source=show_source))
        with self._lock:
            self._items[key] = html
            self.renders += 1
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return html

    def blocks(self, views: Sequence[SegmentView], show_source: bool = True) -> list[Markup]:
        return [self.block(v, show_source) for v in views]

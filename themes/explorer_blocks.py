"""Rendered segment blocks, cached: each distinct segment state is rendered once.

A page showing 50 segments used to run `_segment.html` 50 times per request
(30-40 ms at 1M words, the bulk of a theme page). A block depends only on the
SegmentView (text, speaker, every theme's state, memos: all in the frozen view)
and on whether it shows its source link; the app's language and read-only flag
are fixed per cache. So the view decides a hit: a coding or a memo changes the
view and therefore misses the cache, and nothing is ever stale.
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
    """Segment blocks by (segment id, show_source), least recently used dropped first.

    Each entry keeps the view it was rendered from, and a lookup is a hit only
    when that view equals the one asked for, so a changed view renders anew.
    Keyed by the id (a string, whose hash Python keeps) rather than the view: the
    dataclass hash re-hashes every field and mark on each lookup, two a block.
    """

    def __init__(
        self, template: Template, context: Callable[[], dict[str, Any]], size: int = MAX_BLOCKS
    ) -> None:
        self._template = template
        self._context = context  # the shared, request-independent template context
        self._size = size
        self._items: OrderedDict[tuple[str, bool], tuple[SegmentView, Markup]] = OrderedDict()
        self._lock = threading.Lock()
        self.renders = 0  # blocks actually rendered (tests read it)

    def block(self, view: SegmentView, show_source: bool = True) -> Markup:
        key = (view.id, show_source)
        with self._lock:
            found = self._items.get(key)
            # `is` first: views come from the snapshot, so a hit is mostly the same object.
            if found is not None and (found[0] is view or found[0] == view):
                self._items.move_to_end(key)
                return found[1]
        html = Markup(self._template.render(**self._context(), s=view, show_source=show_source))
        with self._lock:
            self._items[key] = (view, html)
            self._items.move_to_end(key)
            self.renders += 1
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return html

    def blocks(self, views: Sequence[SegmentView], show_source: bool = True) -> list[Markup]:
        return [self.block(v, show_source) for v in views]

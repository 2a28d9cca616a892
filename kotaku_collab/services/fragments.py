"""Rendered HTML fragments, reused until a row they show changes.

A page that many people open and few change (a reviewer's dashboard, an organiser's participant
list during the check-in rush) spends most of its time rendering the same HTML again. A fragment
is a template under `templates/fragments/` rendered by Jinja exactly as any page (autoescape on),
kept in a per-process cache and keyed by

- the template, the database and the locale;
- `key`: everything else the output depends on (the viewer's scope, filters, page, today);
- the version tokens of `tables` (services/stats_cache.py), replaced in the same transaction as
  every write to those tables, so a stored fragment is exact until one of them changes.

`context` is a function returning the template's variables: it runs after the tokens are read,
and only when the fragment is not cached, so a cache hit costs one small SELECT and no loading.
A fragment must get everything through its context: it may not read the session, the request,
the signed-in user, permissions or CSRF tokens (tests/test_fragments.py checks the templates).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Callable

from flask import render_template
from markupsafe import Markup
from sqlalchemy.orm import Session

from kotaku_collab.i18n import locale_name
from kotaku_collab.services import stats_cache

#: Where fragment templates live (render_cached refuses any other).
FRAGMENT_DIR = "fragments/"
#: The cache's size per process, in characters of HTML.
BUDGET_CHARS = 48 * 1024 * 1024

_entries: OrderedDict = OrderedDict()
_size = 0
_lock = threading.Lock()


def render_cached(session: Session, template_name: str, *, tables: tuple[str, ...],
                  key: tuple = (), context: Callable[[], dict]) -> Markup:
    """The fragment's HTML, from the cache while none of `tables` has changed."""
    global _size
    if not template_name.startswith(FRAGMENT_DIR):
        raise ValueError(f"{template_name} is not a fragment template ({FRAGMENT_DIR}...)")
    tokens = stats_cache.versions(session, tables)
    cache_key = (template_name, session.get_bind().url.render_as_string(), locale_name(),
                 stats_cache.key_part(key), tuple(tables), tokens)
    with _lock:
        html = _entries.get(cache_key)
        if html is not None:
            _entries.move_to_end(cache_key)
            return html
    # The one place that marks HTML safe: Jinja's own autoescaped rendering of a template file.
    html = Markup(render_template(template_name, **context()))
    if stats_cache.wrote_in_transaction(session):
        return html  # rendered from this transaction's own uncommitted writes
    with _lock:
        if cache_key not in _entries:
            _entries[cache_key] = html
            _size += len(html)
        while _size > BUDGET_CHARS and _entries:
            _size -= len(_entries.popitem(last=False)[1])
    return html


def clear() -> None:
    """Forget every fragment (tests; never needed for correctness)."""
    global _size
    with _lock:
        _entries.clear()
        _size = 0

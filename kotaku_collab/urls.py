"""Links in templates, built once per process.

A list page links every row to its record, and werkzeug builds each link by matching the URL map
(about 20 µs a link). The same endpoint with the same arguments always gives the same path for a
given script root, so templates reuse what was built. Links that depend on more than that
(`_external`, `_scheme`, `_anchor`, `_method`, relative endpoints, unhashable arguments) and links
built outside a request are built every time, exactly as `url_for` does.
"""

from __future__ import annotations

import threading

from flask import has_request_context, request, url_for

#: Built paths kept per process; forgotten all at once when full (they are cheap to rebuild).
MAX_LINKS = 20_000

_built: dict = {}
_lock = threading.Lock()


def template_url_for(endpoint: str, **values) -> str:
    """`url_for` for templates, remembering built paths."""
    if endpoint.startswith(".") or not has_request_context() \
            or any(name.startswith("_") for name in values):
        return url_for(endpoint, **values)
    key = (endpoint, request.script_root, tuple(sorted(values.items())))
    try:
        url = _built.get(key)
    except TypeError:  # a list of values (?a=1&a=2) or another unhashable argument
        return url_for(endpoint, **values)
    if url is None:
        url = url_for(endpoint, **values)
        with _lock:
            if len(_built) >= MAX_LINKS:
                _built.clear()
            _built[key] = url
    return url

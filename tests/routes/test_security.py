"""Cross-cutting security rules: headers, CSRF on every form, escaping, no secrets served."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path

import pytest

from tests import factories

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("path", ["/", "/login", "/healthz", "/no-such-page"])
def test_security_headers_on_every_kind_of_page(client, path):
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "object-src 'none'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_signed_in_pages_are_not_cached(client, login_as):
    login_as("organiser", regions=["51.05"])
    response = client.get("/home")
    assert response.headers["Cache-Control"] == "no-store"
    assert "Cookie" in response.headers["Vary"]


@pytest.fixture
def csrf_app(make_app):
    return make_app(WTF_CSRF_ENABLED=True)


UNSAFE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


def _post_rules(app):
    for rule in app.url_map.iter_rules():
        if rule.methods & set(UNSAFE_METHODS):
            yield rule


def _csrf_exempt(app, endpoint: str) -> bool:
    from kotaku_collab.extensions import csrf

    blueprint = app.blueprints.get(endpoint.rpartition(".")[0])
    view = app.view_functions[endpoint]
    return (blueprint in csrf._exempt_blueprints
            or f"{view.__module__}.{view.__name__}" in csrf._exempt_views)


def test_every_post_route_rejects_a_missing_csrf_token(csrf_app, db):
    """With CSRF on (as in production), a POST (PUT, PATCH, DELETE) without a token never
    reaches a view. Routes exempt from CSRF (the token-authenticated API) must ignore the
    session cookie instead: a signed-in browser gets a 401 there."""
    client = csrf_app.test_client()
    workshop = factories.make_workshop("51.05")
    user = factories.make_user("admin")
    db.session.commit()
    with client.session_transaction() as session:
        session["_user_id"] = user.session_token
        session["auth_at"] = datetime.now(timezone.utc).timestamp()
    checked = 0
    for rule in _post_rules(csrf_app):
        url = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(workshop.id) if "id" in m.group(1)
                     else workshop.code, rule.rule)
        expected = 401 if _csrf_exempt(csrf_app, rule.endpoint) else 400
        for method in sorted(rule.methods & set(UNSAFE_METHODS)):
            response = client.open(url, method=method, data={"anything": "x"})
            assert response.status_code == expected, (rule.endpoint, method,
                                                      response.status_code)
            checked += 1
    assert checked >= 10


def test_logout_is_not_possible_with_a_get(client, login_as):
    login_as("organiser")
    assert client.get("/logout").status_code == 405
    assert client.get("/home").status_code == 200


#: The one Markup() allowed: services/fragments.py keeps Jinja's own autoescaped rendering of a
#: fragment template, so that a page can show the cached HTML without escaping it twice.
MARKUP_ALLOWED = {"kotaku_collab/services/fragments.py": "Markup(render_template(template_name, "}


def test_templates_never_mark_data_safe():
    """Autoescape stays on: no |safe filters or Markup() on user data anywhere."""
    offenders = []
    for path in list((ROOT / "templates").rglob("*.html")) + list((ROOT / "kotaku_collab").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        name = str(path.relative_to(ROOT))
        allowed = MARKUP_ALLOWED.get(name)
        if allowed:
            # Only the rendering of a template file, exactly once.
            text = text.replace(allowed, "", 1)
        if re.search(r"\|\s*safe\b", text) or re.search(r"\bMarkup\(", text):
            offenders.append(name)
    assert offenders == []


#: database.py formats two connection settings from an int() and a fixed set of BEGIN modes.
SQL_FORMAT_ALLOWED = {"kotaku_collab/database.py"}


def test_no_unsafe_sql_strings_in_the_code():
    """SQL goes through the ORM or bound parameters, never through formatted strings."""
    offenders = []
    for path in (ROOT / "kotaku_collab").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if re.search(r"(?<![\w.])text\(\s*f[\"']|\bexecute\(\s*f[\"']|exec_driver_sql\(\s*f[\"']", text):
            offenders.append(str(path.relative_to(ROOT)))
    assert set(offenders) <= SQL_FORMAT_ALLOWED, offenders


@pytest.mark.parametrize("path", ["/.git/HEAD", "/instance/secret_key", "/config.py",
                                  "/static/../config.py"])
def test_repository_and_instance_files_are_not_served(client, path):
    assert client.get(path).status_code == 404


def test_pages_load_nothing_from_other_sites(client):
    html = client.get("/login").get_data(as_text=True)
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(s.startswith("/") or s.startswith("#") for s in sources), sources

"""Cached fragments: exact until a table they show changes, and never personal to a viewer."""

import re
from pathlib import Path

import flask_babel
import pytest
from jinja2 import ChoiceLoader, DictLoader
from markupsafe import Markup

from kotaku_collab.services import fragments
from tests import factories

ROOT = Path(__file__).resolve().parents[1]
PROBE = "fragments/probe.html"

#: What a fragment may not read: it is shared by everyone with the same key.
FORBIDDEN = re.compile(r"\b(csrf_token|current_user|request|session|can|get_flashed_messages|g)\b"
                       r"(?=\s*[.(\[])")


def test_fragment_templates_read_nothing_personal():
    offenders = []
    for path in (ROOT / "templates" / "fragments").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for match in FORBIDDEN.finditer(text):
            offenders.append(f"{path.relative_to(ROOT)}: {match.group(0)}")
    assert offenders == []


def test_the_probe_pattern_catches_what_it_must():
    assert FORBIDDEN.search("{{ csrf_token() }}")
    assert FORBIDDEN.search("{% if current_user.is_authenticated %}")
    assert FORBIDDEN.search("{{ request.path }}")
    assert FORBIDDEN.search("{% if can('x') %}")
    assert not FORBIDDEN.search("{{ w.title }} cancel")


@pytest.fixture
def probe(app, db, monkeypatch):
    loader = ChoiceLoader([DictLoader({PROBE: "{{ org.name }}|{{ n }}|{{ _('Home') }}"}),
                           app.jinja_env.loader])
    monkeypatch.setattr(app.jinja_env, "loader", loader)
    app.jinja_env.cache.clear() if app.jinja_env.cache is not None else None
    fragments.clear()
    yield
    fragments.clear()


class Loader:
    def __init__(self, db, organisation):
        self.db, self.organisation, self.calls = db, organisation, 0

    def __call__(self):
        self.calls += 1
        self.db.session.refresh(self.organisation)
        return {"org": self.organisation, "n": self.calls}


def render(db, loader, key=()):
    return fragments.render_cached(db.session, PROBE, tables=("organisations",), key=key,
                                   context=loader)


def test_a_repeat_render_reuses_the_html_until_the_table_changes(app, db, probe):
    organisation = factories.make_organisation(name="PDAM <Tirta>")
    db.session.commit()
    loader = Loader(db, organisation)
    with app.test_request_context("/", headers={"Accept-Language": "id"}):
        first = render(db, loader)
        assert isinstance(first, Markup)
        assert first.startswith("PDAM &lt;Tirta&gt;|1|")  # autoescaped as any page
        assert render(db, loader) == first
        assert loader.calls == 1
        organisation.name = "PDAM Tirta Sari"
        db.session.commit()
        assert render(db, loader).startswith("PDAM Tirta Sari|2|")
        assert loader.calls == 2


def test_the_key_and_the_locale_are_part_of_the_cache_key(app, db, probe):
    organisation = factories.make_organisation(name="Baznas")
    db.session.commit()
    loader = Loader(db, organisation)
    with app.test_request_context("/", headers={"Accept-Language": "id"}):
        indonesian = render(db, loader, key=("a",))
        render(db, loader, key=("b",))
        assert loader.calls == 2
    flask_babel.refresh()  # the test's app context outlives the request: forget its locale
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        english = render(db, loader, key=("a",))
        assert loader.calls == 3
    assert indonesian.endswith("|Beranda") and english.endswith("|Home")


def test_nothing_rendered_from_uncommitted_writes_is_kept(app, db, probe):
    organisation = factories.make_organisation(name="Bank BPD Bali")
    db.session.commit()
    loader = Loader(db, organisation)
    with app.test_request_context("/"):
        organisation.name = "Bank BPD Bali (belum disimpan)"
        db.session.flush()
        assert "belum disimpan" in render(db, loader)
        db.session.rollback()
        assert "belum disimpan" not in render(db, loader)
        assert loader.calls == 2


def test_only_fragment_templates_are_cached(app, db, probe):
    with app.test_request_context("/"), pytest.raises(ValueError):
        fragments.render_cached(db.session, "base.html", tables=("organisations",),
                                context=dict)

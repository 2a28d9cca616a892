"""KOTAKU Collab: the application factory."""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from pathlib import Path

from flask import (Flask, abort, flash, g, redirect, render_template, request, session,
                   url_for)
from flask_login import current_user, logout_user
from flask_wtf.csrf import CSRFError
from sqlalchemy import bindparam, select
from sqlalchemy.exc import OperationalError
from werkzeug.datastructures import ImmutableMultiDict, MultiDict
from werkzeug.exceptions import HTTPException

from config import Config, load_config

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = Path(__file__).resolve().parent
log = logging.getLogger(__name__)

CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def create_app(config: Config | str | None = None) -> Flask:
    """Build the app: config, extensions, blueprints, error handlers, hooks, CLI, template helpers."""
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "instance"),
    )
    configure(app, config)
    register_extensions(app)
    register_blueprints(app)
    register_error_handlers(app)
    register_request_hooks(app)
    register_cli(app)
    register_template_helpers(app)
    check_database(app)
    return app


def configure(app: Flask, config: Config | str | None) -> None:
    if config is None or isinstance(config, str):
        config = load_config(config)
    app.config.from_object(config)
    # Machine-local overrides (never committed) may live in instance/config.py.
    app.config.from_pyfile("config.py", silent=True)
    if app.config["PROXY_COUNT"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)


def register_extensions(app: Flask) -> None:
    from kotaku_collab import audit
    from kotaku_collab.database import configure_engine
    from kotaku_collab.services import stats_cache
    from kotaku_collab.extensions import (babel, bootstrap, csrf, db, limiter, login_manager,
                                          mail, migrate, passwords, talisman)
    from kotaku_collab.i18n import _l, install_jinja_gettext, select_locale

    db.init_app(app)
    with app.app_context():
        for engine in db.engines.values():
            configure_engine(engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])
    migrate.init_app(app, db, directory=str(PACKAGE / "migrations"), render_as_batch=True,
                     compare_type=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale,
                   default_translation_directories=str(PACKAGE / "translations"))
    install_jinja_gettext(app)
    bootstrap.init_app(app)
    limiter.init_app(app)
    talisman.init_app(
        app,
        force_https=app.config["FORCE_HTTPS"],
        strict_transport_security=app.config["FORCE_HTTPS"],
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        session_cookie_http_only=True,
        content_security_policy=CONTENT_SECURITY_POLICY,
        # Registration codes and cancel tokens live in some URLs: never send a URL to another
        # site. (Not "no-referrer": Flask-WTF's HTTPS CSRF check needs a same-site Referer.)
        referrer_policy="same-origin",
        frame_options="DENY",
    )
    passwords.init_app(app)
    mail.init_app(app)

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to open this page.")
    login_manager.login_message_category = "info"

    from kotaku_collab.models import User

    # Built once: every signed-in request runs it first.
    user_by_token = select(User).where(User.session_token == bindparam("token"),
                                       User.active.is_(True))

    @login_manager.user_loader
    def load_user(session_token: str):
        return db.session.scalar(user_by_token, {"token": session_token})

    audit.install()
    stats_cache.install()
    stats_cache.init_app(app)


def register_blueprints(app: Flask) -> None:
    from kotaku_collab.account import bp as account_bp
    from kotaku_collab.admin import bp as admin_bp
    from kotaku_collab.api import bp as api_bp
    from kotaku_collab.auth import bp as auth_bp
    from kotaku_collab.directory import bp as directory_bp
    from kotaku_collab.indicators import bp as indicators_bp
    from kotaku_collab.commitments import bp as commitments_bp
    from kotaku_collab.main import bp as main_bp
    from kotaku_collab.outcomes import bp as outcomes_bp
    from kotaku_collab.participants import bp as participants_bp
    from kotaku_collab.public import bp as public_bp
    from kotaku_collab.registration import bp as registration_bp
    from kotaku_collab.review import bp as review_bp
    from kotaku_collab.workshops import bp as workshops_bp
    from kotaku_collab.forms import IdConverter

    # Before any rule is added: ids no row can have are a 404, not a database error.
    app.url_map.converters["int"] = IdConverter
    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(workshops_bp)
    app.register_blueprint(public_bp)
    app.register_blueprint(registration_bp)
    app.register_blueprint(directory_bp)
    app.register_blueprint(participants_bp)
    app.register_blueprint(outcomes_bp)
    app.register_blueprint(commitments_bp)
    app.register_blueprint(review_bp, url_prefix="/review")
    app.register_blueprint(indicators_bp, url_prefix="/review/indicators")
    app.register_blueprint(account_bp, url_prefix="/account")
    app.register_blueprint(api_bp, url_prefix="/api/v1")


def register_error_handlers(app: Flask) -> None:
    from kotaku_collab.extensions import db
    from kotaku_collab.i18n import _

    def render_error(status: int, message: str | None = None):
        db.session.rollback()
        return render_template(f"errors/{status}.html", message=message), status

    from kotaku_collab.api.errors import is_api_request, json_error

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        if is_api_request():  # /api/ answers in JSON, matched to a route or not
            return json_error(error)
        return render_error(400, _("The form has expired or was not sent from this site. "
                                   "Please go back, reload the page and try again."))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if is_api_request():
            return json_error(error)
        if error.code in (400, 403, 404, 405, 413, 429, 503):
            return render_error(error.code)
        return error

    @app.errorhandler(OperationalError)
    def database_unavailable(error):
        log.error("database error: %s", error.__class__.__name__)
        # The signed-in user cannot be loaded either: render the page as for a visitor, or
        # base.html would query again and turn the 503 into a 500.
        from kotaku_collab.extensions import login_manager

        g._login_user = login_manager.anonymous_user()
        return render_error(503)

    @app.errorhandler(500)
    def server_error(error):
        return render_error(500)


def _without_nul(values: MultiDict) -> MultiDict:
    if not any("\x00" in v for _k, vs in values.lists() for v in vs):
        return values
    # SUB (U+001A), ASCII's substitute character: still a control character, so the checks
    # that refuse or strip control characters go on doing so, and PostgreSQL can hold it.
    return ImmutableMultiDict([(k, v.replace("\x00", "\x1a"))
                               for k, v in values.items(multi=True)])


def register_request_hooks(app: Flask) -> None:
    from kotaku_collab import audit
    from kotaku_collab.api.errors import is_api_request
    from kotaku_collab.database import (request_query_count, sqlite_begin_mode,
                                        start_request_counter)
    from kotaku_collab.i18n import _

    @app.before_request
    def replace_nul_bytes():
        # Nobody types NUL, and PostgreSQL cannot hold it in text: a query with one in it is a
        # DataError (500). In query strings and forms it becomes SUB; a path with one names
        # nothing.
        if "\x00" in request.path:
            abort(404)
        request.args = _without_nul(request.args)
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            request.form = _without_nul(request.form)
        return None

    @app.before_request
    def prepare_request():
        # Requests that may write take SQLite's write lock up front (see database.py).
        mode = "DEFERRED" if request.method in ("GET", "HEAD", "OPTIONS") else "IMMEDIATE"
        g._begin_mode_token = sqlite_begin_mode.set(mode)
        if app.config["QUERY_COUNT_HEADER"]:
            g._query_counter_token = start_request_counter()

    @app.before_request
    def enforce_absolute_session_lifetime():
        if is_api_request():  # the API ignores the session cookie: bearer tokens only
            return None
        if not current_user.is_authenticated:
            return None
        audit.set_actor(current_user.id)
        started = session.get("auth_at")
        limit = app.config["SESSION_ABSOLUTE_LIFETIME"].total_seconds()
        now = datetime.now(timezone.utc).timestamp()
        if started is None or now - started > limit:
            logout_user()
            session.clear()
            flash(_("Your session has expired. Please log in again."), "info")
            return redirect(url_for("auth.login", next=request.full_path
                                    if request.method == "GET" else None))
        return None

    @app.after_request
    def finish_response(response):
        count = request_query_count()
        if app.config["QUERY_COUNT_HEADER"] and count is not None:
            response.headers["X-Query-Count"] = str(count)
        if current_user and current_user.is_authenticated:
            # Pages behind a login may carry personal data: keep them out of shared caches.
            response.headers["Cache-Control"] = "no-store"
        response.vary.add("Cookie")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response

    @app.teardown_request
    def reset_context(exc):
        audit.set_actor(None)


def register_cli(app: Flask) -> None:
    from kotaku_collab.cli import kotaku

    app.cli.add_command(kotaku)


def register_template_helpers(app: Flask) -> None:
    from kotaku_collab.i18n import locale_name, template_helpers
    from kotaku_collab.permissions import can
    from kotaku_collab.urls import template_url_for

    for name, func in template_helpers().items():
        app.add_template_filter(func, name)

    app.jinja_env.globals["url_for"] = template_url_for

    @app.context_processor
    def inject_helpers():
        user = current_user._get_current_object()  # once, not through the proxy per check
        return {
            "can": lambda action, obj=None: can(user, action, obj),
            "languages": app.config["LANGUAGES"],
            "current_locale": locale_name(),
        }


def check_database(app: Flask) -> None:
    """Log a clear message at start-up when DATABASE_URL points nowhere (the app still starts,
    and /healthz answers 503 until the database is back)."""
    if not app.config["CHECK_DATABASE_ON_STARTUP"]:
        return
    from kotaku_collab.database import masked_url, ping
    from kotaku_collab.extensions import db

    with app.app_context():
        try:
            ping(db.session)
        except OperationalError as exc:
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
            app.logger.error("Cannot reach the database at %s: %s. Check DATABASE_URL.",
                      masked_url(db.engine.url), reason)
        finally:
            db.session.remove()

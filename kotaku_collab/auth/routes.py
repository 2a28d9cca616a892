"""Authentication routes."""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from kotaku_collab.extensions import db, limiter, passwords
from kotaku_collab.i18n import _
from kotaku_collab.services import DomainError
from kotaku_collab.services.accounts import (authenticate, change_password, end_sessions,
                                             normalise_email)

from .forms import ChangePasswordForm, LoginForm

bp = Blueprint("auth", __name__)
log = logging.getLogger(__name__)


def safe_next(target: str | None) -> str | None:
    """Only same-site relative paths are followed after login (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(c) < 32 for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def _login_limit_key() -> str:
    return "login:" + normalise_email(request.form.get("email", ""))


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])  # per address
@limiter.limit(_login_limit, key_func=_login_limit_key, methods=["POST"])  # per account
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(db.session, passwords, form.email.data, form.password.data)
        if user is None:
            log.info("login failed")
            form.form_errors.append(_("The e-mail or password is not correct, "
                                      "or the account is not active."))
        else:
            db.session.commit()
            session.clear()  # a fresh session on every login (no fixation)
            login_user(user)
            session.permanent = True
            session["auth_at"] = datetime.now(timezone.utc).timestamp()
            if user.locale:
                session["locale"] = user.locale
            log.info("login succeeded user_id=%s", user.id)
            return redirect(safe_next(request.args.get("next")) or url_for("main.home"))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    end_sessions(db.session, current_user)
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("You have logged out."), "success")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            change_password(db.session, passwords, current_user, form.current_password.data,
                            form.password.data)
        except DomainError as error:
            form.add_domain_error(error)
        else:
            db.session.commit()
            # The token rotated: log in again under the new one, so only this device stays in.
            login_user(current_user._get_current_object())
            flash(_("Your password has been changed. Other devices have been logged out."), "success")
            return redirect(url_for("main.home"))
    return render_template("auth/password.html", form=form)

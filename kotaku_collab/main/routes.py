"""Home pages, language switch and /healthz."""

from __future__ import annotations

from flask import Blueprint, jsonify, redirect, render_template, session, url_for
from flask_login import current_user, login_required
from sqlalchemy.exc import SQLAlchemyError

from kotaku_collab.auth.routes import safe_next
from kotaku_collab.database import ping
from kotaku_collab.extensions import csrf, db
from kotaku_collab.models import Role
from kotaku_collab.services.home import home_summary, public_upcoming_workshops

from .forms import LanguageForm

bp = Blueprint("main", __name__)


@bp.route("/")
def index():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    return render_template("main/index.html", workshops=public_upcoming_workshops(db.session))


@bp.route("/home")
@login_required
def home():
    summary = home_summary(db.session, current_user)
    template = {
        Role.ADMIN: "main/home_admin.html",
        Role.ORGANISER: "main/home_organiser.html",
        Role.STAKEHOLDER: "main/home_stakeholder.html",
        Role.REVIEWER: "main/home_reviewer.html",
    }[current_user.role]
    return render_template(template, summary=summary)


@bp.route("/language", methods=["POST"])
def language():
    form = LanguageForm()
    if form.validate_on_submit():
        session["locale"] = form.locale.data
        if current_user.is_authenticated:
            current_user.locale = form.locale.data
            db.session.commit()
    return redirect(safe_next(form.next.data) or url_for("main.index"))


@bp.route("/healthz")
@csrf.exempt
def healthz():
    try:
        ping(db.session)
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="error", database="error"), 503
    return jsonify(status="ok", database="ok")

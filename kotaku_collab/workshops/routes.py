"""Workshop list and detail for signed-in users, limited to their scope."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user, login_required

from kotaku_collab.extensions import db
from kotaku_collab.models import Workshop, WorkshopStatus
from kotaku_collab.permissions import authorize, load_or_404
from kotaku_collab.services.workshops import list_workshops, workshop_page

bp = Blueprint("workshops", __name__)


@bp.route("/")
@authorize("workshop.list")
def index():
    q = (request.args.get("q") or "").strip()[:100]
    try:
        status = WorkshopStatus(request.args.get("status")) if request.args.get("status") else None
    except ValueError:
        status = None
    page = request.args.get("page", 1, type=int)
    pagination = list_workshops(db.session, current_user, q=q or None, status=status,
                                page=max(page, 1))
    return render_template("workshops/index.html", pagination=pagination, q=q, status=status,
                           statuses=list(WorkshopStatus))


@bp.route("/<int:workshop_id>")
@login_required
def detail(workshop_id: int):
    workshop = load_or_404(Workshop, workshop_id, "workshop.view")
    return render_template("workshops/detail.html", page=workshop_page(db.session, workshop))

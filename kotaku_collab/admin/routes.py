"""Admin pages: users and the audit trail."""

from flask import Blueprint, render_template

from kotaku_collab.permissions import authorize

bp = Blueprint("admin", __name__)


@bp.route("/users")
@authorize("user.manage")
def users():
    return render_template("admin/users.html")


@bp.route("/audit")
@authorize("audit.view")
def audit():
    return render_template("admin/audit.html")

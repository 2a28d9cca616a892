"""Admin pages: accounts (/admin/users/...) and the audit trail (/admin/audit/...)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from kotaku_collab.extensions import db, passwords
from kotaku_collab.forms import page_number, to_choices
from kotaku_collab.i18n import _
from kotaku_collab.models import Role, User
from kotaku_collab.permissions import authorize, load_or_404
from kotaku_collab.services import DomainError, accounts, audit_log, lookups

from .forms import (ActionForm, AuditFilterForm, NewUserForm, UserFilterForm, UserForm,
                    with_blank)

bp = Blueprint("admin", __name__)


def _page() -> int:
    return max(request.args.get("page", 1, type=page_number), 1)


def _list_args() -> dict:
    """The current query string minus the page number, for pagination links."""
    return {k: v for k, v in request.args.items() if k != "page" and v}


# --- Accounts -----------------------------------------------------------------------------


@bp.route("/users")
@authorize("user.manage")
def users():
    form = UserFilterForm(request.args)
    filters = accounts.UserFilters()
    if form.validate():
        filters.q = form.q.data or None
        filters.role = Role(form.role.data) if form.role.data else None
        filters.active = {"1": True, "0": False}.get(form.active.data)
    pagination = accounts.list_users(db.session, filters, page=_page())
    return render_template("admin/users.html", pagination=pagination, form=form,
                           args=_list_args())


def _prepare_user_form(form: UserForm, user: User | None = None) -> None:
    organisations = lookups.organisations(db.session)
    if user is not None and user.organisation is not None and user.organisation not in organisations:
        organisations.append(user.organisation)  # e.g. merged since: keep it selectable
    form.organisation_id.choices = with_blank("–", [(o.id, o.name) for o in organisations])
    form.region_codes.choices = to_choices(
        (r.code, f"{r.code} · {r.name}") for r in accounts.scope_regions(db.session))


def _edit_page(form: UserForm, user: User):
    return render_template("admin/user_form.html", form=form, user=user,
                           status_form=ActionForm(prefix="status"),
                           reset_form=ActionForm(prefix="reset"))


@bp.route("/users/new", methods=["GET", "POST"])
@authorize("user.manage")
def create_user():
    form = NewUserForm()
    _prepare_user_form(form)
    if form.validate_on_submit():
        generated = not form.password.data
        password = form.password.data or accounts.generate_password(form.email.data)
        try:
            user = accounts.create_user(
                db.session, passwords, email=form.email.data, name=form.name.data,
                role=Role(form.role.data), password=password,
                organisation_id=form.organisation_id.data,
                region_codes=form.region_codes.data or [], is_national=form.is_national.data)
        except DomainError as error:
            db.session.rollback()
            form.add_domain_error(error)
        else:
            db.session.commit()
            if generated:
                flash(_("Account created for %(email)s. Initial password, shown only this once: "
                        "%(password)s. Hand it over in person or by phone, not by e-mail.",
                        email=user.email, password=password), "warning")
            else:
                flash(_("Account created for %(email)s.", email=user.email), "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=None)


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@authorize("user.manage")
def edit_user(user_id: int):
    user = load_or_404(User, user_id, "user.manage")
    if request.method == "POST":
        form = UserForm()
    else:
        form = UserForm(data={
            "name": user.name, "role": user.role.value, "organisation_id": user.organisation_id,
            "region_codes": user.region_codes, "is_national": user.is_national})
    _prepare_user_form(form, user)
    if form.validate_on_submit():
        try:
            accounts.update_user(
                db.session, user, name=form.name.data, role=Role(form.role.data),
                organisation_id=form.organisation_id.data,
                region_codes=form.region_codes.data or [], is_national=form.is_national.data,
                actor=current_user)
        except DomainError as error:
            db.session.rollback()
            form.add_domain_error(error)
        else:
            db.session.commit()
            flash(_("The account of %(name)s has been saved.", name=user.name), "success")
            return redirect(url_for("admin.users"))
    return _edit_page(form, user)


def _set_active(user_id: int, active: bool):
    user = load_or_404(User, user_id, "user.manage")
    if not ActionForm(prefix="status").validate_on_submit():
        abort(400)
    try:
        accounts.set_active(db.session, current_user, user, active)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "danger")
    else:
        db.session.commit()
        if active:
            flash(_("%(name)s can log in again.", name=user.name), "success")
        else:
            flash(_("%(name)s has been deactivated and logged out everywhere.", name=user.name),
                  "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.route("/users/<int:user_id>/deactivate", methods=["POST"])
@authorize("user.manage")
def deactivate_user(user_id: int):
    return _set_active(user_id, False)


@bp.route("/users/<int:user_id>/activate", methods=["POST"])
@authorize("user.manage")
def activate_user(user_id: int):
    return _set_active(user_id, True)


@bp.route("/users/<int:user_id>/reset-password", methods=["POST"])
@authorize("user.manage")
def reset_password(user_id: int):
    user = load_or_404(User, user_id, "user.manage")
    if not ActionForm(prefix="reset").validate_on_submit():
        abort(400)
    try:
        password = accounts.reset_password(db.session, passwords, current_user, user)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "danger")
    else:
        db.session.commit()
        flash(_("New password for %(email)s, shown only this once: %(password)s. "
                "Their other sessions have ended.", email=user.email, password=password),
              "warning")
    return redirect(url_for("admin.edit_user", user_id=user.id))


# --- Audit trail --------------------------------------------------------------------------


@bp.route("/audit")
@authorize("audit.view")
def audit():
    form = AuditFilterForm(request.args)
    form.entity_type.choices = with_blank(_("All types"), [
        (t, audit_log.entity_label(t)) for t in audit_log.entity_types(db.session)])
    form.action.choices = with_blank(_("All actions"), [
        (a, audit_log.action_label(a)) for a in audit_log.actions(db.session)])
    form.actor.choices = with_blank(_("Everyone"), [
        (audit_log.NO_ACTOR, _("System (no user)")),
        *((str(u.id), f"{u.name} ({u.email})") for u in audit_log.actors(db.session))])
    filters = audit_log.AuditFilters()
    if form.validate():
        filters.entity_type = form.entity_type.data or None
        filters.entity_id = form.entity_id.data
        filters.workshop_id = form.workshop_id.data
        actor = form.actor.data or ""
        filters.without_actor = actor == audit_log.NO_ACTOR
        filters.actor_id = int(actor) if actor.isdigit() else None
        filters.action = form.action.data or None
    pagination = audit_log.list_events(db.session, filters, page=_page())
    return render_template("admin/audit.html", pagination=pagination,
                           entries=audit_log.entries(pagination.items), form=form,
                           args=_list_args())


@bp.route("/audit/<entity_type>/<int:entity_id>")
@authorize("audit.view")
def object_history(entity_type: str, entity_id: int):
    if not audit_log.is_known_entity_type(db.session, entity_type):
        abort(404)
    pagination = audit_log.object_history(db.session, entity_type, entity_id, page=_page())
    return render_template("admin/history.html", pagination=pagination,
                           entries=audit_log.entries(pagination.items), entity_type=entity_type,
                           entity_id=entity_id, entity_label=audit_log.entity_label(entity_type))

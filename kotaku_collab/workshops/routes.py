"""Workshops: lists and pages for signed-in users (/workshops/...) and the organisers'
scheduling pages (/manage/workshops/...)."""

from __future__ import annotations

from datetime import date

from flask import (Blueprint, Response, abort, flash, redirect, render_template, request,
                   url_for)
from flask_login import current_user, login_required

from kotaku_collab.extensions import db
from kotaku_collab.forms import page_number, to_choices
from kotaku_collab.i18n import _, format_long_date
from kotaku_collab.models import (AgendaItem, OrganiserRole, Region, SessionType, Workshop,
                                  WorkshopKind, WorkshopStatus)
from kotaku_collab.permissions import authorize, can, load_or_404, require
from kotaku_collab.services import DomainError
from kotaku_collab.services import lookups
from kotaku_collab.services.calendar import month_grid
from kotaku_collab.services.documents import invitation_pdf
from kotaku_collab.services.scheduling import (AgendaInput, WorkshopInput, add_agenda_item,
                                               allowed_transitions, create_workshop,
                                               delete_agenda_item, duplicate_workshop,
                                               find_conflicts, move_agenda_item, to_local_naive,
                                               to_utc, transition, update_agenda_item,
                                               update_workshop, workshop_days)
from kotaku_collab.services.workshops import WorkshopFilters, list_workshops, workshop_page

from .forms import AgendaItemForm, CancelForm, ListFilterForm, WorkshopForm, enum_choices

bp = Blueprint("workshops", __name__)


# --- Reading ------------------------------------------------------------------------------


@bp.route("/workshops/")
@authorize("workshop.list")
def index():
    form = ListFilterForm(request.args)
    regions = lookups.kabkota_in_scope(db.session, current_user)
    form.region.choices = to_choices([("", _("All regencies/cities"))] + [(r.code, r.name) for r in regions])
    form.status.choices = to_choices([("", _("All statuses"))]) + enum_choices(WorkshopStatus)
    form.kind.choices = to_choices([("", _("All kinds"))]) + enum_choices(WorkshopKind)
    when = request.args.get("when", "upcoming")
    filters = WorkshopFilters(when=when if when in ("upcoming", "past", "all") else "upcoming")
    if form.validate():
        filters.q = form.q.data or None
        filters.region_code = form.region.data or None
        filters.status = WorkshopStatus(form.status.data) if form.status.data else None
        filters.kind = WorkshopKind(form.kind.data) if form.kind.data else None
        filters.date_from, filters.date_to = form.date_from.data, form.date_to.data
    page = max(request.args.get("page", 1, type=page_number), 1)
    pagination = list_workshops(db.session, current_user, filters, page=page)
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("workshops/index.html", pagination=pagination, form=form,
                           filters=filters, args=args)


@bp.route("/workshops/calendar")
@authorize("workshop.list")
def calendar():
    today = date.today()
    try:
        year, month = (int(p) for p in request.args.get("month", "").split("-"))
        first = date(year, month, 1)
    except ValueError:
        first = today.replace(day=1)
    grid = month_grid(db.session, current_user, first)
    return render_template("workshops/calendar.html", grid=grid)


@bp.route("/workshops/<int:workshop_id>")
@login_required
def detail(workshop_id: int):
    workshop = load_or_404(Workshop, workshop_id, "workshop.view")
    return render_template("workshops/detail.html", page=workshop_page(db.session, workshop),
                           transitions=allowed_transitions(workshop))


# --- Scheduling ---------------------------------------------------------------------------


def _prepare_workshop_form(form: WorkshopForm) -> None:
    form.region_code.choices = to_choices((r.code, r.name) for r in
                                          lookups.kabkota_in_scope(db.session, current_user))
    form.opened_by_id.choices = to_choices([("", "–")] + [(p.id, lookups.person_label(p))
                                                          for p in lookups.people(db.session)])
    orgs = to_choices((o.id, o.name) for o in lookups.organisations(db.session))
    form.penyelenggara.choices = orgs
    form.fasilitator.choices = orgs


def _workshop_input(form: WorkshopForm) -> WorkshopInput:
    organisers = [(i, OrganiserRole.PENYELENGGARA) for i in form.penyelenggara.data or []]
    organisers += [(i, OrganiserRole.FASILITATOR) for i in form.fasilitator.data or []
                   if i not in (form.penyelenggara.data or [])]
    return WorkshopInput(
        title=form.title.data, kind=WorkshopKind(form.kind.data), region_code=form.region_code.data,
        venue=form.venue.data, starts_local=form.starts_local.data, ends_local=form.ends_local.data,
        capacity=form.capacity.data,
        registration_opens_local=form.registration_opens_local.data,
        registration_closes_local=form.registration_closes_local.data,
        objectives=(form.objectives.data or "").splitlines(),
        invitation_number=form.invitation_number.data, opened_by_id=form.opened_by_id.data,
        opened_by_position=form.opened_by_position.data, organisers=organisers,
        sector_targets={k: v for k, v in form.sector_targets.data.items() if v},
    )


def _workshop_conflicts(form: WorkshopForm, workshop: Workshop | None):
    region = db.session.get(Region, form.region_code.data)
    tz = region.timezone
    people = [form.opened_by_id.data] if form.opened_by_id.data else []
    if workshop is not None:
        for item in workshop.agenda_items:
            people += [p.id for p in item.speakers] + ([item.moderator_id] if item.moderator_id else [])
    return find_conflicts(db.session, venue=form.venue.data,
                          starts_at=to_utc(form.starts_local.data, tz),
                          ends_at=to_utc(form.ends_local.data, tz), person_ids=people,
                          exclude_workshop_id=workshop.id if workshop else None)


def _save_workshop(form: WorkshopForm, workshop: Workshop | None):
    """Validate, warn about conflicts, call the service. Returns the workshop or None to re-render."""
    if not form.validate_on_submit():
        return None, []
    region = db.session.get(Region, form.region_code.data)
    if region is None or not can(current_user, "workshop.create_in", region):
        abort(403)
    conflicts = _workshop_conflicts(form, workshop)
    if conflicts and not form.confirm_conflicts.data:
        return None, conflicts
    try:
        data = _workshop_input(form)
        if workshop is None:
            workshop = create_workshop(db.session, data)
        else:
            update_workshop(db.session, workshop, data)
    except DomainError as error:
        db.session.rollback()
        form.add_domain_error(error)
        return None, []
    db.session.commit()
    return workshop, []


@bp.route("/manage/workshops/new", methods=["GET", "POST"])
@authorize("workshop.create")
def create():
    form = WorkshopForm()
    _prepare_workshop_form(form)
    if request.method == "GET":
        form.capacity.data = 40
        form.kind.data = WorkshopKind.LOKAKARYA_KOLABORASI.value
    workshop, conflicts = _save_workshop(form, None)
    if workshop is not None:
        flash(_("The workshop has been created as a draft. Add the agenda, then publish it."),
              "success")
        return redirect(url_for("workshops.detail", workshop_id=workshop.id))
    return render_template("workshops/form.html", form=form, workshop=None, conflicts=conflicts)


@bp.route("/manage/workshops/<int:workshop_id>/edit", methods=["GET", "POST"])
@login_required
def edit(workshop_id: int):
    workshop = load_or_404(Workshop, workshop_id, "workshop.manage", view_action="workshop.view")
    form = WorkshopForm()
    _prepare_workshop_form(form)
    if request.method == "GET":
        _fill_workshop_form(form, workshop)
    saved, conflicts = _save_workshop(form, workshop)
    if saved is not None:
        flash(_("The workshop has been saved."), "success")
        if saved.rescheduled_at and saved.status in (WorkshopStatus.PUBLISHED,
                                                     WorkshopStatus.REGISTRATION_CLOSED):
            flash(_("The date changed: registrants will be told."), "info")
        return redirect(url_for("workshops.detail", workshop_id=workshop.id))
    return render_template("workshops/form.html", form=form, workshop=workshop, conflicts=conflicts)


def _fill_workshop_form(form: WorkshopForm, workshop: Workshop) -> None:
    tz = workshop.region.timezone
    form.title.data = workshop.title
    form.kind.data = workshop.kind.value
    form.region_code.data = workshop.region_code
    form.venue.data = workshop.venue
    form.starts_local.data = to_local_naive(workshop.starts_at, tz)
    form.ends_local.data = to_local_naive(workshop.ends_at, tz)
    form.capacity.data = workshop.capacity
    if workshop.registration_opens_at:
        form.registration_opens_local.data = to_local_naive(workshop.registration_opens_at, tz)
    if workshop.registration_closes_at:
        form.registration_closes_local.data = to_local_naive(workshop.registration_closes_at, tz)
    form.objectives.data = "\n".join(workshop.objectives or [])
    form.invitation_number.data = workshop.invitation_number
    form.opened_by_id.data = workshop.opened_by_id
    form.opened_by_position.data = workshop.opened_by_position
    form.penyelenggara.data = [o.organisation_id for o in workshop.organisers
                               if o.role is OrganiserRole.PENYELENGGARA]
    form.fasilitator.data = [o.organisation_id for o in workshop.organisers
                             if o.role is OrganiserRole.FASILITATOR]
    for sector, n in (workshop.sector_targets or {}).items():
        if sector in form.sector_targets.form:
            form.sector_targets.form[sector].data = n


@bp.route("/manage/workshops/<int:workshop_id>/duplicate", methods=["POST"])
@login_required
def duplicate(workshop_id: int):
    workshop = load_or_404(Workshop, workshop_id, "workshop.manage", view_action="workshop.view")
    copy = duplicate_workshop(db.session, workshop)
    db.session.commit()
    flash(_("A follow-up round has been created as a draft. Check its date and venue."), "success")
    return redirect(url_for("workshops.edit", workshop_id=copy.id))


@bp.route("/manage/workshops/<int:workshop_id>/status", methods=["POST"])
@login_required
def change_status(workshop_id: int):
    workshop = load_or_404(Workshop, workshop_id, "workshop.view")
    if not (can(current_user, "workshop.manage", workshop)
            or can(current_user, "workshop.review", workshop)):
        abort(403)
    try:
        target = WorkshopStatus(request.form.get("status", ""))
    except ValueError:
        abort(400)
    require("workshop.review" if target is WorkshopStatus.REVIEWED else "workshop.manage", workshop)
    if target is WorkshopStatus.CANCELLED:
        return redirect(url_for("workshops.cancel", workshop_id=workshop.id))
    try:
        transition(db.session, workshop, target)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "danger")
    else:
        db.session.commit()
        flash(_("Status changed to \"%(status)s\".", status=target.label), "success")
    return redirect(url_for("workshops.detail", workshop_id=workshop.id))


@bp.route("/manage/workshops/<int:workshop_id>/cancel", methods=["GET", "POST"])
@login_required
def cancel(workshop_id: int):
    workshop = load_or_404(Workshop, workshop_id, "workshop.manage", view_action="workshop.view")
    form = CancelForm()
    if form.validate_on_submit():
        try:
            transition(db.session, workshop, WorkshopStatus.CANCELLED, reason=form.reason.data)
        except DomainError as error:
            db.session.rollback()
            form.add_domain_error(error)
        else:
            db.session.commit()
            flash(_("The workshop has been cancelled; registrants will be told."), "success")
            return redirect(url_for("workshops.detail", workshop_id=workshop.id))
    return render_template("workshops/cancel.html", form=form, workshop=workshop)


# --- Agenda -------------------------------------------------------------------------------


def _prepare_agenda_form(form: AgendaItemForm, workshop: Workshop) -> None:
    form.day.choices = to_choices((d.isoformat(), format_long_date(d))
                                  for d in workshop_days(workshop))
    people = [(p.id, lookups.person_label(p)) for p in lookups.people(db.session)]
    form.speaker_ids.choices = to_choices(people)
    form.moderator_id.choices = to_choices([("", "–")] + people)


def _agenda_input(form: AgendaItemForm) -> AgendaInput:
    return AgendaInput(title=form.title.data, session_type=SessionType(form.session_type.data),
                       day=date.fromisoformat(form.day.data), start=form.start.data,
                       end=form.end.data, speaker_ids=form.speaker_ids.data or [],
                       moderator_id=form.moderator_id.data)


def _agenda_conflicts(form: AgendaItemForm, workshop: Workshop):
    from datetime import datetime

    tz = workshop.region.timezone
    day = date.fromisoformat(form.day.data)
    window = (to_utc(datetime.combine(day, form.start.data), tz),
              to_utc(datetime.combine(day, form.end.data), tz))
    people = (form.speaker_ids.data or []) + ([form.moderator_id.data] if form.moderator_id.data else [])
    return find_conflicts(db.session, venue="", starts_at=workshop.starts_at,
                          ends_at=workshop.ends_at, person_ids=people,
                          exclude_workshop_id=workshop.id, item_window=window)


def _save_agenda(form: AgendaItemForm, workshop: Workshop, item: AgendaItem | None):
    if not form.validate_on_submit():
        return False, []
    conflicts = _agenda_conflicts(form, workshop)
    if conflicts and not form.confirm_conflicts.data:
        return False, conflicts
    try:
        if item is None:
            add_agenda_item(db.session, workshop, _agenda_input(form))
        else:
            update_agenda_item(db.session, item, _agenda_input(form))
    except DomainError as error:
        db.session.rollback()
        form.add_domain_error(error)
        return False, []
    db.session.commit()
    return True, []


@bp.route("/manage/workshops/<int:workshop_id>/agenda", methods=["GET", "POST"])
@login_required
def agenda(workshop_id: int):
    workshop = load_or_404(Workshop, workshop_id, "workshop.manage", view_action="workshop.view")
    form = AgendaItemForm()
    _prepare_agenda_form(form, workshop)
    saved, conflicts = _save_agenda(form, workshop, None)
    if saved:
        flash(_("The agenda item has been added."), "success")
        return redirect(url_for("workshops.agenda", workshop_id=workshop.id))
    return render_template("workshops/agenda.html", workshop=workshop, form=form,
                           conflicts=conflicts, item=None)


@bp.route("/manage/workshops/<int:workshop_id>/agenda/<int:item_id>/edit",
          methods=["GET", "POST"])
@login_required
def agenda_edit(workshop_id: int, item_id: int):
    workshop = load_or_404(Workshop, workshop_id, "workshop.manage", view_action="workshop.view")
    item = _agenda_item_or_404(workshop, item_id)
    form = AgendaItemForm()
    _prepare_agenda_form(form, workshop)
    if request.method == "GET":
        tz = workshop.region.timezone
        form.title.data = item.title
        form.session_type.data = item.session_type.value
        form.day.data = to_local_naive(item.starts_at, tz).date().isoformat()
        form.start.data = to_local_naive(item.starts_at, tz).time()
        form.end.data = to_local_naive(item.ends_at, tz).time()
        form.speaker_ids.data = [p.id for p in item.speakers]
        form.moderator_id.data = item.moderator_id
    saved, conflicts = _save_agenda(form, workshop, item)
    if saved:
        flash(_("The agenda item has been saved."), "success")
        return redirect(url_for("workshops.agenda", workshop_id=workshop.id))
    return render_template("workshops/agenda.html", workshop=workshop, form=form,
                           conflicts=conflicts, item=item)


def _agenda_item_or_404(workshop: Workshop, item_id: int) -> AgendaItem:
    item = db.session.get(AgendaItem, item_id)
    if item is None or item.workshop_id != workshop.id:
        abort(404)
    return item


@bp.route("/manage/workshops/<int:workshop_id>/agenda/<int:item_id>/delete", methods=["POST"])
@login_required
def agenda_delete(workshop_id: int, item_id: int):
    workshop = load_or_404(Workshop, workshop_id, "workshop.manage", view_action="workshop.view")
    item = _agenda_item_or_404(workshop, item_id)
    try:
        delete_agenda_item(db.session, item)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "danger")
    else:
        db.session.commit()
        flash(_("The agenda item has been removed."), "success")
    return redirect(url_for("workshops.agenda", workshop_id=workshop.id))


@bp.route("/manage/workshops/<int:workshop_id>/agenda/<int:item_id>/move", methods=["POST"])
@login_required
def agenda_move(workshop_id: int, item_id: int):
    workshop = load_or_404(Workshop, workshop_id, "workshop.manage", view_action="workshop.view")
    item = _agenda_item_or_404(workshop, item_id)
    direction = -1 if request.form.get("direction") == "up" else 1
    try:
        move_agenda_item(db.session, item, direction)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "warning")
    else:
        db.session.commit()
    return redirect(url_for("workshops.agenda", workshop_id=workshop.id))


# --- Documents ----------------------------------------------------------------------------


@bp.route("/manage/workshops/<int:workshop_id>/invitation.pdf")
@login_required
def invitation(workshop_id: int):
    workshop = load_or_404(Workshop, workshop_id, "workshop.manage", view_action="workshop.view")
    response = Response(invitation_pdf(workshop), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="undangan-{workshop.code}.pdf"'
    return response

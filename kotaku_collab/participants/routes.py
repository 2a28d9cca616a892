"""Participant management for the organisers of a workshop's region (and admins).

Every page loads the workshop with `workshop.manage` (404 outside the user's scope, 403 for
reviewers and stakeholders who may see the workshop). Phone numbers and e-mail addresses appear
only where `participant.view_personal` allows, and every download of personal data leaves an
audit event (UU PDP).
"""

from __future__ import annotations

import secrets

from flask import (Blueprint, Response, abort, flash, jsonify, redirect, render_template, request,
                   url_for)
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from werkzeug.datastructures import MultiDict

from kotaku_collab.audit import record_event
from kotaku_collab.extensions import db
from kotaku_collab.i18n import _
from kotaku_collab.models import (AttendanceStatus, Gender, ParticipantRole, Registration,
                                  RegistrationStatus, Sector, Workshop)
from kotaku_collab.permissions import can, load_or_404
from kotaku_collab.services import DomainError
from kotaku_collab.services.attendance_pdf import attendance_pdf
from kotaku_collab.services.exports import CSV_MIMETYPE, XLSX_MIMETYPE, write_csv, write_xlsx
from kotaku_collab.services.fragments import render_cached
from kotaku_collab.services.imports import (MAX_BYTES, MAX_ROWS, ImportFileError, check_file,
                                            import_checked, import_template)
from kotaku_collab.services.participants import (PERSONAL_COLUMNS, ParticipantFilters,
                                                 PersonInput, add_existing_person, add_new_person,
                                                 attendance_sheet, change_role, export_table,
                                                 list_participants, organisation_suggestions,
                                                 participation_panel, register_walk_in,
                                                 registered_person_ids, search_people)
from kotaku_collab.services.people import mask_phone
from kotaku_collab.services.registration import cancel_registration, record_attendance

from .forms import (AddPersonForm, AttendanceForm, CancelForm, ImportForm, NewPersonForm,
                    ParticipantFilterForm, PersonSearchForm, RoleForm, WalkInForm)

bp = Blueprint("participants", __name__, url_prefix="/manage/workshops/<int:workshop_id>")

@bp.before_request
def login_first():
    if not current_user.is_authenticated:
        from kotaku_collab.extensions import login_manager

        return login_manager.unauthorized()
    return None


def _workshop(workshop_id: int) -> Workshop:
    return load_or_404(Workshop, workshop_id, "workshop.manage", view_action="workshop.view")


def _registration(workshop: Workshop, registration_id: int) -> Registration:
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.workshop_id != workshop.id:
        abort(404)
    return registration


def _filters(form: ParticipantFilterForm) -> ParticipantFilters:
    filters = ParticipantFilters()
    if form.validate():
        filters.q = form.q.data or None
        filters.status = RegistrationStatus(form.status.data) if form.status.data else None
        filters.sector = Sector(form.sector.data) if form.sector.data else None
        filters.role = ParticipantRole(form.role.data) if form.role.data else None
    return filters


def _person_input(form) -> PersonInput:
    return PersonInput(
        name=form.name.data, organisation=form.organisation.data,
        sector=Sector(form.sector.data) if form.sector.data else None,
        position=form.position.data, phone=form.phone.data, email=form.email.data,
        gender=Gender(form.gender.data) if form.gender.data else None)


def _flash_registered(result) -> None:
    registration = result.registration
    name = registration.person.full_name
    if not result.created:
        flash(_("%(name)s was already registered (%(status)s).", name=name,
                status=registration.status.label), "info")
    elif registration.status is RegistrationStatus.WAITLISTED:
        flash(_("No seat is free: %(name)s is on the waiting list (number %(n)s).", name=name,
                n=registration.waitlist_position), "warning")
    else:
        flash(_("%(name)s is registered as %(role)s.", name=name, role=registration.role.label),
              "success")


def _download(data: bytes, mimetype: str, filename: str) -> Response:
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- The participant list -----------------------------------------------------------------


#: Every table the list shows data from (the workshop and its region's time zone, the
#: registrations with their people and organisations, the directory search, the suggestions).
LIST_TABLES = ("workshops", "regions", "registrations", "people", "organisations")
#: The query arguments the list reads: its filters and the directory search.
LIST_ARGS = ("q", "status", "sector", "role", "find")
#: The new-person form's field prefix (the filters have fields of the same names).
NEW_PREFIX = "new"
#: Stands for the viewer's CSRF token in the cached list, which every viewer with the same key
#: shares; the view puts the viewer's own token in its place. Random per process, so that no
#: name or organisation shown in the list can contain it.
CSRF_SLOT = secrets.token_hex(16)
#: Every label the rows show, looked up once per rendering rather than per cell.
LABELLED = (Sector, ParticipantRole, RegistrationStatus, AttendanceStatus)


def _new_person_form(workshop: Workshop, form: NewPersonForm | None) -> dict:
    """The new-person form refused with its messages, or the blank form's fields from their own
    fragment: they change only with the organisations they suggest, not with each check-in."""
    if form is not None:
        return {"new_form": form,
                "organisation_names": organisation_suggestions(db.session, workshop)}
    return {"new_person_fields": render_cached(
        db.session, "fragments/participants/new_person.html", tables=("organisations",),
        key=(workshop.region_code,),
        context=lambda: {"form": NewPersonForm(prefix=NEW_PREFIX, formdata=None,
                                               meta={"csrf": False}),
                         "organisation_names": organisation_suggestions(db.session, workshop)})}


def _list_context(workshop: Workshop, args: dict[str, str], *, personal: bool, csrf: str,
                  new_form: NewPersonForm | None = None, errors: list[str] | None = None
                  ) -> dict:
    """What the list shows, loaded from `args` alone (the cache key holds nothing else)."""
    db.session.refresh(workshop)  # as of the version tokens just read, not of the page's start
    formdata = MultiDict(args)
    filter_form = ParticipantFilterForm(formdata)
    search_form = PersonSearchForm(formdata)
    found = []
    if search_form.validate() and search_form.find.data:
        found = search_people(db.session, search_form.find.data)
    return dict(
        workshop=workshop, panel=participation_panel(db.session, workshop),
        registrations=list_participants(db.session, workshop, _filters(filter_form)),
        filter_form=filter_form, search_form=search_form, found=found,
        registered_people=registered_person_ids(db.session, workshop) if found else set(),
        **_new_person_form(workshop, new_form), new_csrf_name=f"{NEW_PREFIX}-csrf_token",
        roles=[(role, role.label) for role in ParticipantRole],
        labels={member: member.label for enum_cls in LABELLED for member in enum_cls},
        personal=personal, mask_phone=mask_phone, errors=errors or [], csrf=csrf,
        export_args={k: v for k, v in args.items() if k in filter_form and v})


def _render_index(workshop: Workshop, *, new_form: NewPersonForm | None = None,
                  errors: list[str] | None = None, status: int = 200):
    """The list from the fragment cache; after a refused form, rendered afresh with its
    messages (rare, and not worth a cache entry per typed value)."""
    args = {name: request.args[name] for name in LIST_ARGS if name in request.args}
    personal = can(current_user, "participant.view_personal", workshop)
    if new_form is not None or errors:
        context = _list_context(workshop, args, personal=personal, csrf=generate_csrf(),
                                new_form=new_form, errors=errors)
        return render_template("participants/index.html", **context), status
    listing = render_cached(
        db.session, "fragments/participants/list.html", tables=LIST_TABLES,
        key=(workshop.id, tuple(args.items()), personal),
        context=lambda: _list_context(workshop, args, personal=personal, csrf=CSRF_SLOT))
    return render_template("participants/index.html", workshop=workshop,
                           listing=listing.replace(CSRF_SLOT, generate_csrf())), status


@bp.route("/participants")
def index(workshop_id: int):
    return _render_index(_workshop(workshop_id))


@bp.route("/participants/people.json")
def people_json(workshop_id: int):
    """Directory entries matching ?q= for the add form's suggestions (names only, no contact)."""
    _workshop(workshop_id)
    q = request.args.get("q", "")[:100]
    people = search_people(db.session, q)
    return jsonify(people=[{"id": p.id, "name": p.name,
                            "organisation": p.organisation.name if p.organisation else ""}
                           for p in people])


@bp.route("/participants/add", methods=["POST"])
def add(workshop_id: int):
    workshop = _workshop(workshop_id)
    form = AddPersonForm()
    if not form.validate_on_submit():
        return _render_index(workshop, errors=[_("Choose a person and a role.")])
    try:
        result = add_existing_person(db.session, workshop, form.person_id.data,
                                     ParticipantRole(form.role.data))
    except DomainError as error:
        db.session.rollback()
        return _render_index(workshop, errors=[error.message])
    db.session.commit()
    _flash_registered(result)
    return redirect(url_for(".index", workshop_id=workshop.id))


@bp.route("/participants/new", methods=["POST"])
def create(workshop_id: int):
    workshop = _workshop(workshop_id)
    form = NewPersonForm(prefix="new")
    if form.validate_on_submit():
        try:
            result = add_new_person(db.session, workshop, _person_input(form),
                                    ParticipantRole(form.role.data))
        except DomainError as error:
            db.session.rollback()
            form.add_domain_error(error)
        else:
            db.session.commit()
            _flash_registered(result)
            return redirect(url_for(".index", workshop_id=workshop.id))
    return _render_index(workshop, new_form=form)


@bp.route("/participants/<int:registration_id>/cancel", methods=["POST"])
def cancel(workshop_id: int, registration_id: int):
    workshop = _workshop(workshop_id)
    registration = _registration(workshop, registration_id)
    if not CancelForm().validate_on_submit():
        abort(400)
    promoted = cancel_registration(db.session, registration)
    db.session.commit()
    flash(_("The registration of %(name)s is cancelled.", name=registration.person.full_name),
          "success")
    if promoted is not None:
        flash(_("%(name)s moved up from the waiting list and has been told.",
                name=promoted.person.full_name), "info")
    return redirect(url_for(".index", workshop_id=workshop.id))


@bp.route("/participants/<int:registration_id>/role", methods=["POST"])
def role(workshop_id: int, registration_id: int):
    workshop = _workshop(workshop_id)
    registration = _registration(workshop, registration_id)
    form = RoleForm()
    if not form.validate_on_submit():
        return _render_index(workshop, errors=[_("Choose one of the roles.")])
    try:
        change_role(db.session, registration, ParticipantRole(form.role.data))
    except DomainError as error:
        db.session.rollback()
        return _render_index(workshop, errors=[error.message])
    db.session.commit()
    flash(_("%(name)s is now %(role)s (%(status)s).", name=registration.person.full_name,
            role=registration.role.label, status=registration.status.label), "success")
    return redirect(url_for(".index", workshop_id=workshop.id))


# --- Check-in -----------------------------------------------------------------------------


def _render_checkin(workshop: Workshop, *, q: str | None = None,
                    walk_in_form: WalkInForm | None = None,
                    errors: dict[int, list[str]] | None = None):
    q = (q if q is not None else request.args.get("q", ""))[:100].strip()
    registrations = list_participants(db.session, workshop,
                                      ParticipantFilters(q=q or None, include_cancelled=False))
    registrations.sort(key=lambda r: (r.person.name.lower(), r.id))
    return render_template(
        "participants/checkin.html", workshop=workshop, registrations=registrations, q=q,
        panel=participation_panel(db.session, workshop),
        walk_in_form=walk_in_form or WalkInForm(prefix="walkin", formdata=None),
        organisation_names=organisation_suggestions(db.session, workshop),
        states=list(AttendanceStatus),
        errors=errors or {})


@bp.route("/checkin")
def checkin(workshop_id: int):
    return _render_checkin(_workshop(workshop_id))


@bp.route("/checkin/<int:registration_id>", methods=["POST"])
def record(workshop_id: int, registration_id: int):
    workshop = _workshop(workshop_id)
    registration = _registration(workshop, registration_id)
    form = AttendanceForm()
    q = (form.q.data or "")[:100]
    if not form.validate_on_submit():
        messages = [e for errors in form.errors.values() for e in errors]
        return _render_checkin(workshop, q=q, errors={registration.id: messages})
    try:
        record_attendance(db.session, registration, AttendanceStatus(form.attendance.data),
                          delegate_name=form.delegate_name.data)
    except DomainError as error:
        db.session.rollback()
        return _render_checkin(workshop, q=q, errors={registration.id: [error.message]})
    db.session.commit()
    flash(_("%(name)s: %(state)s.", name=registration.person.full_name,
            state=registration.attendance.label), "success")
    return redirect(url_for(".checkin", workshop_id=workshop.id, q=q or None,
                            _anchor=f"r-{registration.id}"))


@bp.route("/checkin/walk-in", methods=["POST"])
def walk_in(workshop_id: int):
    workshop = _workshop(workshop_id)
    form = WalkInForm(prefix="walkin")
    if form.validate_on_submit():
        try:
            result = register_walk_in(db.session, workshop, _person_input(form))
        except DomainError as error:
            db.session.rollback()
            form.add_domain_error(error)
        else:
            db.session.commit()
            registration = result.registration
            name = registration.person.full_name
            if registration.status is RegistrationStatus.WAITLISTED:
                flash(_("No seat is free: %(name)s is on the waiting list and marked present.",
                        name=name), "warning")
            else:
                flash(_("%(name)s is registered and marked present.", name=name), "success")
            return redirect(url_for(".checkin", workshop_id=workshop.id,
                                    _anchor=f"r-{registration.id}"))
    return _render_checkin(workshop, q="", walk_in_form=form)


# --- Documents and exports ----------------------------------------------------------------


@bp.route("/daftar-hadir.pdf")
def daftar_hadir(workshop_id: int):
    workshop = _workshop(workshop_id)
    groups = attendance_sheet(db.session, workshop)
    include_phone = can(current_user, "participant.view_personal", workshop)
    data = attendance_pdf(workshop, groups, include_phone=include_phone)
    rows = sum(len(registrations) for _sector, registrations in groups)
    record_event(db.session, "export", workshop,
                 changes={"format": "pdf", "document": "daftar_hadir", "rows": rows,
                          "personal": include_phone})
    db.session.commit()
    return _download(data, "application/pdf", f"daftar-hadir-{workshop.code}.pdf")


def _export(workshop_id: int, fmt: str) -> Response:
    workshop = _workshop(workshop_id)
    registrations = list_participants(db.session, workshop,
                                      _filters(ParticipantFilterForm(request.args)))
    personal = can(current_user, "participant.view_personal", workshop)
    header, rows = export_table(registrations, include_personal=personal)
    phones = ["phone"] if personal else []
    if fmt == "csv":
        data = write_csv(header, rows, phone_columns=phones)
        mimetype = CSV_MIMETYPE
    else:
        data = write_xlsx(header, rows, phone_columns=phones, sheet_title=_("Participants"))
        mimetype = XLSX_MIMETYPE
    record_event(db.session, "export", workshop,
                 changes={"format": fmt, "rows": len(rows),
                          "columns": [c for c in header if c in PERSONAL_COLUMNS]})
    db.session.commit()
    return _download(data, mimetype, f"peserta-{workshop.code}.{fmt}")


@bp.route("/participants.csv")
def export_csv(workshop_id: int):
    return _export(workshop_id, "csv")


@bp.route("/participants.xlsx")
def export_xlsx(workshop_id: int):
    return _export(workshop_id, "xlsx")


# --- Import -------------------------------------------------------------------------------


@bp.route("/participants/import-template.xlsx")
def import_template_xlsx(workshop_id: int):
    _workshop(workshop_id)
    return _download(import_template(), XLSX_MIMETYPE, "template-impor-peserta.xlsx")


@bp.route("/participants/import", methods=["GET", "POST"])
def import_participants(workshop_id: int):
    workshop = _workshop(workshop_id)
    form = ImportForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            check = check_file(upload.filename or "", upload.read(MAX_BYTES + 1))
        except ImportFileError as error:
            form.add_domain_error(error)
        else:
            try:
                result = import_checked(db.session, workshop, check,
                                        valid_only=form.valid_only.data)
            except DomainError as error:
                db.session.rollback()
                form.add_domain_error(error)
                return render_template("participants/import.html", workshop=workshop,
                                       form=form, max_rows=MAX_ROWS)
            if result is not None:
                record_event(db.session, "import", workshop,
                             changes={"rows": check.total, "imported": result.imported,
                                      "errors": check.rows_with_errors})
                db.session.commit()
            return render_template("participants/import_report.html", workshop=workshop,
                                   check=check, result=result, valid_only=form.valid_only.data)
    return render_template("participants/import.html", workshop=workshop, form=form,
                           max_rows=MAX_ROWS)

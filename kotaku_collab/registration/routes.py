"""Public self-registration: no login, one form, a confirmation with code and QR."""

from __future__ import annotations

from flask import (Blueprint, abort, current_app, flash, redirect, render_template, request,
                   session, url_for)
from flask_babel import force_locale
from flask_limiter.util import get_remote_address
from flask_login import login_required
from sqlalchemy import select

from kotaku_collab.database import begin_mode, commit_keeping_loaded, sqlite_writer_queue
from kotaku_collab.extensions import db, limiter
from kotaku_collab.i18n import _, format_local_datetime
from kotaku_collab.models import (AttendanceStatus, Gender, NotificationKind, Registration,
                                  RegistrationStatus, Sector, Workshop, utc_now)
from kotaku_collab.permissions import load_or_404
from kotaku_collab.services import DomainError
from kotaku_collab.services.notifications import MESSAGE_LOCALE, queue_notification
from kotaku_collab.services.organisations import find_by_name, find_or_create_organisation
from kotaku_collab.services.people import clean_text, normalise_phone
from kotaku_collab.services.registration import (cancel_with_token, find_or_create_by_email,
                                                 record_attendance, register_person,
                                                 self_registration_state,
                                                 workshop_for_registration)

from .forms import CancelRegistrationForm, CheckInForm, SelfRegistrationForm

bp = Blueprint("registration", __name__)

#: Session key of the browser's latest registrations, as [code, cancel token] pairs.
SESSION_TOKENS = "registrations"
#: How many a browser remembers (each costs about 60 bytes of the session cookie).
REMEMBERED_REGISTRATIONS = 5


def public_workshop_or_404(code: str) -> Workshop:
    """The published workshop behind the link, with its region: all these pages show of it."""
    workshop = workshop_for_registration(db.session, code)
    if workshop is None:
        abort(404)
    return workshop


def _rate_limit() -> str:
    return current_app.config["SELF_REGISTRATION_RATE_LIMIT"]


def _rate_limit_key() -> str:
    """Counted per client address and per link: one office network registering for one
    workshop does not use up the allowance for another."""
    return f"register:{request.view_args.get('code', '')}:{get_remote_address()}"


@bp.after_request
def no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/w/<code>/register", methods=["GET", "POST"])
@limiter.limit(_rate_limit, key_func=_rate_limit_key, methods=["POST"])
def register(code: str):
    with begin_mode("DEFERRED"):  # only the registration itself takes SQLite's write lock
        return _register_page(code)


def _register_page(code: str):
    """The form, and a registration when it is submitted and the workshop is open.

    Every registration in the country queues for SQLite's write lock, so everything that only
    reads (the form, the workshop, the organisation's registry entry) is done before it is
    taken: the lock is held from the registration's first statement to its commit."""
    form = SelfRegistrationForm()
    details = _checked_details(form) if form.validate_on_submit() else None
    workshop = public_workshop_or_404(code)
    closed_reason = self_registration_state(workshop)
    if closed_reason is None and details is not None:
        known = find_by_name(db.session, details["organisation"])
        commit_keeping_loaded(db.session)  # ends the read: register_person locks and refreshes
        with sqlite_writer_queue(db.engine), begin_mode("IMMEDIATE"):
            try:
                result = _register(workshop, details, known)
            except DomainError as error:
                db.session.rollback()
                form.add_domain_error(error)
            else:
                # What the response shows was just written: reading it again would begin
                # another transaction.
                commit_keeping_loaded(db.session)
                return _registered(workshop, result)
        workshop = public_workshop_or_404(code)  # expired by the rollback
    elif closed_reason and form.is_submitted():
        form.form_errors.append(closed_reason)
    return _form_page(workshop, form, closed_reason)


def _form_page(workshop: Workshop, form: SelfRegistrationForm, closed_reason: str | None):
    return render_template("registration/register.html", workshop=workshop, form=form,
                           closed_reason=closed_reason)


def _remember_cancel_token(registration_code: str, token: str) -> None:
    """Let this browser show the confirmation (with its cancel link) of its latest
    registrations. Bounded: one office computer registering a whole team would otherwise grow
    the session cookie past the 4 KB browsers keep, and lose the session."""
    kept = [pair for pair in session.get(SESSION_TOKENS, ()) if pair[0] != registration_code]
    session[SESSION_TOKENS] = [*kept[-(REMEMBERED_REGISTRATIONS - 1):], [registration_code, token]]


def _forget_cancel_token(registration_code: str) -> None:
    if SESSION_TOKENS in session:
        session[SESSION_TOKENS] = [pair for pair in session[SESSION_TOKENS]
                                   if pair[0] != registration_code]


def _registered(workshop: Workshop, result):
    """The answer to a stored registration: the confirmation, or "already registered"."""
    registration = result.registration
    if not result.created:
        return render_template("registration/already.html", workshop=workshop)
    _remember_cancel_token(registration.code, result.cancel_token)
    return redirect(url_for("registration.confirmation", code=workshop.code,
                            registration_code=registration.code))


def _checked_details(form: SelfRegistrationForm) -> dict | None:
    """The submitted details cleaned for the directory, or None with the error on the form."""
    try:
        phone = normalise_phone(form.phone.data)
    except DomainError as error:
        form.add_domain_error(error)
        return None
    return {"name": clean_text(form.name.data, 120), "email": form.email.data.strip().lower(),
            "phone": phone, "position": clean_text(form.position.data, 160),
            "organisation": clean_text(form.organisation.data, 200),
            "sector": Sector(form.sector.data), "gender": Gender(form.gender.data)}


def _register(workshop: Workshop, details: dict, known_organisation):
    """Register under the write lock; `known_organisation` was found before it was taken
    (registry entries are never deleted, only merged, so one found stays valid)."""
    organisation = known_organisation or find_or_create_organisation(
        db.session, name=details["organisation"], sector=details["sector"],
        region_code=workshop.region_code)
    finder = find_or_create_by_email(name=details["name"], email=details["email"],
                                     phone=details["phone"], position=details["position"],
                                     organisation=organisation, gender=details["gender"])
    result = register_person(db.session, workshop.id, finder, organisation=organisation,
                             self_registered=True, consent_at=utc_now(), workshop=workshop)
    _queue_confirmation(workshop, result)
    return result


def _queue_confirmation(workshop: Workshop, result) -> None:
    registration = result.registration
    tz = workshop.region.timezone
    with force_locale(MESSAGE_LOCALE):
        if not result.created:
            queue_notification(
                db.session, NotificationKind.ALREADY_REGISTERED, person=registration.person,
                workshop=workshop, subject=_("Already registered: %(title)s", title=workshop.title),
                body=_("Someone (perhaps you) tried to register this e-mail address again for "
                       "\"%(title)s\". You are already registered; your code is %(code)s.",
                       title=workshop.title, code=registration.code))
            return
        cancel_url = url_for("registration.cancel", code=workshop.code,
                             registration_code=registration.code, token=result.cancel_token,
                             _external=True)
        waiting = registration.status is RegistrationStatus.WAITLISTED
        queue_notification(
            db.session,
            NotificationKind.REGISTRATION_WAITLISTED if waiting else NotificationKind.REGISTRATION_CONFIRMED,
            person=registration.person, workshop=workshop,
            subject=(_("Waiting list: %(title)s", title=workshop.title) if waiting
                     else _("Registration confirmed: %(title)s", title=workshop.title)),
            body=_("Workshop: %(title)s\nWhen: %(when)s\nWhere: %(venue)s\nStatus: %(status)s\n"
                   "Registration code: %(code)s\nTo cancel: %(url)s",
                   title=workshop.title, when=format_local_datetime(workshop.starts_at, tz),
                   venue=workshop.venue, status=registration.status.label,
                   code=registration.code, url=cancel_url),
            payload={"registration_id": registration.id, "code": registration.code})


@bp.route("/w/<code>/registered/<registration_code>")
def confirmation(code: str, registration_code: str):
    workshop = public_workshop_or_404(code)
    token = dict(session.get(SESSION_TOKENS, ())).get(registration_code)
    registration = db.session.scalar(select(Registration).where(
        Registration.workshop_id == workshop.id, Registration.code == registration_code))
    if registration is None or token is None:
        abort(404)
    import segno

    checkin_url = url_for("registration.checkin_code", registration_code=registration.code,
                          _external=True)
    qr = segno.make(checkin_url, error="m").png_data_uri(scale=5, border=2)
    cancel_url = url_for("registration.cancel", code=workshop.code,
                         registration_code=registration.code, token=token)
    return render_template("registration/confirmation.html", workshop=workshop,
                           registration=registration, qr=qr, cancel_url=cancel_url)


@bp.route("/w/<code>/cancel/<registration_code>/<token>", methods=["GET", "POST"])
def cancel(code: str, registration_code: str, token: str):
    workshop = public_workshop_or_404(code)
    form = CancelRegistrationForm()
    error = None
    if form.validate_on_submit():
        try:
            cancel_with_token(db.session, workshop, registration_code, token)
        except DomainError as exc:
            db.session.rollback()
            error = exc.message
        else:
            db.session.commit()
            _forget_cancel_token(registration_code)
            return render_template("registration/cancelled.html", workshop=workshop)
    return render_template("registration/cancel.html", workshop=workshop, form=form, error=error)


@bp.route("/manage/checkin/<registration_code>", methods=["GET", "POST"])
@login_required
def checkin_code(registration_code: str):
    """Where the QR on a confirmation leads: an organiser of the region confirms the check-in
    with one tap (a GET never changes anything)."""
    registration = db.session.scalar(select(Registration).where(
        Registration.code == registration_code.upper()))
    if registration is None:
        abort(404)
    load_or_404(Workshop, registration.workshop_id, "workshop.manage", view_action="workshop.view")
    form = CheckInForm()
    if form.validate_on_submit():
        try:
            record_attendance(db.session, registration, AttendanceStatus.HADIR)
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "danger")
        else:
            db.session.commit()
            flash(_("%(name)s is checked in.", name=registration.person.full_name), "success")
        return redirect(url_for("registration.checkin_code", registration_code=registration.code))
    return render_template("registration/checkin_code.html", registration=registration, form=form)

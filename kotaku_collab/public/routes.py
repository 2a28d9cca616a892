"""Public workshop pages (/w/<code>) and calendar files, open to anyone without logging in.

Nothing here shows a person's contact details or who registered: only the programme.
These pages rely on the app-wide `Referrer-Policy: same-origin` (set with Talisman in create_app).
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for
from werkzeug.routing import BuildError

from kotaku_collab.extensions import db
from kotaku_collab.models import WorkshopStatus, utc_now
from kotaku_collab.services.ical import region_calendar, workshop_calendar
from kotaku_collab.services.fragments import render_cached
from kotaku_collab.services.public import (PAGE_TABLES, RegistrationState, feed_region,
                                           public_workshop, public_workshop_head,
                                           region_feed_workshops, registration_state)

bp = Blueprint("public", __name__)

#: Endpoints that may serve the public sign-up form (/w/<code>/register), first found wins.
REGISTER_ENDPOINTS = ("public.register", "registration.register")
ICS_MIMETYPE = "text/calendar"


def _register_url(code: str) -> str | None:
    """The sign-up form's address, or None while no blueprint provides one."""
    for endpoint in REGISTER_ENDPOINTS:
        if endpoint in current_app.view_functions:
            try:
                return url_for(endpoint, code=code)
            except BuildError:
                continue
    return None


def _calendar_response(body: bytes, filename: str, disposition: str) -> Response:
    response = Response(body, mimetype=ICS_MIMETYPE)
    response.headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


@bp.route("/w/<code>")
def workshop(code: str):
    """The public page: its body (programme, organisers, seats left) is rendered once per
    change to what it shows, the registration state and the sign-up link (fragments.py)."""
    head = public_workshop_head(db.session, code)
    if head is None:
        abort(404)
    state = registration_state(head, utc_now())
    register_url = _register_url(head.code) if state is RegistrationState.OPEN else None
    body = render_cached(db.session, "fragments/public/workshop.html", tables=PAGE_TABLES,
                         key=(head.id, state, register_url),
                         context=lambda: _workshop_context(head.code, state, register_url))
    return render_template("public/workshop.html", title=head.title, body=body)


def _workshop_context(code: str, state: RegistrationState, register_url: str | None) -> dict:
    """The fragment's variables: the workshop with its programme (a 404 if it went back to
    draft since its head was read)."""
    workshop = public_workshop(db.session, code)
    if workshop is None:
        abort(404)
    return {"w": workshop, "state": state, "register_url": register_url,
            "seats_shown": workshop.status in (WorkshopStatus.PUBLISHED,
                                               WorkshopStatus.REGISTRATION_CLOSED)}


@bp.route("/w/<code>.ics")
def workshop_ics(code: str):
    workshop = public_workshop(db.session, code)
    if workshop is None:
        abort(404)
    return _calendar_response(workshop_calendar(workshop, request.host_url),
                              f"{workshop.code}.ics", "attachment")


@bp.route("/calendar/<region_code>.ics")
def region_feed(region_code: str):
    region = feed_region(db.session, region_code)
    if region is None:
        abort(404)
    workshops = region_feed_workshops(db.session, region, utc_now())
    return _calendar_response(region_calendar(region, workshops, request.host_url),
                              f"kotaku-{region.code}.ics", "inline")

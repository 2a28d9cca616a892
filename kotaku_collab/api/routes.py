"""JSON API v1 routes: read-only (GET), authenticated by a personal token, never by the cookie.

Each route loads (or 404s), authorises with permissions.can() for the token's user, parses its
parameters (a 400 on a bad value) and answers from services/api_resources.py. Objects outside
the user's scope are 404, as on the web pages.
"""

from __future__ import annotations

import logging

from flask import Blueprint, current_app, g, jsonify, request, url_for
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from kotaku_collab import audit
from kotaku_collab.api.errors import ApiError, json_error
from kotaku_collab.api.openapi import openapi_document
from kotaku_collab.api.params import REGION_CODE, api_filters, enum_arg, int_arg, page_request
from kotaku_collab.extensions import csrf, db
from kotaku_collab.i18n import _
from kotaku_collab.models import (CommitmentStatus, IndicatorKind, Region, RegistrationStatus,
                                  WorkshopStatus)
from kotaku_collab.permissions import can, in_scope
from kotaku_collab.services import api_resources as resources
from kotaku_collab.services import stats_cache
from kotaku_collab.services.api_resources import ApiFilters
from kotaku_collab.services.api_tokens import authenticate_token

log = logging.getLogger(__name__)

bp = Blueprint("api", __name__)
# Read-only and authenticated by a header a browser never sends on its own: no CSRF token.
csrf.exempt(bp)

#: Larger ids cannot exist (and overflow SQLite's integers): 404 without asking.
MAX_ID = 2**31 - 1
#: Endpoints anyone may read without a token.
PUBLIC_ENDPOINTS = {"api.openapi"}


@bp.before_request
def authenticate():
    """Every endpoint but the OpenAPI document needs `Authorization: Bearer <token>`; the
    session cookie is ignored (a cookie alone gets a 401)."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    scheme, _sep, raw = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not raw.strip():
        raise ApiError(401, _("A valid API token is required: send it as "
                              "\"Authorization: Bearer <token>\"."))
    user = authenticate_token(db.session, raw.strip())
    if user is None:
        raise ApiError(401, _("The API token is unknown, revoked or expired."))
    g.api_user = user
    audit.set_actor(user.id)
    return None


@bp.after_request
def finish(response):
    # Commits the token's last-used time; that bookkeeping never fails a read.
    """Commit, and keep answers out of shared caches."""
    try:
        db.session.commit()
    except OperationalError:
        db.session.rollback()
        log.warning("could not record an API token's last use")
    response.headers["Cache-Control"] = "no-store"
    response.vary.add("Authorization")
    return response


bp.register_error_handler(HTTPException, json_error)
bp.register_error_handler(OperationalError, json_error)
bp.register_error_handler(Exception, json_error)


def _user():
    return g.api_user


def _require(action: str, obj=None) -> None:
    if not can(_user(), action, obj):
        raise ApiError(403, _("You may not read this."))


def _not_found():
    return ApiError(404, _("Not found."))


def _link(page: int) -> str:
    args = {**request.args.to_dict(), "page": page, **(request.view_args or {})}
    return url_for(request.endpoint, _external=True, **args)


def _list_response(result: resources.ResultPage, serialise, **extra):
    page = result.request
    return jsonify({
        **extra,
        "data": [serialise(item) for item in result.items],
        "meta": {"page": page.page, "per_page": page.per_page, "total": result.total},
        "links": {"self": _link(page.page),
                  "next": _link(page.page + 1) if result.has_next else None,
                  "prev": _link(page.page - 1) if page.page > 1 else None},
    })


def _commitments_body(session, user, filters: ApiFilters, page, url: str) -> bytes:
    """The JSON body of a page of commitments at `url` (the page's links are built from it)."""
    result = resources.list_commitments(session, user, filters, page)
    return _list_response(result, resources.commitment_json).get_data()


def _workshop(workshop_id: int, action: str = "workshop.view"):
    if workshop_id > MAX_ID:
        raise _not_found()
    workshop = resources.load_workshop(db.session, workshop_id)
    if workshop is None or not can(_user(), action, workshop):
        raise _not_found()
    return workshop


# --- The document ------------------------------------------------------------------------------


@bp.route("/openapi.json")
def openapi():
    """The OpenAPI 3.1 document (public)."""
    return jsonify(openapi_document())


# --- Workshops ---------------------------------------------------------------------------------


@bp.route("/workshops")
def workshops():
    """Workshops in the user's scope."""
    _require("workshop.list")
    page = page_request(request.args)
    filters = api_filters(db.session, _user(), request.args, status_enum=WorkshopStatus,
                          status_field="workshop_status")
    result = resources.list_workshops(db.session, _user(), filters, page)
    return _list_response(result, resources.workshop_json)


@bp.route("/workshops/<int:workshop_id>")
def workshop(workshop_id: int):
    """One workshop."""
    return jsonify(resources.workshop_detail_json(_workshop(workshop_id)))


@bp.route("/workshops/<int:workshop_id>/agenda")
def agenda(workshop_id: int):
    """A workshop's agenda."""
    w = _workshop(workshop_id)
    result = resources.paginate(db.session, resources.agenda_query(w), page_request(request.args))
    return _list_response(result, resources.agenda_item_json)


@bp.route("/workshops/<int:workshop_id>/registrations")
def registrations(workshop_id: int):
    """A workshop's registrations and their counts; personal fields only with
    participant.view_personal."""
    w = _workshop(workshop_id)
    page = page_request(request.args)
    filters = ApiFilters(registration_status=enum_arg(request.args, "status", RegistrationStatus))
    personal = can(_user(), "participant.view_personal", w)
    result = resources.paginate(db.session, resources.registration_query(w, filters, personal),
                                page)
    return _list_response(result, lambda r: resources.registration_json(r, personal),
                          workshop_id=w.id, personal_data=personal,
                          aggregates=resources.registration_aggregates(db.session, w))


@bp.route("/workshops/<int:workshop_id>/issues")
def issues(workshop_id: int):
    """A workshop's strategic issues."""
    w = _workshop(workshop_id, "outcome.view")
    result = resources.paginate(db.session, resources.issue_query(w), page_request(request.args))
    return _list_response(result, resources.issue_json)


@bp.route("/workshops/<int:workshop_id>/mechanisms")
def mechanisms(workshop_id: int):
    """A workshop's coordination mechanisms."""
    w = _workshop(workshop_id, "outcome.view")
    result = resources.paginate(db.session, resources.mechanism_query(w),
                                page_request(request.args))
    return _list_response(result, resources.mechanism_json)


@bp.route("/workshops/<int:workshop_id>/agreement-points")
def agreement_points(workshop_id: int):
    """A workshop's agreement points."""
    w = _workshop(workshop_id, "outcome.view")
    result = resources.paginate(db.session, resources.agreement_query(w),
                                page_request(request.args))
    return _list_response(result, resources.agreement_json)


# --- Commitments -------------------------------------------------------------------------------


@bp.route("/commitments")
def commitments():
    """Commitments the user may see, with their updates."""
    _require("commitment.list")
    page = page_request(request.args)
    filters = api_filters(db.session, _user(), request.args, status_enum=CommitmentStatus,
                          status_field="commitment_status")
    filters.workshop_id = int_arg(request.args, "workshop", minimum=1)
    # A national page is 50 commitments out of 200,000 to count, load and serialise: its JSON
    # text is kept until a table it shows changes (exact; one small SELECT when none did).
    body = stats_cache.cached(db.session, _commitments_body, _user(), filters, page,
                              request.url, tables=resources.COMMITMENT_TABLES)
    return current_app.response_class(body, mimetype=current_app.json.mimetype)


@bp.route("/commitments/<int:commitment_id>")
def commitment(commitment_id: int):
    """One commitment with its updates."""
    c = resources.load_commitment(db.session, commitment_id) if commitment_id <= MAX_ID else None
    if c is None or not can(_user(), "commitment.view", c.row):
        raise _not_found()
    return jsonify(resources.commitment_json(c))


# --- Region indicators -------------------------------------------------------------------------


@bp.route("/regions/<code>/indicators")
def indicators(code: str):
    """A region's 100-0-100 figures."""
    region = db.session.get(Region, code) if REGION_CODE.match(code) else None
    if region is None or not in_scope(_user(), region.code):
        raise _not_found()
    _require("indicator.view", region)
    page = page_request(request.args)
    filters = ApiFilters(indicator_kind=enum_arg(request.args, "kind", IndicatorKind),
                         year=int_arg(request.args, "year", minimum=1900, maximum=2200))
    result = resources.paginate(db.session, resources.indicator_query(_user(), region, filters),
                                page)
    return _list_response(result, resources.indicator_json, region=resources.region_ref(region))


# --- Summary -----------------------------------------------------------------------------------


@bp.route("/summary")
def summary():
    """Counts over the workshops and commitments in view."""
    _require("workshop.list")
    filters = api_filters(db.session, _user(), request.args, by_organisation=False)
    return jsonify(resources.summary(db.session, _user(), filters))

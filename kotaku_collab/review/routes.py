"""Reviewer pages under /review: the dashboard, its PDF, the gap analysis and the comparison of
two rounds. Every page reads the shared filters (services.review_filters) and the user's region
scope; the figures come from services.review."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, render_template, request, url_for
from flask_login import current_user
from werkzeug.datastructures import MultiDict
from werkzeug.routing import BuildError

from kotaku_collab.extensions import db
from kotaku_collab.i18n import _, format_short_date
from kotaku_collab.models import Workshop
from kotaku_collab.permissions import authorize, can, load_or_404, scope_codes
from kotaku_collab.services import DomainError, stats_cache
from kotaku_collab.services.commitments import local_today
from kotaku_collab.services.fragments import render_cached
from kotaku_collab.services.review import (LIST_LIMIT, ORG_LIMIT, ORG_MIN_COUNTED,
                                           comparison_choices, compare_rounds, dashboard_data,
                                           dashboard_view, gap_data, region_choices)
from kotaku_collab.services.review_filters import ReviewFilters, parse_review_filters
from kotaku_collab.services.review_pdf import dashboard_pdf as render_dashboard_pdf

from .forms import CompareForm, ReviewFilterForm

bp = Blueprint("review", __name__)

#: Workshop ids are database integers; longer input is not an id (and must not reach the driver).
MAX_ID_DIGITS = 12
#: The filter form's fields: the raw values it shows back are part of the dashboard's cache key.
FILTER_FIELDS = ("province", "kabkota", "start", "end", "kind")


def _today():
    return local_today(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def optional_url(endpoint: str, **values) -> str | None:
    """The URL of another helper's endpoint, or None while it does not exist (or takes other
    arguments), so this page never breaks on it."""
    if endpoint not in current_app.view_functions:
        return None
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


def _filtered():
    """The filters from the query string, the filter form and the names of the regions."""
    filters = parse_review_filters(db.session, current_user, request.args)
    return (filters, *_filter_form(request.args))


def _filter_form(args):
    """The filter form showing `args` back, and the names of the regions it offers."""
    regions = region_choices(db.session, current_user)
    form = ReviewFilterForm(args)
    form.set_choices(regions)
    return form, dict(regions.provinces + regions.kabkota)


def filter_summary(filters: ReviewFilters, names: dict[str, str]) -> list[str]:
    """The chosen filters in words (for the PDF and the page heading)."""
    lines = []
    if filters.province:
        lines.append(_("Province: %(name)s", name=names.get(filters.province, filters.province)))
    if filters.kabkota:
        lines.append(_("Regency/city: %(name)s", name=names.get(filters.kabkota, filters.kabkota)))
    if filters.start or filters.end:
        lines.append(_("Period: %(start)s to %(end)s",
                       start=format_short_date(filters.start) if filters.start else "…",
                       end=format_short_date(filters.end) if filters.end else "…"))
    if filters.kind:
        lines.append(_("Workshop kind: %(kind)s", kind=filters.kind.label))
    return lines


@bp.route("/")
@authorize("review.dashboard")
def dashboard():
    # Everything below the navigation bar is one fragment, reused until a dashboard table
    # (regions included) changes. Its key is all it shows beyond those tables: the viewer's
    # region scope (the only way the figures depend on the viewer), whether they may export,
    # the filter form's raw values and the day. The filters are parsed, the region choices and
    # figures loaded only when it is rendered.
    shown = MultiDict([(name, request.args[name]) for name in FILTER_FIELDS
                       if name in request.args])
    may_export = can(current_user, "review.export")
    today = _today()
    body = render_cached(
        db.session, "fragments/review/dashboard.html", tables=stats_cache.DASHBOARD_TABLES,
        key=(scope_codes(current_user), may_export, shown.to_dict(), today),
        context=lambda: _dashboard_context(shown, may_export, today))
    return render_template("review/dashboard.html", body=body)


def _dashboard_context(shown: MultiDict, may_export: bool, today) -> dict:
    """What the dashboard fragment shows: the filters as parsed from `shown` (the query
    string's filter fields), the filter form, the figures with their charts and the links."""
    filters = parse_review_filters(db.session, current_user, shown)
    form, names = _filter_form(shown)
    data, charts = dashboard_view(db.session, current_user, filters, today)
    args = filters.as_args()
    return dict(
        data=data, charts=charts, form=form, filters=filters, args=args, may_export=may_export,
        summary=filter_summary(filters, names), list_limit=LIST_LIMIT, org_limit=ORG_LIMIT,
        org_min_counted=ORG_MIN_COUNTED,
        indicators_url=(optional_url("indicators.region", region_code=filters.kabkota)
                        if filters.kabkota else None),
        export_xlsx_url=optional_url("review.export_xlsx", **args))


@bp.route("/dashboard.pdf")
@authorize("review.export")
def dashboard_pdf():
    filters, _form, names = _filtered()
    data = stats_cache.cached(db.session, dashboard_data, current_user, filters, _today())
    pdf = render_dashboard_pdf(data, filter_summary(filters, names) + filters.errors)
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="dasbor-tinjauan-{data.today.isoformat()}.pdf"',
        "Cache-Control": "no-store"})


@bp.route("/gaps")
@authorize("review.dashboard")
def gaps():
    filters, form, names = _filtered()
    data = gap_data(db.session, current_user, filters, _today())
    region_urls = {code: optional_url("indicators.region", region_code=code)
                   for code in {g.kabkota_code for g in data.kelurahan_without_commitment}}
    return render_template("review/gaps.html", gaps=data, form=form, filters=filters,
                           list_limit=LIST_LIMIT,
                           args=filters.as_args(), summary=filter_summary(filters, names),
                           region_urls=region_urls)


def _workshop_id(raw: str) -> int | None:
    raw = (raw or "").strip()
    return int(raw) if raw.isdigit() and len(raw) <= MAX_ID_DIGITS else None


@bp.route("/compare")
@authorize("review.dashboard")
def compare():
    form = CompareForm(request.args)
    form.set_choices(comparison_choices(db.session, current_user))
    raw_a, raw_b = request.args.get("a", ""), request.args.get("b", "")
    comparison, error, status = None, None, 200
    if raw_a or raw_b:
        first_id, second_id = _workshop_id(raw_a), _workshop_id(raw_b)
        if first_id is not None and not raw_b.strip():
            # One workshop alone is compared with the earlier round it follows up on.
            first = load_or_404(Workshop, first_id, "outcome.view")
            second_id = first.previous_id
            form.b.data = str(second_id) if second_id else ""
        if first_id is None or second_id is None:
            error, status = _("Choose two workshops to compare."), 400
        else:
            first = load_or_404(Workshop, first_id, "outcome.view")
            second = load_or_404(Workshop, second_id, "outcome.view")
            try:
                comparison = compare_rounds(db.session, first, second, _today())
            except DomainError as exc:
                error, status = exc.message, 400
    return render_template("review/compare.html", form=form, comparison=comparison,
                           error=error), status

"""Indicator pages under /review/indicators: the index of kab/kota with their latest 100-0-100
figures, a page per kab/kota with its trend, entering, editing and deleting one figure (Bappeda
reviewers of the region and administrators), and the CSV import."""

from __future__ import annotations

from flask import (Blueprint, Response, abort, current_app, flash, redirect, render_template,
                   request, url_for)
from flask_babel import ngettext
from flask_login import current_user, login_required

from kotaku_collab.extensions import db
from kotaku_collab.i18n import _
from kotaku_collab.models import IndicatorKind, Region, RegionIndicator
from kotaku_collab.permissions import can, require
from kotaku_collab.services import DomainError
from kotaku_collab.services.commitments import local_today
from kotaku_collab.services.indicators import (IndicatorInput, NotAllowed, delete_indicator,
                                               import_indicators, import_template,
                                               kabkota_or_none, latest_figures,
                                               max_year, record_indicator, region_trend)

from .charts import access_chart, format_indicator, slum_chart
from .forms import DeleteForm, ImportForm, IndicatorForm

bp = Blueprint("indicators", __name__)


def _today():
    return local_today(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def _kabkota_or_404(region_code: str, action: str, view_action: str | None = None) -> Region:
    """The kab/kota if the user may `action` it; 403 for a role that never reads figures
    (stakeholders) or for one who may only see them; 404 outside the user's regions."""
    require("indicator.view")
    region = kabkota_or_none(db.session, region_code)
    if region is None:
        abort(404)
    if can(current_user, action, region):
        return region
    if view_action and can(current_user, view_action, region):
        abort(403)
    abort(404)


def _figure_or_404(indicator_id: int) -> tuple[RegionIndicator, Region]:
    indicator = db.session.get(RegionIndicator, indicator_id)
    if indicator is None:
        abort(404)
    region = _kabkota_or_404(indicator.region_code, "indicator.manage",
                             view_action="indicator.view")
    return indicator, region


@bp.app_template_global("indicator_value")
def _indicator_value(kind, value):
    return format_indicator(kind, value)


@bp.route("/")
@login_required
def index():
    require("indicator.view")
    rows = latest_figures(db.session, current_user)
    return render_template("indicators/index.html", rows=rows, kinds=IndicatorKind)


@bp.route("/<region_code>")
@login_required
def region(region_code: str):
    region = _kabkota_or_404(region_code, "indicator.view")
    trend = region_trend(db.session, region.code)
    return render_template("indicators/region.html", region=region, trend=trend,
                           slum=slum_chart(trend), access=access_chart(trend),
                           may_manage=can(current_user, "indicator.manage", region))


def _input(form: IndicatorForm, region: Region) -> IndicatorInput:
    return IndicatorInput(region_code=region.code, year=form.year.data,
                          kind=IndicatorKind(form.kind.data), value=form.value.data,
                          source=form.source.data, note=form.note.data)


def _save(form: IndicatorForm, region: Region, indicator: RegionIndicator | None):
    """Validate and call the service; the redirect, or None to re-render the form."""
    if not form.validate_on_submit():
        return None
    try:
        saved = record_indicator(db.session, current_user, _input(form, region),
                                 today=_today(), indicator=indicator)
    except NotAllowed:
        db.session.rollback()
        abort(403)
    except DomainError as error:
        db.session.rollback()
        form.add_domain_error(error)
        return None
    db.session.commit()
    flash(_("The figure for %(year)d has been saved.", year=saved.year), "success")
    return redirect(url_for("indicators.region", region_code=region.code))


def _render_form(form: IndicatorForm, region: Region, indicator: RegionIndicator | None):
    return render_template("indicators/form.html", form=form, region=region,
                           indicator=indicator, max_year=max_year(_today()))


@bp.route("/<region_code>/new", methods=["GET", "POST"])
@login_required
def create(region_code: str):
    region = _kabkota_or_404(region_code, "indicator.manage", view_action="indicator.view")
    form = IndicatorForm()
    if request.method == "GET":
        kind = request.args.get("kind")
        if kind in {k.value for k in IndicatorKind}:
            form.kind.data = kind
        form.year.data = _today().year
    response = _save(form, region, None)
    return response or _render_form(form, region, None)


@bp.route("/figures/<int:indicator_id>/edit", methods=["GET", "POST"])
@login_required
def edit(indicator_id: int):
    indicator, region = _figure_or_404(indicator_id)
    form = IndicatorForm()
    if request.method == "GET":
        form.year.data = indicator.year
        form.kind.data = indicator.kind.value
        form.value.data = indicator.value
        form.source.data = indicator.source
        form.note.data = indicator.note
    response = _save(form, region, indicator)
    return response or _render_form(form, region, indicator)


@bp.route("/figures/<int:indicator_id>/delete", methods=["GET", "POST"])
@login_required
def delete(indicator_id: int):
    indicator, region = _figure_or_404(indicator_id)
    form = DeleteForm()
    if form.validate_on_submit():
        try:
            delete_indicator(db.session, current_user, indicator)
        except NotAllowed:
            db.session.rollback()
            abort(403)
        except DomainError as error:
            db.session.rollback()
            form.add_domain_error(error)
        else:
            db.session.commit()
            flash(_("The figure has been deleted."), "success")
            return redirect(url_for("indicators.region", region_code=region.code))
    return render_template("indicators/delete.html", form=form, region=region,
                           indicator=indicator)


@bp.route("/import", methods=["GET", "POST"])
@login_required
def import_csv():
    require("indicator.manage")
    form = ImportForm()
    report = None
    if form.validate_on_submit():
        report = import_indicators(db.session, current_user, form.file.data.stream,
                                   today=_today())
        if report.ok:
            db.session.commit()
            flash(ngettext("%(num)d figure read: %(created)d new, %(updated)d updated, "
                           "%(unchanged)d unchanged.",
                           "%(num)d figures read: %(created)d new, %(updated)d updated, "
                           "%(unchanged)d unchanged.",
                           report.created + report.updated + report.unchanged,
                           created=report.created, updated=report.updated,
                           unchanged=report.unchanged), "success")
            return redirect(url_for("indicators.index"))
        db.session.rollback()
    return render_template("indicators/import.html", form=form, report=report,
                           kinds=IndicatorKind, max_year=max_year(_today()))


@bp.route("/template.csv")
@login_required
def template_csv():
    require("indicator.manage")
    return Response(import_template(), mimetype="text/csv", headers={
        "Content-Disposition": "attachment; filename=indikator-100-0-100.csv"})

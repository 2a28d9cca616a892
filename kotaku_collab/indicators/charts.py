"""The region page's two trend charts, each with the table of its numbers and sources."""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_percent

from kotaku_collab.i18n import _, format_hectares, locale_name
from kotaku_collab.models import IndicatorKind
from kotaku_collab.services.charts import Chart, line_chart
from kotaku_collab.services.indicators import PERCENT_KINDS, Figure, RegionTrend

K = IndicatorKind


def format_indicator(kind: IndicatorKind, value: Decimal | None) -> str:
    """80,87 ha for hectares, 72,5% for percentages (Babel, in the page's locale)."""
    if value is None:
        return "–"
    if kind in PERCENT_KINDS:
        return format_percent(value / 100, format="#,##0.##%", locale=locale_name())
    return format_hectares(value)


def _cell(figure: Figure | None) -> str:
    return format_indicator(figure.kind, figure.value) if figure else "–"


def _sources(*figures: Figure | None) -> str:
    seen: list[str] = []
    for figure in figures:
        if figure is not None and figure.source not in seen:
            seen.append(figure.source)
    return "; ".join(seen) or "–"


def _float(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def slum_chart(trend: RegionTrend) -> Chart:
    """Baseline in force, cumulative reduction and remaining slum area by year."""
    years = trend.slum_years()
    rows = []
    for y in years:
        if y.baseline is None and y.reduced is None and y.remaining is None:
            continue  # a year without figures: a gap in the chart, no line in the table
        if y.remaining is not None:
            remaining = _cell(y.remaining)
        elif y.remaining_computed is not None:
            remaining = _("%(value)s (baseline minus reduced)",
                          value=format_hectares(y.remaining_computed))
        else:
            remaining = "–"
        rows.append([str(y.year), _cell(y.baseline_in_force), _cell(y.reduced), remaining,
                     _sources(y.baseline, y.reduced, y.remaining)])
    return line_chart(
        _("Slum area (ha) by year"), [str(y.year) for y in years],
        {_("Baseline in force"): [_float(y.baseline_in_force.value if y.baseline_in_force
                                         else None) for y in years],
         _("Reduced, cumulative"): [_float(y.reduced.value if y.reduced else None)
                                    for y in years],
         _("Remaining"): [_float(y.remaining_value) for y in years]},
        headers=[_("Year"), _("Baseline in force"), _("Reduced, cumulative"), _("Remaining"),
                 _("Source")],
        rows=rows, value_formatter=lambda v: format_hectares(v) if v is not None else "–",
        no_data_text=_("No slum figures yet"))


def access_chart(trend: RegionTrend) -> Chart:
    """Households with adequate drinking water and sanitation (%) by year."""
    years = trend.access_years()
    water = [trend.figure(K.WATER_ACCESS_PCT, y) for y in years]
    sanitation = [trend.figure(K.SANITATION_ACCESS_PCT, y) for y in years]
    rows = [[str(y), _cell(w), _cell(s), _sources(w, s)]
            for y, w, s in zip(years, water, sanitation) if w or s]
    return line_chart(
        _("Households with adequate water and sanitation (%) by year"), [str(y) for y in years],
        {_("Drinking water"): [_float(f.value if f else None) for f in water],
         _("Sanitation"): [_float(f.value if f else None) for f in sanitation]},
        headers=[_("Year"), _("Drinking water"), _("Sanitation"), _("Source")], rows=rows,
        value_formatter=lambda v: format_indicator(K.WATER_ACCESS_PCT, Decimal(str(v)))
        if v is not None else "–",
        no_data_text=_("No water or sanitation figures yet"))

"""100-0-100 figures per kab/kota: recording one figure, deleting it, the CSV import, a region's
trend and the latest figures of many regions in a constant number of queries.

What the kinds mean (one figure per kab/kota, year and kind):

* slum_baseline_ha: the slum area fixed by the SK decree of that year (a new SK gives a new
  baseline);
* slum_reduced_ha: the slum area handled *cumulatively* since the baseline in force, by the end
  of that year (Kota Pasuruan: 47,02 ha by 2018 of the 80,87 ha of 2015);
* slum_remaining_ha: the slum area left that year (27,99 ha in February 2020);
* water_access_pct, sanitation_access_pct: % of households with adequate (layak) drinking water
  and sanitation (the BPS Susenas definition), 0–100.

Rules, checked in one place (`_clean` and `_slum_conflicts`):

* the year lies between 2000 and next year; the source is required;
* percentages lie between 0 and 100, hectares are not negative; at most two decimals;
* a cumulative reduction may not exceed the baseline in force that year (the latest baseline of
  the same or an earlier year). This is a refusal, not a warning: a reduction larger than the
  decreed area is a typing or unit error (annual instead of cumulative, m² instead of ha), and
  Bappeda reads these figures as the official trend. A reduction without any earlier baseline is
  accepted (figures may arrive in any order) and is checked when the baseline is entered.

Values are typed the Indonesian way (80,87 and 1.234,5); see `parse_decimal`.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from typing import IO, Iterable

from sqlalchemy import and_, func, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, joinedload, selectinload

from kotaku_collab.i18n import _, format_hectares
from kotaku_collab.models import IndicatorKind, Region, RegionIndicator, RegionLevel, SlumArea, User
from kotaku_collab.models.indicator import SlumAreaLocation
from kotaku_collab.permissions import can, scope_clause
from kotaku_collab.services import DomainError
from kotaku_collab.services.import_report import ImportReport

K = IndicatorKind
PERCENT_KINDS = (K.WATER_ACCESS_PCT, K.SANITATION_ACCESS_PCT)
HECTARE_KINDS = (K.SLUM_BASELINE_HA, K.SLUM_REDUCED_HA, K.SLUM_REMAINING_HA)
KABKOTA_LEVELS = (RegionLevel.KABUPATEN, RegionLevel.KOTA)

MIN_YEAR = 2000
#: The largest value Numeric(12, 2) holds.
MAX_VALUE = Decimal("9999999999.99")
MAX_SOURCE_LENGTH = 300
MAX_NOTE_LENGTH = 2000
CENT = Decimal("0.01")


class NotAllowed(DomainError):
    """The acting user may not do this (routes answer 403 or 404)."""


def max_year(today: date) -> int:
    """Figures may be entered up to next year (targets and planned SK revisions)."""
    return today.year + 1


# --- Numbers as people type them ------------------------------------------------------------

_GROUPED = r"\d{1,3}(?:\.\d{3})+"
_ID_DECIMAL = re.compile(rf"^(\d+|{_GROUPED}),(\d+)$")
_ID_GROUPED = re.compile(rf"^{_GROUPED}$")
_POINT_DECIMAL = re.compile(r"^\d+\.\d{1,2}$")
_PLAIN = re.compile(r"^\d+$")
_UNIT = re.compile(r"(%|ha)$", re.IGNORECASE)


def parse_decimal(value, field_name: str = "value") -> Decimal | None:
    """A non-negative number from what people type, Indonesian first: 80,87 · 1.234,5 · 1.234
    (one thousand two hundred thirty-four) · 1234 · 80.87 (a point followed by one or two
    digits is a decimal point, as spreadsheets in English write it). A trailing % or ha is
    ignored. Empty gives None; more than two decimals, negative or non-numeric raise DomainError.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise DomainError(_("Enter a number, for example 80,87."), field=field_name)
    if isinstance(value, (int, Decimal)):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(str(value))
    else:
        text = re.sub(r"\s+", "", str(value))
        text = _UNIT.sub("", text)
        if not text:
            return None
        if text.startswith(("-", "\u2212")):
            raise DomainError(_("The value cannot be negative."), field=field_name)
        match = _ID_DECIMAL.match(text)
        if match:
            text = match.group(1).replace(".", "") + "." + match.group(2)
        elif _ID_GROUPED.match(text):
            text = text.replace(".", "")
        elif not (_POINT_DECIMAL.match(text) or _PLAIN.match(text)):
            raise DomainError(_("Enter a number the Indonesian way, for example 80,87 or "
                                "1.234,5."), field=field_name)
        try:
            number = Decimal(text)
        except InvalidOperation:  # pragma: no cover - the patterns above admit digits only
            raise DomainError(_("Enter a number, for example 80,87."), field=field_name) from None
    if not number.is_finite():
        raise DomainError(_("Enter a number, for example 80,87."), field=field_name)
    if number < 0:
        raise DomainError(_("The value cannot be negative."), field=field_name)
    if number > MAX_VALUE:
        raise DomainError(_("The value is too large."), field=field_name)
    if number != number.quantize(CENT, rounding=ROUND_DOWN):
        raise DomainError(_("Use at most two decimals, for example 80,87."), field=field_name)
    return number.quantize(CENT)


# --- Checking one figure --------------------------------------------------------------------


@dataclass
class IndicatorInput:
    """One figure as entered: `value` may still be text ("80,87")."""

    region_code: str
    year: int | None
    kind: IndicatorKind | None
    value: Decimal | str | None
    source: str | None
    note: str | None = None


@dataclass(frozen=True)
class _Clean:
    year: int
    kind: IndicatorKind
    value: Decimal
    source: str
    note: str | None


def _text(value) -> str:
    return " ".join(str(value or "").split())


def _check_year(year, today: date, field_name: str = "year") -> int:
    if year is None or year == "":
        raise DomainError(_("Enter the year of the figure."), field=field_name)
    if isinstance(year, str):
        if not re.fullmatch(r"\d{4}", year.strip()):
            raise DomainError(_("Enter the year as four digits, for example 2019."),
                              field=field_name)
        year = int(year)
    if not MIN_YEAR <= year <= max_year(today):
        raise DomainError(_("The year must lie between %(first)d and %(last)d.",
                            first=MIN_YEAR, last=max_year(today)), field=field_name)
    return year


def _check_value(kind: IndicatorKind, value, field_name: str = "value") -> Decimal:
    number = parse_decimal(value, field_name)
    if number is None:
        raise DomainError(_("Enter the value."), field=field_name)
    if kind in PERCENT_KINDS and number > 100:
        raise DomainError(_("A percentage lies between 0 and 100."), field=field_name)
    return number


def _check_source(source, field_name: str = "source") -> str:
    text = _text(source)
    if not text:
        raise DomainError(_("Enter the source of the figure (document, agency or survey, "
                            "for example BPS Susenas 2019)."), field=field_name)
    if len(text) > MAX_SOURCE_LENGTH:
        raise DomainError(_("At most %(max)d characters.", max=MAX_SOURCE_LENGTH),
                          field=field_name)
    return text


def _check_note(note, field_name: str = "note") -> str | None:
    text = (note or "").strip()
    if len(text) > MAX_NOTE_LENGTH:
        raise DomainError(_("At most %(max)d characters.", max=MAX_NOTE_LENGTH),
                          field=field_name)
    return text or None


def _clean(data: IndicatorInput, today: date) -> _Clean:
    if data.kind is None:
        raise DomainError(_("Choose the indicator."), field="kind")
    kind = IndicatorKind(data.kind)
    return _Clean(year=_check_year(data.year, today), kind=kind,
                  value=_check_value(kind, data.value), source=_check_source(data.source),
                  note=_check_note(data.note))


# --- The slum rule --------------------------------------------------------------------------

#: (year, kind) → value, for one region.
SlumValues = dict[tuple[int, IndicatorKind], Decimal]


@dataclass(frozen=True)
class SlumConflict:
    """A cumulative reduction larger than the baseline in force that year."""

    year: int
    reduced: Decimal
    baseline_year: int
    baseline: Decimal

    def message(self) -> str:
        return _("The slum area reduced by %(year)d (%(reduced)s) would exceed the baseline in "
                 "force that year (%(baseline)s, %(baseline_year)d). Reductions are cumulative "
                 "since the baseline.", year=self.year, reduced=format_hectares(self.reduced),
                 baseline=format_hectares(self.baseline), baseline_year=self.baseline_year)


def _baseline_in_force(values: SlumValues, year: int) -> tuple[int, Decimal] | None:
    years = [y for (y, k) in values if k is K.SLUM_BASELINE_HA and y <= year]
    if not years:
        return None
    latest = max(years)
    return latest, values[(latest, K.SLUM_BASELINE_HA)]


def _slum_conflicts(values: SlumValues) -> set[SlumConflict]:
    conflicts = set()
    for (year, kind), value in values.items():
        if kind is not K.SLUM_REDUCED_HA:
            continue
        base = _baseline_in_force(values, year)
        if base is not None and value > base[1]:
            conflicts.add(SlumConflict(year, value, base[0], base[1]))
    return conflicts


def _slum_values(session: Session, region_code: str) -> SlumValues:
    rows = session.execute(select(RegionIndicator.year, RegionIndicator.kind,
                                  RegionIndicator.value).where(
        RegionIndicator.region_code == region_code,
        RegionIndicator.kind.in_([K.SLUM_BASELINE_HA, K.SLUM_REDUCED_HA])))
    return {(year, kind): value for year, kind, value in rows}


def _check_slum_change(session: Session, region_code: str, *,
                       remove: tuple[int, IndicatorKind] | None = None,
                       add: tuple[int, IndicatorKind, Decimal] | None = None) -> None:
    """Refuse a change that makes a reduction exceed its baseline (conflicts already in the
    data before the change do not block unrelated edits)."""
    slum = (K.SLUM_BASELINE_HA, K.SLUM_REDUCED_HA)
    if not ((remove and remove[1] in slum) or (add and add[1] in slum)):
        return
    before = _slum_values(session, region_code)
    after = dict(before)
    if remove:
        after.pop(remove, None)
    if add and add[1] in slum:
        after[(add[0], add[1])] = add[2]
    new = _slum_conflicts(after) - _slum_conflicts(before)
    if new:
        raise DomainError(min(new, key=lambda c: c.year).message(), field="value")


# --- Recording and deleting -----------------------------------------------------------------


def kabkota_or_none(session: Session, region_code: str | None) -> Region | None:
    """The kab/kota with this code, or None (unknown code, or a region of another level)."""
    region = session.get(Region, region_code) if region_code else None
    return region if region is not None and region.level in KABKOTA_LEVELS else None


def record_indicator(session: Session, user: User, data: IndicatorInput, *, today: date,
                     indicator: RegionIndicator | None = None) -> RegionIndicator:
    """Create a figure, or change `indicator` (its region stays). Flushes, never commits."""
    region_code = indicator.region_code if indicator is not None else data.region_code
    region = kabkota_or_none(session, region_code)
    if region is None:
        raise DomainError(_("Choose a regency or city."), field="region_code")
    if not can(user, "indicator.manage", region):
        raise NotAllowed(_("You may not change the figures of %(region)s.", region=region.name))
    clean = _clean(data, today)
    other = session.scalar(select(RegionIndicator).where(
        RegionIndicator.region_code == region.code, RegionIndicator.year == clean.year,
        RegionIndicator.kind == clean.kind))
    if other is not None and other is not indicator:
        raise DomainError(_("%(region)s already has this figure for %(year)d; edit that one "
                            "instead.", region=region.name, year=clean.year), field="year")
    _check_slum_change(session, region.code,
                       remove=(indicator.year, indicator.kind) if indicator is not None else None,
                       add=(clean.year, clean.kind, clean.value))
    if indicator is None:
        indicator = RegionIndicator(region_code=region.code)
        session.add(indicator)
    indicator.year, indicator.kind, indicator.value = clean.year, clean.kind, clean.value
    indicator.source, indicator.note = clean.source, clean.note
    # Whoever enters or corrects a figure vouches for it: it is no longer example data.
    indicator.is_example = False
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        # Someone else saved the same region, year and indicator a moment ago.
        raise DomainError(_("%(region)s already has this figure for %(year)d; edit that one "
                            "instead.", region=region.name, year=clean.year),
                          field="year") from None
    return indicator


def delete_indicator(session: Session, user: User, indicator: RegionIndicator) -> None:
    """Remove one figure (refused when a later reduction would then exceed an older baseline)."""
    region = session.get(Region, indicator.region_code)
    if not can(user, "indicator.manage", region):
        raise NotAllowed(_("You may not change the figures of %(region)s.", region=region.name))
    _check_slum_change(session, indicator.region_code, remove=(indicator.year, indicator.kind))
    session.delete(indicator)
    session.flush()


# --- Reading: one region's trend, many regions' latest figures ------------------------------


@dataclass(frozen=True)
class Figure:
    """One figure with where it came from (a plain copy: templates never touch the session)."""

    id: int
    region_code: str
    year: int
    kind: IndicatorKind
    value: Decimal
    source: str
    note: str | None
    is_example: bool

    @classmethod
    def of(cls, row: RegionIndicator) -> "Figure":
        return cls(id=row.id, region_code=row.region_code, year=row.year, kind=row.kind,
                   value=row.value, source=row.source, note=row.note, is_example=row.is_example)

    def as_dict(self) -> dict:
        """For JSON: the value as a string, so no float rounding creeps in."""
        return {"year": self.year, "value": str(self.value), "source": self.source,
                "note": self.note, "is_example": self.is_example}


@dataclass(frozen=True)
class LatestFigures:
    """The most recent figure of each kind for one kab/kota (None where there is none)."""

    baseline: Figure | None = None
    reduced: Figure | None = None
    remaining: Figure | None = None
    water: Figure | None = None
    sanitation: Figure | None = None

    @property
    def empty(self) -> bool:
        return not any((self.baseline, self.reduced, self.remaining, self.water,
                        self.sanitation))

    def as_dict(self) -> dict:
        return {kind.value: (figure.as_dict() if figure else None)
                for kind, figure in zip(IndicatorKind, (self.baseline, self.reduced,
                                                        self.remaining, self.water,
                                                        self.sanitation))}


_LATEST_FIELD = {K.SLUM_BASELINE_HA: "baseline", K.SLUM_REDUCED_HA: "reduced",
                 K.SLUM_REMAINING_HA: "remaining", K.WATER_ACCESS_PCT: "water",
                 K.SANITATION_ACCESS_PCT: "sanitation"}


def _latest_rows(session: Session, condition) -> dict[str, LatestFigures]:
    """One query: for each region and kind matching `condition`, the row of the latest year."""
    latest = (select(RegionIndicator.region_code, RegionIndicator.kind,
                     func.max(RegionIndicator.year).label("year"))
              .where(condition).group_by(RegionIndicator.region_code, RegionIndicator.kind)
              .subquery())
    rows = session.scalars(select(RegionIndicator).join(latest, and_(
        RegionIndicator.region_code == latest.c.region_code,
        RegionIndicator.kind == latest.c.kind, RegionIndicator.year == latest.c.year)))
    found: dict[str, dict[str, Figure]] = {}
    for row in rows:
        found.setdefault(row.region_code, {})[_LATEST_FIELD[row.kind]] = Figure.of(row)
    return {code: LatestFigures(**figures) for code, figures in found.items()}


def hundred_zero_hundred(session: Session, region_codes: Iterable[str]) -> dict[str,
                                                                                 LatestFigures]:
    """The latest 100-0-100 figures of each kab/kota code, in one query (none for no codes).
    Every code asked for is in the answer, with empty LatestFigures when it has no figures."""
    codes = sorted(set(region_codes))
    if not codes:
        return {}
    found = _latest_rows(session, RegionIndicator.region_code.in_(codes))
    return {code: found.get(code, LatestFigures()) for code in codes}


@dataclass(frozen=True)
class RegionFigures:
    """One line of the index: a kab/kota, its province's name and its latest figures."""

    code: str
    name: str
    province: str | None
    figures: LatestFigures


def latest_figures(session: Session, user: User) -> list[RegionFigures]:
    """Every kab/kota in the user's scope with its latest figures: two queries, whatever the
    number of regions (the regions with their province, then the figures)."""
    regions = session.scalars(
        select(Region).where(Region.level.in_(KABKOTA_LEVELS), scope_clause(user, Region.code))
        .options(joinedload(Region.parent)).order_by(Region.code)).all()
    found = _latest_rows(session, scope_clause(user, RegionIndicator.region_code)) \
        if regions else {}
    return [RegionFigures(code=r.code, name=r.name,
                          province=r.parent.name if r.parent is not None else None,
                          figures=found.get(r.code, LatestFigures())) for r in regions]


@dataclass(frozen=True)
class SlumYear:
    """The slum figures of one year, with the baseline in force and the remaining area
    (recorded, or else computed as baseline minus cumulative reduction)."""

    year: int
    baseline: Figure | None
    #: The baseline in force that year (this year's, or the latest earlier one).
    baseline_in_force: Figure | None
    reduced: Figure | None
    remaining: Figure | None
    remaining_computed: Decimal | None

    @property
    def remaining_value(self) -> Decimal | None:
        return self.remaining.value if self.remaining else self.remaining_computed


@dataclass
class RegionTrend:
    """A kab/kota's figures by kind (each list in year order) and its SK slum areas."""

    region_code: str
    series: dict[IndicatorKind, list[Figure]]
    slum_areas: list[SlumArea] = field(default_factory=list)

    def figure(self, kind: IndicatorKind, year: int) -> Figure | None:
        return next((f for f in self.series[kind] if f.year == year), None)

    def latest(self, kind: IndicatorKind) -> Figure | None:
        return self.series[kind][-1] if self.series[kind] else None

    @property
    def figures(self) -> list[Figure]:
        """Every figure, newest year first, then in the order of the kinds."""
        order = {kind: i for i, kind in enumerate(IndicatorKind)}
        return sorted((f for figures in self.series.values() for f in figures),
                      key=lambda f: (-f.year, order[f.kind]))

    @property
    def slum_area_total(self) -> Decimal:
        return sum((a.area_ha for a in self.slum_areas), Decimal("0.00"))

    def _years(self, kinds) -> list[int]:
        """Every year from the first to the last figure of these kinds (gaps included)."""
        years = [f.year for kind in kinds for f in self.series[kind]]
        return list(range(min(years), max(years) + 1)) if years else []

    def slum_years(self) -> list[SlumYear]:
        out = []
        for year in self._years(HECTARE_KINDS):
            baseline = self.figure(K.SLUM_BASELINE_HA, year)
            in_force = next((f for f in reversed(self.series[K.SLUM_BASELINE_HA])
                             if f.year <= year), None)
            reduced = self.figure(K.SLUM_REDUCED_HA, year)
            remaining = self.figure(K.SLUM_REMAINING_HA, year)
            computed = None
            if in_force is not None and reduced is not None:
                computed = max(in_force.value - reduced.value, Decimal("0.00"))
            out.append(SlumYear(year, baseline, in_force, reduced, remaining, computed))
        return out

    def access_years(self) -> list[int]:
        return self._years(PERCENT_KINDS)


def region_trend(session: Session, region_code: str) -> RegionTrend:
    """All figures of one kab/kota by kind and year, and its SK slum areas with their
    kelurahan/desa (four queries, whatever the number of figures or areas)."""
    rows = session.scalars(select(RegionIndicator)
                           .where(RegionIndicator.region_code == region_code)
                           .order_by(RegionIndicator.year)).all()
    series: dict[IndicatorKind, list[Figure]] = {kind: [] for kind in IndicatorKind}
    for row in rows:
        series[row.kind].append(Figure.of(row))
    areas = session.scalars(
        select(SlumArea).where(SlumArea.region_code == region_code)
        .options(selectinload(SlumArea.locations).joinedload(SlumAreaLocation.region))
        .order_by(SlumArea.sk_year, SlumArea.name)).all()
    return RegionTrend(region_code=region_code, series=series, slum_areas=list(areas))


# --- CSV import -----------------------------------------------------------------------------

MAX_IMPORT_BYTES = 2 * 1024 * 1024
MAX_IMPORT_ROWS = 5000
#: Column → accepted header names (Indonesian first, then English).
COLUMNS = {
    "region_code": ("kode_wilayah", "region_code"),
    "year": ("tahun", "year"),
    "kind": ("indikator", "indicator", "kind"),
    "value": ("nilai", "value"),
    "source": ("sumber", "source"),
    "note": ("catatan", "note"),
}
REQUIRED = ("region_code", "year", "kind", "value", "source")
TEMPLATE_HEADER = ("kode_wilayah", "tahun", "indikator", "nilai", "sumber", "catatan")
#: Short names accepted in the indikator column, besides the stored values.
KIND_ALIASES = {
    "kumuh_awal": K.SLUM_BASELINE_HA, "luas_kumuh_sk": K.SLUM_BASELINE_HA,
    "baseline": K.SLUM_BASELINE_HA,
    "kumuh_tertangani": K.SLUM_REDUCED_HA, "reduced": K.SLUM_REDUCED_HA,
    "kumuh_sisa": K.SLUM_REMAINING_HA, "remaining": K.SLUM_REMAINING_HA,
    "air_minum": K.WATER_ACCESS_PCT, "water": K.WATER_ACCESS_PCT,
    "sanitasi": K.SANITATION_ACCESS_PCT, "sanitation": K.SANITATION_ACCESS_PCT,
}


@dataclass
class _Row:
    line: int
    cells: dict[str, str]
    region: Region | None = None
    clean: _Clean | None = None


def kind_from_text(text: str) -> IndicatorKind | None:
    key = re.sub(r"[\s-]+", "_", (text or "").strip().lower())
    try:
        return IndicatorKind(key)
    except ValueError:
        return KIND_ALIASES.get(key)


def import_template() -> bytes:
    """The header line of the import file (UTF-8 with a BOM, so Excel reads it as UTF-8)."""
    return ("\ufeff" + ",".join(TEMPLATE_HEADER) + "\r\n").encode("utf-8")


def import_indicators(session: Session, user: User, source: bytes | str | IO, *,
                      today: date) -> ImportReport:
    """Create or update figures from a CSV, all or nothing.

    Every bad row is reported by line and column; if there is any, nothing is written. Rows
    whose region, year and indicator already exist update that figure. Flushes, never commits.
    """
    report = ImportReport()
    text = _read_text(source, report)
    if text is None:
        return report
    rows = _parse_rows(text, report)
    if rows is None:
        return report
    if not rows:
        report.add(None, _("The file has a header but no figures."))
        return report
    regions = _load_regions(session, {r.cells["region_code"] for r in rows})
    _check_rows(user, rows, regions, report, today)
    existing = _load_existing(session, {r.region.code for r in rows if r.region is not None})
    _check_slum_rows(rows, existing, report)
    if not report.ok:
        report.problems.sort(key=lambda p: (p.line or 0, TEMPLATE_HEADER.index(p.column)
                                            if p.column in TEMPLATE_HEADER else -1))
        return report
    try:
        with session.begin_nested():
            _apply_rows(session, rows, existing, report)
    except SQLAlchemyError as error:
        report.created = report.updated = report.unchanged = 0
        report.add(None, _("The import was rolled back: %(reason)s",
                               reason=error.__class__.__name__))
    return report


def _read_text(source: bytes | str | IO, report: ImportReport) -> str | None:
    data = source.read(MAX_IMPORT_BYTES + 1) if hasattr(source, "read") else source
    if data is None or len(data) == 0:
        report.add(None, _("The file is empty: expected the header line %(header)s and one "
                               "figure per line.", header=",".join(TEMPLATE_HEADER)))
        return None
    if len(data) > MAX_IMPORT_BYTES:
        report.add(None, _("The file is larger than %(mb)d MB; split it into several files.",
                               mb=MAX_IMPORT_BYTES // 2**20))
        return None
    if isinstance(data, bytes):
        if data.startswith(b"PK\x03\x04") or b"\x00" in data:
            report.add(None, _("This is not a CSV text file. If it is an Excel workbook, "
                                   "save it as \"CSV UTF-8 (Comma delimited)\" first."))
            return None
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            line = data[:error.start].count(b"\n") + 1
            report.add(line, _("The file is not UTF-8 text. Save it as \"CSV UTF-8\" and "
                                   "try again."))
            return None
    data = data.removeprefix("\ufeff")
    if "\x00" in data:
        report.add(None, _("This is not a CSV text file (it contains binary data)."))
        return None
    if not data.strip():
        report.add(None, _("The file is empty: expected the header line %(header)s and one "
                               "figure per line.", header=",".join(TEMPLATE_HEADER)))
        return None
    return data


def _header_names() -> dict[str, str]:
    return {name: column for column, names in COLUMNS.items() for name in names}


def _parse_rows(text: str, report: ImportReport) -> list[_Row] | None:
    """Check the header and the shape of every row; None when the file cannot be used."""
    first_line = text.split("\n", 1)[0]
    # Excel set to Indonesian (decimal comma) separates columns with semicolons.
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    names = _header_names()
    expected = ",".join(TEMPLATE_HEADER)
    try:
        header = next(reader)
        columns = [names.get(re.sub(r"\s+", "_", h.strip().lower())) for h in header]
        while columns and columns[-1] is None and not header[len(columns) - 1].strip():
            columns.pop()
        found = [c for c in columns if c]
        if (None in columns or len(set(found)) != len(found)
                or any(c not in found for c in REQUIRED)):
            report.add(1, _("The header must be '%(expected)s' (catatan may be left out; "
                                "the English names region_code,year,indicator,value,source,note "
                                "are accepted too); found '%(found)s'.", expected=expected,
                                found=",".join(header)[:200]))
            return None
        rows: list[_Row] = []
        line = reader.line_num + 1
        for record in reader:
            start, line = line, reader.line_num + 1
            if not any(cell.strip() for cell in record):
                continue
            if len(rows) >= MAX_IMPORT_ROWS:
                report.add(None, _("The file has more than %(max)d figures; split it into "
                                       "several files.", max=MAX_IMPORT_ROWS))
                return None
            cells = {column: (record[i].strip() if i < len(record) else "")
                     for i, column in enumerate(columns)}
            cells.setdefault("note", "")
            row = _Row(line=start, cells=cells)
            if len(record) > len(header):
                # Most often an unquoted decimal comma (72,5): refuse rather than shift columns.
                report.add(start, _("Expected %(expected)d columns, found %(found)d (put "
                                        "values that contain a comma in double quotes, e.g. "
                                        "\"80,87\").", expected=len(header),
                                        found=len(record)))
            rows.append(row)
    except csv.Error as error:
        report.add(reader.line_num or 1, _("This is not a readable CSV file: %(reason)s",
                                               reason=str(error)))
        return None
    except StopIteration:  # pragma: no cover - an empty text is refused before
        return None
    return rows


def _load_regions(session: Session, codes: set[str]) -> dict[str, Region]:
    codes = {c for c in codes if c}
    if not codes:
        return {}
    return {r.code: r for r in session.scalars(select(Region).where(Region.code.in_(codes)))}


def _load_existing(session: Session, codes: set[str]
                   ) -> dict[tuple[str, int, IndicatorKind], RegionIndicator]:
    if not codes:
        return {}
    rows = session.scalars(select(RegionIndicator).where(RegionIndicator.region_code.in_(codes)))
    return {(r.region_code, r.year, r.kind): r for r in rows}


def _column(column: str) -> str:
    """The column's name as the template writes it."""
    return COLUMNS[column][0]


def _check_rows(user: User, rows: list[_Row], regions: dict[str, Region],
                report: ImportReport, today: date) -> None:
    first_line: dict[tuple[str, int, IndicatorKind], int] = {}
    for row in rows:
        cells, line = row.cells, row.line
        problems_before = len(report.problems)

        def problem(column: str, message) -> None:
            report.add(line, message, column=_column(column))

        code = cells["region_code"]
        region = regions.get(code)
        if not code:
            problem("region_code", _("The region code is empty."))
        elif region is None or region.level not in KABKOTA_LEVELS:
            problem("region_code", _("Unknown regency/city code \"%(code)s\" (use the "
                                     "Kemendagri code, for example 35.75).", code=code[:20]))
        elif not can(user, "indicator.manage", region):
            problem("region_code", _("%(region)s (%(code)s) is outside your regions.",
                                     region=region.name, code=code))
        else:
            row.region = region
        year = kind = value = source = note = None
        try:
            year = _check_year(cells["year"], today)
        except DomainError as error:
            problem("year", error.message)
        kind = kind_from_text(cells["kind"])
        if kind is None:
            problem("kind", _("Unknown indicator \"%(value)s\". Use one of: %(choices)s.",
                              value=cells["kind"][:40],
                              choices=", ".join(k.value for k in IndicatorKind)))
        else:
            try:
                value = _check_value(kind, cells["value"])
            except DomainError as error:
                problem("value", error.message)
        try:
            source = _check_source(cells["source"])
        except DomainError as error:
            problem("source", error.message)
        try:
            note = _check_note(cells["note"])
        except DomainError as error:
            problem("note", error.message)
        if region is not None and year is not None and kind is not None:
            key = (region.code, year, kind)
            if key in first_line:
                problem("kind", _("Duplicate of line %(line)d (same region, year and "
                                  "indicator).", line=first_line[key]))
            else:
                first_line[key] = line
        if len(report.problems) == problems_before:
            row.clean = _Clean(year=year, kind=kind, value=value, source=source, note=note)
        else:
            row.region = None


def _check_slum_rows(rows: list[_Row], existing: dict, report: ImportReport) -> None:
    """The reduction-within-baseline rule on the state after the import, per region."""
    by_region: dict[str, SlumValues] = {}
    lines: dict[tuple[str, int, IndicatorKind], int] = {}
    slum = (K.SLUM_BASELINE_HA, K.SLUM_REDUCED_HA)
    for (code, year, kind), row in existing.items():
        if kind in slum:
            by_region.setdefault(code, {})[(year, kind)] = row.value
    before = {code: _slum_conflicts(values) for code, values in by_region.items()}
    for row in rows:
        if row.clean is None or row.clean.kind not in slum:
            continue
        by_region.setdefault(row.region.code, {})[(row.clean.year, row.clean.kind)] = \
            row.clean.value
        lines[(row.region.code, row.clean.year, row.clean.kind)] = row.line
    for code, values in by_region.items():
        for conflict in sorted(_slum_conflicts(values) - before.get(code, set()),
                               key=lambda c: c.year):
            line = lines.get((code, conflict.year, K.SLUM_REDUCED_HA)) \
                or lines.get((code, conflict.baseline_year, K.SLUM_BASELINE_HA))
            report.add(line, conflict.message(), column=_column("value"))


def _apply_rows(session: Session, rows: list[_Row], existing: dict,
                report: ImportReport) -> None:
    for row in rows:
        clean = row.clean
        indicator = existing.get((row.region.code, clean.year, clean.kind))
        if indicator is None:
            session.add(RegionIndicator(region_code=row.region.code, year=clean.year,
                                        kind=clean.kind, value=clean.value, source=clean.source,
                                        note=clean.note, is_example=False))
            report.created += 1
            continue
        if (indicator.value, indicator.source, indicator.note, indicator.is_example) == \
                (clean.value, clean.source, clean.note, False):
            report.unchanged += 1
            continue
        indicator.value, indicator.source, indicator.note = clean.value, clean.source, clean.note
        indicator.is_example = False
        report.updated += 1
    session.flush()

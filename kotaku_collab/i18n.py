"""Translation helpers, the locale selector and Babel-based formatting of dates, money and areas."""

from __future__ import annotations

from datetime import date, datetime, timezone
from functools import lru_cache
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel.dates import format_date as babel_format_date
from babel.dates import format_time as babel_format_time
from babel import Locale
from babel.numbers import format_decimal, parse_pattern
from flask import current_app, g, has_app_context, has_request_context, request, session
from flask_babel import get_domain, get_locale
from flask_babel.speaklater import LazyString
from flask_login import current_user

from kotaku_collab.models.region import ZONE_ABBREVIATIONS


def select_locale() -> str:
    """The user's saved choice, else the session's, else the browser's, else Indonesian."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI, services under test, documents: Indonesian
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    if session.get("locale") in languages:
        return session["locale"]
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


# --- Translation lookups ------------------------------------------------------------------------
# Flask-Babel's gettext finds the request's catalogue anew on every call (about 16 µs: several
# context-local lookups and a locale-to-string conversion), and a list page calls it thousands of
# times. These functions behave the same (same catalogue, same %-formatting, force_locale()
# respected) but remember the catalogue for the request's current Locale object.

def _babel_state():
    """Flask-Babel's per-request namespace (None outside an app context or before first use)."""
    try:
        return g.get("_flask_babel")
    except RuntimeError:  # no app context
        return None


def _catalogue():
    """The current locale's translations, remembered per request and Locale object."""
    state = _babel_state()
    locale = getattr(state, "babel_locale", None)
    memo = getattr(state, "kotaku_catalogue", None)
    if locale is not None and memo is not None and memo[0] is locale:
        return memo[1]
    translations = get_domain().get_translations()  # selects the locale on first use
    state = _babel_state()
    locale = getattr(state, "babel_locale", None)
    if locale is None:  # outside an app context Flask-Babel shows the source texts
        return translations
    # force_locale() swaps babel_locale for another Locale object, so the memo no longer matches.
    state.kotaku_catalogue = (locale, translations)
    return translations


def gettext(string: str, **variables) -> str:
    text = _catalogue().ugettext(string)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, num: int, **variables) -> str:
    variables.setdefault("num", num)
    return _catalogue().ungettext(singular, plural, num) % variables


def lazy_gettext(string: str, **variables) -> LazyString:
    return LazyString(gettext, string, **variables)


_ = gettext
_l = lazy_gettext


def install_jinja_gettext(app) -> None:
    """Templates' _() and ngettext() through the same remembered catalogue (replacing the
    callables Flask-Babel installed; Jinja's newstyle gettext escapes the variables)."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _catalogue().ugettext(s),
        ngettext=lambda s, p, n: _catalogue().ungettext(s, p, n),
        pgettext=lambda c, s: _catalogue().upgettext(c, s),
        npgettext=lambda c, s, p, n: _catalogue().unpgettext(c, s, p, n),
        newstyle=True)


def locale_name() -> str:
    """The current locale's name ("id" outside a request: documents and CLI are Indonesian),
    remembered per request and Locale object like the catalogue."""
    state = _babel_state()
    locale = getattr(state, "babel_locale", None)
    memo = getattr(state, "kotaku_locale_name", None)
    if locale is not None and memo is not None and memo[0] is locale:
        return memo[1]
    try:
        locale = get_locale()
    except RuntimeError:
        return "id"
    if locale is None:
        return "id"
    name = str(locale)
    _babel_state().kotaku_locale_name = (locale, name)
    return name


@lru_cache(maxsize=32)
def _parsed_locale(name: str) -> Locale:
    return Locale.parse(name)


def _babel_locale(locale: str | None) -> Locale:
    """The Babel Locale, parsed once per process (templates format thousands of cells)."""
    return _parsed_locale(locale or locale_name())


_RUPIAH = parse_pattern("'Rp'#,##0")


def format_rupiah(amount: int | None, locale: str | None = None) -> str:
    """Whole rupiah with the locale's grouping: Rp1.050.000.000 (Babel's format_currency with
    the pattern parsed once)."""
    if amount is None:
        return "–"
    return _RUPIAH.apply(amount, _babel_locale(locale), currency="IDR", currency_digits=False)


def format_hectares(value: Decimal | float | None, locale: str | None = None) -> str:
    """Hectares with two decimals: 80,87 ha."""
    if value is None:
        return "–"
    return f"{format_decimal(value, format='#,##0.00', locale=_babel_locale(locale))} ha"


def format_number(value, locale: str | None = None) -> str:
    if value is None:
        return "–"
    return format_decimal(value, locale=_babel_locale(locale))


def zone_suffix(tz_name: str) -> str:
    return ZONE_ABBREVIATIONS.get(tz_name, tz_name)


def to_local(value: datetime, tz_name: str) -> datetime:
    return value.astimezone(ZoneInfo(tz_name))


def format_long_date(value: date | datetime, tz_name: str | None = None,
                     locale: str | None = None) -> str:
    """Day name and date as in official letters: Selasa, 29 Oktober 2019."""
    if isinstance(value, datetime):
        value = to_local(value, tz_name or "UTC").date()
    return babel_format_date(value, format="EEEE, d MMMM y", locale=_babel_locale(locale))


def format_short_date(value: date | datetime | None, tz_name: str | None = None,
                      locale: str | None = None) -> str:
    if value is None:
        return "–"
    if isinstance(value, datetime):
        value = to_local(value, tz_name or "UTC").date()
    return babel_format_date(value, format="d MMM y", locale=_babel_locale(locale))


def format_local_time(value: datetime, tz_name: str, locale: str | None = None) -> str:
    """Time in the region's zone with its suffix: 08.30 WITA."""
    local = to_local(value, tz_name)
    time_text = babel_format_time(local, format='HH.mm', locale=_babel_locale(locale))
    return f"{time_text} {zone_suffix(tz_name)}"


def format_local_datetime(value: datetime | None, tz_name: str, locale: str | None = None) -> str:
    """Date and time in the region's zone: Selasa, 29 Oktober 2019 08.30 WITA."""
    if value is None:
        return "–"
    return f"{format_long_date(value, tz_name, locale)} {format_local_time(value, tz_name, locale)}"


def format_time_range(start: datetime, end: datetime, tz_name: str, locale: str | None = None) -> str:
    """08.30–15.00 WITA."""
    loc = _babel_locale(locale)
    a = babel_format_time(to_local(start, tz_name), format="HH.mm", locale=loc)
    b = babel_format_time(to_local(end, tz_name), format="HH.mm", locale=loc)
    return f"{a}–{b} {zone_suffix(tz_name)}"


def format_utc_datetime(value: datetime | None, locale: str | None = None) -> str:
    """A timestamp with no regional context (audit trail), shown in UTC."""
    if value is None:
        return "–"
    value = value.astimezone(timezone.utc)
    loc = _babel_locale(locale)
    return (f"{babel_format_date(value.date(), format='d MMM y', locale=loc)} "
            f"{babel_format_time(value, format='HH.mm', locale=loc)} UTC")


def format_month_year(value: date, locale: str | None = None) -> str:
    return babel_format_date(value, format="LLLL y", locale=_babel_locale(locale))


def format_weekday_short(value: date, locale: str | None = None) -> str:
    return babel_format_date(value, format="EEE", locale=_babel_locale(locale))


def enum_label(member) -> str:
    """The member's translated label; looked up once per request and member (a list page asks
    for the same few labels in every row)."""
    cache = g.setdefault("_enum_labels", {}) if has_app_context() else None
    key = (member, locale_name())
    if cache is not None and key in cache:
        return cache[key]
    from kotaku_collab.labels import LABELS

    label = LABELS.get(member)
    text = str(label) if label is not None else member.value.replace("_", " ")
    if cache is not None:
        cache[key] = text
    return text


def _masked_phone(phone: str | None) -> str:
    from kotaku_collab.services.people import mask_phone

    return mask_phone(phone)


def template_helpers() -> dict:
    """Filters and globals for Jinja, registered by create_app()."""
    return {
        "rupiah": format_rupiah,
        "hectares": format_hectares,
        "number": format_number,
        "long_date": format_long_date,
        "short_date": format_short_date,
        "local_time": format_local_time,
        "local_datetime": format_local_datetime,
        "time_range": format_time_range,
        "utc_datetime": format_utc_datetime,
        "zone_suffix": zone_suffix,
        "month_year": format_month_year,
        "masked_phone": _masked_phone,
        "weekday_short": format_weekday_short,
    }

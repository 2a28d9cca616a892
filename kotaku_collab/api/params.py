"""Query-string parameters of the API: strict, so a bad value is a 400 that says what is wrong.

The region, period and kind filters are the reviewers' (services/review_filters.py). The web
pages drop a bad value with a note; an API client gets a 400 instead, except for a region
outside the user's scope, which gives an empty list (as an object outside it gives a 404).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Mapping

from sqlalchemy.orm import Session

from kotaku_collab.api.errors import ApiError
from kotaku_collab.i18n import _
from kotaku_collab.models import Region, RegionLevel, User, WorkshopKind
from kotaku_collab.services.api_resources import (DEFAULT_PER_PAGE, MAX_PER_PAGE, ApiFilters,
                                                  PageRequest)
from kotaku_collab.services.review_filters import parse_review_filters

_DIGITS = re.compile(r"^[0-9]{1,9}$")
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
KABKOTA = (RegionLevel.KABUPATEN, RegionLevel.KOTA)
#: A Kemendagri code, "51" to "51.05.03.1001": anything else is not looked up.
REGION_CODE = re.compile(r"^[0-9]{2}(\.[0-9]{2}(\.[0-9]{2}(\.[0-9]{4})?)?)?$")


def _arg(args: Mapping[str, str], name: str) -> str:
    return (args.get(name) or "").strip()


def bad(message: str) -> ApiError:
    """A 400 with `message`."""
    return ApiError(400, message)


def int_arg(args: Mapping[str, str], name: str, *, minimum: int = 0,
            maximum: int = 10**9 - 1) -> int | None:
    """A whole number between `minimum` and `maximum`, or None when absent."""
    raw = _arg(args, name)
    if not raw:
        return None
    if not _DIGITS.match(raw) or not minimum <= int(raw) <= maximum:
        raise bad(_("%(name)s must be a whole number from %(min)d to %(max)d: %(value)s",
                    name=name, min=minimum, max=maximum, value=raw[:40]))
    return int(raw)


def enum_arg(args: Mapping[str, str], name: str, enum_cls):
    """An enum member by its value, or None when absent."""
    raw = _arg(args, name)
    if not raw:
        return None
    try:
        return enum_cls(raw)
    except ValueError:
        raise bad(_("Unknown %(name)s: %(value)s (one of: %(choices)s)", name=name,
                    value=raw[:40], choices=", ".join(m.value for m in enum_cls))) from None


def page_request(args: Mapping[str, str]) -> PageRequest:
    """page (from 1) and per_page (1 to MAX_PER_PAGE)."""
    page = int_arg(args, "page", minimum=1)
    per_page = int_arg(args, "per_page", minimum=1, maximum=MAX_PER_PAGE)
    return PageRequest(page=page or 1, per_page=per_page or DEFAULT_PER_PAGE)


def _date_arg(args: Mapping[str, str], name: str) -> date | None:
    raw = _arg(args, name)
    if not raw:
        return None
    try:
        if not _DATE.match(raw):
            raise ValueError(raw)
        return date.fromisoformat(raw)
    except ValueError:
        raise bad(_("%(name)s is not a date (use YYYY-MM-DD): %(value)s",
                    name=name, value=raw[:40])) from None


def _region_arg(session: Session, args: Mapping[str, str], name: str, levels) -> Region | None:
    raw = _arg(args, name)
    if not raw:
        return None
    region = session.get(Region, raw) if REGION_CODE.match(raw) else None
    if region is None or region.level not in levels:
        raise bad(_("Unknown %(name)s: %(value)s", name=name, value=raw[:40]))
    return region


def api_filters(session: Session, user: User, args: Mapping[str, str], *,
                status_enum=None, status_field: str | None = None,
                by_organisation: bool = True) -> ApiFilters:
    """The filters of a list endpoint; raises a 400 ApiError on a bad value."""
    start = _date_arg(args, "start")
    end = _date_arg(args, "end")
    if start and end and end < start:
        raise bad(_("The period ends before it starts."))
    enum_arg(args, "kind", WorkshopKind)
    province = _region_arg(session, args, "province", (RegionLevel.PROVINSI,))
    kabkota = _region_arg(session, args, "kabkota", KABKOTA)
    if province and kabkota and not province.contains(kabkota.code):
        raise bad(_("The regency/city does not lie in the chosen province."))
    # What is left for parse_review_filters to drop is a region outside the user's scope,
    # which it turns into an empty view.
    filters = ApiFilters(review=parse_review_filters(session, user, args))
    if status_enum is not None:
        setattr(filters, status_field, enum_arg(args, "status", status_enum))
    if by_organisation:
        filters.organisation_id = int_arg(args, "organisation", minimum=1)
    return filters

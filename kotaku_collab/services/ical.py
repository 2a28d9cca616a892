"""iCalendar (RFC 5545) files: one workshop, or the feed of a kabupaten/kota.

Times are written in the region's own zone (TZID=Asia/Makassar and so on) with a matching
VTIMEZONE, so calendar programs show 08.30 WITA whatever zone the reader's device is in.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from icalendar import Calendar, Event

from kotaku_collab.i18n import _
from kotaku_collab.models import Region, Workshop, WorkshopStatus

PRODID = "-//KOTAKU Collab//Lokakarya//ID"
#: Calendar programs re-read a subscribed feed about this often.
FEED_REFRESH = timedelta(hours=6)


def public_url(workshop: Workshop, base_url: str) -> str:
    """The workshop's public page, /w/<code>, under `base_url` (scheme and host)."""
    return f"{base_url.rstrip('/')}/w/{workshop.code}"


def workshop_uid(workshop: Workshop) -> str:
    """Stable across edits, so a calendar updates the event instead of adding another."""
    return f"{workshop.code}@kotaku-collab"


def _sequence(workshop: Workshop) -> int:
    """Bumped when the date moved or the workshop was cancelled, so importers replace it."""
    return int(workshop.rescheduled_at is not None) + int(
        workshop.status is WorkshopStatus.CANCELLED)


def _description(workshop: Workshop, url: str) -> str:
    lines = [workshop.kind.label]
    if workshop.status is WorkshopStatus.CANCELLED:
        lines.append(_("Cancelled: %(reason)s", reason=workshop.cancel_reason or "–"))
    if workshop.objectives:
        lines.append("")
        lines.append(_("Objectives:"))
        lines += [f"{n}. {text}" for n, text in enumerate(workshop.objectives, start=1)]
    lines += ["", url]
    return "\n".join(lines)


def workshop_event(workshop: Workshop, base_url: str) -> Event:
    """One VEVENT with the workshop's public information (never anyone's contact details)."""
    zone = workshop.zone
    url = public_url(workshop, base_url)
    event = Event()
    event.add("uid", workshop_uid(workshop))
    event.add("dtstamp", workshop.updated_at)
    event.add("created", workshop.created_at)
    event.add("last-modified", workshop.updated_at)
    event.add("sequence", _sequence(workshop))
    event.add("dtstart", workshop.starts_at.astimezone(zone))
    event.add("dtend", workshop.ends_at.astimezone(zone))
    event.add("summary", workshop.title)
    event.add("location", f"{workshop.venue}, {workshop.region.name}")
    event.add("description", _description(workshop, url))
    event.add("url", url)
    event.add("status", "CANCELLED" if workshop.status is WorkshopStatus.CANCELLED
              else "CONFIRMED")
    return event


def _calendar(workshops: Iterable[Workshop], base_url: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    for workshop in workshops:
        calendar.add_component(workshop_event(workshop, base_url))
    # A VTIMEZONE for every TZID used above, generated from the IANA database.
    calendar.add_missing_timezones()
    return calendar


def workshop_calendar(workshop: Workshop, base_url: str) -> bytes:
    """The .ics file of a single workshop."""
    calendar = _calendar([workshop], base_url)
    calendar.add("method", "PUBLISH")
    return calendar.to_ical()


def region_calendar(region: Region, workshops: Iterable[Workshop], base_url: str) -> bytes:
    """A subscribable feed of a kab/kota's public workshops."""
    calendar = _calendar(workshops, base_url)
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"KOTAKU Collab · {region.name}")
    calendar.add("x-wr-timezone", region.timezone)
    calendar.add("refresh-interval", FEED_REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT6H")
    return calendar.to_ical()

"""iCalendar files: the workshop's own zone, stable UID, cancellation, and the kab/kota feed."""

from datetime import datetime, timedelta, timezone

from icalendar import Calendar

from kotaku_collab.models import AgendaItem, SessionType, WorkshopStatus, utc_now
from kotaku_collab.services.ical import region_calendar, workshop_calendar
from kotaku_collab.services.public import feed_region, region_feed_workshops
from tests import factories

UTC = timezone.utc
BASE = "https://kotaku.example.test/"


def only_event(body: bytes):
    calendar = Calendar.from_ical(body)
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    return calendar, events[0]


def test_event_is_in_the_regions_zone_and_round_trips_to_the_stored_instant(db):
    workshop = factories.make_workshop("51.05", starts_at=datetime(2019, 10, 29, 0, 30, tzinfo=UTC),
                                       hours=6.5, title="Lokakarya Kolaborasi", venue="Ruang rapat")
    calendar, event = only_event(workshop_calendar(workshop, BASE))
    assert event["DTSTART"].params["TZID"] == "Asia/Makassar"
    assert event.decoded("DTSTART") == workshop.starts_at
    assert event.decoded("DTSTART").hour == 8  # 08.30 WITA, as printed on the invitation
    assert event.decoded("DTEND") == workshop.ends_at
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Asia/Makassar"]
    assert str(event["UID"]) == f"{workshop.code}@kotaku-collab"
    assert str(event["SUMMARY"]) == "Lokakarya Kolaborasi"
    assert str(event["LOCATION"]) == "Ruang rapat, Kabupaten Klungkung"
    assert str(event["URL"]) == f"https://kotaku.example.test/w/{workshop.code}"
    assert f"https://kotaku.example.test/w/{workshop.code}" in str(event["DESCRIPTION"])
    assert "Pemahaman bersama" in str(event["DESCRIPTION"])
    assert str(event["STATUS"]) == "CONFIRMED"
    assert event.decoded("SEQUENCE") == 0


def test_workshop_crossing_midnight_utc_keeps_its_local_times(db):
    # 06.00–10.00 WIB in Kota Pasuruan is 23.00 the evening before until 03.00 UTC.
    starts = datetime(2030, 3, 4, 23, 0, tzinfo=UTC)
    workshop = factories.make_workshop("35.75", starts_at=starts, hours=4)
    _, event = only_event(workshop_calendar(workshop, BASE))
    assert event["DTSTART"].params["TZID"] == "Asia/Jakarta"
    assert event.decoded("DTSTART") == starts
    assert event.decoded("DTSTART").replace(tzinfo=None) == datetime(2030, 3, 5, 6, 0)


def test_uid_is_stable_and_a_reschedule_or_cancellation_bumps_the_sequence(db):
    workshop = factories.make_workshop("51.05")
    _, before = only_event(workshop_calendar(workshop, BASE))
    workshop.rescheduled_at = utc_now()
    workshop.status = WorkshopStatus.CANCELLED
    workshop.cancel_reason = "Banjir di lokasi"
    _, after = only_event(workshop_calendar(workshop, BASE))
    assert after["UID"] == before["UID"]
    assert after.decoded("SEQUENCE") == 2
    assert str(after["STATUS"]) == "CANCELLED"
    assert "Banjir di lokasi" in str(after["DESCRIPTION"])


def test_event_carries_no_contact_details_of_speakers(db):
    workshop = factories.make_workshop("51.05")
    speaker = factories.make_person("Narasumber Satu", email="narasumber@example.test",
                                    phone="+6281234500001")
    item = AgendaItem(workshop=workshop, starts_at=workshop.starts_at,
                      ends_at=workshop.starts_at + timedelta(hours=1), title="Paparan",
                      session_type=SessionType.PAPARAN, speakers=[speaker])
    db.session.add(item)
    db.session.flush()
    body = workshop_calendar(workshop, BASE).decode()
    assert "narasumber@example.test" not in body
    assert "6281234500001" not in body


def test_region_feed_holds_only_that_kabkotas_public_workshops(db):
    now = utc_now()
    klungkung = factories.make_region("51.05")
    upcoming = factories.make_workshop("51.05", title="Upcoming Klungkung")
    recent = factories.make_workshop("51.05", title="Recent Klungkung",
                                     starts_at=now - timedelta(days=200),
                                     status=WorkshopStatus.FINALISED)
    cancelled = factories.make_workshop("51.05", title="Cancelled Klungkung",
                                        status=WorkshopStatus.CANCELLED, cancel_reason="Hujan")
    factories.make_workshop("51.05", title="Draft Klungkung", status=WorkshopStatus.DRAFT)
    factories.make_workshop("51.05", title="Old Klungkung", starts_at=now - timedelta(days=800),
                            status=WorkshopStatus.REVIEWED)
    factories.make_workshop("35.75", title="Pasuruan")

    workshops = region_feed_workshops(db.session, klungkung, now)
    assert {w.id for w in workshops} == {upcoming.id, recent.id, cancelled.id}

    calendar = Calendar.from_ical(region_calendar(klungkung, workshops, BASE))
    summaries = sorted(str(e["SUMMARY"]) for e in calendar.walk("VEVENT"))
    assert summaries == ["Cancelled Klungkung", "Recent Klungkung", "Upcoming Klungkung"]
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Asia/Makassar"]
    assert "Kabupaten Klungkung" in str(calendar["X-WR-CALNAME"])


def test_feeds_exist_only_for_a_kabupaten_or_kota(db):
    factories.make_region("51.05.03")
    assert feed_region(db.session, "51.05") is not None
    assert feed_region(db.session, "51") is None
    assert feed_region(db.session, "51.05.03") is None
    assert feed_region(db.session, "99.99") is None

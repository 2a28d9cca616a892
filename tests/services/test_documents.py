"""The invitation letter PDF: Indonesian date and local time, venue, signature, any Unicode name."""

import io
from datetime import date, datetime, timedelta, timezone

import pytest
from pypdf import PdfReader

from kotaku_collab.models import AgendaItem, OrganiserRole, SessionType, WorkshopOrganiser
from kotaku_collab.services.documents import invitation_pdf, latin1
from tests import factories

UTC = timezone.utc
CRAZY = "Ngurah Rai 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 😀 漢字 Dja'far"


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def klungkung_workshop(**kwargs):
    # 29 October 2019, 08.30–15.00 WITA (00.30–07.00 UTC).
    return factories.make_workshop("51.05", starts_at=datetime(2019, 10, 29, 0, 30, tzinfo=UTC),
                                   hours=6.5, **kwargs)


def add_agenda(db, workshop, title, hour, speakers=()):
    start = workshop.starts_at + timedelta(hours=hour)
    item = AgendaItem(workshop=workshop, position=hour, starts_at=start,
                      ends_at=start + timedelta(hours=1), title=title,
                      session_type=SessionType.PAPARAN, speakers=list(speakers))
    db.session.add(item)
    return item


def test_letter_has_indonesian_date_local_time_venue_number_and_signature(db):
    opener = factories.make_person("I Nyoman Suwirta", title_suffix="S.Pd., M.M.",
                                   nip="196812311994031025")
    workshop = klungkung_workshop(venue="Ruang Rapat Bappeda Klungkung",
                                  invitation_number="005/123/Baperlitbang/2019",
                                  opened_by=opener, opened_by_position="Bupati Klungkung")
    add_agenda(db, workshop, "Paparan Baseline Kumuh", 1)
    db.session.flush()

    data = invitation_pdf(workshop, issued_on=date(2019, 10, 21))
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    assert "Selasa, 29 Oktober 2019" in text
    assert "08.30 WITA" in text
    assert "Ruang Rapat Bappeda Klungkung" in text
    assert "005/123/Baperlitbang/2019" in text
    assert "Klungkung, 21 Oktober 2019" in text
    assert "I Nyoman Suwirta, S.Pd., M.M." in text
    assert "Bupati Klungkung" in text
    assert "NIP. 196812311994031025" in text
    assert "KABUPATEN KLUNGKUNG" in text  # letterhead fallback: the regional government
    assert "Paparan Baseline Kumuh" in text  # the programme attachment
    assert "09.30-10.30 WITA" in text
    assert len(PdfReader(io.BytesIO(data)).pages) == 2


def test_letterhead_names_the_first_organising_body(db):
    bappeda = factories.make_organisation("Badan Perencanaan Pembangunan Daerah")
    facilitator = factories.make_organisation("Tim Korkot KOTAKU")
    workshop = klungkung_workshop()
    workshop.organisers += [
        WorkshopOrganiser(organisation=facilitator, role=OrganiserRole.FASILITATOR),
        WorkshopOrganiser(organisation=bappeda, role=OrganiserRole.PENYELENGGARA),
    ]
    db.session.flush()
    text = pdf_text(invitation_pdf(workshop))
    assert "BADAN PERENCANAAN PEMBANGUNAN DAERAH" in text
    assert "TIM KORKOT KOTAKU" not in text


def test_pasuruan_letter_uses_wib(db):
    workshop = factories.make_workshop("35.75", starts_at=datetime(2019, 8, 29, 1, 0, tzinfo=UTC))
    text = pdf_text(invitation_pdf(workshop))
    assert "Kamis, 29 Agustus 2019" in text
    assert "08.00 WIB" in text


def test_any_unicode_name_degrades_without_crashing(db):
    organisation = factories.make_organisation(f"Yayasan {CRAZY}")
    opener = factories.make_person(CRAZY, title_prefix="Dr.", nip="1970 😀")
    workshop = klungkung_workshop(title=f"Lokakarya {CRAZY}", venue=f"Wantilan “{CRAZY}” — Gelgel",
                                  opened_by=opener, opened_by_position=f"Kepala {CRAZY}",
                                  invitation_number="005/😀/2019")
    workshop.organisers.append(WorkshopOrganiser(organisation=organisation,
                                                 role=OrganiserRole.PENYELENGGARA))
    add_agenda(db, workshop, f"Sesi {CRAZY}", 1, speakers=[opener])
    db.session.flush()

    data = invitation_pdf(workshop)
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    assert "Dr. Ngurah Rai Unicode ? ?? Dja'far" in text
    assert 'Wantilan "Ngurah Rai Unicode' in text


@pytest.mark.parametrize("raw, folded", [
    ("Dja'far é ü ñ", "Dja'far é ü ñ"),           # Latin-1 letters stay
    ("Łódź Đakovo ő", "Lódz Dakovo o"),            # marks dropped, stand-ins for Ł and Đ
    ("𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ﬁ", "Unicode fi"),                  # compatibility forms fold
    ("😀 漢字", "? ??"),
    ("08.30–15.00 “x” …", '08.30-15.00 "x" ...'),
    ("a\u0000b\u200bc", "a bc"),
])
def test_latin1_folding(raw, folded):
    assert latin1(raw) == folded
    latin1(raw).encode("latin-1")

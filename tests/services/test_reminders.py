"""Commitment reminders: one digest per organisation, delivered to a real SMTP server started
in the test (aiosmtpd), nothing new on a second run the same day; WhatsApp links."""

import time
from datetime import date, datetime, timedelta, timezone
from email.header import decode_header, make_header
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from kotaku_collab.models import CommitmentStatus, Notification, NotificationKind, Role
from kotaku_collab.services.reminders import (queue_reminders, reminder_digests, whatsapp_link,
                                              whatsapp_number)
from tests import factories
from tests.smtp import wait_for

UTC = timezone.utc
S = CommitmentStatus
TODAY = date(2030, 5, 1)
RECENT = datetime(2030, 4, 28, 3, 0, tzinfo=UTC)


def subject_of(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def body_of(message) -> str:
    return message.get_payload(decode=True).decode(message.get_content_charset() or "utf-8")


@pytest.fixture
def organisations(db):
    """PUPR has an overdue, a due-soon and a stale commitment plus a quiet one; PDAM only a
    quiet one; Yayasan (Pasuruan) one overdue, no accounts, a committed person with an e-mail."""
    workshop = factories.make_workshop("51.05")
    pasuruan = factories.make_workshop("35.75")
    pupr = factories.make_organisation("Dinas PUPRPKP Klungkung")
    pdam = factories.make_organisation("PDAM Tirta Mahottama")
    yayasan = factories.make_organisation("Yayasan Pesisir", region_code="35.75")
    factories.make_user(Role.STAKEHOLDER, organisation=pupr, email="pupr@example.org")
    factories.make_user(Role.STAKEHOLDER, organisation=pupr, email="Kabid@Example.org")
    factories.make_user(Role.STAKEHOLDER, organisation=pupr, email="off@example.org", active=False)
    factories.make_user(Role.STAKEHOLDER, organisation=pdam, email="pdam@example.org")
    wayan = factories.make_person("I Wayan Sukra", organisation=pupr, email="kabid@example.org",
                                  phone="+6281234567890")
    ketut = factories.make_person("Ketut", organisation=pupr, phone="0813 3800 1234")
    sari = factories.make_person("Sari", organisation=yayasan, email="sari@example.org",
                                 phone="+6282233445566")
    factories.make_commitment(pupr, workshop, title="Normalisasi drainase", status=S.DILAKSANAKAN,
                              target_date=TODAY - timedelta(days=10), percent_complete=60,
                              last_update_at=RECENT, committed_by=wayan)
    factories.make_commitment(pupr, workshop, title="Bank sampah", status=S.DIANGGARKAN,
                              target_date=TODAY + timedelta(days=14), last_update_at=RECENT,
                              committed_by=ketut)
    factories.make_commitment(pupr, workshop, title="Perbup pencegahan kumuh",
                              status=S.DISEPAKATI, target_date=TODAY + timedelta(days=200),
                              last_update_at=RECENT - timedelta(days=40))
    factories.make_commitment(pupr, workshop, title="Sudah selesai", status=S.SELESAI,
                              percent_complete=100, target_date=TODAY - timedelta(days=90),
                              last_update_at=RECENT - timedelta(days=90))
    factories.make_commitment(pupr, workshop, title="Masih lama", status=S.DISEPAKATI,
                              target_date=TODAY + timedelta(days=15), last_update_at=RECENT)
    factories.make_commitment(pdam, workshop, title="Sambungan rumah", status=S.DISEPAKATI,
                              target_date=TODAY + timedelta(days=120), last_update_at=RECENT)
    factories.make_commitment(yayasan, pasuruan, title="Tangki septik komunal",
                              status=S.DILAKSANAKAN, target_date=TODAY - timedelta(days=1),
                              last_update_at=RECENT, committed_by=sari)
    db.session.commit()
    return dict(pupr=pupr, pdam=pdam, yayasan=yayasan)


def test_digests_pick_overdue_due_soon_and_stale_commitments(db, organisations):
    digests = {d.organisation.name: d for d in reminder_digests(db.session, TODAY)}
    assert set(digests) == {"Dinas PUPRPKP Klungkung", "Yayasan Pesisir"}
    pupr = digests["Dinas PUPRPKP Klungkung"]
    assert [i.commitment.title for i in pupr.items] == [
        "Normalisasi drainase", "Bank sampah", "Perbup pencegahan kumuh"]
    assert [email for email, _person in pupr.recipients] == ["pupr@example.org",
                                                             "Kabid@Example.org"]
    assert [e for e, _p in digests["Yayasan Pesisir"].recipients] == ["sari@example.org"]


def test_send_reminders_mails_each_organisation_once_a_day(make_app, smtp, db, organisations):
    controller, inbox = smtp
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port,
                   MAIL_DEFAULT_SENDER="kotaku@example.org", MAIL_SUPPRESS_SEND=False)
    runner = app.test_cli_runner()
    with app.app_context():  # else the CLI would reuse the test's own (mail-suppressing) app
        result = runner.invoke(args=["kotaku", "send-reminders", "--date", TODAY.isoformat()])
    assert result.exit_code == 0, result.output
    assert "2 organisation(s), 3 message(s) queued" in result.output
    assert "Sent 3" in result.output
    wait_for(lambda: len(inbox.messages) >= 3)
    by_recipient = {m["To"]: m for m in inbox.messages}
    assert set(by_recipient) == {"pupr@example.org", "Kabid@Example.org", "sari@example.org"}

    pupr_mail = by_recipient["pupr@example.org"]
    assert "Dinas PUPRPKP Klungkung" in subject_of(pupr_mail)
    body = body_of(pupr_mail)
    for title in ("Normalisasi drainase", "Bank sampah", "Perbup pencegahan kumuh"):
        assert title in body
    for title in ("Sudah selesai", "Masih lama", "Sambungan rumah", "Tangki septik komunal"):
        assert title not in body
    assert body == body_of(by_recipient["Kabid@Example.org"])
    sari_body = body_of(by_recipient["sari@example.org"])
    assert "Tangki septik komunal" in sari_body and "Normalisasi drainase" not in sari_body

    with app.app_context():
        again = runner.invoke(args=["kotaku", "send-reminders", "--date", TODAY.isoformat()])
    assert again.exit_code == 0, again.output
    assert "0 message(s) queued, 3 already queued" in again.output and "Sent 0" in again.output
    time.sleep(0.2)
    assert len(inbox.messages) == 3
    assert db.session.scalar(select(func.count(Notification.id)).where(
        Notification.kind == NotificationKind.COMMITMENT_REMINDER)) == 3
    db.session.rollback()  # end the read, or SQLite would keep the CLI below waiting

    with app.app_context():
        next_day = runner.invoke(args=["kotaku", "send-reminders", "--date", "2030-05-02",
                                       "--queue-only"])
    assert "3 message(s) queued" in next_day.output and "Sent" not in next_day.output


def test_queue_reminders_is_idempotent_per_day(app, db, organisations):
    first = queue_reminders(db.session, TODAY)
    second = queue_reminders(db.session, TODAY)
    assert (first.queued, second.queued, second.already_queued) == (3, 0, 3)
    keys = db.session.scalars(select(Notification.dedupe_key)).all()
    assert all(k.startswith(("reminder:%d:2030-05-01:" % organisations["pupr"].id,
                             "reminder:%d:2030-05-01:" % organisations["yayasan"].id))
               for k in keys)


def test_organisers_get_whatsapp_links_for_contacts_in_their_region(app, db, organisations):
    organiser = factories.make_user(Role.ORGANISER, regions=["51.05"])
    [digest] = reminder_digests(db.session, TODAY, user=organiser)
    assert digest.organisation.name == "Dinas PUPRPKP Klungkung"
    numbers = [urlsplit(c.url).path for c in digest.contacts]
    assert numbers == ["/6281234567890", "/6281338001234"]
    text = parse_qs(urlsplit(digest.contacts[0].url).query)["text"][0]
    assert "Dinas PUPRPKP Klungkung" in text and "Normalisasi drainase" in text
    assert digest.contacts[0].masked_phone == "+62812****890"


@pytest.mark.parametrize("phone, digits", [
    ("+6281234567890", "6281234567890"),
    ("081234567890", "6281234567890"),
    ("0812-3456-7890", "6281234567890"),
    ("+62 361 123456", "62361123456"),
    ("12", None),
    ("bukan nomor", None),
    (None, None),
])
def test_whatsapp_numbers_lose_the_plus_and_the_leading_zero(phone, digits):
    assert whatsapp_number(phone) == digits


def test_whatsapp_text_is_url_encoded():
    url = whatsapp_link("081234567890", "Yth. Bapak/Ibu: 2 komitmen & 1 laporan?")
    assert url == ("https://wa.me/6281234567890?text=Yth.%20Bapak%2FIbu%3A%202%20komitmen"
                   "%20%26%201%20laporan%3F")

"""Delivering the outbox to a real SMTP server started in the test (aiosmtpd)."""

from sqlalchemy import select

from kotaku_collab.models import Notification, NotificationKind
from kotaku_collab.services.delivery import deliver_pending
from kotaku_collab.services.notifications import queue_notification
from tests import factories
from tests.smtp import wait_for


def _queue(db, email="ayu@example.org"):
    person = factories.make_person("Ayu", email=email)
    queue_notification(db.session, NotificationKind.REGISTRATION_CONFIRMED, person=person,
                       subject="Pendaftaran dikonfirmasi", body="Kode pendaftaran: AB12CD34")
    db.session.commit()


def test_send_notifications_delivers_once(make_app, smtp, db):
    controller, inbox = smtp
    _queue(db)
    _queue(db, email=None)
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port,
                   MAIL_DEFAULT_SENDER="kotaku@example.org", MAIL_SUPPRESS_SEND=False)
    runner = app.test_cli_runner()
    with app.app_context():  # else the CLI would reuse the test's own (mail-suppressing) app
        result = runner.invoke(args=["kotaku", "send-notifications"])
    assert result.exit_code == 0, result.output
    assert "Sent 1" in result.output and "skipped (no e-mail) 1" in result.output
    wait_for(lambda: inbox.messages)
    assert [m["To"] for m in inbox.messages] == ["ayu@example.org"]
    assert "AB12CD34" in inbox.messages[0].get_payload()
    with app.app_context():
        again = runner.invoke(args=["kotaku", "send-notifications"])
    assert "Sent 0" in again.output
    assert len(inbox.messages) == 1


def test_a_mail_server_failure_keeps_the_message_for_a_retry(db):
    _queue(db)

    def broken(notification):
        raise ConnectionRefusedError("mail server down")

    report = deliver_pending(db.session, broken)
    assert (report.sent, report.failed) == (0, 1)
    note = db.session.scalars(select(Notification)).one()
    assert note.sent_at is None and "mail server down" in note.error
    sent = []
    from kotaku_collab.services.delivery import retry_failed
    assert retry_failed(db.session) == 1
    deliver_pending(db.session, sent.append)
    assert [n.email for n in sent] == ["ayu@example.org"]

"""Queueing messages to people in the outbox (delivery is a separate step)."""

from __future__ import annotations

from flask_babel import force_locale
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from kotaku_collab.models import (Notification, NotificationKind, Person, Registration,
                                  RegistrationStatus, Workshop)

#: People are written to in Indonesian: the app does not know each participant's language.
MESSAGE_LOCALE = "id"
#: Built once: the same statement is compiled once per process.
_INSERT = insert(Notification.__table__)


def queue_notification(session: Session, kind: NotificationKind, *, subject: str, body: str,
                       person: Person | None = None, workshop: Workshop | None = None,
                       payload: dict | None = None, dedupe_key: str | None = None,
                       email: str | None = None) -> int | None:
    """Add a message to the outbox and return its id; with a dedupe_key, a second identical
    message is skipped (None).

    The address is the person's, or `email` for recipients who are accounts, not people.
    Written with one INSERT, as the audit trail is, not by the unit of work: nothing reads the
    message back in the transaction that queues it, and a registration holds SQLite's write
    lock while it queues its confirmation."""
    if dedupe_key and session.scalar(
            select(Notification.id).where(Notification.dedupe_key == dedupe_key)) is not None:
        return None
    if (person is not None and person.id is None) or (workshop is not None and workshop.id is None):
        session.flush()  # the message refers to them by id
    result = session.connection().execute(_INSERT, {
        "kind": kind, "person_id": person.id if person else None,
        "workshop_id": workshop.id if workshop else None,
        "email": email or (person.email if person else None), "subject": subject, "body": body,
        "payload": payload or {}, "dedupe_key": dedupe_key})
    return result.inserted_primary_key[0]


def active_registrations(session: Session, workshop: Workshop) -> list[Registration]:
    """Registrations that still expect to attend (confirmed or waiting)."""
    from sqlalchemy.orm import joinedload

    return list(session.scalars(
        select(Registration).options(joinedload(Registration.person))
        .where(Registration.workshop_id == workshop.id,
               Registration.status.in_((RegistrationStatus.CONFIRMED,
                                        RegistrationStatus.WAITLISTED)))
    ))


def notify_registrants(session: Session, workshop: Workshop, kind: NotificationKind,
                       make_message) -> int:
    """Queue one message per active registrant; `make_message(registration)` gives
    (subject, body) and is called with the message locale forced."""
    count = 0
    with force_locale(MESSAGE_LOCALE):
        for registration in active_registrations(session, workshop):
            subject, body = make_message(registration)
            queue_notification(session, kind, subject=subject, body=body,
                               person=registration.person, workshop=workshop,
                               payload={"registration_id": registration.id})
            count += 1
    return count

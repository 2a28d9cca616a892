"""Delivering the notification outbox by e-mail (run from cron: flask kotaku send-notifications)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from kotaku_collab.models import Notification, utc_now


@dataclass
class DeliveryReport:
    sent: int = 0
    skipped: int = 0
    failed: int = 0


def deliver_pending(session: Session, send: Callable[[Notification], None], *,
                    limit: int = 500) -> DeliveryReport:
    """Send unsent messages oldest first, committing after each one, so a crash or a mail
    server error never loses or repeats a message that was already handed over.

    `send(notification)` raises on failure; the error is kept and the message retried next run.
    """
    report = DeliveryReport()
    for _ in range(limit):
        query = (select(Notification).where(Notification.sent_at.is_(None),
                                            Notification.error.is_(None))
                 .order_by(Notification.created_at, Notification.id).limit(1))
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        notification = session.scalar(query)
        if notification is None:
            break
        if not notification.email:
            notification.sent_at = utc_now()
            notification.error = "no e-mail address"
            report.skipped += 1
        else:
            try:
                send(notification)
            except Exception as exc:  # noqa: BLE001 - any transport error is recorded
                notification.error = f"{type(exc).__name__}: {exc}"[:500]
                report.failed += 1
            else:
                notification.sent_at = utc_now()
                report.sent += 1
        session.commit()
    return report


def retry_failed(session: Session) -> int:
    """Clear the error on failed messages so the next run tries them again."""
    failed = session.scalars(select(Notification).where(Notification.sent_at.is_(None),
                                                        Notification.error.is_not(None))).all()
    for notification in failed:
        notification.error = None
    session.commit()
    return len(failed)

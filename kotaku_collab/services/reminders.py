"""Reminders about commitments that need attention: due within DUE_SOON_DAYS days, overdue, or
without a progress report for STALE_DAYS days (the flags of services/commitments.py).

`queue_reminders` (run daily by `flask kotaku send-reminders`) queues one e-mail digest per
organisation to each of its users and to the people who made the commitments; its dedupe keys
carry the organisation and the date, so a second run on the same day queues nothing. Organisers
also get WhatsApp click-to-chat links with the same reminder (`reminder_digests`).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import quote

import phonenumbers
from flask_babel import force_locale
from sqlalchemy import or_, select
from sqlalchemy.orm import Session, joinedload

from kotaku_collab.i18n import _, format_short_date
from kotaku_collab.models import (Commitment, NotificationKind, Organisation, Person, User)
from kotaku_collab.permissions import scope_clause
from kotaku_collab.services.commitments import (OPEN_STATUSES, CommitmentFlags,
                                                commitment_flags, flag_condition)
from kotaku_collab.services.notifications import MESSAGE_LOCALE, queue_notification

#: The flags that put a commitment into a reminder.
REMINDER_FLAGS = ("overdue", "due_soon", "stale")
MAX_CONTACTS_PER_ORGANISATION = 10
MAX_WHATSAPP_ITEMS = 5


@dataclass
class ReminderItem:
    commitment: Commitment
    flags: CommitmentFlags


@dataclass
class WhatsAppContact:
    name: str
    masked_phone: str
    url: str


@dataclass
class OrganisationDigest:
    organisation: Organisation
    items: list[ReminderItem] = field(default_factory=list)
    #: (e-mail, person or None): the organisation's users, then the people who committed.
    recipients: list[tuple[str, Person | None]] = field(default_factory=list)
    contacts: list[WhatsAppContact] = field(default_factory=list)


@dataclass
class ReminderReport:
    organisations: int = 0
    queued: int = 0
    already_queued: int = 0
    without_recipient: int = 0


def whatsapp_number(phone: str | None) -> str | None:
    """International digits without "+" (wa.me's form): +62 812-3456-7890 and 0812 3456 7890
    both give 6281234567890. None when it is not a phone number."""
    if not phone:
        return None
    try:
        number = phonenumbers.parse(phone, "ID")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164).lstrip("+")


def whatsapp_link(phone: str | None, text: str) -> str | None:
    digits = whatsapp_number(phone)
    if digits is None:
        return None
    return f"https://wa.me/{digits}?text={quote(text, safe='')}"


def mask_phone(phone: str) -> str:
    """+62812****890: enough to tell contacts apart without showing the whole number."""
    return phone[:6] + "****" + phone[-3:] if len(phone) > 9 else "****"


def _reasons(item: ReminderItem) -> list[str]:
    c, reasons = item.commitment, []
    if item.flags.overdue:
        reasons.append(_("overdue (target %(date)s)", date=format_short_date(c.target_date)))
    elif item.flags.due_soon:
        reasons.append(_("due on %(date)s", date=format_short_date(c.target_date)))
    if item.flags.stale:
        if c.last_update_at:
            reasons.append(_("no progress report since %(date)s",
                             date=format_short_date(c.last_update_at, "Asia/Jakarta")))
        else:
            reasons.append(_("no progress report yet"))
    return reasons


def reminder_subject(digest: OrganisationDigest) -> str:
    return _("KOTAKU commitments to update: %(organisation)s",
             organisation=digest.organisation.name)[:200]


def reminder_body(digest: OrganisationDigest, today: date, *, url: str | None = None) -> str:
    """The e-mail digest, in the current locale."""
    lines = [_("To %(organisation)s,", organisation=digest.organisation.name), "",
             _("These commitments need a progress report (as of %(date)s):",
               date=format_short_date(today)), ""]
    for number, item in enumerate(digest.items, start=1):
        c = item.commitment
        lines.append(f"{number}. {c.title}")
        lines.append("   " + _("Status: %(status)s, %(percent)d%% done",
                                status=c.status.label, percent=c.percent_complete))
        lines.append("   " + "; ".join(_reasons(item)))
    lines += ["", _("Please report the progress, with evidence, in KOTAKU Collab.")]
    if url:
        lines.append(url)
    return "\n".join(lines)


def whatsapp_text(digest: OrganisationDigest) -> str:
    """The short reminder prefilled in WhatsApp links."""
    items = [f"{item.commitment.title} ({'; '.join(_reasons(item))})"
             for item in digest.items[:MAX_WHATSAPP_ITEMS]]
    more = len(digest.items) - len(items)
    text = _("KOTAKU reminder for %(organisation)s: please report the progress of %(items)s.",
             organisation=digest.organisation.name, items=", ".join(items))
    if more > 0:
        text += " " + _("And %(n)d more.", n=more)
    return text


def reminder_digests(session: Session, today: date, *, user: User | None = None
                     ) -> list[OrganisationDigest]:
    """Per organisation, its open commitments that are overdue, due soon or stale; limited to
    the user's regions when a user is given. A fixed number of queries."""
    query = (select(Commitment)
             .options(joinedload(Commitment.organisation), joinedload(Commitment.committed_by))
             .where(Commitment.status.in_(OPEN_STATUSES),
                    or_(*(flag_condition(name, today) for name in REMINDER_FLAGS)))
             .order_by(Commitment.organisation_id, Commitment.target_date.is_(None),
                       Commitment.target_date, Commitment.id))
    if user is not None:
        query = query.where(scope_clause(user, Commitment.region_code))
    digests: dict[int, OrganisationDigest] = {}
    for commitment in session.scalars(query):
        digest = digests.setdefault(commitment.organisation_id,
                                    OrganisationDigest(commitment.organisation))
        digest.items.append(ReminderItem(commitment, commitment_flags(commitment, today)))
    if not digests:
        return []

    users = defaultdict(list)
    for account in session.scalars(select(User).where(User.organisation_id.in_(list(digests)),
                                                      User.active.is_(True)).order_by(User.id)):
        users[account.organisation_id].append(account)
    people = defaultdict(list)
    for person in session.scalars(select(Person).where(Person.organisation_id.in_(list(digests)),
                                                       Person.phone.is_not(None))
                                  .order_by(Person.name, Person.id)):
        people[person.organisation_id].append(person)

    for organisation_id, digest in digests.items():
        seen: set[str] = set()
        for account in users[organisation_id]:
            if account.email and account.email.lower() not in seen:
                seen.add(account.email.lower())
                digest.recipients.append((account.email, None))
        for item in digest.items:
            person = item.commitment.committed_by
            if person is not None and person.email and person.email.lower() not in seen:
                seen.add(person.email.lower())
                digest.recipients.append((person.email, person))
        text = whatsapp_text(digest)
        contacts = {p.id: p for p in people[organisation_id]}
        for item in digest.items:
            person = item.commitment.committed_by
            if person is not None and person.phone:
                contacts.setdefault(person.id, person)
        for person in list(contacts.values())[:MAX_CONTACTS_PER_ORGANISATION]:
            url = whatsapp_link(person.phone, text)
            if url:
                digest.contacts.append(WhatsAppContact(person.full_name,
                                                       mask_phone(person.phone), url))
    return sorted(digests.values(), key=lambda d: d.organisation.name.lower())


def reminder_dedupe_key(organisation_id: int, today: date, email: str) -> str:
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:16]
    return f"reminder:{organisation_id}:{today.isoformat()}:{digest}"


def queue_reminders(session: Session, today: date, *, url: str | None = None) -> ReminderReport:
    """Queue today's digests (one per organisation and recipient); a second run the same day
    queues nothing new. Flushes, never commits."""
    report = ReminderReport()
    with force_locale(MESSAGE_LOCALE):
        for digest in reminder_digests(session, today):
            report.organisations += 1
            if not digest.recipients:
                report.without_recipient += 1
                continue
            subject = reminder_subject(digest)
            body = reminder_body(digest, today, url=url)
            payload = {"organisation_id": digest.organisation.id, "date": today.isoformat(),
                       "commitment_ids": [i.commitment.id for i in digest.items]}
            for email, person in digest.recipients:
                queued = queue_notification(
                    session, NotificationKind.COMMITMENT_REMINDER, subject=subject, body=body,
                    person=person, email=email, payload=payload,
                    dedupe_key=reminder_dedupe_key(digest.organisation.id, today, email))
                if queued is None:
                    report.already_queued += 1
                else:
                    report.queued += 1
    session.flush()
    return report

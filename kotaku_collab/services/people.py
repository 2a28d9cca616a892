"""The people directory: normalising contact details."""

from __future__ import annotations

import re
import unicodedata

import phonenumbers

from kotaku_collab.i18n import _
from kotaku_collab.services import DomainError

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def clean_text(value: str | None, max_length: int) -> str | None:
    """Trim, drop control characters and normalise Unicode; empty becomes None."""
    if value is None:
        return None
    value = _CONTROL.sub(" ", unicodedata.normalize("NFC", value)).strip()
    value = re.sub(r"\s+", " ", value)
    return value[:max_length] or None


def normalise_phone(raw: str | None, field: str = "phone") -> str | None:
    """An Indonesian (or international) number as E.164: 0812-3456-7890 → +6281234567890."""
    if not raw or not raw.strip():
        return None
    try:
        number = phonenumbers.parse(raw, "ID")
    except phonenumbers.NumberParseException:
        raise DomainError(_("This is not a valid phone number."), field=field) from None
    if not phonenumbers.is_valid_number(number):
        raise DomainError(_("This is not a valid phone number."), field=field)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def mask_phone(phone: str | None) -> str:
    """+6281234567890 → +62812****890, for lists (full numbers only where needed)."""
    if not phone:
        return "–"
    return phone[:6] + "*" * max(len(phone) - 9, 0) + phone[-3:] if len(phone) > 9 else phone

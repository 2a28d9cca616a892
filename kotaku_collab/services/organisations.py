"""The organisation registry."""

from __future__ import annotations

import re
import unicodedata

_PUNCTUATION = re.compile(r"[^\w\s]", re.UNICODE)
_SPACES = re.compile(r"\s+")


def normalise_name(name: str) -> str:
    """Lower case, accents folded, punctuation dropped, spaces collapsed: for duplicate checks."""
    folded = unicodedata.normalize("NFKD", name or "")
    folded = "".join(c for c in folded if not unicodedata.combining(c)).casefold()
    folded = _PUNCTUATION.sub(" ", folded)
    return _SPACES.sub(" ", folded).strip()


def find_by_name(session, name: str):
    """The registry entry with this name (normalised), following merges."""
    from sqlalchemy import select

    from kotaku_collab.models import Organisation

    org = session.scalar(select(Organisation).where(
        Organisation.normalised_name == normalise_name(name)).order_by(Organisation.id).limit(1))
    while org is not None and org.merged_into_id is not None:
        org = session.get(Organisation, org.merged_into_id)
    return org


def find_or_create_organisation(session, *, name: str, sector, region_code: str | None,
                                subtype=None):
    """Reuse an organisation whose normalised name matches, else add it to the registry."""
    from kotaku_collab.models import Organisation

    org = find_by_name(session, name)
    if org is None:
        org = Organisation(name=name, normalised_name=normalise_name(name), sector=sector,
                           region_code=region_code, subtype=subtype)
        session.add(org)
        session.flush()
    return org

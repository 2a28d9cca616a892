"""The organisation registry: one list shared by every workshop, kept free of duplicates."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.orm import Session, joinedload

from kotaku_collab.i18n import _
from kotaku_collab.models import (Organisation, OrganisationSubtype, OrganiserRole, Region,
                                  RegionLevel, Sector, WorkshopOrganiser)
from kotaku_collab.services import DomainError
from kotaku_collab.services.people import clean_text

_PUNCTUATION = re.compile(r"[^\w\s]", re.UNICODE)
_SPACES = re.compile(r"\s+")

#: Regions an organisation may belong to: a province or a kabupaten/kota.
ORGANISATION_REGION_LEVELS = (RegionLevel.PROVINSI, RegionLevel.KABUPATEN, RegionLevel.KOTA)
PER_PAGE = 25


def normalise_name(name: str) -> str:
    """Lower case, accents folded, punctuation dropped, spaces collapsed: for duplicate checks."""
    folded = unicodedata.normalize("NFKD", name or "")
    folded = "".join(c for c in folded if not unicodedata.combining(c)).casefold()
    folded = _PUNCTUATION.sub(" ", folded)
    return _SPACES.sub(" ", folded).strip()


def like_pattern(text: str) -> str:
    """A lower-case LIKE pattern matching `text` anywhere, with LIKE's wildcards escaped."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def follow_merges(session: Session, org: Organisation | None) -> Organisation | None:
    """The organisation that `org` was (perhaps repeatedly) merged into, or `org` itself."""
    seen = set()
    while org is not None and org.merged_into_id is not None and org.id not in seen:
        seen.add(org.id)
        org = session.get(Organisation, org.merged_into_id)
    return org


#: Built once: every self-registration runs it while holding SQLite's write lock.
_BY_NORMALISED_NAME = (select(Organisation).where(Organisation.normalised_name == bindparam("name"))
                       .order_by(Organisation.id).limit(1))


def find_by_name(session, name: str):
    """The registry entry with this name (normalised), following merges."""
    org = session.scalar(_BY_NORMALISED_NAME, {"name": normalise_name(name)})
    return follow_merges(session, org)


def find_or_create_organisation(session, *, name: str, sector, region_code: str | None,
                                subtype=None):
    """Reuse an organisation whose normalised name matches, else add it to the registry."""
    org = find_by_name(session, name)
    if org is None:
        org = Organisation(name=name, normalised_name=normalise_name(name), sector=sector,
                           region_code=region_code, subtype=subtype)
        session.add(org)
        session.flush()
    return org


# --- Creating and editing -------------------------------------------------------------------


@dataclass
class OrganisationInput:
    name: str
    sector: Sector
    short_name: str | None = None
    subtype: OrganisationSubtype | None = None
    region_code: str | None = None
    contact: str | None = None


def find_duplicate(session: Session, name: str,
                   exclude: Organisation | None = None) -> Organisation | None:
    """Another live organisation whose name is the same once normalised (merged entries count
    as the organisation they were merged into)."""
    normalised = normalise_name(name)
    candidates = session.scalars(select(Organisation).where(
        Organisation.normalised_name == normalised).order_by(Organisation.id))
    for candidate in candidates:
        live = follow_merges(session, candidate)
        if live is not None and (exclude is None or live.id != exclude.id):
            return live
    return None


def _checked(session: Session, data: OrganisationInput,
             existing: Organisation | None) -> OrganisationInput:
    name = clean_text(data.name, 200)
    if not name or not normalise_name(name):
        raise DomainError(_("Enter the organisation's name."), field="name")
    duplicate = find_duplicate(session, name, exclude=existing)
    if duplicate is not None:
        raise DomainError(_("This organisation is already in the registry as “%(name)s”.",
                            name=duplicate.name), field="name")
    region_code = data.region_code or None
    if region_code is not None:
        region = session.get(Region, region_code)
        if region is None or region.level not in ORGANISATION_REGION_LEVELS:
            raise DomainError(_("Choose a province or a regency/city."), field="region_code")
    return OrganisationInput(name=name, sector=Sector(data.sector),
                             short_name=clean_text(data.short_name, 60),
                             subtype=OrganisationSubtype(data.subtype) if data.subtype else None,
                             region_code=region_code, contact=(data.contact or "").strip() or None)


def _apply(org: Organisation, data: OrganisationInput) -> None:
    org.name, org.normalised_name = data.name, normalise_name(data.name)
    org.short_name, org.sector, org.subtype = data.short_name, data.sector, data.subtype
    org.region_code, org.contact = data.region_code, data.contact


def create_organisation(session: Session, data: OrganisationInput) -> Organisation:
    """Add an organisation to the registry; a name that is already there is refused."""
    checked = _checked(session, data, None)
    org = Organisation()
    _apply(org, checked)
    session.add(org)
    session.flush()
    return org


def update_organisation(session: Session, org: Organisation,
                        data: OrganisationInput) -> Organisation:
    """Edit an organisation; renaming it to another entry's name is refused."""
    checked = _checked(session, data, org)
    _apply(org, checked)
    session.flush()
    return org


# --- Lists and choices ----------------------------------------------------------------------


@dataclass
class OrganisationFilters:
    q: str | None = None
    sector: Sector | None = None
    region_code: str | None = None
    show_merged: bool = False


@dataclass
class OrganisationRow:
    organisation: Organisation
    people: int
    merged_into: Organisation | None


def list_organisations(session: Session, filters: OrganisationFilters, *, page: int = 1,
                       per_page: int = PER_PAGE):
    """A page of the registry, filtered, in a fixed number of queries. Returns the pagination
    and one row per organisation with its number of people and the entry it was merged into."""
    from kotaku_collab.extensions import db
    from kotaku_collab.models import Person

    query = select(Organisation).options(joinedload(Organisation.region)).order_by(
        Organisation.name, Organisation.id)
    if not filters.show_merged:
        query = query.where(Organisation.merged_into_id.is_(None))
    if filters.q:
        like = like_pattern(filters.q)
        query = query.where(or_(func.lower(Organisation.name).like(like, escape="\\"),
                                func.lower(Organisation.short_name).like(like, escape="\\")))
    if filters.sector is not None:
        query = query.where(Organisation.sector == filters.sector)
    if filters.region_code:
        query = query.where(or_(Organisation.region_code == filters.region_code,
                                Organisation.region_code.like(filters.region_code + ".%")))
    pagination = db.paginate(query, page=page, per_page=per_page, error_out=False)
    ids = [o.id for o in pagination.items]
    # Two more queries, always both, so the count never depends on what the page holds.
    counts = dict(session.execute(
        select(Person.organisation_id, func.count(Person.id))
        .where(Person.organisation_id.in_(ids)).group_by(Person.organisation_id)).all())
    merged_ids = {o.merged_into_id for o in pagination.items if o.merged_into_id}
    merged = {o.id: o for o in session.scalars(
        select(Organisation).where(Organisation.id.in_(merged_ids)))}
    rows = [OrganisationRow(o, counts.get(o.id, 0), merged.get(o.merged_into_id))
            for o in pagination.items]
    return pagination, rows


def organisation_regions(session: Session) -> list[Region]:
    """Provinces and kabupaten/kota, each province followed by its regencies and cities."""
    return list(session.scalars(select(Region).where(
        Region.level.in_(ORGANISATION_REGION_LEVELS)).order_by(Region.code)))


def merge_candidates(session: Session, source: Organisation, q: str | None,
                     limit: int = 50) -> list[Organisation]:
    """Live organisations the source could be merged into: those matching `q`, else those
    sharing its region (or its sector, when it has no region)."""
    query = (select(Organisation).options(joinedload(Organisation.region))
             .where(Organisation.merged_into_id.is_(None), Organisation.id != source.id)
             .order_by(Organisation.name).limit(limit))
    if q:
        like = like_pattern(q)
        query = query.where(or_(func.lower(Organisation.name).like(like, escape="\\"),
                                func.lower(Organisation.short_name).like(like, escape="\\")))
    elif source.region_code:
        query = query.where(Organisation.region_code == source.region_code)
    else:
        query = query.where(Organisation.sector == source.sector)
    return list(session.scalars(query))


# --- Merging --------------------------------------------------------------------------------


def merge_organisations(session: Session, source: Organisation, target: Organisation):
    """Merge `source` into `target`: every row that references the source (people, accounts,
    registrations, workshop organisers, issues, mechanisms, meetings, agreements,
    commitments...) is re-pointed to the target; links the target already has are not
    duplicated. The source stays in the registry, marked as merged and hidden from pickers.
    Details the target lacks are copied from the source. Returns the RepointReport."""
    from kotaku_collab.audit import record_event
    from kotaku_collab.services.merging import repoint_references

    if source.id == target.id:
        raise DomainError(_("Choose another organisation to merge into."), field="target_id")
    if source.merged_into_id is not None:
        raise DomainError(_("This organisation has already been merged."), field="target_id")
    if target.merged_into_id is not None:
        live = follow_merges(session, target)
        raise DomainError(_("“%(name)s” was merged into “%(live)s”; merge into that one instead.",
                            name=target.name, live=live.name if live else "–"), field="target_id")
    _keep_stronger_organiser_role(session, source, target)
    for attribute in ("short_name", "subtype", "region_code", "contact"):
        if getattr(target, attribute) is None and getattr(source, attribute) is not None:
            setattr(target, attribute, getattr(source, attribute))
    source_id, target_id = source.id, target.id
    report = repoint_references(session, "organisations", source_id, target_id)
    source = session.get(Organisation, source_id)
    source.merged_into_id = target_id
    session.flush()
    record_event(session, "merge", source, {"merged_into": target_id, "moved": report.moved,
                                            "duplicates_dropped": report.dropped})
    return report


def _keep_stronger_organiser_role(session: Session, source: Organisation,
                                  target: Organisation) -> None:
    """Where both organise one workshop, the target keeps "penyelenggara" if either had it."""
    source_roles = dict(session.execute(select(WorkshopOrganiser.workshop_id, WorkshopOrganiser.role)
                                        .where(WorkshopOrganiser.organisation_id == source.id)).all())
    if not source_roles:
        return
    for link in session.scalars(select(WorkshopOrganiser).where(
            WorkshopOrganiser.organisation_id == target.id,
            WorkshopOrganiser.workshop_id.in_(source_roles))):
        if source_roles[link.workshop_id] is OrganiserRole.PENYELENGGARA:
            link.role = OrganiserRole.PENYELENGGARA

"""Exports for Bappeda reviewers: one XLSX workbook of six sheets, or one CSV per table.

The tables (TABLES, in sheet order): workshops, participation (a count per workshop, sector,
gender and registration status: no names), issues, mechanisms, commitments and progress. Every
table is a plain column select with joins for names and is read with
`execution_options(yield_per=YIELD_PER)`, so no ORM object is loaded, one SQL statement runs per
table whatever the row count, and memory stays bounded: the XLSX is written by openpyxl in
write-only mode (rows go to a temporary file as they come, strings inline), the CSV is produced
chunk by chunk for a streamed response.

No phone number, e-mail address or person's name is exported: people appear only as counts;
organisations by name; mechanisms without their contact channel; commitments without the person
who made them; progress updates without their author. Every text cell is formula-safe
(services/exports.neutralise: a leading = + - @ is quoted), and XLSX text loses the control
characters that the file format cannot hold.

The scope is the reviewer's: the ReviewFilters' region scope (services/review_filters.py) plus,
optionally, one workshop (`workshop_id`, checked to be in view by the caller). Dates and times
are cells (XLSX) or ISO 8601 text (CSV), in the workshop's or region's own time zone, so a
spreadsheet can sort and filter them; headers and enum labels follow the request's language.

Public entry points, kept stable for the national-scale benchmark (issue 8):

    write_workbook(session, user, filters, target_file, *, workshop_id=None) -> dict[str, int]
        Write the six sheets to `target_file` (a path, or a binary file object opened for
        writing, e.g. a tempfile.SpooledTemporaryFile; the caller rewinds and closes it) and
        return the number of data rows written per table, keyed by TABLES.

    build_table(session, user, filters, name, *, workshop_id=None) -> ExportTable
        One table's translated header and lazy row iterator (the query runs on first iteration).

    csv_chunks(table) -> Iterator[bytes]
        The table as UTF-8 CSV with a byte-order mark, a chunk of rows at a time.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Callable, Iterable, Iterator, Sequence

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session, aliased

from kotaku_collab.i18n import _, to_local, zone_suffix
from kotaku_collab.models import (Aspect, Cadence, Commitment, CommitmentStatus, CommitmentType,
                                  CommitmentUpdate, CoordinationMechanism, EvidenceFile,
                                  FundingSource, Gender, MechanismMeeting, MechanismType,
                                  Organisation, Person, Region, Registration, RegistrationStatus,
                                  Scale, Sector, StrategicIssue, User, VerificationDecision,
                                  Workshop, WorkshopKind, WorkshopStatus)
from kotaku_collab.models.outcome import IssueAspect, mechanism_members
from kotaku_collab.permissions import scope_clause
from kotaku_collab.services.exports import neutralise
from kotaku_collab.services.participants import ATTENDED
from kotaku_collab.services.review_filters import ReviewFilters

__all__ = ["TABLES", "YIELD_PER", "ExportTable", "ReviewExport", "audit_changes", "build_table",
           "csv_chunks", "export_filename", "parse_workshop", "write_workbook"]

#: Table names in sheet order; also the <table> of /review/export/<table>.csv.
TABLES = ("workshops", "participation", "issues", "mechanisms", "commitments", "progress")
#: Rows fetched from the database at a time.
YIELD_PER = 2000
#: Rows per chunk of a streamed CSV.
CSV_CHUNK_ROWS = 500
#: Excel's limit on the text of one cell.
MAX_CELL_TEXT = 32767
#: Column widths in the XLSX (characters); text columns get WIDE.
NARROW, WIDE = 14, 40

Row = Sequence[object]


class ReviewExport:
    """What the audit trail names as exported when no single workshop is (entity id empty)."""

    id = None


@dataclass
class ExportTable:
    """One table: its name (a TABLES key), translated sheet title and header, and rows."""

    name: str
    title: str
    header: list[str]
    rows: Iterable[Row]
    #: Column indexes (0-based) of long text, given wide columns in the XLSX.
    wide: frozenset[int] = frozenset()


# --- Helpers --------------------------------------------------------------------------------


def _labels(enum_cls) -> dict:
    """Each member's translated label, looked up once per export rather than once per row."""
    return {member: member.label for member in enum_cls}


def _stream(session: Session, statement, convert: Callable[[Row], Row]) -> Iterator[Row]:
    """Rows of `statement` fetched YIELD_PER at a time, converted; the cursor is closed when
    the iteration ends or is abandoned."""
    result = session.execute(statement.execution_options(yield_per=YIELD_PER))
    try:
        for row in result:
            yield convert(row)
    finally:
        result.close()


def _local(value: datetime | None, tz_name: str) -> datetime | None:
    """An aware UTC datetime as the naive local time of `tz_name` (spreadsheets have no zones)."""
    return to_local(value, tz_name).replace(tzinfo=None) if value is not None else None


def _local_date(value: datetime | None, tz_name: str) -> date | None:
    return to_local(value, tz_name).date() if value is not None else None


def _count(*where):
    """A correlated COUNT(*) over the table the conditions name (one column of the outer row)."""
    return select(func.count()).where(*where).scalar_subquery()


def _workshop_scope(filters: ReviewFilters, user: User, workshop_id: int | None) -> list:
    conditions = filters.workshop_conditions(user)
    if workshop_id is not None:
        conditions.append(Workshop.id == workshop_id)
    return conditions


def _commitment_scope(filters: ReviewFilters, user: User, workshop_id: int | None) -> list:
    conditions = filters.commitment_conditions(user)
    if workshop_id is not None:
        conditions.append(Commitment.workshop_id == workshop_id)
    return conditions


# --- The tables -----------------------------------------------------------------------------


def workshops_table(session: Session, user: User, filters: ReviewFilters,
                    workshop_id: int | None = None) -> ExportTable:
    """Workshops in view with their counts: seats, registrations, attendance, outcomes."""
    kinds, statuses = _labels(WorkshopKind), _labels(WorkshopStatus)
    previous = aliased(Workshop)
    statement = (
        select(Workshop.code, Workshop.title, Workshop.kind, Workshop.status, Region.name,
               Region.timezone, Workshop.venue, Workshop.starts_at, Workshop.ends_at,
               Workshop.capacity, Workshop.seats_taken,
               _count(Registration.workshop_id == Workshop.id,
                      Registration.status == RegistrationStatus.CONFIRMED),
               _count(Registration.workshop_id == Workshop.id,
                      Registration.attendance.in_(ATTENDED)),
               _count(StrategicIssue.workshop_id == Workshop.id,
                      StrategicIssue.merged_into_id.is_(None)),
               _count(CoordinationMechanism.workshop_id == Workshop.id),
               _count(Commitment.workshop_id == Workshop.id,
                      scope_clause(user, Commitment.region_code)),
               previous.code)
        .join(Region, Region.code == Workshop.region_code)
        # An earlier round is named only when the reviewer may see it.
        .outerjoin(previous, and_(previous.id == Workshop.previous_id,
                                  scope_clause(user, previous.region_code)))
        .where(*_workshop_scope(filters, user, workshop_id))
        .order_by(Workshop.starts_at, Workshop.id))

    def convert(row):
        (code, title, kind, status, region, tz, venue, starts, ends, capacity, seats,
         registered, attended, issues, mechanisms, commitments, previous_code) = row
        return (code, title, kinds[kind], statuses[status], region, venue, _local(starts, tz),
                _local(ends, tz), zone_suffix(tz), capacity, seats, registered, attended,
                issues, mechanisms, commitments, previous_code)

    header = [_("Code"), _("Title"), _("Kind"), _("Status"), _("Regency/city"), _("Venue"),
              _("Starts"), _("Ends"), _("Time zone"), _("Capacity"), _("Seats taken"),
              _("Registered"), _("Attended"), _("Strategic issues"),
              _("Coordination mechanisms"), _("Commitments"), _("Previous round")]
    return ExportTable("workshops", _("Workshops"), header,
                       _stream(session, statement, convert), frozenset({1, 5}))


def participation_table(session: Session, user: User, filters: ReviewFilters,
                        workshop_id: int | None = None) -> ExportTable:
    """Registrations counted per workshop, sector, gender and status; who attended. No names."""
    sectors, statuses = _labels(Sector), _labels(RegistrationStatus)
    genders = {**_labels(Gender), None: _("Not recorded")}
    order = {**{m: i for i, m in enumerate(Sector)}, **{m: i for i, m in enumerate(Gender)},
             **{m: i for i, m in enumerate(RegistrationStatus)}, None: len(Gender)}
    attended = func.sum(case((Registration.attendance.in_(ATTENDED), 1), else_=0))
    statement = (
        select(Workshop.id, Workshop.code, Workshop.title, Region.name, Registration.sector,
               Person.gender, Registration.status, func.count(Registration.id), attended)
        .join(Workshop, Workshop.id == Registration.workshop_id)
        .join(Region, Region.code == Workshop.region_code)
        .join(Person, Person.id == Registration.person_id)
        .where(*_workshop_scope(filters, user, workshop_id))
        .group_by(Workshop.id, Workshop.code, Workshop.title, Region.name, Workshop.starts_at,
                  Registration.sector, Person.gender, Registration.status)
        .order_by(Workshop.starts_at, Workshop.id))

    def rows() -> Iterator[Row]:
        # Groups arrive workshop by workshop; within one, sort them in the enums' own order.
        group: list = []
        for row in _stream(session, statement, tuple):
            if group and group[0][0] != row[0]:
                yield from _participation_rows(group, order, sectors, genders, statuses)
                group = []
            group.append(row)
        yield from _participation_rows(group, order, sectors, genders, statuses)

    header = [_("Workshop code"), _("Workshop"), _("Regency/city"), _("Sector"), _("Gender"),
              _("Registration status"), _("Participants"), _("Attended")]
    return ExportTable("participation", _("Participation"), header, rows(), frozenset({1}))


def _participation_rows(group, order, sectors, genders, statuses) -> Iterator[Row]:
    group.sort(key=lambda r: (order[r[4]], order[r[5]], order[r[6]]))
    for _id, code, title, region, sector, gender, status, count, attended in group:
        yield (code, title, region, sectors[sector], genders[gender], statuses[status], count,
               int(attended or 0))


def issues_table(session: Session, user: User, filters: ReviewFilters,
                 workshop_id: int | None = None) -> ExportTable:
    """Strategic issues of the workshops in view (merged duplicates left out)."""
    aspects = _labels(Aspect)
    aspect_order = {m.value: i for i, m in enumerate(Aspect)}
    location = aliased(Region)
    aspect_values = (select(func.aggregate_strings(IssueAspect.aspect, ","))
                     .where(IssueAspect.issue_id == StrategicIssue.id).scalar_subquery())
    statement = (
        select(Workshop.code, Workshop.title, Region.name, StrategicIssue.title,
               StrategicIssue.description, aspect_values, location.name, Organisation.name,
               StrategicIssue.priority, StrategicIssue.vote_rank, StrategicIssue.vote_count,
               StrategicIssue.agreed)
        .join(Workshop, Workshop.id == StrategicIssue.workshop_id)
        .join(Region, Region.code == Workshop.region_code)
        .outerjoin(location, location.code == StrategicIssue.location_code)
        .outerjoin(Organisation, Organisation.id == StrategicIssue.proposed_by_id)
        .where(StrategicIssue.merged_into_id.is_(None),
               *_workshop_scope(filters, user, workshop_id))
        .order_by(Workshop.starts_at, Workshop.id, StrategicIssue.id))
    yes, no = _("yes"), _("no")

    def convert(row):
        (code, workshop, region, title, description, values, place, proposer, priority, rank,
         votes, agreed) = row
        chosen = sorted((v for v in (values or "").split(",") if v in aspect_order),
                        key=aspect_order.get)
        return (code, workshop, region, title, description,
                "; ".join(aspects[Aspect(v)] for v in chosen), place, proposer, priority, rank,
                votes, yes if agreed else no)

    header = [_("Workshop code"), _("Workshop"), _("Regency/city"), _("Title"),
              _("Description"), _("Aspects"), _("Location"), _("Proposed by"),
              _("Priority (1 = high)"), _("Vote rank"), _("Votes"), _("Agreed")]
    return ExportTable("issues", _("Strategic issues"), header,
                       _stream(session, statement, convert), frozenset({1, 3, 4}))


def mechanisms_table(session: Session, user: User, filters: ReviewFilters,
                     workshop_id: int | None = None) -> ExportTable:
    """Coordination mechanisms with their members and meeting log in numbers (no contacts)."""
    types, cadences = _labels(MechanismType), _labels(Cadence)
    statement = (
        select(Workshop.code, Workshop.title, Region.name, CoordinationMechanism.type,
               CoordinationMechanism.name, CoordinationMechanism.description, Organisation.name,
               _count(mechanism_members.c.mechanism_id == CoordinationMechanism.id),
               CoordinationMechanism.cadence, CoordinationMechanism.next_meeting_on,
               _count(MechanismMeeting.mechanism_id == CoordinationMechanism.id),
               select(func.max(MechanismMeeting.held_on))
               .where(MechanismMeeting.mechanism_id == CoordinationMechanism.id)
               .scalar_subquery(),
               CoordinationMechanism.legal_basis)
        .join(Workshop, Workshop.id == CoordinationMechanism.workshop_id)
        .join(Region, Region.code == Workshop.region_code)
        .outerjoin(Organisation, Organisation.id == CoordinationMechanism.lead_organisation_id)
        .where(*_workshop_scope(filters, user, workshop_id))
        .order_by(Workshop.starts_at, Workshop.id, CoordinationMechanism.id))

    def convert(row):
        (code, workshop, region, kind, name, description, lead, members, cadence, next_on,
         meetings, last_on, legal_basis) = row
        return (code, workshop, region, types[kind], name, description, lead, members,
                cadences[cadence], next_on, meetings, last_on, legal_basis)

    header = [_("Workshop code"), _("Workshop"), _("Regency/city"), _("Type"), _("Name"),
              _("Description"), _("Lead organisation"), _("Members"), _("Cadence"),
              _("Next meeting"), _("Meetings held"), _("Last meeting"), _("Legal basis")]
    return ExportTable("mechanisms", _("Coordination mechanisms"), header,
                       _stream(session, statement, convert), frozenset({1, 4, 5}))


def commitments_table(session: Session, user: User, filters: ReviewFilters,
                      workshop_id: int | None = None) -> ExportTable:
    """Commitments in view with their current status (not who made them)."""
    sectors, types, aspects = _labels(Sector), _labels(CommitmentType), _labels(Aspect)
    scales, sources = _labels(Scale), _labels(FundingSource)
    statuses = _labels(CommitmentStatus)
    location = aliased(Region)
    yes, no = _("yes"), _("no")
    statement = (
        select(Commitment.id, Workshop.code, Region.name, Region.timezone, Organisation.name,
               Commitment.sector, Commitment.type, Commitment.aspect, Commitment.scale,
               location.name, Commitment.location_text, Commitment.title,
               Commitment.description, Commitment.volume, Commitment.unit,
               Commitment.amount_idr, Commitment.funding_source, Commitment.fiscal_year,
               Commitment.target_date, Commitment.document_ref, Commitment.integrated_into,
               Commitment.status, Commitment.percent_complete, Commitment.last_update_at,
               Commitment.is_example)
        .join(Region, Region.code == Commitment.region_code)
        .join(Organisation, Organisation.id == Commitment.organisation_id)
        .outerjoin(location, location.code == Commitment.location_code)
        # The workshop is named only when the reviewer may see it.
        .outerjoin(Workshop, and_(Workshop.id == Commitment.workshop_id,
                                  scope_clause(user, Workshop.region_code)))
        .where(*_commitment_scope(filters, user, workshop_id))
        .order_by(Commitment.id))

    def convert(row):
        (id_, code, region, tz, organisation, sector, type_, aspect, scale, place, place_text,
         title, description, volume, unit, amount, source, year, target, document, integrated,
         status, percent, last_update, example) = row
        return (id_, code, region, organisation, sectors[sector], types[type_],
                aspects[aspect] if aspect else None, scales[scale] if scale else None,
                place or place_text, title, description, volume, unit, amount,
                sources[source] if source else None, year, target, document, integrated,
                statuses[status], percent, _local_date(last_update, tz), yes if example else no)

    header = [_("ID"), _("Workshop code"), _("Regency/city"), _("Organisation"), _("Sector"),
              _("Type"), _("Aspect"), _("Scale"), _("Location"), _("Title"), _("Description"),
              _("Volume"), _("Unit"), _("Amount (Rp)"), _("Funding source"), _("Fiscal year"),
              _("Target date"), _("Document reference"), _("Integrated into"), _("Status"),
              _("Percent complete"), _("Last update"), _("Example data")]
    return ExportTable("commitments", _("Commitments"), header,
                       _stream(session, statement, convert), frozenset({3, 9, 10}))


def progress_table(session: Session, user: User, filters: ReviewFilters,
                   workshop_id: int | None = None) -> ExportTable:
    """Progress updates of the commitments in view, oldest first per commitment (no authors)."""
    statuses = _labels(CommitmentStatus)
    decisions = {**_labels(VerificationDecision), None: _("Awaiting review")}
    statement = (
        select(Commitment.id, Commitment.title, Organisation.name, Region.name,
               CommitmentUpdate.reported_on, CommitmentUpdate.status,
               CommitmentUpdate.percent_complete, CommitmentUpdate.narrative,
               CommitmentUpdate.verification_state,
               _count(EvidenceFile.update_id == CommitmentUpdate.id))
        .join(Commitment, Commitment.id == CommitmentUpdate.commitment_id)
        .join(Organisation, Organisation.id == Commitment.organisation_id)
        .join(Region, Region.code == Commitment.region_code)
        .where(*_commitment_scope(filters, user, workshop_id))
        .order_by(Commitment.id, CommitmentUpdate.reported_on, CommitmentUpdate.id))

    def convert(row):
        (id_, title, organisation, region, reported_on, status, percent, narrative, decision,
         evidence) = row
        return (id_, title, organisation, region, reported_on, statuses[status], percent,
                narrative, decisions[decision], evidence)

    header = [_("Commitment ID"), _("Commitment"), _("Organisation"), _("Regency/city"),
              _("Reported on"), _("Status"), _("Percent complete"), _("Narrative"),
              _("Verification"), _("Evidence files")]
    return ExportTable("progress", _("Progress"), header, _stream(session, statement, convert),
                       frozenset({1, 2, 7}))


BUILDERS = {
    "workshops": workshops_table,
    "participation": participation_table,
    "issues": issues_table,
    "mechanisms": mechanisms_table,
    "commitments": commitments_table,
    "progress": progress_table,
}


def build_table(session: Session, user: User, filters: ReviewFilters, name: str, *,
                workshop_id: int | None = None) -> ExportTable:
    """The table called `name` (one of TABLES; KeyError otherwise), rows not yet fetched."""
    return BUILDERS[name](session, user, filters, workshop_id)


# --- Writers --------------------------------------------------------------------------------


def _xlsx_value(value):
    """A cell value for openpyxl: text neutralised and stripped of characters XLSX cannot hold
    (openpyxl would raise on them); numbers and dates as they are."""
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", neutralise(value))[:MAX_CELL_TEXT]
    return value


def _csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, (date, int, Decimal)):
        return value.isoformat() if isinstance(value, date) else str(value)
    return neutralise(value)


def write_workbook(session: Session, user: User, filters: ReviewFilters,
                   target_file: str | IO[bytes], *, workshop_id: int | None = None
                   ) -> dict[str, int]:
    """Write the six sheets to `target_file`; the rows written per table (see the module doc)."""
    workbook = Workbook(write_only=True)
    counts: dict[str, int] = {}
    for name in TABLES:
        table = build_table(session, user, filters, name, workshop_id=workshop_id)
        sheet = workbook.create_sheet(title=table.title[:31])
        for index, _name in enumerate(table.header):
            width = WIDE if index in table.wide else max(NARROW, len(_name) + 2)
            sheet.column_dimensions[get_column_letter(index + 1)].width = width
        sheet.freeze_panes = "A2"
        bold = Font(bold=True)
        header = []
        for text in table.header:
            cell = WriteOnlyCell(sheet, value=_xlsx_value(text))
            cell.font = bold
            header.append(cell)
        sheet.append(header)
        count = 0
        for row in table.rows:
            sheet.append([_xlsx_value(v) for v in row])
            count += 1
        counts[name] = count
    workbook.save(target_file)
    return counts


def csv_chunks(table: ExportTable, chunk_rows: int = CSV_CHUNK_ROWS) -> Iterator[bytes]:
    """RFC 4180 CSV (CRLF) in UTF-8 with a byte-order mark (for Excel), `chunk_rows` rows per
    chunk; every text cell formula-safe."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")

    def take() -> bytes:
        data = buffer.getvalue().encode("utf-8")
        buffer.seek(0)
        buffer.truncate()
        return data

    writer.writerow([neutralise(h) for h in table.header])
    yield "\ufeff".encode("utf-8") + take()
    pending = 0
    for row in table.rows:
        writer.writerow([_csv_value(v) for v in row])
        pending += 1
        if pending >= chunk_rows:
            yield take()
            pending = 0
    if pending:
        yield take()


def audit_changes(fmt: str, filters: ReviewFilters, *, table: str | None = None,
                  workshop_id: int | None = None, rows: dict[str, int] | None = None) -> dict:
    """What an export's audit event records: format, table, filters, workshop, row counts and
    the filter values that were dropped."""
    changes: dict = {"format": fmt, "filters": filters.as_args()}
    if table:
        changes["table"] = table
    if workshop_id is not None:
        changes["workshop_id"] = workshop_id
    if rows is not None:
        changes["rows"] = rows
    if filters.errors:
        changes["dropped"] = [str(e) for e in filters.errors]
    if filters.out_of_scope:
        changes["out_of_scope"] = True
    return changes


def parse_workshop(session: Session, user: User, filters: ReviewFilters,
                   raw: str | None) -> Workshop | None:
    """The optional one-workshop narrowing (`?workshop=<id>`), like the other filters never an
    exception: a value that is not an id is dropped with a message; a workshop that is not in
    view (outside the scope or the other filters, or unknown) empties the export."""
    raw = (raw or "").strip()
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 18:
        filters.errors.append(_("Unknown workshop: %(value)s", value=raw[:40]))
        return None
    workshop = session.scalar(
        select(Workshop).where(Workshop.id == int(raw), *filters.workshop_conditions(user)))
    if workshop is None:
        filters.errors.append(_("That workshop is not in view."))
        filters.out_of_scope = True
    return workshop


def export_filename(today: date, table: str | None = None) -> str:
    """kotaku-tinjauan-2026-12-02.xlsx, or kotaku-tinjauan-komitmen-2026-12-02.csv for a table."""
    if table is None:
        return f"kotaku-tinjauan-{today.isoformat()}.xlsx"
    return f"kotaku-tinjauan-{FILE_SLUGS[table]}-{today.isoformat()}.csv"


#: Indonesian file-name parts per table (file names are not translated).
FILE_SLUGS = {"workshops": "lokakarya", "participation": "partisipasi",
              "issues": "isu-strategis", "mechanisms": "mekanisme", "commitments": "komitmen",
              "progress": "kemajuan"}

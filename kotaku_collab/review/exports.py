"""Reviewer exports: /review/export.xlsx (six sheets) and /review/export/<table>.csv.

Both take the dashboard's filters (services/review_filters.py) plus an optional
`workshop=<id>`; a bad value is dropped (or, outside the reviewer's regions, empties the export),
never a 500. Every export is written to the audit trail: who, when, format, filters, workshop,
rows. The XLSX is built in a spooled temporary file and sent with send_file; the CSV is streamed.
"""

from __future__ import annotations

import tempfile
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from flask import Response, abort, request, send_file, stream_with_context
from flask_login import current_user

from kotaku_collab.audit import record_event
from kotaku_collab.extensions import db
from kotaku_collab.permissions import authorize
from kotaku_collab.review.routes import bp
from kotaku_collab.services.exports import XLSX_MIMETYPE
from kotaku_collab.services.review_export import (TABLES, ReviewExport, audit_changes,
                                                  build_table, csv_chunks, export_filename,
                                                  parse_workshop, write_workbook)
from kotaku_collab.services.review_filters import parse_review_filters

#: A workbook up to this size stays in memory; a larger one rolls over to a file on disk.
SPOOL_BYTES = 8 * 1024 * 1024
#: File names carry the date in Western Indonesian Time, where most reviewers are.
FILE_DATE_ZONE = ZoneInfo("Asia/Jakarta")


def _selection():
    filters = parse_review_filters(db.session, current_user, request.args)
    workshop = parse_workshop(db.session, current_user, filters, request.args.get("workshop"))
    return filters, workshop


def _today():
    return datetime.now(timezone.utc).astimezone(FILE_DATE_ZONE).date()


@bp.route("/export.xlsx")
@authorize("review.export")
def export_xlsx():
    filters, workshop = _selection()
    workshop_id = workshop.id if workshop is not None else None
    target = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
    try:
        rows = write_workbook(db.session, current_user, filters, target, workshop_id=workshop_id)
        # End the long read before writing the audit event: on SQLite (WAL) a read transaction
        # that outlived another writer's commit cannot become a write transaction.
        db.session.commit()
        record_event(db.session, "export", workshop if workshop is not None else ReviewExport(),
                     changes=audit_changes("xlsx", filters, workshop_id=workshop_id, rows=rows))
        db.session.commit()
    except BaseException:
        target.close()
        raise
    target.seek(0)
    return send_file(target, mimetype=XLSX_MIMETYPE, as_attachment=True,
                     download_name=export_filename(_today()), max_age=0)


@bp.route("/export/<table>.csv")
@authorize("review.export")
def export_csv(table: str):
    if table not in TABLES:
        abort(404)
    filters, workshop = _selection()
    workshop_id = workshop.id if workshop is not None else None
    export = build_table(db.session, current_user, filters, table, workshop_id=workshop_id)
    # Recorded (and committed) before the first row is read: the stream is read-only.
    record_event(db.session, "export", workshop if workshop is not None else ReviewExport(),
                 changes=audit_changes("csv", filters, table=table, workshop_id=workshop_id))
    db.session.commit()
    response = Response(stream_with_context(csv_chunks(export)),
                        mimetype="text/csv", content_type="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{export_filename(_today(), table)}"')
    return response

"""Commitments: lists and pages for every role (/commitments/...), and the organisers' pages
(the quick entry and progress sheet under /manage/workshops/<id>/commitments, and
/manage/commitments/reminders)."""

from __future__ import annotations

import io
import re
from pathlib import Path

from flask import (Blueprint, Response, abort, current_app, flash, redirect, render_template,
                   request, send_file, url_for)
from flask_babel import force_locale, ngettext
from flask_login import current_user, login_required

from kotaku_collab.audit import record_event
from kotaku_collab.extensions import db
from kotaku_collab.forms import database_id, page_number, to_choices
from kotaku_collab.i18n import _
from kotaku_collab.models import (Aspect, Commitment, CommitmentStatus, CommitmentType,
                                  CommitmentUpdate, EvidenceFile, FundingSource, Organisation,
                                  Scale, Sector, VerificationDecision, Workshop)
from kotaku_collab.permissions import authorize, can, load_or_404, require, scope_codes
from kotaku_collab.services import DomainError
from kotaku_collab.services import lookups
from kotaku_collab.services.commitment_sheet import (XLSX_MIMETYPE, SheetScope,
                                                     build_progress_sheet, import_progress_sheet,
                                                     open_commitments)
from kotaku_collab.services.commitments import (FILTER_CHOICES, CommitmentFilters,
                                                CommitmentInput, NotAllowed,
                                                ProgressInput, commitment_choices,
                                                commitment_page, create_commitment,
                                                create_commitments_bulk, filter_choices,
                                                list_commitments, local_today,
                                                post_progress_update, update_commitment,
                                                verify_update, workshop_commitments)
from kotaku_collab.services.evidence import (MAX_EVIDENCE_BYTES, check_uploads, remove_stored,
                                             store_evidence, stored_path)
from kotaku_collab.services.fragments import render_cached
from kotaku_collab.services.notifications import MESSAGE_LOCALE
from kotaku_collab.services.reminders import reminder_digests

from .forms import (NONE_LABEL, CommitmentForm, ListFilterForm, ProgressForm, QuickEntryForm,
                    SheetUploadForm, VerifyForm)

bp = Blueprint("commitments", __name__)


def _today():
    return local_today(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def _upload_dir() -> Path:
    """Evidence lives under instance/uploads unless EVIDENCE_UPLOAD_DIR says otherwise."""
    configured = current_app.config.get("EVIDENCE_UPLOAD_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "uploads"


def _enum_or_none(enum_cls, value):
    return enum_cls(value) if value else None


# --- Lists ----------------------------------------------------------------------------------


def _filters_from(form: ListFilterForm) -> CommitmentFilters:
    filters = CommitmentFilters()
    if form.validate():
        filters.q = form.q.data or None
        filters.region_code = form.region.data or None
        filters.workshop_id = form.workshop.data
        filters.organisation_id = form.organisation.data
        filters.sector = _enum_or_none(Sector, form.sector.data)
        filters.aspect = _enum_or_none(Aspect, form.aspect.data)
        filters.status = _enum_or_none(CommitmentStatus, form.status.data)
        filters.funding_source = _enum_or_none(FundingSource, form.funding_source.data)
        filters.flag = form.flag.data or None
        filters.verification = form.verification.data or None
        filters.sort = form.sort.data or "target"
    return filters


def _selected_id(field) -> int | None:
    """The id a select's coerce made of ?workshop=/?organisation= (None when blank or bad)."""
    value = field.data
    return value if isinstance(value, int) and not isinstance(value, bool) else None


#: What the list fragment shows: commitments with their organisations, workshops and regions
#: (also the filter's choices) and the latest updates' verification states.
LIST_TABLES = ("commitments", "organisations", "workshops", "regions", "commitment_updates")


def _list_context(user, own_organisation_id: int | None, endpoint: str, today) -> dict:
    """Everything the list fragment shows: the filter form, one page of commitments, the totals."""
    form = ListFilterForm(request.args)
    # Only what the scope and the chosen regency/city allow, capped (the selected ones kept).
    choices = filter_choices(db.session, user, region_code=form.region.data or None,
                             workshop_id=_selected_id(form.workshop),
                             organisation_id=_selected_id(form.organisation))
    form.region.choices = to_choices([("", _("All regencies/cities"))] + choices.regions)
    form.workshop.choices = to_choices([("", _("All workshops"))] + choices.workshops)
    form.organisation.choices = to_choices([("", _("All organisations"))]
                                           + choices.organisations)
    filters = _filters_from(form)
    page = max(request.args.get("page", 1, type=page_number), 1)
    result = list_commitments(db.session, user, filters, today=today, page=page,
                              own_organisation_id=own_organisation_id)
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return dict(result=result, form=form, args=args, endpoint=endpoint,
                choices_truncated=choices.truncated, filter_choice_limit=FILTER_CHOICES)


def _render_list(*, own_organisation: Organisation | None):
    user = current_user._get_current_object()
    own_organisation_id = own_organisation.id if own_organisation else None
    endpoint = "commitments.mine" if own_organisation else "commitments.index"
    today = _today()
    # Shown alike to everyone with the same scope (the region codes that scope_clause limits
    # every query to; a national user's are None, so their region rows are never loaded). The
    # query string holds every filter, the sort and the page (and the rest the page links
    # keep); today decides the flags.
    listing = render_cached(
        db.session, "fragments/commitments/list.html", tables=LIST_TABLES,
        key=(scope_codes(user), own_organisation_id, endpoint, today,
             tuple(request.args.items(multi=True))),
        context=lambda: _list_context(user, own_organisation_id, endpoint, today))
    return render_template("commitments/index.html", listing=listing,
                           own_organisation=own_organisation)


@bp.route("/commitments/")
@authorize("commitment.list")
def index():
    return _render_list(own_organisation=None)


@bp.route("/commitments/mine")
@login_required
def mine():
    organisation = current_user.organisation
    if organisation is None:
        abort(403)
    require("commitment.organisation_sheet", organisation)
    return _render_list(own_organisation=organisation)


# --- One commitment -------------------------------------------------------------------------


def _prepare_progress_form(form: ProgressForm, allowed) -> None:
    form.status.choices = to_choices((s.value, s.label) for s in allowed)


def _render_detail(commitment: Commitment, *, progress_form: ProgressForm | None = None,
                   verify_forms: dict | None = None, status: int = 200):
    page = commitment_page(db.session, commitment.id, _today())
    if progress_form is None and can(current_user, "commitment.edit", page.commitment) \
            and page.allowed_statuses:
        progress_form = ProgressForm(formdata=None)
        progress_form.reported_on.data = _today()
        progress_form.status.data = page.commitment.status.value \
            if page.commitment.status in page.allowed_statuses else page.allowed_statuses[0].value
        progress_form.percent_complete.data = page.commitment.percent_complete
    if progress_form is not None:
        _prepare_progress_form(progress_form, page.allowed_statuses)
    forms = dict(verify_forms or {})
    if can(current_user, "commitment.verify", page.commitment):
        for update in page.updates:
            forms.setdefault(update.id, VerifyForm(formdata=None, prefix=f"v{update.id}"))
    return render_template("commitments/detail.html", page=page, progress_form=progress_form,
                           verify_forms=forms), status


@bp.route("/commitments/<int:commitment_id>")
@login_required
def detail(commitment_id: int):
    commitment = load_or_404(Commitment, commitment_id, "commitment.view")
    return _render_detail(commitment)


@bp.route("/commitments/<int:commitment_id>/updates", methods=["POST"])
@login_required
def post_update(commitment_id: int):
    commitment = load_or_404(Commitment, commitment_id, "commitment.edit",
                             view_action="commitment.view")
    form = ProgressForm()
    if form.validate_on_submit():
        files = [(f.filename, f.stream) for f in (form.evidence.data or [])
                 if f is not None and f.filename]
        written: list[str] = []
        try:
            uploads = check_uploads(files, max_bytes=current_app.config.get(
                "EVIDENCE_MAX_BYTES", MAX_EVIDENCE_BYTES))
            update = post_progress_update(
                db.session, current_user, commitment,
                ProgressInput(reported_on=form.reported_on.data,
                              status=CommitmentStatus(form.status.data),
                              percent_complete=form.percent_complete.data,
                              narrative=form.narrative.data), _today())
            written = [e.stored_name for e in
                       store_evidence(db.session, update, uploads, _upload_dir())]
            db.session.commit()
        except NotAllowed:
            db.session.rollback()
            abort(403)
        except DomainError as error:
            db.session.rollback()
            remove_stored(_upload_dir(), written)
            form.add_domain_error(error)
        except Exception:
            db.session.rollback()
            remove_stored(_upload_dir(), written)
            raise
        else:
            flash(_("The progress report has been recorded; Bappeda will review it."), "success")
            return redirect(url_for("commitments.detail", commitment_id=commitment_id))
    return _render_detail(commitment, progress_form=form)


@bp.route("/commitments/updates/<int:update_id>/verify", methods=["POST"])
@login_required
def verify(update_id: int):
    update = db.session.get(CommitmentUpdate, update_id)
    if update is None or not can(current_user, "commitment.view", update.commitment):
        abort(404)
    require("commitment.verify", update.commitment)
    commitment_id = update.commitment_id
    form = VerifyForm(prefix=f"v{update.id}")
    if form.validate_on_submit():
        try:
            verify_update(db.session, current_user, update,
                          VerificationDecision(form.decision.data), form.comment.data,
                          commitment_url=url_for("commitments.detail",
                                                 commitment_id=commitment_id, _external=True))
        except NotAllowed:
            db.session.rollback()
            abort(403)
        except DomainError as error:
            db.session.rollback()
            form.add_domain_error(error)
        else:
            db.session.commit()
            flash(_("The decision has been recorded and the organisation notified."), "success")
            return redirect(url_for("commitments.detail", commitment_id=commitment_id))
    commitment = db.session.get(Commitment, commitment_id)
    return _render_detail(commitment, verify_forms={update_id: form})


@bp.route("/commitments/evidence/<int:evidence_id>")
@login_required
def evidence(evidence_id: int):
    record = db.session.get(EvidenceFile, evidence_id)
    if record is None or not can(current_user, "commitment.view", record.update.commitment):
        abort(404)
    path = stored_path(_upload_dir(), record)
    if path is None:
        abort(404)
    response = send_file(path, mimetype=record.content_type, as_attachment=True,
                         download_name=record.original_name, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


# --- Creating and editing -------------------------------------------------------------------


def _prepare_commitment_form(form: CommitmentForm) -> None:
    choices = commitment_choices(db.session, current_user)
    form.organisation_id.choices = to_choices(
        ([("", NONE_LABEL)] if len(choices.organisations) != 1 else [])
        + [(o.id, o.name) for o in choices.organisations])
    people = sorted(choices.people, key=lambda p: (
        p.organisation.name if p.organisation else "", p.name))
    people_choices = to_choices([(p.id, p.full_name) for p in people])
    for choice, person in zip(people_choices, people):
        choice.optgroup = person.organisation.name if person.organisation else None
    form.committed_by_id.choices = to_choices([("", NONE_LABEL)]) + people_choices
    region_names = {r.code: r.name for r in choices.regions}
    form.region_code.choices = to_choices([("", _("The workshop’s regency/city"))]
                                          + [(r.code, r.name) for r in choices.regions])
    form.workshop_id.choices = to_choices(
        [("", _("Not made at a workshop"))]
        + [(w.id, f"{w.title} ({w.region.name})") for w in choices.workshops])
    issue_choices = to_choices([(i.id, i.title) for i in choices.issues])
    for choice, issue in zip(issue_choices, choices.issues):
        choice.optgroup = issue.workshop.title
    form.issue_ids.choices = issue_choices
    location_choices = to_choices([("", NONE_LABEL)]) + to_choices(
        [(r.code, r.name) for r in choices.locations])
    for choice, region in zip(location_choices[1:], choices.locations):
        choice.optgroup = region_names.get(region.code[:5], region.code[:5])
    form.location_code.choices = location_choices


def _commitment_input(form: CommitmentForm) -> CommitmentInput:
    return CommitmentInput(
        organisation_id=form.organisation_id.data, title=form.title.data or "",
        type=CommitmentType(form.type.data), region_code=form.region_code.data or None,
        workshop_id=form.workshop_id.data, committed_by_id=form.committed_by_id.data,
        issue_ids=list(form.issue_ids.data or []), aspect=_enum_or_none(Aspect, form.aspect.data),
        scale=_enum_or_none(Scale, form.scale.data),
        location_code=form.location_code.data or None, location_text=form.location_text.data,
        description=form.description.data, volume=form.volume.data, unit=form.unit.data,
        amount_idr=form.amount_idr.data,
        funding_source=_enum_or_none(FundingSource, form.funding_source.data),
        fiscal_year=form.fiscal_year.data, target_date=form.target_date.data,
        document_ref=form.document_ref.data, integrated_into=form.integrated_into.data)


def _fill_commitment_form(form: CommitmentForm, c: Commitment) -> None:
    form.organisation_id.data = c.organisation_id
    form.committed_by_id.data = c.committed_by_id
    form.region_code.data = c.region_code
    form.workshop_id.data = c.workshop_id
    form.issue_ids.data = [i.id for i in c.issues]
    form.type.data = c.type.value
    form.aspect.data = c.aspect.value if c.aspect else ""
    form.scale.data = c.scale.value if c.scale else ""
    form.location_code.data = c.location_code or ""
    form.location_text.data = c.location_text
    form.title.data = c.title
    form.description.data = c.description
    form.volume.data = c.volume
    form.unit.data = c.unit
    form.amount_idr.data = c.amount_idr
    form.funding_source.data = c.funding_source.value if c.funding_source else ""
    form.fiscal_year.data = c.fiscal_year
    form.target_date.data = c.target_date
    form.document_ref.data = c.document_ref
    form.integrated_into.data = c.integrated_into


def _save_commitment(form: CommitmentForm, commitment: Commitment | None):
    """Validate and call the service; returns the saved commitment, or None to re-render."""
    if not form.validate_on_submit():
        return None
    try:
        data = _commitment_input(form)
        if commitment is None:
            commitment = create_commitment(db.session, current_user, data)
        else:
            update_commitment(db.session, current_user, commitment, data)
    except NotAllowed:
        db.session.rollback()
        abort(403)
    except DomainError as error:
        db.session.rollback()
        form.add_domain_error(error)
        return None
    db.session.commit()
    return commitment


@bp.route("/commitments/new", methods=["GET", "POST"])
@authorize("commitment.create")
def create():
    form = CommitmentForm()
    _prepare_commitment_form(form)
    if request.method == "GET":
        if current_user.organisation_id and not can(current_user, "commitment.record_for_others"):
            form.organisation_id.data = current_user.organisation_id
        workshop_id = request.args.get("workshop", type=database_id)
        if workshop_id and any(c.value == workshop_id for c in form.workshop_id.choices):
            form.workshop_id.data = workshop_id
    saved = _save_commitment(form, None)
    if saved is not None:
        flash(_("The commitment has been recorded. Report its progress here as it moves on."),
              "success")
        return redirect(url_for("commitments.detail", commitment_id=saved.id))
    return render_template("commitments/form.html", form=form, commitment=None)


@bp.route("/commitments/<int:commitment_id>/edit", methods=["GET", "POST"])
@login_required
def edit(commitment_id: int):
    commitment = load_or_404(Commitment, commitment_id, "commitment.edit",
                             view_action="commitment.view")
    form = CommitmentForm()
    _prepare_commitment_form(form)
    if commitment.organisation_id not in {c.value for c in form.organisation_id.choices}:
        form.organisation_id.choices = to_choices(
            [(commitment.organisation_id, commitment.organisation.name)]) \
            + form.organisation_id.choices
    if request.method == "GET":
        _fill_commitment_form(form, commitment)
    saved = _save_commitment(form, commitment)
    if saved is not None:
        flash(_("The commitment has been saved."), "success")
        return redirect(url_for("commitments.detail", commitment_id=commitment_id))
    return render_template("commitments/form.html", form=form, commitment=commitment)


# --- Organisers' quick entry ----------------------------------------------------------------


@bp.route("/manage/workshops/<int:workshop_id>/commitments", methods=["GET", "POST"])
@login_required
def quick_entry(workshop_id: int):
    workshop = load_or_404(Workshop, workshop_id, "commitment.quick_entry",
                           view_action="workshop.view")
    form = QuickEntryForm()
    organisations = to_choices([("", NONE_LABEL)] + [(o.id, o.name) for o in
                                                      lookups.organisations(db.session)])
    for entry in form.rows:
        entry.form.organisation_id.choices = organisations
    if form.is_submitted():
        valid = form.validate()
        rows, incomplete = [], False
        for index, entry in enumerate(form.rows):
            row = entry.form
            if row.is_blank():
                continue
            if row.organisation_id.data is None and not row.organisation_id.errors:
                row.organisation_id.errors.append(_("Choose the organisation."))
                incomplete = True
            if not row.title.data and not row.title.errors:
                row.title.errors.append(_("Say what is committed."))
                incomplete = True
            rows.append((index, CommitmentInput(
                organisation_id=row.organisation_id.data, title=row.title.data or "",
                type=CommitmentType(row.type.data or CommitmentType.PROGRAM_KEGIATAN.value),
                funding_source=_enum_or_none(FundingSource, row.funding_source.data),
                amount_idr=row.amount_idr.data, fiscal_year=row.fiscal_year.data)))
        if valid and not incomplete and not rows:
            form.form_errors.append(_("Fill in at least one row."))
        elif valid and not incomplete:
            try:
                errors = create_commitments_bulk(db.session, current_user, workshop, rows)
            except NotAllowed:
                db.session.rollback()
                abort(403)
            if not errors:
                db.session.commit()
                flash(ngettext("%(num)d commitment recorded.", "%(num)d commitments recorded.",
                               len(rows)), "success")
                return redirect(url_for("commitments.quick_entry", workshop_id=workshop_id))
            db.session.rollback()
            for index, error in errors:
                form.rows[index].form.add_domain_error(error)
            form.form_errors.append(_("Nothing was saved: correct the rows marked below."))
        else:
            form.form_errors.append(_("Nothing was saved: correct the rows marked below."))
    workshop = db.session.get(Workshop, workshop_id)
    return render_template("commitments/quick_entry.html", workshop=workshop, form=form,
                           commitments=workshop_commitments(db.session, workshop))


# --- Progress spreadsheets ------------------------------------------------------------------


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "komitmen"


def _sheet_download(scope: SheetScope, entity, filename_part: str) -> Response:
    commitments = open_commitments(db.session, scope)
    data = build_progress_sheet(commitments, today=_today())
    record_event(db.session, "export", entity,
                 {"kind": "commitment_progress_sheet", "rows": len(commitments)})
    db.session.commit()
    return send_file(io.BytesIO(data), mimetype=XLSX_MIMETYPE, as_attachment=True,
                     download_name=f"komitmen-{_slug(filename_part)}-{_today().isoformat()}.xlsx",
                     max_age=0)


def _sheet_upload(scope: SheetScope, *, back_url: str, download_url: str, heading: str):
    form = SheetUploadForm()
    report = None
    if form.validate_on_submit():
        report = import_progress_sheet(db.session, current_user, form.sheet.data.stream, scope,
                                       today=_today())
        if report.ok:
            db.session.commit()
            flash(_("Progress sheet read: %(applied)d progress report(s) recorded, %(unchanged)d "
                    "row(s) unchanged.", applied=report.applied, unchanged=report.unchanged),
                  "success")
            return redirect(back_url)
        db.session.rollback()
    return render_template("commitments/sheet_upload.html", form=form, report=report,
                           back_url=back_url, download_url=download_url, heading=heading)


def _own_organisation() -> Organisation:
    organisation = current_user.organisation
    if organisation is None:
        abort(403)
    require("commitment.organisation_sheet", organisation)
    return organisation


@bp.route("/commitments/sheet.xlsx")
@login_required
def organisation_sheet():
    organisation = _own_organisation()
    return _sheet_download(SheetScope(organisation.name, organisation_id=organisation.id),
                           organisation, organisation.short_name or organisation.name)


@bp.route("/commitments/sheet/upload", methods=["GET", "POST"])
@login_required
def organisation_sheet_upload():
    organisation = _own_organisation()
    return _sheet_upload(SheetScope(organisation.name, organisation_id=organisation.id),
                         back_url=url_for("commitments.mine"),
                         download_url=url_for("commitments.organisation_sheet"),
                         heading=organisation.name)


@bp.route("/manage/workshops/<int:workshop_id>/commitments/sheet.xlsx")
@login_required
def workshop_sheet(workshop_id: int):
    workshop = load_or_404(Workshop, workshop_id, "commitment.quick_entry",
                           view_action="workshop.view")
    return _sheet_download(SheetScope(workshop.title, workshop_id=workshop.id), workshop,
                           workshop.code)


@bp.route("/manage/workshops/<int:workshop_id>/commitments/sheet/upload",
          methods=["GET", "POST"])
@login_required
def workshop_sheet_upload(workshop_id: int):
    workshop = load_or_404(Workshop, workshop_id, "commitment.quick_entry",
                           view_action="workshop.view")
    return _sheet_upload(SheetScope(workshop.title, workshop_id=workshop.id),
                         back_url=url_for("commitments.quick_entry", workshop_id=workshop_id),
                         download_url=url_for("commitments.workshop_sheet",
                                              workshop_id=workshop_id),
                         heading=workshop.title)


# --- Reminders ------------------------------------------------------------------------------


@bp.route("/manage/commitments/reminders")
@authorize("commitment.remind")
def reminders():
    today = _today()
    # The WhatsApp text goes to the organisations, in the language of the messages.
    with force_locale(MESSAGE_LOCALE):
        digests = reminder_digests(db.session, today, user=current_user)
    return render_template("commitments/reminders.html", digests=digests, today=today)

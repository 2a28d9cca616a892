"""Workshop outcomes.

Reading (stakeholders, reviewers and organisers in scope): /workshops/<id>/outcomes...
Writing (organisers of the region): /manage/workshops/<id>/outcomes...
Voting (participants, no login, identified by their registration code): /v/<workshop code>...
"""

from __future__ import annotations

from flask import (Blueprint, Response, abort, current_app, flash, redirect, render_template,
                   request, url_for)
from flask_login import current_user, login_required
from sqlalchemy import select

from kotaku_collab.extensions import db, limiter
from kotaku_collab.forms import database_id, to_choices
from kotaku_collab.i18n import _, to_local
from kotaku_collab.models import (AgreementPoint, CoordinationMechanism, MechanismMeeting,
                                  StrategicIssue, VoteStatus, Workshop, WorkshopStatus, utc_now)
from kotaku_collab.permissions import can, load_or_404
from kotaku_collab.services import DomainError
from kotaku_collab.services import fragments, lookups
from kotaku_collab.services.minutes import (CARRY_OVER_SHOWN, MinutesInput, amendments,
                                            carry_over, default_opened_by, finalisation_gaps,
                                            finalise, minutes_for, missing_for_finalisation,
                                            outcomes_record, save_minutes)
from kotaku_collab.services.minutes_pdf import berita_acara_pdf, notulen_pdf
from kotaku_collab.services.outcomes import (IssueInput, MechanismInput, add_agreement_point,
                                             agreement_points, current_organisation, delete_agreement_point,
                                             delete_mechanism, delete_meeting,
                                             delete_strategic_issue, is_locked, issue_references,
                                             issue_target, live_issues, location_choices, log_meeting,
                                             mechanism_views, merge_issues, move_agreement_point,
                                             record_mechanism, record_strategic_issue,
                                             slum_area_choices, update_agreement_point,
                                             update_mechanism, update_strategic_issue)
from kotaku_collab.services.public import public_workshop
from kotaku_collab.services.voting import (cast_ballot, close_vote, existing_ballot, find_voter,
                                           open_vote, ranking, vote_session, vote_summary)

from .forms import (AgreementForm, ConfirmForm, DeleteForm, IssueForm, MechanismForm,
                    MeetingForm, MergeForm, MinutesForm, MoveForm, OpenVoteForm, VoterCodeForm,
                    ballot_form_class)

bp = Blueprint("outcomes", __name__)

#: Per client address; generous because a whole room may vote from one venue network.
DEFAULT_VOTE_RATE_LIMIT = "60 per minute; 1000 per hour"
#: Seconds between reloads of pages that show the live ranking.
RANKING_REFRESH_SECONDS = 15


def _vote_rate_limit() -> str:
    return current_app.config.get("VOTE_RATE_LIMIT", DEFAULT_VOTE_RATE_LIMIT)


def _today(workshop: Workshop):
    return to_local(utc_now(), workshop.region.timezone).date()


def _viewable(workshop_id: int) -> Workshop:
    return load_or_404(Workshop, workshop_id, "outcome.view")


def _editable(workshop_id: int) -> Workshop:
    return load_or_404(Workshop, workshop_id, "outcome.edit", view_action="outcome.view")


def _child_or_404(model, object_id: int, workshop: Workshop):
    obj = db.session.get(model, object_id)
    if obj is None or obj.workshop_id != workshop.id:
        abort(404)
    return obj


def _overview(workshop: Workshop, anchor: str | None = None):
    return redirect(url_for("outcomes.overview", workshop_id=workshop.id, _anchor=anchor))


def _saved(workshop: Workshop, message: str) -> None:
    flash(message, "success")
    if is_locked(workshop):
        flash(_("Recorded as an amendment; it is listed on the berita acara."), "info")


def _organisation_choices(blank: bool):
    pairs = [(o.id, o.name) for o in lookups.organisations(db.session)]
    return to_choices(([("", "–")] if blank else []) + pairs)


# --- Reading ------------------------------------------------------------------------------


#: What the overview fragment shows: the workshop's own outcomes, minutes, vote, attendance and
#: amendments, and earlier rounds' open items (an issue stays open until a commitment linked to
#: it is finished), with the organisations and places they name.
OVERVIEW_TABLES = ("workshops", "regions", "minutes", "amendments", "vote_sessions", "ballots",
                   "registrations", "strategic_issues", "issue_aspects", "slum_areas",
                   "organisations", "coordination_mechanisms", "mechanism_members",
                   "mechanism_meetings", "agreement_points", "agreement_issues",
                   "agreement_organisations", "commitments", "commitment_issues")


def _overview_context(workshop: Workshop, today, editor: bool, changes) -> dict:
    record = outcomes_record(db.session, workshop, today)
    missing = []
    if editor and workshop.status is WorkshopStatus.HELD:
        missing = finalisation_gaps(record.minutes, record.vote.vote)
    return {"record": record, "w": record.workshop, "editor": editor, "missing": missing,
            "amendments": changes, "co": carry_over(db.session, workshop, today,
                                                    limit=CARRY_OVER_SHOWN)}


@bp.route("/workshops/<int:workshop_id>/outcomes")
@login_required
def overview(workshop_id: int):
    """The outcomes as they stand: rendered once per change of what they show (organisers edit
    them during the workshop while everyone in the room reloads)."""
    workshop = _viewable(workshop_id)
    today = _today(workshop)
    editor = can(current_user, "outcome.edit", workshop)
    # Amendments (only a finalised workshop has them) name the user who made each; users are
    # not versioned, so their names are part of the key.
    changes = amendments(db.session, workshop) if is_locked(workshop) else []
    actors = tuple(a.actor.name if a.actor else None for a in changes)
    outcomes = fragments.render_cached(
        db.session, "fragments/outcomes/overview.html", tables=OVERVIEW_TABLES,
        key=(workshop.id, today, editor, actors),
        context=lambda: _overview_context(workshop, today, editor, changes))
    return render_template("outcomes/index.html", w=workshop, outcomes=outcomes)


@bp.route("/workshops/<int:workshop_id>/outcomes/carry-over")
@login_required
def carry_over_page(workshop_id: int):
    """Every open item of the earlier rounds (the overview lists the first few)."""
    workshop = _viewable(workshop_id)
    return render_template("outcomes/carry_over.html", w=workshop,
                           co=carry_over(db.session, workshop, _today(workshop)))


@bp.route("/workshops/<int:workshop_id>/outcomes/issues/<int:issue_id>")
@login_required
def issue(workshop_id: int, issue_id: int):
    workshop = _viewable(workshop_id)
    item = _child_or_404(StrategicIssue, issue_id, workshop)
    if item.merged_into_id is not None:
        target = issue_target(db.session, item)
        flash(_("\"%(source)s\" was merged into this issue.", source=item.title), "info")
        return redirect(url_for("outcomes.issue", workshop_id=workshop.id, issue_id=target.id))
    merged = db.session.scalars(select(StrategicIssue).where(
        StrategicIssue.merged_into_id == item.id).order_by(StrategicIssue.id)).all()
    return render_template("outcomes/issue.html", w=workshop, issue=item, merged=merged,
                           proposer=current_organisation(db.session, item.proposed_by),
                           references=issue_references(db.session, item))


@bp.route("/workshops/<int:workshop_id>/outcomes/mechanisms/<int:mechanism_id>")
@login_required
def mechanism(workshop_id: int, mechanism_id: int):
    workshop = _viewable(workshop_id)
    item = _child_or_404(CoordinationMechanism, mechanism_id, workshop)
    view = next(v for v in mechanism_views(db.session, [workshop], _today(workshop),
                                           with_attendees=True)
                if v.mechanism.id == item.id)
    form = None
    if can(current_user, "outcome.edit", workshop):
        form = MeetingForm()
        form.attendee_ids.choices = _organisation_choices(blank=False)
    return render_template("outcomes/mechanism.html", w=workshop, view=view, form=form)


@bp.route("/workshops/<int:workshop_id>/outcomes/ranking")
@login_required
def ranking_page(workshop_id: int):
    workshop = _viewable(workshop_id)
    summary = vote_summary(db.session, workshop)
    return render_template("outcomes/ranking.html", w=workshop, summary=summary,
                           refresh=RANKING_REFRESH_SECONDS)


def _pdf(workshop: Workshop, render, name: str) -> Response:
    record = outcomes_record(db.session, workshop, _today(workshop))
    response = Response(render(record), mimetype="application/pdf")
    disposition = "attachment" if request.args.get("download") else "inline"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{name}-{workshop.code}.pdf"'
    return response


@bp.route("/workshops/<int:workshop_id>/outcomes/berita-acara.pdf")
@login_required
def berita_acara(workshop_id: int):
    return _pdf(_viewable(workshop_id), berita_acara_pdf, "berita-acara")


@bp.route("/workshops/<int:workshop_id>/outcomes/notulen.pdf")
@login_required
def notulen(workshop_id: int):
    return _pdf(_viewable(workshop_id), notulen_pdf, "notulen")


# --- Strategic issues ---------------------------------------------------------------------


def _prepare_issue_form(form: IssueForm, workshop: Workshop) -> None:
    form.location_code.choices = to_choices(
        [("", "–")] + [(r.code, r.name) for r in location_choices(db.session, workshop)])
    form.slum_area_id.choices = to_choices(
        [("", "–")] + [(a.id, a.name) for a in slum_area_choices(db.session, workshop)])
    form.proposed_by_id.choices = _organisation_choices(blank=True)


def _issue_input(form: IssueForm) -> IssueInput:
    return IssueInput(title=form.title.data, aspects=form.aspects.data or [],
                      description=form.description.data, location_code=form.location_code.data,
                      slum_area_id=form.slum_area_id.data, proposed_by_id=form.proposed_by_id.data,
                      priority=form.priority.data, agreed=form.agreed.data)


@bp.route("/manage/workshops/<int:workshop_id>/outcomes/issues/new", methods=["GET", "POST"])
@login_required
def issue_new(workshop_id: int):
    workshop = _editable(workshop_id)
    form = IssueForm()
    _prepare_issue_form(form, workshop)
    if form.validate_on_submit():
        try:
            record_strategic_issue(db.session, workshop, current_user, _issue_input(form),
                                   reason=form.amendment_reason.data)
        except DomainError as error:
            db.session.rollback()
            form.add_domain_error(error)
        else:
            db.session.commit()
            _saved(workshop, _("The strategic issue has been recorded."))
            if request.form.get("another"):
                return redirect(url_for("outcomes.issue_new", workshop_id=workshop.id))
            return _overview(workshop, "issues")
    return render_template("outcomes/issue_form.html", w=workshop, form=form, item=None,
                           locked=is_locked(workshop))


@bp.route("/manage/workshops/<int:workshop_id>/outcomes/issues/<int:issue_id>/edit",
          methods=["GET", "POST"])
@login_required
def issue_edit(workshop_id: int, issue_id: int):
    workshop = _editable(workshop_id)
    item = _child_or_404(StrategicIssue, issue_id, workshop)
    if item.merged_into_id is not None:
        return redirect(url_for("outcomes.issue", workshop_id=workshop.id, issue_id=item.id))
    form = IssueForm()
    _prepare_issue_form(form, workshop)
    if request.method == "GET":
        form.title.data, form.description.data = item.title, item.description
        form.aspects.data = [a.value for a in item.aspects]
        form.location_code.data = item.location_code or ""
        form.slum_area_id.data = item.slum_area_id
        proposer = current_organisation(db.session, item.proposed_by)
        form.proposed_by_id.data = proposer.id if proposer else None
        form.priority.data, form.agreed.data = item.priority, item.agreed
    if form.validate_on_submit():
        try:
            update_strategic_issue(db.session, item, current_user, _issue_input(form),
                                   reason=form.amendment_reason.data)
        except DomainError as error:
            db.session.rollback()
            form.add_domain_error(error)
        else:
            db.session.commit()
            _saved(workshop, _("The strategic issue has been saved."))
            return redirect(url_for("outcomes.issue", workshop_id=workshop.id, issue_id=item.id))
    return render_template("outcomes/issue_form.html", w=workshop, form=form, item=item,
                           locked=is_locked(workshop))


def _confirm_removal(workshop: Workshop, remove, *, done: str, after, question: str,
                     cancel_url: str, detail: str | None = None):
    """The shared confirm-then-remove page: `remove(reason)` calls the service (the reason is
    the amendment reason, needed once the outcomes are locked); `after()` is the response."""
    form = DeleteForm()
    if form.validate_on_submit():
        try:
            remove(form.amendment_reason.data)
        except DomainError as error:
            db.session.rollback()
            form.add_domain_error(error)
        else:
            db.session.commit()
            _saved(workshop, done)
            return after()
    return render_template("outcomes/confirm.html", w=workshop, form=form, question=question,
                           detail=detail, cancel_url=cancel_url, locked=is_locked(workshop))


@bp.route("/manage/workshops/<int:workshop_id>/outcomes/issues/<int:issue_id>/delete",
          methods=["GET", "POST"])
@login_required
def issue_delete(workshop_id: int, issue_id: int):
    workshop = _editable(workshop_id)
    item = _child_or_404(StrategicIssue, issue_id, workshop)
    return _confirm_removal(
        workshop, lambda reason: delete_strategic_issue(db.session, item, current_user,
                                                        reason=reason),
        done=_("The strategic issue has been removed."),
        after=lambda: _overview(workshop, "issues"),
        question=_("Remove the strategic issue \"%(title)s\"?", title=item.title),
        cancel_url=url_for("outcomes.issue", workshop_id=workshop.id, issue_id=item.id))


@bp.route("/manage/workshops/<int:workshop_id>/outcomes/issues/merge", methods=["GET", "POST"])
@login_required
def issue_merge(workshop_id: int):
    workshop = _editable(workshop_id)
    form = MergeForm()
    choices = to_choices([("", "–")] + [(i.id, i.title) for i in live_issues(db.session, workshop)])
    form.source_id.choices = choices
    form.target_id.choices = choices
    if request.method == "GET":
        form.source_id.data = request.args.get("source", type=database_id)
    if form.validate_on_submit():
        source = _child_or_404(StrategicIssue, form.source_id.data, workshop) \
            if form.source_id.data else None
        target = _child_or_404(StrategicIssue, form.target_id.data, workshop) \
            if form.target_id.data else None
        try:
            if source is None or target is None:
                raise DomainError(_("Choose both issues."), field="target_id")
            merge_issues(db.session, source, target, current_user,
                         reason=form.amendment_reason.data)
        except DomainError as error:
            db.session.rollback()
            form.add_domain_error(error)
        else:
            db.session.commit()
            _saved(workshop, _("The issues have been merged."))
            return redirect(url_for("outcomes.issue", workshop_id=workshop.id, issue_id=target.id))
    return render_template("outcomes/merge.html", w=workshop, form=form,
                           locked=is_locked(workshop))


# --- The vote (organisers) ----------------------------------------------------------------


@bp.route("/manage/workshops/<int:workshop_id>/outcomes/vote", methods=["GET", "POST"])
@login_required
def vote_manage(workshop_id: int):
    workshop = _editable(workshop_id)
    form = OpenVoteForm()
    if vote_session(db.session, workshop) is None and form.validate_on_submit():
        try:
            open_vote(db.session, workshop, current_user, form.votes_per_participant.data)
        except DomainError as error:
            db.session.rollback()
            form.add_domain_error(error)
        else:
            db.session.commit()
            flash(_("The vote is open. Participants vote at the address shown."), "success")
            return redirect(url_for("outcomes.vote_manage", workshop_id=workshop.id))
    summary = vote_summary(db.session, workshop)
    return render_template("outcomes/vote_manage.html", w=workshop, form=form, summary=summary,
                           close_form=ConfirmForm(),
                           refresh=RANKING_REFRESH_SECONDS if request.args.get("auto") else None,
                           vote_url=url_for("outcomes.vote_code", code=workshop.code,
                                            _external=True))


@bp.route("/manage/workshops/<int:workshop_id>/outcomes/vote/close", methods=["POST"])
@login_required
def vote_close(workshop_id: int):
    workshop = _editable(workshop_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            close_vote(db.session, workshop, current_user)
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "danger")
        else:
            db.session.commit()
            flash(_("The vote is closed; the ranking is stored with the issues."), "success")
    return redirect(url_for("outcomes.vote_manage", workshop_id=workshop.id))


# --- The vote (participants, by registration code) ----------------------------------------


def _public_or_404(code: str) -> Workshop:
    workshop = public_workshop(db.session, code)
    if workshop is None:
        abort(404)
    return workshop


@bp.after_request
def no_store(response):
    if request.path.startswith("/v/"):
        response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/v/<code>", methods=["GET", "POST"])
@limiter.limit(_vote_rate_limit, methods=["POST"])
def vote_code(code: str):
    """Where participants start: type the code on their confirmation."""
    workshop = _public_or_404(code)
    form = VoterCodeForm()
    if form.validate_on_submit():
        return redirect(url_for("outcomes.ballot", code=workshop.code,
                                registration_code=form.code.data.strip().upper()))
    return render_template("outcomes/vote_code.html", w=workshop, form=form,
                           vote=vote_session(db.session, workshop))


@bp.route("/v/<code>/<registration_code>", methods=["GET", "POST"])
@limiter.limit(_vote_rate_limit)
def ballot(code: str, registration_code: str):
    workshop = _public_or_404(code)
    vote = vote_session(db.session, workshop)
    if vote is None:
        return render_template("outcomes/vote_code.html", w=workshop, form=VoterCodeForm(),
                               vote=None)
    try:
        voter = find_voter(db.session, workshop, registration_code)
    except DomainError as error:
        form = VoterCodeForm(data={"code": registration_code})
        form.add_domain_error(error)
        return render_template("outcomes/vote_code.html", w=workshop, form=form, vote=vote)
    cast = existing_ballot(db.session, voter)
    issues = live_issues(db.session, workshop)
    form = ballot_form_class([i.id for i in issues], vote.votes_per_participant)()
    if cast is None and form.validate_on_submit():
        allocations = {i.id: form[f"issue_{i.id}"].data or 0 for i in issues}
        try:
            cast_ballot(db.session, workshop, voter.code, allocations)
        except DomainError as error:
            db.session.rollback()
            form.add_domain_error(error)
        else:
            db.session.commit()
            flash(_("Thank you: your votes have been recorded."), "success")
            return redirect(url_for("outcomes.ballot", code=workshop.code,
                                    registration_code=voter.code))
    done = cast is not None or vote.status is VoteStatus.CLOSED
    return render_template("outcomes/ballot.html", w=workshop, vote=vote, voter=voter,
                           ballot=cast, issues=issues, form=form,
                           ranking=ranking(db.session, workshop) if done else [],
                           refresh=RANKING_REFRESH_SECONDS if cast is not None
                           and vote.status is VoteStatus.OPEN else None)


# --- Coordination mechanisms --------------------------------------------------------------


def _prepare_mechanism_form(form: MechanismForm) -> None:
    form.lead_organisation_id.choices = _organisation_choices(blank=True)
    form.member_ids.choices = _organisation_choices(blank=False)


def _mechanism_input(form: MechanismForm) -> MechanismInput:
    return MechanismInput(type=form.type.data, name=form.name.data, cadence=form.cadence.data,
                          lead_organisation_id=form.lead_organisation_id.data,
                          member_ids=form.member_ids.data or [],
                          next_meeting_on=form.next_meeting_on.data,
                          legal_basis=form.legal_basis.data,
                          contact_channel=form.contact_channel.data,
                          description=form.description.data)


@bp.route("/manage/workshops/<int:workshop_id>/outcomes/mechanisms/new", methods=["GET", "POST"])
@login_required
def mechanism_new(workshop_id: int):
    workshop = _editable(workshop_id)
    form = MechanismForm()
    _prepare_mechanism_form(form)
    if form.validate_on_submit():
        try:
            record_mechanism(db.session, workshop, current_user, _mechanism_input(form),
                             reason=form.amendment_reason.data)
        except DomainError as error:
            db.session.rollback()
            form.add_domain_error(error)
        else:
            db.session.commit()
            _saved(workshop, _("The coordination mechanism has been recorded."))
            return _overview(workshop, "mechanisms")
    return render_template("outcomes/mechanism_form.html", w=workshop, form=form, item=None,
                           locked=is_locked(workshop), lead_note=None)


@bp.route("/manage/workshops/<int:workshop_id>/outcomes/mechanisms/<int:mechanism_id>/edit",
          methods=["GET", "POST"])
@login_required
def mechanism_edit(workshop_id: int, mechanism_id: int):
    workshop = _editable(workshop_id)
    item = _child_or_404(CoordinationMechanism, mechanism_id, workshop)
    form = MechanismForm()
    _prepare_mechanism_form(form)
    lead = current_organisation(db.session, item.lead_organisation)
    lead_note = None
    if lead is not item.lead_organisation:
        lead_note = _("The lead organisation \"%(old)s\" was merged into \"%(new)s\"; saving "
                      "records \"%(new)s\".", old=item.lead_organisation.name, new=lead.name)
    if request.method == "GET":
        form.type.data, form.name.data = item.type.value, item.name
        form.lead_organisation_id.data = lead.id if lead else None
        form.member_ids.data = list(dict.fromkeys(
            current_organisation(db.session, o).id for o in item.members))
        form.cadence.data = item.cadence.value
        form.next_meeting_on.data = item.next_meeting_on
        form.legal_basis.data, form.contact_channel.data = item.legal_basis, item.contact_channel
        form.description.data = item.description
    if form.validate_on_submit():
        try:
            update_mechanism(db.session, item, current_user, _mechanism_input(form),
                             reason=form.amendment_reason.data)
        except DomainError as error:
            db.session.rollback()
            form.add_domain_error(error)
        else:
            db.session.commit()
            _saved(workshop, _("The coordination mechanism has been saved."))
            return redirect(url_for("outcomes.mechanism", workshop_id=workshop.id,
                                    mechanism_id=item.id))
    return render_template("outcomes/mechanism_form.html", w=workshop, form=form, item=item,
                           locked=is_locked(workshop), lead_note=lead_note)


@bp.route("/manage/workshops/<int:workshop_id>/outcomes/mechanisms/<int:mechanism_id>/delete",
          methods=["GET", "POST"])
@login_required
def mechanism_delete(workshop_id: int, mechanism_id: int):
    workshop = _editable(workshop_id)
    item = _child_or_404(CoordinationMechanism, mechanism_id, workshop)
    return _confirm_removal(
        workshop, lambda reason: delete_mechanism(db.session, item, current_user, reason=reason),
        done=_("The coordination mechanism has been removed."),
        after=lambda: _overview(workshop, "mechanisms"),
        question=_("Remove the coordination mechanism \"%(name)s\"?", name=item.name),
        cancel_url=url_for("outcomes.mechanism", workshop_id=workshop.id, mechanism_id=item.id))


@bp.route("/manage/workshops/<int:workshop_id>/outcomes/mechanisms/<int:mechanism_id>/meetings",
          methods=["POST"])
@login_required
def meeting_add(workshop_id: int, mechanism_id: int):
    workshop = _editable(workshop_id)
    item = _child_or_404(CoordinationMechanism, mechanism_id, workshop)
    form = MeetingForm()
    form.attendee_ids.choices = _organisation_choices(blank=False)
    if form.validate_on_submit():
        try:
            log_meeting(db.session, item, held_on=form.held_on.data,
                        attendee_ids=form.attendee_ids.data or [], notes=form.notes.data,
                        today=_today(workshop))
        except DomainError as error:
            db.session.rollback()
            form.add_domain_error(error)
        else:
            db.session.commit()
            flash(_("The meeting has been logged."), "success")
            return redirect(url_for("outcomes.mechanism", workshop_id=workshop.id,
                                    mechanism_id=item.id))
    view = next(v for v in mechanism_views(db.session, [workshop], _today(workshop),
                                           with_attendees=True)
                if v.mechanism.id == item.id)
    return render_template("outcomes/mechanism.html", w=workshop, view=view, form=form)


@bp.route("/manage/workshops/<int:workshop_id>/outcomes/mechanisms/<int:mechanism_id>"
          "/meetings/<int:meeting_id>/delete", methods=["POST"])
@login_required
def meeting_delete(workshop_id: int, mechanism_id: int, meeting_id: int):
    workshop = _editable(workshop_id)
    item = _child_or_404(CoordinationMechanism, mechanism_id, workshop)
    meeting = db.session.get(MechanismMeeting, meeting_id)
    if meeting is None or meeting.mechanism_id != item.id:
        abort(404)
    if ConfirmForm().validate_on_submit():
        delete_meeting(db.session, meeting)
        db.session.commit()
        flash(_("The meeting has been removed from the log."), "success")
    return redirect(url_for("outcomes.mechanism", workshop_id=workshop.id, mechanism_id=item.id))


# --- Agreement points ---------------------------------------------------------------------


def _prepare_agreement_form(form: AgreementForm, workshop: Workshop) -> None:
    form.issue_ids.choices = to_choices((i.id, i.title) for i in live_issues(db.session, workshop))
    form.organisation_ids.choices = _organisation_choices(blank=False)


@bp.route("/manage/workshops/<int:workshop_id>/outcomes/agreements", methods=["GET", "POST"])
@login_required
def agreements(workshop_id: int):
    workshop = _editable(workshop_id)
    form = AgreementForm()
    _prepare_agreement_form(form, workshop)
    if form.validate_on_submit():
        try:
            add_agreement_point(db.session, workshop, current_user, text=form.text.data,
                                issue_ids=form.issue_ids.data or [],
                                organisation_ids=form.organisation_ids.data or [],
                                reason=form.amendment_reason.data)
        except DomainError as error:
            db.session.rollback()
            form.add_domain_error(error)
        else:
            db.session.commit()
            _saved(workshop, _("The agreement point has been added."))
            return redirect(url_for("outcomes.agreements", workshop_id=workshop.id))
    return render_template("outcomes/agreements.html", w=workshop, form=form,
                           points=agreement_points(db.session, workshop),
                           locked=is_locked(workshop))


@bp.route("/manage/workshops/<int:workshop_id>/outcomes/agreements/<int:point_id>/edit",
          methods=["GET", "POST"])
@login_required
def agreement_edit(workshop_id: int, point_id: int):
    workshop = _editable(workshop_id)
    point = _child_or_404(AgreementPoint, point_id, workshop)
    form = AgreementForm()
    _prepare_agreement_form(form, workshop)
    if request.method == "GET":
        form.text.data = point.text
        form.issue_ids.data = [i.id for i in point.issues]
        form.organisation_ids.data = list(dict.fromkeys(
            current_organisation(db.session, o).id for o in point.organisations))
    if form.validate_on_submit():
        try:
            update_agreement_point(db.session, point, current_user, text=form.text.data,
                                   issue_ids=form.issue_ids.data or [],
                                   organisation_ids=form.organisation_ids.data or [],
                                   reason=form.amendment_reason.data)
        except DomainError as error:
            db.session.rollback()
            form.add_domain_error(error)
        else:
            db.session.commit()
            _saved(workshop, _("The agreement point has been saved."))
            return redirect(url_for("outcomes.agreements", workshop_id=workshop.id))
    return render_template("outcomes/agreement_form.html", w=workshop, form=form, point=point,
                           locked=is_locked(workshop))


@bp.route("/manage/workshops/<int:workshop_id>/outcomes/agreements/<int:point_id>/delete",
          methods=["GET", "POST"])
@login_required
def agreement_delete(workshop_id: int, point_id: int):
    workshop = _editable(workshop_id)
    point = _child_or_404(AgreementPoint, point_id, workshop)
    back = url_for("outcomes.agreements", workshop_id=workshop.id)
    return _confirm_removal(
        workshop, lambda reason: delete_agreement_point(db.session, point, current_user,
                                                        reason=reason),
        done=_("The agreement point has been removed; the points after it were renumbered."),
        after=lambda: redirect(back),
        question=_("Remove agreement point %(n)d?", n=point.number), detail=point.text,
        cancel_url=back)


@bp.route("/manage/workshops/<int:workshop_id>/outcomes/agreements/<int:point_id>/move",
          methods=["GET", "POST"])
@login_required
def agreement_move(workshop_id: int, point_id: int):
    workshop = _editable(workshop_id)
    point = _child_or_404(AgreementPoint, point_id, workshop)
    form = MoveForm()
    if request.method == "GET":
        form.direction.data = "up" if request.args.get("direction") == "up" else "down"
    if form.validate_on_submit():
        try:
            move_agreement_point(db.session, point, current_user,
                                 -1 if form.direction.data == "up" else 1,
                                 reason=form.amendment_reason.data)
        except DomainError as error:
            db.session.rollback()
            if error.field != "amendment_reason":
                flash(error.message, "warning")
                return redirect(url_for("outcomes.agreements", workshop_id=workshop.id))
            form.add_domain_error(error)
        else:
            db.session.commit()
            if is_locked(workshop):
                _saved(workshop, _("The agreement points have been reordered."))
            return redirect(url_for("outcomes.agreements", workshop_id=workshop.id))
    return render_template("outcomes/confirm.html", w=workshop, form=form,
                           question=_("Move agreement point %(n)d?", n=point.number),
                           detail=point.text, extra_hidden={"direction": form.direction.data},
                           cancel_url=url_for("outcomes.agreements", workshop_id=workshop.id),
                           locked=is_locked(workshop))


# --- Minutes and finalisation -------------------------------------------------------------


def _fill_minutes_form(form: MinutesForm, workshop: Workshop) -> None:
    minutes = minutes_for(db.session, workshop)
    if minutes is None:
        form.opened_by.data = default_opened_by(workshop)
        rows = []
    else:
        for key in ("document_number", "opened_by", "opening_remarks", "presentations",
                    "discussion_summary"):
            form[key].data = getattr(minutes, key)
        rows = list(minutes.signatories or [])
    while len(form.signatories.entries):
        form.signatories.pop_entry()
    for row in rows + [{}] * max(4 - len(rows), 2):
        form.signatories.append_entry(row)


@bp.route("/manage/workshops/<int:workshop_id>/outcomes/minutes", methods=["GET", "POST"])
@login_required
def minutes(workshop_id: int):
    workshop = _editable(workshop_id)
    form = MinutesForm()
    if request.method == "GET":
        _fill_minutes_form(form, workshop)
    if form.validate_on_submit():
        data = MinutesInput(
            document_number=form.document_number.data, opened_by=form.opened_by.data,
            opening_remarks=form.opening_remarks.data, presentations=form.presentations.data,
            discussion_summary=form.discussion_summary.data,
            signatories=[entry.data for entry in form.signatories.entries])
        try:
            save_minutes(db.session, workshop, current_user, data,
                         reason=form.amendment_reason.data)
        except DomainError as error:
            db.session.rollback()
            form.add_domain_error(error)
        else:
            db.session.commit()
            _saved(workshop, _("The minutes have been saved."))
            return redirect(url_for("outcomes.minutes", workshop_id=workshop.id))
    return render_template("outcomes/minutes.html", w=workshop, form=form,
                           record=minutes_for(db.session, workshop), locked=is_locked(workshop),
                           missing=missing_for_finalisation(db.session, workshop),
                           finalise_form=ConfirmForm())


@bp.route("/manage/workshops/<int:workshop_id>/outcomes/finalise", methods=["POST"])
@login_required
def finalise_workshop(workshop_id: int):
    workshop = _editable(workshop_id)
    if ConfirmForm().validate_on_submit():
        try:
            finalise(db.session, workshop, current_user)
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "danger")
            return redirect(url_for("outcomes.minutes", workshop_id=workshop.id))
        db.session.commit()
        flash(_("The workshop is finalised: its outcomes are locked, and later changes are "
                "recorded as amendments."), "success")
    return _overview(workshop)

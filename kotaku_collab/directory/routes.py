"""The organisation registry (/manage/organisations/...) and the people directory
(/manage/people/...): lists, forms, merges, and the name search used by pickers."""

from __future__ import annotations

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import SelectChoice

from kotaku_collab.extensions import db
from kotaku_collab.forms import database_id, page_number, to_choices
from kotaku_collab.i18n import _, _l
from kotaku_collab.models import Organisation, Person, RegionLevel, Sector
from kotaku_collab.permissions import authorize, can, load_or_404
from kotaku_collab.services import DomainError, lookups
from kotaku_collab.services.merging import count_references
from kotaku_collab.services.organisations import (OrganisationFilters, OrganisationInput,
                                                  create_organisation, list_organisations,
                                                  merge_organisations, organisation_regions,
                                                  update_organisation)
from kotaku_collab.services.organisations import merge_candidates as organisation_candidates
from kotaku_collab.services.people import (LikelyDuplicates, PeopleFilters, PersonInput,
                                           create_person, find_by_contact, list_people,
                                           looks_like_contact, mask_phone, merge_people,
                                           person_registrations, search_people, update_person)
from kotaku_collab.services.people import merge_candidates as person_candidates

from .forms import (ContactLookupForm, MergeForm, OrganisationFilterForm, OrganisationForm,
                    PeopleFilterForm, PersonForm)

bp = Blueprint("directory", __name__, url_prefix="/manage")

#: Names for what points to an entry, shown before a merge (a table added later shows its
#: column name until it is given one here).
REFERENCE_LABELS = {
    "organisations.merged_into_id": _l("Entries merged into it earlier"),
    "people.organisation_id": _l("People"),
    "users.organisation_id": _l("User accounts"),
    "registrations.organisation_id": _l("Registrations"),
    "workshop_organisers.organisation_id": _l("Workshops it organises"),
    "strategic_issues.proposed_by_id": _l("Strategic issues it proposed"),
    "coordination_mechanisms.lead_organisation_id": _l("Coordination mechanisms it leads"),
    "mechanism_members.organisation_id": _l("Coordination mechanisms it belongs to"),
    "meeting_attendees.organisation_id": _l("Mechanism meetings attended"),
    "agreement_organisations.organisation_id": _l("Agreement points"),
    "commitments.organisation_id": _l("Commitments"),
    "registrations.person_id": _l("Registrations"),
    "agenda_speakers.person_id": _l("Agenda sessions as speaker"),
    "agenda_items.moderator_id": _l("Agenda sessions as moderator"),
    "workshops.opened_by_id": _l("Workshops opened"),
    "commitments.committed_by_id": _l("Commitments made"),
    "notifications.person_id": _l("Messages"),
}


@bp.app_template_filter("masked_phone")
def masked_phone(phone: str | None) -> str:
    return mask_phone(phone)


def _references(table_name: str, object_id: int) -> list[tuple[str, int]]:
    """(label, count) for everything that points to an entry, for the merge pages."""
    counts = count_references(db.session, table_name, object_id)
    return [(str(REFERENCE_LABELS.get(key, key)), n) for key, n in counts.items() if n]


def _page() -> int:
    return max(request.args.get("page", 1, type=page_number), 1)


def _list_args(*names: str) -> dict:
    return {k: v for k, v in request.args.items() if k in names and v}


def _region_choices(empty: str):
    """Provinces and their regencies/cities, grouped by province."""
    regions = organisation_regions(db.session)
    provinces = {r.code: r.name for r in regions if r.level is RegionLevel.PROVINSI}
    choices = to_choices([("", empty)])
    for region in regions:
        label = (_("%(name)s (whole province)", name=region.name)
                 if region.level is RegionLevel.PROVINSI else region.name)
        choices.append(SelectChoice(region.code, label,
                                    optgroup=provinces.get(region.code[:2], region.code[:2])))
    return choices


# --- Organisations --------------------------------------------------------------------------


@bp.route("/organisations/")
@authorize("organisation.manage")
def organisations():
    form = OrganisationFilterForm(request.args)
    form.region.choices = _region_choices(_("All regions"))
    filters = OrganisationFilters()
    if form.validate():
        filters.q = form.q.data or None
        filters.sector = Sector(form.sector.data) if form.sector.data else None
        filters.region_code = form.region.data or None
        filters.show_merged = bool(form.merged.data)
    pagination, rows = list_organisations(db.session, filters, page=_page())
    return render_template("directory/organisations.html", form=form, pagination=pagination,
                           rows=rows, args=_list_args("q", "sector", "region", "merged"))


def _organisation_input(form: OrganisationForm) -> OrganisationInput:
    return OrganisationInput(name=form.name.data, short_name=form.short_name.data,
                             sector=form.sector.data, subtype=form.subtype.data or None,
                             region_code=form.region_code.data or None, contact=form.contact.data)


@bp.route("/organisations/new", methods=["GET", "POST"])
@authorize("organisation.manage")
def new_organisation():
    form = OrganisationForm()
    form.region_code.choices = _region_choices("–")
    if form.validate_on_submit():
        try:
            organisation = create_organisation(db.session, _organisation_input(form))
        except DomainError as error:
            db.session.rollback()
            form.add_domain_error(error)
        else:
            db.session.commit()
            flash(_("“%(name)s” has been added to the registry.", name=organisation.name), "success")
            return redirect(url_for("directory.organisations", q=organisation.name))
    return render_template("directory/organisation_form.html", form=form, organisation=None)


@bp.route("/organisations/<int:organisation_id>/edit", methods=["GET", "POST"])
@authorize("organisation.manage")
def edit_organisation(organisation_id: int):
    organisation = load_or_404(Organisation, organisation_id, "organisation.manage")
    form = OrganisationForm(obj=organisation if request.method == "GET" else None)
    form.region_code.choices = _region_choices("–")
    if request.method == "GET":
        form.sector.data = organisation.sector.value
        form.subtype.data = organisation.subtype.value if organisation.subtype else ""
        form.region_code.data = organisation.region_code or ""
    if form.validate_on_submit():
        try:
            update_organisation(db.session, organisation, _organisation_input(form))
        except DomainError as error:
            db.session.rollback()
            form.add_domain_error(error)
        else:
            db.session.commit()
            flash(_("The organisation has been saved."), "success")
            return redirect(url_for("directory.organisations", q=organisation.name))
    merged_into = (db.session.get(Organisation, organisation.merged_into_id)
                   if organisation.merged_into_id else None)
    return render_template("directory/organisation_form.html", form=form,
                           organisation=organisation, merged_into=merged_into)


@bp.route("/organisations/<int:organisation_id>/merge", methods=["GET", "POST"])
@authorize("organisation.merge")
def merge_organisation(organisation_id: int):
    source = load_or_404(Organisation, organisation_id, "organisation.merge")
    q = (request.args.get("q") or "").strip()[:100]
    form = MergeForm()
    candidates = organisation_candidates(db.session, source, q or None)
    form.target_id.choices = to_choices((o.id, o.name) for o in candidates)
    if form.validate_on_submit():
        target = db.session.get(Organisation, form.target_id.data) if form.target_id.data else None
        if target is None:
            form.target_id.errors.append(_("Choose the entry to keep."))
        else:
            try:
                merge_organisations(db.session, source, target)
            except DomainError as error:
                db.session.rollback()
                form.add_domain_error(error)
            else:
                db.session.commit()
                flash(_("“%(source)s” has been merged into “%(target)s”.",
                        source=source.name, target=target.name), "success")
                return redirect(url_for("directory.organisations", q=target.name))
    references = _references("organisations", source.id)
    return render_template("directory/organisation_merge.html", form=form, source=source,
                           candidates=candidates, references=references, q=q)


# --- People ---------------------------------------------------------------------------------


@bp.route("/people/")
@authorize("person.manage")
def people():
    form = PeopleFilterForm(request.args)
    filters = PeopleFilters(organisation_id=request.args.get("organisation", type=database_id))
    if form.validate() and form.q.data:
        if looks_like_contact(form.q.data):
            # Contact details are never searched through the address bar (it ends up in logs
            # and browser history): drop the value and point to the form that posts.
            flash(_("Search by phone number or e-mail with the “Phone number or e-mail” form, "
                    "so they do not end up in web addresses."), "warning")
            return redirect(url_for("directory.people", organisation=filters.organisation_id))
        filters.q = form.q.data
    organisation = (db.session.get(Organisation, filters.organisation_id)
                    if filters.organisation_id else None)
    pagination = list_people(db.session, filters, page=_page())
    return render_template("directory/people.html", form=form, lookup=ContactLookupForm(),
                           pagination=pagination, matches=None, organisation=organisation,
                           args=_list_args("q", "organisation"))


@bp.route("/people/lookup", methods=["POST"])
@authorize("person.manage")
def lookup_people():
    lookup = ContactLookupForm()
    matches = None
    if lookup.validate_on_submit():
        try:
            matches = find_by_contact(db.session, lookup.contact.data)
        except DomainError as error:
            lookup.add_domain_error(error)
    return render_template("directory/people.html", form=PeopleFilterForm(formdata=None),
                           lookup=lookup, pagination=None, matches=matches, organisation=None,
                           args={})


@bp.route("/people/search")
@authorize("person.manage")
def search():
    """Search-as-you-type for pickers: [{id, name, organisation, position}], no contact details."""
    return jsonify(search_people(db.session, request.args.get("q")))


def _organisation_choices(form: PersonForm, current: Organisation | None) -> None:
    organisations = lookups.organisations(db.session)
    if current is not None and current not in organisations:
        organisations.append(current)
    form.organisation_id.choices = to_choices(
        [("", "–")] + [(o.id, o.name) for o in organisations])


def _person_input(form: PersonForm) -> PersonInput:
    return PersonInput(
        name=form.name.data, title_prefix=form.title_prefix.data,
        title_suffix=form.title_suffix.data, position=form.position.data, nip=form.nip.data,
        organisation_id=form.organisation_id.data, gender=form.gender.data or None,
        phone=form.phone.data if "phone" in form else None,
        email=form.email.data if "email" in form else None)


@bp.route("/people/new", methods=["GET", "POST"])
@authorize("person.manage")
def new_person():
    form = PersonForm()
    _organisation_choices(form, None)
    if request.method == "GET":
        form.organisation_id.data = request.args.get("organisation", type=database_id)
    duplicates = []
    if form.validate_on_submit():
        try:
            person = create_person(db.session, _person_input(form),
                                    allow_duplicates=bool(form.create_anyway.data))
        except LikelyDuplicates as offer:
            db.session.rollback()
            duplicates = offer.matches
            form.form_errors.append(offer.message)
        except DomainError as error:
            db.session.rollback()
            form.add_domain_error(error)
        else:
            db.session.commit()
            flash(_("%(name)s has been added to the directory.", name=person.full_name), "success")
            return redirect(url_for("directory.person", person_id=person.id))
    return render_template("directory/person_form.html", form=form, person=None,
                           duplicates=duplicates)


@bp.route("/people/<int:person_id>")
@authorize("person.manage")
def person(person_id: int):
    person = load_or_404(Person, person_id, "person.manage")
    return render_template("directory/person.html", person=person,
                           registrations=person_registrations(db.session, person),
                           show_personal=can(current_user, "person.view_personal", person))


@bp.route("/people/<int:person_id>/edit", methods=["GET", "POST"])
@authorize("person.manage")
def edit_person(person_id: int):
    person = load_or_404(Person, person_id, "person.manage")
    show_personal = can(current_user, "person.view_personal", person)
    form = PersonForm(obj=person if request.method == "GET" else None)
    del form.create_anyway
    if not show_personal:
        # Who may not see the phone and e-mail may not overwrite them either.
        del form.phone
        del form.email
    _organisation_choices(form, person.organisation)
    if request.method == "GET":
        form.gender.data = person.gender.value if person.gender else ""
    if form.validate_on_submit():
        try:
            update_person(db.session, person, _person_input(form), update_contact=show_personal)
        except DomainError as error:
            db.session.rollback()
            form.add_domain_error(error)
        else:
            db.session.commit()
            flash(_("The directory entry has been saved."), "success")
            return redirect(url_for("directory.person", person_id=person.id))
    return render_template("directory/person_form.html", form=form, person=person,
                           duplicates=[])


@bp.route("/people/<int:person_id>/merge", methods=["GET", "POST"])
@authorize("person.merge")
def merge_person(person_id: int):
    source = load_or_404(Person, person_id, "person.merge")
    q = (request.args.get("q") or "").strip()[:100]
    form = MergeForm()
    candidates = person_candidates(db.session, source, q or None)
    form.target_id.choices = to_choices((p.id, lookups.person_label(p)) for p in candidates)
    if form.validate_on_submit():
        target = db.session.get(Person, form.target_id.data) if form.target_id.data else None
        if target is None:
            form.target_id.errors.append(_("Choose the entry to keep."))
        else:
            source_name = source.full_name
            try:
                merge_people(db.session, source, target)
            except DomainError as error:
                db.session.rollback()
                form.add_domain_error(error)
            else:
                db.session.commit()
                flash(_("%(source)s has been merged into %(target)s.",
                        source=source_name, target=target.full_name), "success")
                return redirect(url_for("directory.person", person_id=target.id))
    references = _references("people", source.id)
    return render_template("directory/person_merge.html", form=form, source=source,
                           candidates=candidates, references=references, q=q)

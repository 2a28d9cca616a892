"""Forms for the organisation registry and the people directory."""

from __future__ import annotations

from wtforms import (BooleanField, EmailField, RadioField, SelectField, StringField, SubmitField,
                     TextAreaField)
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional, Regexp

from kotaku_collab.forms import BaseForm, to_choices
from kotaku_collab.forms import optional_id
from kotaku_collab.i18n import _l
from kotaku_collab.labels import LABELS
from kotaku_collab.models import Gender, OrganisationSubtype, Sector




def enum_choices(enum_cls, empty: str | None = None):
    """A SelectField's choices for an enum with translated labels (and an empty choice)."""
    pairs = [("", empty)] if empty is not None else []
    return to_choices(pairs + [(m.value, LABELS[m]) for m in enum_cls])


def optional_int(value):
    """An id, or None for blank or unreadable input (also for ids no row can have)."""
    try:
        return optional_id(value)
    except (TypeError, ValueError):
        return None


class OrganisationForm(BaseForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    short_name = StringField(_l("Short name"), validators=[Optional(), Length(max=60)])
    sector = SelectField(_l("Sector"), choices=enum_choices(Sector), validators=[DataRequired()])
    subtype = SelectField(_l("Type"), choices=enum_choices(OrganisationSubtype, "–"),
                          validators=[Optional()])
    region_code = SelectField(_l("Region"), validators=[Optional()])
    contact = TextAreaField(_l("Contact (office address, switchboard, website)"),
                            validators=[Optional(), Length(max=1000)])
    submit = SubmitField(_l("Save"))


class OrganisationFilterForm(BaseForm):
    """The registry list's filters (GET, so no CSRF token)."""

    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[Optional(), Length(max=100)])
    sector = SelectField(_l("Sector"), choices=enum_choices(Sector, _l("All sectors")),
                         validators=[Optional()])
    region = SelectField(_l("Region"), validators=[Optional()])
    merged = BooleanField(_l("Show merged entries"))


class MergeForm(BaseForm):
    """Choose the entry to keep; the one being merged disappears into it."""

    target_id = RadioField(_l("Merge into"), coerce=optional_int, validate_choice=False,
                           validators=[InputRequired(message=_l("Choose the entry to keep."))])
    confirm = BooleanField(_l("I have checked that both entries are the same and want to merge "
                              "them. This cannot be undone."),
                           validators=[DataRequired(message=_l("Tick the box to confirm."))])
    submit = SubmitField(_l("Merge"))


class PersonForm(BaseForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    title_prefix = StringField(_l("Title before the name"), validators=[Optional(), Length(max=40)])
    title_suffix = StringField(_l("Degrees after the name"), validators=[Optional(), Length(max=60)])
    position = StringField(_l("Position (jabatan)"), validators=[Optional(), Length(max=160)])
    nip = StringField(_l("NIP"), validators=[
        Optional(), Length(max=30),
        Regexp(r"^[0-9 ]+$", message=_l("The NIP has digits only (18 for a civil servant)."))])
    organisation_id = SelectField(_l("Organisation"), coerce=optional_int, validators=[Optional()])
    gender = SelectField(_l("Gender"), choices=enum_choices(Gender, "–"), validators=[Optional()])
    phone = StringField(_l("Mobile phone (WhatsApp)"), validators=[Optional(), Length(max=30)])
    email = EmailField(_l("E-mail"), validators=[
        Optional(), Length(max=254), Email(message=_l("Enter a valid e-mail address."))])
    create_anyway = BooleanField(_l("Create anyway: this is a different person"))
    submit = SubmitField(_l("Save"))


class PeopleFilterForm(BaseForm):
    """The directory's search (GET): names and organisations only, never contact details."""

    class Meta:
        csrf = False

    q = StringField(_l("Name or organisation"), validators=[Optional(), Length(max=100)])


class ContactLookupForm(BaseForm):
    """Finding someone by phone or e-mail is a POST, so the value never appears in a URL."""

    contact = StringField(_l("Phone number or e-mail"),
                          validators=[DataRequired(), Length(max=254)])
    submit = SubmitField(_l("Find"))

"""Forms of the organisers' participant pages: filters, adding people, roles, check-in, import."""

from __future__ import annotations

from flask_wtf.file import FileField, FileRequired
from wtforms import (BooleanField, EmailField, HiddenField, IntegerField, SelectField, StringField,
                     SubmitField)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional

from kotaku_collab.forms import MAX_ID, BaseForm, to_choices
from kotaku_collab.i18n import _l
from kotaku_collab.labels import LABELS
from kotaku_collab.models import (AttendanceStatus, Gender, ParticipantRole, RegistrationStatus,
                                  Sector)


def enum_choices(enum_cls, blank=None):
    pairs = [("", blank)] if blank is not None else []
    return to_choices(pairs + [(m.value, LABELS[m]) for m in enum_cls])


class ParticipantFilterForm(BaseForm):
    """The list's filters (GET, so no CSRF token)."""

    class Meta:
        csrf = False

    q = StringField(_l("Name or organisation"), validators=[Optional(), Length(max=100)])
    status = SelectField(_l("Status"), choices=enum_choices(RegistrationStatus, _l("All statuses")),
                         validators=[Optional()])
    sector = SelectField(_l("Sector"), choices=enum_choices(Sector, _l("All sectors")),
                         validators=[Optional()])
    role = SelectField(_l("Role"), choices=enum_choices(ParticipantRole, _l("All roles")),
                       validators=[Optional()])


class PersonSearchForm(BaseForm):
    """Finding someone in the people directory (GET)."""

    class Meta:
        csrf = False

    find = StringField(_l("Find a person in the directory"),
                       validators=[Optional(), Length(max=100)])


class AddPersonForm(BaseForm):
    person_id = IntegerField(validators=[DataRequired(), NumberRange(min=1, max=MAX_ID)])
    role = SelectField(_l("Role"), choices=enum_choices(ParticipantRole),
                       default=ParticipantRole.PESERTA.value, validators=[DataRequired()])
    submit = SubmitField(_l("Add"))


class PersonFieldsMixin:
    name = StringField(_l("Full name (with titles)"), validators=[DataRequired(), Length(max=120)])
    organisation = StringField(_l("Organisation / institution"),
                               validators=[DataRequired(), Length(max=200)])
    sector = SelectField(_l("Sector (for a new organisation)"),
                         choices=enum_choices(Sector, "–"), validators=[Optional()])
    position = StringField(_l("Position (jabatan)"), validators=[Optional(), Length(max=160)])
    phone = StringField(_l("Mobile phone"), validators=[Optional(), Length(max=30)])
    email = EmailField(_l("E-mail"), validators=[
        Optional(), Length(max=254), Email(message=_l("Enter a valid e-mail address."))])
    gender = SelectField(_l("Gender"), choices=enum_choices(Gender, "–"), validators=[Optional()])


class NewPersonForm(PersonFieldsMixin, BaseForm):
    role = SelectField(_l("Role"), choices=enum_choices(ParticipantRole),
                       default=ParticipantRole.PESERTA.value, validators=[DataRequired()])
    submit = SubmitField(_l("Create and register"))


class WalkInForm(PersonFieldsMixin, BaseForm):
    submit = SubmitField(_l("Register and mark present"))


class RoleForm(BaseForm):
    role = SelectField(_l("Role"), choices=enum_choices(ParticipantRole),
                       validators=[DataRequired()])
    submit = SubmitField(_l("Change role"))


class CancelForm(BaseForm):
    submit = SubmitField(_l("Cancel registration"))


class AttendanceForm(BaseForm):
    attendance = SelectField(choices=enum_choices(AttendanceStatus), validators=[DataRequired()])
    delegate_name = StringField(_l("Delegate's name"), validators=[Optional(), Length(max=120)])
    #: The check-in page's search, to return to the same list.
    q = HiddenField(validators=[Optional(), Length(max=100)])


class ImportForm(BaseForm):
    file = FileField(_l("Spreadsheet (.xlsx or .csv)"), validators=[FileRequired()])
    valid_only = BooleanField(_l("If some rows have errors, import the valid rows only"))
    submit = SubmitField(_l("Check and import"))

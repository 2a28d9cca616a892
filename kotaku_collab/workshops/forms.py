"""Forms for scheduling workshops and their agenda."""

from __future__ import annotations

from wtforms import (BooleanField, DateField, DateTimeLocalField, FormField, IntegerField,
                     SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField,
                     TimeField)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from kotaku_collab.forms import BaseForm, to_choices
from kotaku_collab.forms import optional_id as optional_int
from kotaku_collab.i18n import _l
from kotaku_collab.labels import LABELS
from kotaku_collab.models import Sector, SessionType, WorkshopKind
from kotaku_collab.services.scheduling import MAX_CAPACITY

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"




def enum_choices(enum_cls):
    """(value, lazily translated label) pairs for a SelectField."""
    return to_choices((m.value, LABELS[m]) for m in enum_cls)


class SectorTargetsForm(BaseForm):
    """Minimum participants wanted per sector (optional)."""

    class Meta:
        csrf = False


for _sector in Sector:
    setattr(SectorTargetsForm, _sector.value,
            IntegerField(LABELS[_sector], validators=[Optional(), NumberRange(min=0, max=MAX_CAPACITY)]))


class WorkshopForm(BaseForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("Kind"), choices=enum_choices(WorkshopKind), validators=[DataRequired()])
    region_code = SelectField(_l("Regency/city"), validators=[DataRequired()])
    venue = StringField(_l("Venue"), validators=[DataRequired(), Length(max=200)])
    starts_local = DateTimeLocalField(_l("Starts (local time)"), format=DATETIME_FORMAT,
                                      validators=[InputRequired()])
    ends_local = DateTimeLocalField(_l("Ends (local time)"), format=DATETIME_FORMAT,
                                    validators=[InputRequired()])
    capacity = IntegerField(_l("Capacity (seats)"),
                            validators=[InputRequired(), NumberRange(min=1, max=MAX_CAPACITY)])
    registration_opens_local = DateTimeLocalField(_l("Registration opens"), format=DATETIME_FORMAT,
                                                  validators=[Optional()])
    registration_closes_local = DateTimeLocalField(_l("Registration closes"),
                                                   format=DATETIME_FORMAT, validators=[Optional()])
    objectives = TextAreaField(_l("Objectives (one per line)"), validators=[Length(max=4000)])
    invitation_number = StringField(_l("Invitation letter number"),
                                    validators=[Optional(), Length(max=80)])
    opened_by_id = SelectField(_l("Opened by"), coerce=optional_int, validators=[Optional()])
    opened_by_position = StringField(_l("Position of the person opening it"),
                                     validators=[Optional(), Length(max=160)])
    penyelenggara = SelectMultipleField(_l("Organising bodies (penyelenggara)"), coerce=int,
                                        validators=[Optional()])
    fasilitator = SelectMultipleField(_l("Facilitators"), coerce=int, validators=[Optional()])
    sector_targets = FormField(SectorTargetsForm, label=_l("Target participants per sector"))
    confirm_conflicts = BooleanField(_l("I have seen the warnings and want to go ahead"))
    submit = SubmitField(_l("Save"))

    def validate_ends_local(self, field):
        if self.starts_local.data and field.data and field.data <= self.starts_local.data:
            from wtforms.validators import ValidationError

            raise ValidationError(_l("The end must be after the start."))


class CancelForm(BaseForm):
    reason = TextAreaField(_l("Reason for cancelling"), validators=[DataRequired(), Length(max=1000)])
    submit = SubmitField(_l("Cancel the workshop"))


class AgendaItemForm(BaseForm):
    title = StringField(_l("Session"), validators=[DataRequired(), Length(max=200)])
    session_type = SelectField(_l("Type"), choices=enum_choices(SessionType),
                               validators=[DataRequired()])
    day = SelectField(_l("Day"), validators=[DataRequired()])
    start = TimeField(_l("Starts"), validators=[InputRequired()])
    end = TimeField(_l("Ends"), validators=[InputRequired()])
    speaker_ids = SelectMultipleField(_l("Speakers"), coerce=int, validators=[Optional()])
    moderator_id = SelectField(_l("Moderator"), coerce=optional_int, validators=[Optional()])
    confirm_conflicts = BooleanField(_l("I have seen the warnings and want to go ahead"))
    submit = SubmitField(_l("Save"))


class ListFilterForm(BaseForm):
    """The workshop list's filters (GET, so no CSRF token)."""

    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[Optional(), Length(max=100)])
    region = SelectField(_l("Regency/city"), validators=[Optional()])
    status = SelectField(_l("Status"), validators=[Optional()])
    kind = SelectField(_l("Kind"), validators=[Optional()])
    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("To"), validators=[Optional()])

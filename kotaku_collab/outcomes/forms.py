"""Forms for workshop outcomes: issues, merge, vote, mechanisms, meetings, agreement points and
minutes. Shape only; the rules (scope, locking, totals) are in the services."""

from __future__ import annotations

from wtforms import (BooleanField, DateField, FieldList, Form, FormField, IntegerField,
                     SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from kotaku_collab.forms import BaseForm, strip, to_choices
from kotaku_collab.forms import optional_id as optional_int
from kotaku_collab.i18n import _l
from kotaku_collab.labels import LABELS
from kotaku_collab.models import Aspect, Cadence, MechanismType
from kotaku_collab.services.outcomes import MAX_AGREEMENT_TEXT, MAX_TEXT
from kotaku_collab.services.voting import MAX_VOTES




def enum_choices(enum_cls):
    return to_choices((m.value, LABELS[m]) for m in enum_cls)


PRIORITY_CHOICES = [(1, _l("1 – high")), (2, _l("2 – medium")), (3, _l("3 – low"))]


class AmendmentMixin:
    """Every edit form carries the reason field; it is shown (and required by the service)
    only once the workshop is finalised."""

    amendment_reason = TextAreaField(_l("Reason for this amendment"),
                                     validators=[Optional(), Length(max=1000)])


class IssueForm(AmendmentMixin, BaseForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=MAX_TEXT)])
    aspects = SelectMultipleField(_l("Aspects"), choices=enum_choices(Aspect),
                                  validators=[DataRequired(_l("Choose at least one aspect."))])
    location_code = SelectField(_l("Kelurahan/desa"), validators=[Optional()])
    slum_area_id = SelectField(_l("Slum area"), coerce=optional_int, validators=[Optional()])
    proposed_by_id = SelectField(_l("Proposed by"), coerce=optional_int, validators=[Optional()])
    priority = SelectField(_l("Priority"), coerce=int, choices=to_choices(PRIORITY_CHOICES),
                           default=2)
    agreed = BooleanField(_l("Agreed in the plenary"))
    submit = SubmitField(_l("Save"))


class MergeForm(AmendmentMixin, BaseForm):
    source_id = SelectField(_l("Duplicate issue (will be merged away)"), coerce=optional_int,
                            validators=[InputRequired()])
    target_id = SelectField(_l("Issue to keep"), coerce=optional_int, validators=[InputRequired()])
    submit = SubmitField(_l("Merge"))


class DeleteForm(AmendmentMixin, BaseForm):
    submit = SubmitField(_l("Remove"))


class OpenVoteForm(BaseForm):
    votes_per_participant = IntegerField(
        _l("Votes per participant"), default=3,
        validators=[InputRequired(), NumberRange(min=1, max=MAX_VOTES)])
    submit = SubmitField(_l("Open the vote"))


class ConfirmForm(BaseForm):
    submit = SubmitField(_l("Confirm"))


class VoterCodeForm(BaseForm):
    code = StringField(_l("Your registration code"),
                       validators=[DataRequired(), Length(min=4, max=16)])
    submit = SubmitField(_l("Continue"))


def ballot_form_class(issue_ids: list[int], votes: int):
    """A form with one number field per issue (named issue_<id>), 0 to N votes each."""

    class BallotForm(BaseForm):
        submit = SubmitField(_l("Cast my votes"))

    for issue_id in issue_ids:
        setattr(BallotForm, f"issue_{issue_id}", IntegerField(
            default=0, validators=[Optional(), NumberRange(min=0, max=votes)]))
    return BallotForm


class MechanismForm(AmendmentMixin, BaseForm):
    type = SelectField(_l("Type"), choices=enum_choices(MechanismType),
                       validators=[DataRequired()])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    lead_organisation_id = SelectField(_l("Lead organisation"), coerce=optional_int,
                                       validators=[Optional()])
    member_ids = SelectMultipleField(_l("Member organisations"), coerce=int,
                                     validators=[Optional()])
    cadence = SelectField(_l("Meets"), choices=enum_choices(Cadence), validators=[DataRequired()])
    next_meeting_on = DateField(_l("Next meeting"), validators=[Optional()])
    legal_basis = StringField(_l("Legal basis (SK number)"), validators=[Optional(), Length(max=120)])
    contact_channel = StringField(_l("Contact channel"), validators=[Optional(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=MAX_TEXT)])
    submit = SubmitField(_l("Save"))


class MeetingForm(BaseForm):
    held_on = DateField(_l("Date of the meeting"), validators=[InputRequired()])
    attendee_ids = SelectMultipleField(_l("Organisations present"), coerce=int,
                                       validators=[Optional()])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=MAX_TEXT)])
    submit = SubmitField(_l("Log the meeting"))


class AgreementForm(AmendmentMixin, BaseForm):
    text = TextAreaField(_l("Agreement point"),
                         validators=[DataRequired(), Length(max=MAX_AGREEMENT_TEXT)])
    issue_ids = SelectMultipleField(_l("Related strategic issues"), coerce=int,
                                    validators=[Optional()])
    organisation_ids = SelectMultipleField(_l("Parties"), coerce=int, validators=[Optional()])
    submit = SubmitField(_l("Save"))


class MoveForm(AmendmentMixin, BaseForm):
    direction = SelectField(choices=to_choices([("up", "up"), ("down", "down")]))


class SignatoryForm(Form):
    """One signature block (a subform: the outer form carries the CSRF token)."""

    name = StringField(_l("Name"), filters=[strip], validators=[Optional(), Length(max=120)])
    position = StringField(_l("Position"), filters=[strip],
                           validators=[Optional(), Length(max=160)])
    organisation = StringField(_l("Organisation"), filters=[strip],
                               validators=[Optional(), Length(max=200)])


class MinutesForm(AmendmentMixin, BaseForm):
    document_number = StringField(_l("Number of the berita acara"),
                                  validators=[Optional(), Length(max=80)])
    opened_by = StringField(_l("Opened by (name and position)"),
                            validators=[Optional(), Length(max=200)])
    opening_remarks = TextAreaField(_l("Opening remarks"), validators=[Optional(), Length(max=20000)])
    presentations = TextAreaField(_l("Presentations"), validators=[Optional(), Length(max=20000)])
    discussion_summary = TextAreaField(_l("Discussion summary"),
                                       validators=[Optional(), Length(max=20000)])
    signatories = FieldList(FormField(SignatoryForm), min_entries=4, max_entries=12)
    submit = SubmitField(_l("Save the minutes"))

"""The public self-registration form."""

from wtforms import BooleanField, EmailField, RadioField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, Length, Optional

from kotaku_collab.forms import BaseForm, to_choices
from kotaku_collab.i18n import _l
from kotaku_collab.labels import LABELS
from kotaku_collab.models import Gender, Sector


class SelfRegistrationForm(BaseForm):
    name = StringField(_l("Full name (with titles)"), validators=[DataRequired(), Length(max=120)])
    organisation = StringField(_l("Organisation / institution"),
                               validators=[DataRequired(), Length(max=200)])
    sector = SelectField(_l("Sector"), choices=to_choices([("", "–")] + [(s.value, LABELS[s]) for s in Sector]),
                         validators=[DataRequired()])
    position = StringField(_l("Position (jabatan)"), validators=[Optional(), Length(max=160)])
    phone = StringField(_l("Mobile phone (WhatsApp)"), validators=[DataRequired(), Length(max=30)])
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254),
                                                  Email(message=_l("Enter a valid e-mail address."))])
    gender = RadioField(_l("Gender"), choices=to_choices((g.value, LABELS[g]) for g in Gender),
                        validators=[DataRequired()])
    consent = BooleanField(
        _l("I agree that my name, organisation, position, phone number and e-mail are processed "
           "to organise this workshop and its follow-up (UU PDP 27/2022)."),
        validators=[DataRequired(message=_l("Registration needs your consent."))])
    #: Left empty by people; bots tend to fill every field.
    website = StringField(validators=[Optional(), Length(max=0)])
    submit = SubmitField(_l("Register"))


class CancelRegistrationForm(BaseForm):
    submit = SubmitField(_l("Yes, cancel my registration"))


class CheckInForm(BaseForm):
    submit = SubmitField(_l("Check in"))

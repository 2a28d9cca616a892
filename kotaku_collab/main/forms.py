from wtforms import HiddenField, SubmitField
from wtforms.validators import AnyOf, DataRequired

from kotaku_collab.forms import BaseForm


class LanguageForm(BaseForm):
    locale = HiddenField(validators=[DataRequired(), AnyOf(["id", "en"])])
    next = HiddenField()
    submit = SubmitField()

"""Forms of the account pages."""

from __future__ import annotations

from wtforms import IntegerField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from kotaku_collab.forms import BaseForm
from kotaku_collab.i18n import _l
from kotaku_collab.services.api_tokens import MAX_EXPIRY_DAYS, MAX_NAME_LENGTH


class TokenForm(BaseForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=MAX_NAME_LENGTH)])
    expires_in_days = IntegerField(
        _l("Expires after (days)"),
        validators=[Optional(), NumberRange(min=1, max=MAX_EXPIRY_DAYS)])
    submit = SubmitField(_l("Create token"))


class RevokeTokenForm(BaseForm):
    """CSRF only: the token is in the URL."""

    submit = SubmitField(_l("Revoke"))

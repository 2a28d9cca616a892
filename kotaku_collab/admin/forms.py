"""Forms for managing accounts and filtering the audit trail."""

from __future__ import annotations

from wtforms import (BooleanField, EmailField, IntegerField, PasswordField, SelectField,
                     SelectMultipleField, StringField, SubmitField)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional

from kotaku_collab.forms import MAX_ID, BaseForm, to_choices
from kotaku_collab.forms import optional_id as optional_int
from kotaku_collab.i18n import _l
from kotaku_collab.labels import LABELS
from kotaku_collab.models import Role




def role_choices():
    """(value, lazily translated label) pairs for the role select."""
    return [(r.value, LABELS[r]) for r in Role]


def with_blank(label, pairs):
    """Choices with an empty first option (e.g. "All roles") before `pairs`."""
    return to_choices([("", label), *pairs])


class UserForm(BaseForm):
    """Name, role and scope of an existing account (the e-mail address does not change)."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    role = SelectField(_l("Role"), choices=to_choices(role_choices()), validators=[DataRequired()])
    organisation_id = SelectField(_l("Organisation"), coerce=optional_int,
                                  validators=[Optional()])
    region_codes = SelectMultipleField(_l("Region scope"), validators=[Optional()],
                                       render_kw={"size": 10})
    is_national = BooleanField(_l("National scope (every region)"))
    submit = SubmitField(_l("Save"))


class NewUserForm(UserForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254), Email()])
    password = PasswordField(_l("Initial password"), validators=[Optional(), Length(max=200)])
    submit = SubmitField(_l("Create account"))


class ActionForm(BaseForm):
    """A button that changes state (activate, deactivate, reset password): only the CSRF token.

    Build it with a `prefix` when several share a page, so their fields keep distinct ids.
    """


class UserFilterForm(BaseForm):
    """The user list's filters (GET, so no CSRF token)."""

    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[Optional(), Length(max=100)])
    role = SelectField(_l("Role"), choices=with_blank(_l("All roles"), role_choices()),
                       validators=[Optional()])
    active = SelectField(_l("State"), choices=with_blank(_l("Active and deactivated"), [
        ("1", _l("Active")), ("0", _l("Deactivated"))]), validators=[Optional()])


class AuditFilterForm(BaseForm):
    """The audit trail's filters (GET, so no CSRF token)."""

    class Meta:
        csrf = False

    entity_type = SelectField(_l("Entity type"), validators=[Optional()])
    entity_id = IntegerField(_l("Entity id"), validators=[Optional(),
                                                          NumberRange(min=1, max=MAX_ID)])
    workshop_id = IntegerField(_l("Workshop id"), validators=[Optional(),
                                                              NumberRange(min=1, max=MAX_ID)])
    actor = SelectField(_l("Actor"), validators=[Optional()])
    action = SelectField(_l("Action"), validators=[Optional()])

"""Shared form base and helpers."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import FieldList, FormField, SelectChoice


def strip(value):
    return value.strip() if isinstance(value, str) else value


def to_choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms SelectChoice objects (tuples are deprecated)."""
    return [SelectChoice(value, label) for value, label in pairs]


class BaseForm(FlaskForm):
    """Strips surrounding white space from every text field."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            filters = unbound_field.kwargs.get("filters", [])
            if strip not in filters and not issubclass(unbound_field.field_class,
                                                       (FormField, FieldList)):
                unbound_field.kwargs["filters"] = [strip, *filters]
            return unbound_field.bind(form=form, **options)

    def add_domain_error(self, error) -> None:
        """Show a service's DomainError beside its field, or at the top of the form."""
        field = getattr(self, error.field, None) if error.field else None
        if field is not None:
            field.errors = [*field.errors, error.message]
        else:
            self.form_errors.append(error.message)

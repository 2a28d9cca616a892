"""Shared form base and helpers."""

from __future__ import annotations

from flask_wtf import FlaskForm
from werkzeug.routing import IntegerConverter
from wtforms import FieldList, FormField, IntegerField, SelectChoice, StringField


#: The largest id a URL, form or query string may carry: PostgreSQL's integer. Python's ints
#: are unbounded, so a longer number would reach the database and fail there (OverflowError
#: on SQLite, NumericValueOutOfRange on PostgreSQL): a 500 instead of a 404 or a form error.
MAX_ID = 2**31 - 1


def strip(value):
    return value.strip() if isinstance(value, str) else value


#: Integers are clamped to this size: WTForms' NumberRange turns the value into a float, and a
#: number with hundreds of digits was an OverflowError (500) there. Still beyond every range.
MAX_FORM_INTEGER = 2**53


def clamp_integer(value):
    if isinstance(value, int) and not isinstance(value, bool):
        return max(min(value, MAX_FORM_INTEGER), -MAX_FORM_INTEGER)
    return value


def database_id(value) -> int:
    """A row id from a form or query string; ValueError when it cannot be one (so WTForms
    shows "not a valid choice" and request.args.get(..., type=database_id) gives the default)."""
    number = int(value)
    if not 0 < number <= MAX_ID:
        raise ValueError(f"not an id: {number}")
    return number


def optional_id(value) -> int | None:
    """coerce= for selects of ids with a blank choice."""
    return None if value in (None, "", "None") else database_id(value)


class IdConverter(IntegerConverter):
    """<int:...> in URLs, at most MAX_ID: a longer number is a 404, not a database error."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def page_number(value) -> int:
    """A ?page= value, 1 to MAX_ID (request.args.get("page", 1, type=page_number))."""
    return min(max(int(value), 1), MAX_ID)


class ParsedTextField(StringField):
    """A text box whose text a service parser turns into `data` (e.g. rupiah or hectares typed
    the Indonesian way). The parser's DomainError becomes the field's error; what was typed is
    shown back as typed, a stored value as `display()` writes it."""

    def parse(self, text: str):
        raise NotImplementedError

    def display(self, value) -> str:
        return "" if value is None else str(value)

    def process_formdata(self, valuelist):
        from kotaku_collab.services import DomainError

        if not valuelist:
            return
        try:
            self.data = self.parse(valuelist[0])
        except DomainError as error:
            self.data = None
            raise ValueError(error.message) from None

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return self.display(self.data)


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
                unbound_field.kwargs["filters"] = filters = [strip, *filters]
            if (issubclass(unbound_field.field_class, IntegerField)
                    and clamp_integer not in filters):
                unbound_field.kwargs["filters"] = [*filters, clamp_integer]
            return unbound_field.bind(form=form, **options)

    def add_domain_error(self, error) -> None:
        """Show a service's DomainError beside its field, or at the top of the form."""
        field = getattr(self, error.field, None) if error.field else None
        if field is not None:
            field.errors = [*field.errors, error.message]
        else:
            self.form_errors.append(error.message)

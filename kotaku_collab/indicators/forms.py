"""Forms for 100-0-100 figures: one figure, the CSV upload and the delete confirmation."""

from __future__ import annotations

from decimal import Decimal

from flask_wtf.file import FileField, FileRequired
from wtforms import IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from kotaku_collab.forms import BaseForm, ParsedTextField, to_choices
from kotaku_collab.i18n import _l
from kotaku_collab.labels import LABELS
from kotaku_collab.models import IndicatorKind
from kotaku_collab.services.indicators import MAX_NOTE_LENGTH, MAX_SOURCE_LENGTH, parse_decimal


class IndonesianDecimalField(ParsedTextField):
    """A number typed the Indonesian way (80,87 or 1.234,5); `data` is a Decimal."""

    def parse(self, text: str) -> Decimal | None:
        return parse_decimal(text)

    def display(self, value) -> str:
        # What a person would type back: 80,87 (no grouping, so it parses the same way).
        return f"{value:.2f}".replace(".", ",") if isinstance(value, Decimal) else ""


class IndicatorForm(BaseForm):
    year = IntegerField(_l("Year"), validators=[InputRequired(_l("Enter the year of the "
                                                                  "figure."))])
    kind = SelectField(_l("Indicator"), choices=[], validators=[InputRequired()])
    value = IndonesianDecimalField(_l("Value"), validators=[InputRequired(_l("Enter the "
                                                                              "value."))])
    source = StringField(_l("Source"), validators=[InputRequired(_l(
        "Enter the source of the figure (document, agency or survey, for example BPS Susenas "
        "2019).")), Length(max=MAX_SOURCE_LENGTH)])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=MAX_NOTE_LENGTH)])
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = to_choices((k.value, LABELS[k]) for k in IndicatorKind)


class ImportForm(BaseForm):
    file = FileField(_l("CSV file"), validators=[FileRequired(_l("Choose a CSV file."))])
    submit = SubmitField(_l("Import"))


class DeleteForm(BaseForm):
    submit = SubmitField(_l("Delete"))

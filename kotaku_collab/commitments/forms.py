"""Forms for commitments: the commitment itself, the organisers' quick-entry rows, progress
updates with evidence, verification, the progress sheet upload and the list filters."""

from __future__ import annotations

from flask_wtf.file import FileField, FileRequired, MultipleFileField
from wtforms import (DateField, DecimalField, FieldList, FormField, IntegerField, SelectField,
                     SelectMultipleField, StringField, SubmitField, TextAreaField)
from wtforms.validators import (DataRequired, InputRequired, Length, NumberRange, Optional,
                                ValidationError)

from kotaku_collab.forms import BaseForm, ParsedTextField, to_choices
from kotaku_collab.forms import database_id
from kotaku_collab.forms import optional_id as optional_int
from kotaku_collab.i18n import _l
from kotaku_collab.labels import LABELS
from kotaku_collab.models import (Aspect, CommitmentStatus, CommitmentType, FundingSource, Scale,
                                  Sector, VerificationDecision)
from kotaku_collab.services.commitments import (MAX_FISCAL_YEAR, MIN_FISCAL_YEAR,
                                                parse_rupiah)

NONE_LABEL = "–"




def enum_choices(enum_cls, *, blank: str | None = None):
    pairs = [("", blank)] if blank is not None else []
    return to_choices(pairs + [(m.value, LABELS[m]) for m in enum_cls])


class RupiahField(ParsedTextField):
    """Whole rupiah as people type them (1.250.000.000 or 1250000000); `data` is an int."""

    def parse(self, text: str) -> int | None:
        return parse_rupiah(text)

    def display(self, value) -> str:
        return f"{value:,}".replace(",", ".") if isinstance(value, int) else ""


class CommitmentForm(BaseForm):
    organisation_id = SelectField(_l("Organisation"), coerce=optional_int,
                                  validators=[InputRequired()])
    committed_by_id = SelectField(_l("Person who committed"), coerce=optional_int,
                                  validate_choice=False, validators=[Optional()])
    region_code = SelectField(_l("Regency/city"), validators=[Optional()])
    workshop_id = SelectField(_l("Workshop"), coerce=optional_int, validators=[Optional()])
    issue_ids = SelectMultipleField(_l("Strategic issues it answers"), coerce=database_id,
                                    validate_choice=False, validators=[Optional()])
    type = SelectField(_l("Type"), choices=enum_choices(CommitmentType),
                       validators=[DataRequired()])
    aspect = SelectField(_l("Aspect"), choices=enum_choices(Aspect, blank=NONE_LABEL),
                         validators=[Optional()])
    scale = SelectField(_l("Scale"), choices=enum_choices(Scale, blank=NONE_LABEL),
                        validators=[Optional()])
    location_code = SelectField(_l("Kelurahan/desa"), validate_choice=False,
                                validators=[Optional()])
    location_text = StringField(_l("Location details"), validators=[Optional(), Length(max=200)])
    title = StringField(_l("Commitment"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=4000)])
    volume = DecimalField(_l("Volume"), places=None,
                          validators=[Optional(), NumberRange(min=0, max=10**11)])
    unit = StringField(_l("Unit"), validators=[Optional(), Length(max=30)])
    amount_idr = RupiahField(_l("Amount (Rp)"), validators=[Optional()])
    funding_source = SelectField(_l("Funding source"),
                                 choices=enum_choices(FundingSource, blank=NONE_LABEL),
                                 validators=[Optional()])
    fiscal_year = IntegerField(_l("Fiscal year"), validators=[
        Optional(), NumberRange(min=MIN_FISCAL_YEAR, max=MAX_FISCAL_YEAR)])
    target_date = DateField(_l("Target date"), validators=[Optional()])
    document_ref = StringField(_l("Document reference (MoU/PKS/SK)"),
                               validators=[Optional(), Length(max=120)])
    integrated_into = StringField(_l("Integrated into"), validators=[Optional(), Length(max=200)])
    submit = SubmitField(_l("Save"))


class QuickRowForm(BaseForm):
    """One row of the quick-entry table; a row left empty is ignored."""

    class Meta:
        csrf = False

    organisation_id = SelectField(_l("Organisation"), coerce=optional_int,
                                  validators=[Optional()])
    type = SelectField(_l("Type"), choices=enum_choices(CommitmentType), validators=[Optional()])
    title = StringField(_l("Commitment"), validators=[Optional(), Length(max=200)])
    funding_source = SelectField(_l("Funding source"),
                                 choices=enum_choices(FundingSource, blank=NONE_LABEL),
                                 validators=[Optional()])
    amount_idr = RupiahField(_l("Amount (Rp)"), validators=[Optional()])
    fiscal_year = IntegerField(_l("Fiscal year"), validators=[
        Optional(), NumberRange(min=MIN_FISCAL_YEAR, max=MAX_FISCAL_YEAR)])

    def is_blank(self) -> bool:
        return (self.organisation_id.data is None and not self.title.data
                and self.amount_idr.data is None and not self.amount_idr.errors
                and not self.funding_source.data and self.fiscal_year.data is None
                and not self.fiscal_year.errors)


class QuickEntryForm(BaseForm):
    rows = FieldList(FormField(QuickRowForm), min_entries=10, max_entries=60)
    submit = SubmitField(_l("Save all rows"))


class ProgressForm(BaseForm):
    reported_on = DateField(_l("Date of the report"), validators=[InputRequired()])
    status = SelectField(_l("Status"), validate_choice=False, validators=[DataRequired()])
    percent_complete = IntegerField(_l("Percent complete"),
                                    validators=[Optional(), NumberRange(min=0, max=100)])
    narrative = TextAreaField(_l("What was done"), validators=[Optional(), Length(max=4000)])
    evidence = MultipleFileField(_l("Evidence (PDF, JPG or PNG, at most 5 MB each)"))
    submit = SubmitField(_l("Report progress"))

    def validate_status(self, field):
        if field.data not in {s.value for s in CommitmentStatus}:
            raise ValidationError(_l("Choose a status."))


class VerifyForm(BaseForm):
    decision = SelectField(_l("Decision"), choices=enum_choices(VerificationDecision),
                           validators=[DataRequired()])
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Record the decision"))


class SheetUploadForm(BaseForm):
    sheet = FileField(_l("Filled-in progress sheet (.xlsx)"), validators=[FileRequired()])
    submit = SubmitField(_l("Upload"))


FLAG_CHOICES = (("overdue", _l("Overdue")), ("at_risk", _l("At risk")),
                ("due_soon", _l("Due soon")), ("stale", _l("No report for 30 days")))
VERIFICATION_CHOICES = (("pending", _l("Awaiting review")),
                        *((d.value, LABELS[d]) for d in VerificationDecision))
SORT_CHOICES = (("target", _l("Target date")), ("-target", _l("Target date, latest first")),
                ("amount", _l("Amount, largest first")), ("organisation", _l("Organisation")),
                ("status", _l("Status")), ("percent", _l("Percent complete")),
                ("updated", _l("Latest report first")))


class LongSelectField(SelectField):
    """A select of up to hundreds of regencies/cities, workshops or organisations, checked with
    one set lookup: WTForms' own check builds and coerces a Choice per option on every request.
    The choices' values are already coerced (codes, ids), as WTForms would make them."""

    def pre_validate(self, form):
        if self.process_errors:
            return  # not even a code or an id: WTForms has said so
        if self.data not in {choice.value for choice in self.choices}:
            raise ValidationError(self.gettext("Not a valid choice."))


class ListFilterForm(BaseForm):
    """The commitment list's filters (GET, so no CSRF token)."""

    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[Optional(), Length(max=100)])
    region = LongSelectField(_l("Regency/city"), validators=[Optional()])
    workshop = LongSelectField(_l("Workshop"), coerce=optional_int, validators=[Optional()])
    organisation = LongSelectField(_l("Organisation"), coerce=optional_int,
                                   validators=[Optional()])
    sector = SelectField(_l("Sector"), choices=enum_choices(Sector, blank=_l("All sectors")),
                         validators=[Optional()])
    aspect = SelectField(_l("Aspect"), choices=enum_choices(Aspect, blank=_l("All aspects")),
                         validators=[Optional()])
    status = SelectField(_l("Status"),
                         choices=enum_choices(CommitmentStatus, blank=_l("All statuses")),
                         validators=[Optional()])
    funding_source = SelectField(_l("Funding source"),
                                 choices=enum_choices(FundingSource, blank=_l("All sources")),
                                 validators=[Optional()])
    flag = SelectField(_l("Flag"), choices=to_choices([("", _l("Any"))] + list(FLAG_CHOICES)),
                       validators=[Optional()])
    verification = SelectField(_l("Verification"),
                               choices=to_choices([("", _l("Any"))] + list(VERIFICATION_CHOICES)),
                               validators=[Optional()])
    sort = SelectField(_l("Sort by"), choices=to_choices(SORT_CHOICES), validators=[Optional()])

"""The reviewer filter form (GET, so no CSRF token). Values are read by
services.review_filters.parse_review_filters, which reports bad ones; the form only renders."""

from __future__ import annotations

from wtforms import SelectField, StringField

from kotaku_collab.forms import BaseForm, to_choices
from kotaku_collab.i18n import _l
from kotaku_collab.models import WorkshopKind


class ReviewFilterForm(BaseForm):
    class Meta:
        csrf = False

    province = SelectField(_l("Province"), validate_choice=False)
    kabkota = SelectField(_l("Regency/city"), validate_choice=False)
    start = StringField(_l("From"), render_kw={"type": "date"})
    end = StringField(_l("To"), render_kw={"type": "date"})
    kind = SelectField(_l("Workshop kind"), validate_choice=False)

    def set_choices(self, regions) -> None:
        self.province.choices = to_choices([("", _l("All provinces")), *regions.provinces])
        self.kabkota.choices = to_choices([("", _l("All regencies/cities")), *regions.kabkota])
        self.kind.choices = to_choices([("", _l("All kinds"))]
                                       + [(k.value, k.label) for k in WorkshopKind])


class CompareForm(BaseForm):
    """Two workshops to put side by side."""

    class Meta:
        csrf = False

    a = SelectField(_l("First workshop"), validate_choice=False)
    b = SelectField(_l("Second workshop"), validate_choice=False)

    def set_choices(self, groups) -> None:
        choices = [("", _l("Choose a workshop"))]
        for region, workshops in groups:
            choices += [(str(wid), f"{title} ({region})") for wid, title in workshops]
        self.a.choices = to_choices(choices)
        self.b.choices = to_choices(choices)

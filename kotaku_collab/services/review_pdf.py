"""The reviewer dashboard as a printable A4 PDF (fpdf2): the panel figures as tables, with
simple bars drawn as rectangles beside the counts.

It prints only aggregates, titles and organisation names (never phone numbers or e-mail
addresses). It is written in the reader's language; like the official documents its text is
folded to Latin-1 for the built-in fonts (documents.latin1).
"""

from __future__ import annotations

from typing import Sequence

from fpdf import FPDF
from fpdf.fonts import FontFace

from kotaku_collab.i18n import _, format_long_date, format_number, format_rupiah, format_short_date
from kotaku_collab.services.documents import FONT, latin1
from kotaku_collab.services.review import ORG_LIMIT, ORG_MIN_COUNTED, Dashboard, gender_label

HEADING_FILL = (220, 220, 220)
HEADINGS_STYLE = FontFace(emphasis="BOLD", fill_color=HEADING_FILL)
BAR_COLOUR = (31, 111, 80)
BAR_BACKGROUND = (228, 236, 232)
#: Width of the bar column, in mm.
BAR_WIDTH = 50.0


class _DashboardDocument(FPDF):
    def __init__(self, title: str) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.document_title = title
        self.set_margins(left=15, top=15, right=15)
        self.set_auto_page_break(auto=True, margin=15)
        self.set_creator("KOTAKU Collab")
        self.set_title(latin1(title))

    def footer(self) -> None:
        self.set_y(-10)
        self.set_font(FONT, size=8)
        self.cell(0, 5, latin1(f"{self.document_title} - " + _("Page %(n)s", n=self.page_no())),
                  align="R")


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{format_number(round(value * 100))} %"


def _section(pdf: FPDF, title: str) -> None:
    if pdf.will_page_break(30):
        pdf.add_page()
    pdf.ln(3)
    pdf.set_font(FONT, style="B", size=11)
    pdf.cell(0, 7, latin1(title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=9)


def _none(pdf: FPDF, text: str) -> None:
    pdf.set_font(FONT, style="I", size=9)
    pdf.cell(0, 6, latin1(text), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=9)


def _note(pdf: FPDF, text: str) -> None:
    pdf.set_font(FONT, style="I", size=8)
    pdf.multi_cell(0, 4.5, latin1(text), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=9)


def _fit(pdf: FPDF, text: str, width: float) -> str:
    """`text` shortened with "..." to fit in `width` mm at the current font."""
    text = latin1(text)
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + "...") > width:
        text = text[:-1]
    return text + "..."


def _table(pdf: FPDF, headers: Sequence[str], rows: Sequence[Sequence[str]],
           widths: Sequence[float], *, bars: Sequence[float] | None = None) -> None:
    """A table of figures. Without `bars`, fpdf2's table (cells wrap); with `bars` (fractions
    0..1, one per row), rows of one line each and a last column with each fraction as a bar."""
    if bars is None:
        align = ("L",) + ("R",) * (len(widths) - 1)
        with pdf.table(col_widths=tuple(widths), text_align=align, headings_style=HEADINGS_STYLE,
                       line_height=5, padding=1, width=sum(widths)) as table:
            heading = table.row()
            for text in headers:
                heading.cell(latin1(text))
            for values in rows:
                row = table.row()
                for value in values:
                    row.cell(latin1(value))
        return
    height = 6
    pdf.set_font(FONT, style="B", size=9)
    pdf.set_fill_color(*HEADING_FILL)
    for text, width in zip(headers, widths):
        pdf.cell(width, height, _fit(pdf, text, width - 2), border=1, fill=True)
    pdf.cell(BAR_WIDTH, height, "", border=1, fill=True, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=9)
    for values, fraction in zip(rows, bars):
        if pdf.will_page_break(height):
            pdf.add_page()
        for index, (value, width) in enumerate(zip(values, widths)):
            pdf.cell(width, height, _fit(pdf, value, width - 2), border=1,
                     align="L" if index == 0 else "R")
        x, y = pdf.get_x(), pdf.get_y()
        pdf.cell(BAR_WIDTH, height, "", border=1, new_x="LMARGIN", new_y="NEXT")
        fraction = max(0.0, min(1.0, fraction))
        pdf.set_fill_color(*BAR_BACKGROUND)
        pdf.rect(x + 1, y + 1.5, BAR_WIDTH - 2, height - 3, style="F")
        if fraction > 0:
            pdf.set_fill_color(*BAR_COLOUR)
            pdf.rect(x + 1, y + 1.5, (BAR_WIDTH - 2) * fraction, height - 3, style="F")


def _scaled(values: Sequence[int | float]) -> list[float]:
    top = max(values, default=0)
    return [v / top if top else 0.0 for v in values]


def dashboard_pdf(data: Dashboard, filter_lines: Sequence[str]) -> bytes:
    """The dashboard's figures; `filter_lines` describe the chosen filters (and any notes)."""
    title = _("Bappeda review dashboard")
    pdf = _DashboardDocument(title)
    pdf.add_page()
    pdf.set_font(FONT, style="B", size=14)
    pdf.cell(0, 8, latin1(title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=9)
    pdf.cell(0, 5, latin1(_("As of %(date)s", date=format_long_date(data.today))),
             new_x="LMARGIN", new_y="NEXT")
    for line in filter_lines or [_("All workshops and commitments in your regions.")]:
        pdf.multi_cell(0, 5, latin1(line), new_x="LMARGIN", new_y="NEXT")

    _section(pdf, _("Summary"))
    follow = data.follow_through
    _table(pdf, (_("Figure"), _("Value")), [
        (_("Workshops held"), format_number(data.workshops_held)),
        (_("Participants registered"), format_number(data.registered)),
        (_("Participants attended"), format_number(data.attended)),
        (_("Strategic issues (agreed)"),
         f"{format_number(data.issues_total)} ({format_number(data.issues_agreed)})"),
        (_("Commitments"), format_number(data.commitments_total)),
        (_("Rupiah committed"), format_rupiah(data.amount_total_idr)),
        (_("Done or on track"), _percent(follow.rate)),
        (_("Overdue commitments"), format_number(data.overdue_total)),
        (_("Progress updates awaiting verification"), format_number(data.pending_total)),
        (_("Mechanisms that missed their cadence"), format_number(len(data.missed_cadence))),
    ], (110, 50))

    _section(pdf, _("Workshops"))
    if data.workshops:
        _table(pdf, (_("Workshop kind"), _("In view"), _("Held")),
               [(r.kind.label, format_number(r.in_view), format_number(r.held))
                for r in data.workshops], (70, 30, 30), bars=_scaled([r.held for r in data.workshops]))
    else:
        _none(pdf, _("No workshops."))

    for heading, rows, label in (
            (_("Participants by sector"), data.participants_by_sector, lambda r: r.sector.label),
            (_("Participants by gender"), data.participants_by_gender,
             lambda r: gender_label(r.gender))):
        _section(pdf, heading)
        if rows:
            _table(pdf, (_("Group"), _("Registered"), _("Attended"), _("Attendance")),
                   [(label(r), format_number(r.registered), format_number(r.attended),
                     _percent(r.attendance_rate)) for r in rows], (55, 25, 25, 25),
                   bars=_scaled([r.attended for r in rows]))
        else:
            _none(pdf, _("Nobody registered."))

    _section(pdf, _("Strategic issues by aspect"))
    if data.issues_by_aspect:
        _table(pdf, (_("Aspect"), _("Issues"), _("Agreed")),
               [(r.aspect.label, format_number(r.issues), format_number(r.agreed))
                for r in data.issues_by_aspect], (70, 30, 30),
               bars=_scaled([r.issues for r in data.issues_by_aspect]))
    else:
        _none(pdf, _("No strategic issues."))

    for heading, column, rows, label in (
            (_("Commitments by status"), _("Status"), data.commitments_by_status,
             lambda k: k.label),
            (_("Commitments by sector"), _("Sector"), data.commitments_by_sector,
             lambda k: k.label),
            (_("Commitments by funding source"), _("Funding source"), data.commitments_by_funding,
             lambda k: k.label if k else _("Not stated"))):
        _section(pdf, heading)
        if rows:
            _table(pdf, (column, _("Commitments"), _("Amount")),
                   [(label(r.key), format_number(r.count), format_rupiah(r.amount_idr))
                    for r in rows], (60, 25, 45), bars=_scaled([r.amount_idr for r in rows]))
        else:
            _none(pdf, _("No commitments."))

    for heading, column, rows in (
            (_("Follow-through by sector"), _("Sector"), data.follow_through_by_sector),
            (_("Follow-through by organisation"), _("Organisation"),
             data.follow_through_by_organisation)):
        _section(pdf, heading)
        if rows:
            _table(pdf, (column, _("Done or on track"), _("Counted"), _("Rate")),
                   [(r.name, format_number(r.done_or_on_track), format_number(r.counted),
                     _percent(r.rate)) for r in rows], (50, 45, 18, 17),
                   bars=[r.rate or 0.0 for r in rows])
            if rows is data.follow_through_by_organisation and data.organisations_total:
                # The same note as on the page: which organisations these are.
                _note(pdf, _("The %(limit)s organisations with the lowest follow-through among the "
                             "%(ranked)s with at least %(min)s counted commitments (of %(total)s "
                             "organisations with commitments), fewest done or on track first.",
                             limit=format_number(ORG_LIMIT),
                             ranked=format_number(data.organisations_ranked),
                             min=format_number(ORG_MIN_COUNTED),
                             total=format_number(data.organisations_total)))
        else:
            _none(pdf, _("No commitments."))

    _section(pdf, _("Overdue commitments"))
    if data.overdue:
        _table(pdf, (_("Commitment"), _("Organisation"), _("Target"), _("Days late"), _("Done")),
               [(r.title, r.organisation, format_short_date(r.target_date),
                 format_number(r.days_overdue), f"{r.percent_complete} %") for r in data.overdue],
               (62, 50, 25, 20, 18))
        if data.overdue_total > len(data.overdue):
            _none(pdf, _("%(shown)s of %(total)s shown.", shown=len(data.overdue),
                         total=data.overdue_total))
    else:
        _none(pdf, _("No overdue commitments."))

    _section(pdf, _("Progress updates awaiting verification"))
    if data.pending_updates:
        _table(pdf, (_("Commitment"), _("Organisation"), _("Reported on"), _("Status"), _("Done")),
               [(r.commitment_title, r.organisation, format_short_date(r.reported_on),
                 r.status.label, f"{r.percent_complete} %") for r in data.pending_updates],
               (62, 45, 25, 25, 18))
        if data.pending_total > len(data.pending_updates):
            _none(pdf, _("%(shown)s of %(total)s shown.", shown=len(data.pending_updates),
                         total=data.pending_total))
    else:
        _none(pdf, _("Nothing awaits verification."))

    _section(pdf, _("Mechanisms that missed their cadence"))
    if data.missed_cadence:
        _table(pdf, (_("Mechanism"), _("Workshop"), _("Cadence"), _("Last meeting"),
                     _("Days since")),
               [(r.name, r.workshop_title, r.cadence.label,
                 format_short_date(r.last_meeting) if r.last_meeting else "-",
                 format_number(r.idle_days)) for r in data.missed_cadence],
               (50, 55, 25, 25, 20))
    else:
        _none(pdf, _("Every mechanism meets at its cadence."))
    return bytes(pdf.output())

"""The attendance list (daftar hadir) as a landscape A4 PDF, grouped by sector.

Columns as on a printed daftar hadir: No, Nama, Instansi/Lembaga, Jabatan, No. HP and Tanda
tangan. The signature column is split in two halves: odd rows sign on the left half, even rows
on the right, each half showing the row number, so neighbouring signatures never collide.

Like the other official documents it is always Indonesian (English msgids, "id" locale) and its
text is folded to Latin-1 for the built-in fonts (documents.latin1).
"""

from __future__ import annotations

from flask_babel import force_locale
from fpdf import FPDF
from fpdf.enums import CellBordersLayout
from fpdf.fonts import FontFace

from kotaku_collab.i18n import _, format_long_date, format_time_range
from kotaku_collab.models import Registration, Sector, Workshop
from kotaku_collab.services.documents import FONT, LOCALE, latin1

#: No, Nama, Instansi/Lembaga, Jabatan, No. HP, signature left half, signature right half (mm).
COLUMN_WIDTHS = (10, 62, 62, 48, 33, 31, 31)
SIGN_LEFT = CellBordersLayout.LEFT | CellBordersLayout.TOP | CellBordersLayout.BOTTOM
SIGN_RIGHT = CellBordersLayout.RIGHT | CellBordersLayout.TOP | CellBordersLayout.BOTTOM
HEADINGS_STYLE = FontFace(emphasis="BOLD", fill_color=(220, 220, 220))


class _AttendanceDocument(FPDF):
    def __init__(self, workshop: Workshop) -> None:
        super().__init__(orientation="L", unit="mm", format="A4")
        self.workshop = workshop
        self.set_margins(left=10, top=12, right=10)
        self.set_auto_page_break(auto=True, margin=14)
        self.set_creator("KOTAKU Collab")

    def footer(self) -> None:
        self.set_y(-10)
        self.set_font(FONT, size=8)
        self.cell(0, 5, latin1(f"{self.workshop.title} - "
                               + _("Page %(n)s", n=self.page_no())), align="R")


def _heading(pdf: _AttendanceDocument, workshop: Workshop) -> None:
    tz = workshop.region.timezone
    pdf.set_font(FONT, style="B", size=14)
    # TRANSLATORS: the title of the attendance sheet, "DAFTAR HADIR".
    pdf.cell(0, 8, latin1(_("ATTENDANCE LIST")), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, style="B", size=12)
    pdf.multi_cell(0, 6, latin1(workshop.title), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font(FONT, size=10)
    for label, value in (
        # TRANSLATORS: the event lines of the attendance sheet: hari/tanggal, pukul, tempat.
        (_("day/date"), format_long_date(workshop.starts_at, tz, locale=LOCALE)),
        (_("time"), format_time_range(workshop.starts_at, workshop.ends_at, tz, locale=LOCALE)),
        (_("place"), f"{workshop.venue}, {workshop.region.name}"),
    ):
        pdf.cell(28, 5.5, latin1(label))
        pdf.cell(4, 5.5, ":")
        pdf.multi_cell(0, 5.5, latin1(value), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)


def attendance_pdf(workshop: Workshop, groups: list[tuple[Sector, list[Registration]]], *,
                   include_phone: bool) -> bytes:
    """The daftar hadir of `groups` (from participants.attendance_sheet). Phone numbers are
    printed only when `include_phone` (the reader may see personal data)."""
    with force_locale(LOCALE):
        pdf = _AttendanceDocument(workshop)
        pdf.set_title(latin1(_("Attendance list") + f" - {workshop.title}"))
        pdf.add_page()
        _heading(pdf, workshop)
        if not groups:
            pdf.set_font(FONT, size=11)
            pdf.cell(0, 8, latin1(_("Nobody is registered yet.")), new_x="LMARGIN", new_y="NEXT")
            return bytes(pdf.output())
        number = 0
        for sector, registrations in groups:
            # Keep a sector's heading with its table's first rows.
            if pdf.will_page_break(30):
                pdf.add_page()
            pdf.set_font(FONT, style="B", size=11)
            pdf.cell(0, 7, latin1(sector.label.upper()), new_x="LMARGIN", new_y="NEXT")
            number = _sector_table(pdf, registrations, number, include_phone)
            pdf.ln(4)
        return bytes(pdf.output())


def _sector_table(pdf: _AttendanceDocument, registrations: list[Registration], number: int,
                  include_phone: bool) -> int:
    """One sector's table; numbering runs on across sectors. Returns the last number."""
    pdf.set_font(FONT, size=9)
    with pdf.table(col_widths=COLUMN_WIDTHS, text_align=("C", "L", "L", "L", "L", "L", "L"),
                   headings_style=HEADINGS_STYLE, line_height=5, padding=1.2) as table:
        heading = table.row()
        # TRANSLATORS: the daftar hadir columns: No., Nama, Instansi/Lembaga, Jabatan, No. HP.
        for text in (_("No."), _("Name"), _("Agency/institution"), _("Position"),
                     _("Mobile no.")):
            heading.cell(latin1(text), align="C")
        heading.cell(latin1(_("Signature")), align="C", colspan=2)
        for registration in registrations:
            number += 1
            _attendee_row(table.row(), number, registration, include_phone)
    return number


def _attendee_row(row, number: int, registration: Registration, include_phone: bool) -> None:
    person = registration.person
    organisation = registration.organisation
    row.cell(str(number), align="C")
    name = person.full_name
    if registration.delegate_name:
        name += "\n" + _("represented by %(name)s", name=registration.delegate_name)
    row.cell(latin1(name))
    row.cell(latin1(organisation.name if organisation else ""))
    row.cell(latin1(person.position or ""))
    row.cell(latin1(person.phone or "") if include_phone else "")
    # Two lines tall, so there is room to sign; the number sits in this row's half.
    mark = f"{number}.\n "
    if number % 2:
        row.cell(mark, v_align="T", border=SIGN_LEFT)
        row.cell("", border=SIGN_RIGHT)
    else:
        row.cell("", border=SIGN_LEFT)
        row.cell(mark, v_align="T", border=SIGN_RIGHT)

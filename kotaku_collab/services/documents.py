"""Official documents (naskah dinas) as PDF, drawn with fpdf2 (pure Python, no system fonts).

Official documents are always Indonesian: they are rendered under the "id" locale whatever the
reader's language, with English msgids so the translation catalogue carries their wording.

fpdf2's built-in fonts cover Latin-1 only and the project ships no TTF, so text is folded to
Latin-1 first (see `latin1`): accents that Latin-1 has stay, other letters lose their marks or
compatibility forms, and anything left (emoji, CJK) becomes "?". A name never stops a letter.
"""

from __future__ import annotations

import unicodedata
from datetime import date

from babel.dates import format_date
from flask_babel import force_locale
from fpdf import FPDF
from fpdf.fonts import FontFace

from kotaku_collab.i18n import _, format_long_date, format_local_time, to_local
from kotaku_collab.models import OrganiserRole, Sector, Workshop, utc_now

LOCALE = "id"
FONT = "Helvetica"
#: Characters outside Latin-1 with an obvious stand-in that Unicode decomposition does not give.
STAND_INS = str.maketrans({
    "\u0141": "L", "\u0142": "l", "\u0110": "D", "\u0111": "d", "\u0131": "i", "\u0152": "OE",
    "\u0153": "oe", "\u0126": "H", "\u0127": "h", "\u014a": "N", "\u014b": "n",
    "\u2013": "-", "\u2014": "-", "\u2212": "-", "\u2018": "'", "\u2019": "'", "\u201a": ",",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2026": "...", "\u2022": "-", "\u00a0": " ",
    "\u202f": " ", "\u2009": " ", "\u200b": "", "\u20ac": "EUR",
})


def latin1(text: object) -> str:
    """`text` folded into Latin-1 for the built-in PDF fonts, without ever raising."""
    out = []
    for char in str(text if text is not None else "").translate(STAND_INS):
        if ord(char) < 256:
            out.append(char if char.isprintable() or char in "\n\t" else " ")
            continue
        folded = "".join(c for c in unicodedata.normalize("NFKD", char)
                         if ord(c) < 256 and not unicodedata.combining(c))
        out.append(folded if folded.strip() else "?")
    return "".join(out)


class _Document(FPDF):
    """A4 portrait with the margins of Indonesian official letters and page numbers."""

    def __init__(self) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.set_margins(left=25, top=15, right=20)
        self.set_auto_page_break(auto=True, margin=20)
        self.set_creator("KOTAKU Collab")

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, size=8)
        self.cell(0, 5, latin1(_("Page %(n)s", n=self.page_no())), align="R")

    def line_text(self, text: str, *, size: float = 11, style: str = "", align: str = "L",
                  height: float = 6) -> None:
        self.set_font(FONT, style=style, size=size)
        self.multi_cell(0, height, latin1(text), align=align, new_x="LMARGIN", new_y="NEXT")

    def label_value(self, label: str, value: str, *, label_width: float = 32,
                    indent: float = 0) -> None:
        """A "Nomor : 005/…" row whose value wraps under itself."""
        self.set_font(FONT, size=11)
        self.set_x(self.l_margin + indent)
        self.cell(label_width, 6, latin1(label))
        self.cell(4, 6, ":")
        self.multi_cell(0, 6, latin1(value), new_x="LMARGIN", new_y="NEXT")


def _penyelenggara(workshop: Workshop):
    for link in workshop.organisers:
        if link.role is OrganiserRole.PENYELENGGARA:
            return link.organisation
    return None


def _letterhead(pdf: _Document, workshop: Workshop) -> None:
    region = workshop.region.name
    organisation = _penyelenggara(workshop)
    lines: list[tuple[str, float, str]] = []
    if organisation is None or organisation.sector is Sector.PEMERINTAH:
        # TRANSLATORS: the first line of a regional government letterhead, "PEMERINTAH KABUPATEN X".
        lines.append((_("GOVERNMENT OF %(region)s", region=region.upper()),
                      13 if organisation else 15, "B"))
    if organisation is not None:
        lines.append((organisation.name.upper(), 15, "B"))
        if region.lower() not in organisation.name.lower():
            lines.append((region.upper(), 11, ""))
    for text, size, style in lines:
        pdf.line_text(text, size=size, style=style, align="C", height=7)
    y = pdf.get_y() + 2
    pdf.set_line_width(0.8)
    pdf.line(pdf.l_margin, y, pdf.w - pdf.r_margin, y)
    pdf.set_line_width(0.2)
    pdf.line(pdf.l_margin, y + 1.2, pdf.w - pdf.r_margin, y + 1.2)
    pdf.set_y(y + 6)


def _place(workshop: Workshop) -> str:
    """The place in the date line: the region's name without "Kabupaten"/"Kota"."""
    name = workshop.region.name
    for prefix in ("Kabupaten ", "Kota "):
        if name.startswith(prefix):
            return name[len(prefix):]
    return name


def _day_and_date(workshop: Workshop) -> str:
    tz = workshop.region.timezone
    first = format_long_date(workshop.starts_at, tz, locale=LOCALE)
    last = format_long_date(workshop.ends_at, tz, locale=LOCALE)
    if first == last:
        return first
    # TRANSLATORS: a span of days in a letter, "Selasa, 29 Oktober 2019 s.d. Rabu, 30 Oktober 2019".
    return _("%(start)s to %(end)s", start=first, end=last)


def _signature(pdf: _Document, workshop: Workshop) -> None:
    person = workshop.opened_by
    position = workshop.opened_by_position or (person.position if person else None)
    if not position:
        # TRANSLATORS: placeholder for the signer's position, "Kepala …".
        position = _("Head of …")
    x = pdf.l_margin + 85
    width = pdf.w - pdf.r_margin - x
    pdf.ln(8)
    if pdf.will_page_break(45):
        pdf.add_page()
    pdf.set_font(FONT, size=11)
    pdf.set_x(x)
    pdf.multi_cell(width, 6, latin1(position), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(22)
    pdf.set_x(x)
    pdf.set_font(FONT, style="BU", size=11)
    pdf.multi_cell(width, 6, latin1(person.full_name if person else "(" + "." * 40 + ")"),
                   align="C", new_x="LMARGIN", new_y="NEXT")
    if person is not None and person.nip:
        pdf.set_x(x)
        pdf.set_font(FONT, size=11)
        pdf.multi_cell(width, 6, latin1(f"NIP. {person.nip}"), align="C",
                       new_x="LMARGIN", new_y="NEXT")


def _letter(pdf: _Document, workshop: Workshop, issued_on: date) -> None:
    tz = workshop.region.timezone
    kind = workshop.kind.label
    number = workshop.invitation_number or "…"
    pdf.add_page()
    _letterhead(pdf, workshop)
    pdf.line_text(f"{_place(workshop)}, {format_date(issued_on, 'd MMMM y', locale=LOCALE)}",
                  align="R")
    pdf.ln(2)
    # TRANSLATORS: letter header field "Nomor".
    pdf.label_value(_("Number"), number, label_width=22)
    # TRANSLATORS: letter header field "Sifat" and its usual value "Biasa".
    pdf.label_value(_("Nature"), _("Ordinary"), label_width=22)
    # TRANSLATORS: letter header field "Lampiran" and its value "1 (satu) berkas susunan acara".
    pdf.label_value(_("Attachment"), _("1 (one) sheet: the programme")
                    if workshop.agenda_items else "–", label_width=22)
    # TRANSLATORS: letter header field "Hal" and its value "Undangan <kind>".
    pdf.label_value(_("Subject"), _("Invitation: %(kind)s", kind=kind), label_width=22)
    pdf.ln(6)
    # TRANSLATORS: the addressee block, "Yth. Bapak/Ibu peserta" / "di Tempat".
    pdf.line_text(_("To: the participants"))
    pdf.line_text(_("at their place"))
    pdf.ln(6)
    # TRANSLATORS: the opening of an official letter, "Dengan hormat,".
    pdf.line_text(_("Dear Sir or Madam,"))
    pdf.line_text(_("We kindly invite you to attend the %(kind)s, which will be held on:",
                    kind=kind), align="J")
    pdf.ln(2)
    # TRANSLATORS: the time of an event that has no fixed end, "08.30 WITA s.d. selesai".
    time_text = _("%(time)s until finished", time=format_local_time(workshop.starts_at, tz,
                                                                     locale=LOCALE))
    # TRANSLATORS: the four event lines of an invitation: hari/tanggal, pukul, tempat, acara.
    pdf.label_value(_("day/date"), _day_and_date(workshop), indent=10)
    pdf.label_value(_("time"), time_text, indent=10)
    pdf.label_value(_("place"), f"{workshop.venue}, {workshop.region.name}", indent=10)
    pdf.label_value(_("event"), workshop.title, indent=10)
    pdf.ln(4)
    # TRANSLATORS: the closing paragraph of an invitation letter.
    pdf.line_text(_("Given the importance of this event, we hope you will attend on time. "
                    "Thank you for your attention and presence."), align="J")
    _signature(pdf, workshop)


def _programme(pdf: _Document, workshop: Workshop) -> None:
    """The attachment: the agenda (susunan acara) as a table."""
    tz = workshop.region.timezone
    pdf.add_page()
    # TRANSLATORS: the attachment's reference line, "Lampiran Undangan Nomor …".
    pdf.line_text(_("Attachment to invitation number %(number)s",
                    number=workshop.invitation_number or "…"), size=9)
    pdf.ln(4)
    # TRANSLATORS: the attachment's title, "SUSUNAN ACARA".
    pdf.line_text(_("PROGRAMME"), size=13, style="B", align="C")
    pdf.line_text(workshop.title, style="B", align="C")
    pdf.line_text(f"{_day_and_date(workshop)} · {workshop.venue}", size=10, align="C")
    pdf.ln(4)
    multi_day = format_long_date(workshop.starts_at, tz, locale=LOCALE) != \
        format_long_date(workshop.ends_at, tz, locale=LOCALE)
    pdf.set_font(FONT, size=10)
    headings = (_("No."), _("Time"), _("Session"), _("Speakers / moderator"))
    with pdf.table(col_widths=(10, 34, 66, 55), text_align=("C", "L", "L", "L"),
                   headings_style=FontFace(emphasis="BOLD"), line_height=5.5) as table:
        row = table.row()
        for heading in headings:
            row.cell(latin1(heading))
        for number, item in enumerate(workshop.agenda_items, start=1):
            when = _agenda_time(item, tz)
            if multi_day:
                when = f"{format_date(to_local(item.starts_at, tz).date(), 'd MMM', locale=LOCALE)} {when}"
            people = [_speaker(p) for p in item.speakers]
            if item.moderator is not None:
                people.append(_("Moderator: %(name)s", name=item.moderator.full_name))
            row = table.row()
            row.cell(str(number))
            row.cell(latin1(when))
            row.cell(latin1(f"{item.title}\n({item.session_type.label})"))
            row.cell(latin1("\n".join(people) or "–"))


def _agenda_time(item, tz: str) -> str:
    start = format_local_time(item.starts_at, tz, locale=LOCALE)
    end = format_local_time(item.ends_at, tz, locale=LOCALE)
    return f"{start.rsplit(' ', 1)[0]}-{end}"


def _speaker(person) -> str:
    return f"{person.full_name} ({person.position})" if person.position else person.full_name


def invitation_pdf(workshop: Workshop, issued_on: date | None = None) -> bytes:
    """The invitation letter (surat undangan) of a workshop, with its programme attached.

    `issued_on` is the letter's date (default: today in the workshop's zone).
    """
    with force_locale(LOCALE):
        if issued_on is None:
            issued_on = to_local(utc_now(), workshop.region.timezone).date()
        pdf = _Document()
        pdf.set_title(latin1(_("Invitation: %(kind)s", kind=workshop.kind.label)
                             + f" - {workshop.title}"))
        _letter(pdf, workshop, issued_on)
        if workshop.agenda_items:
            _programme(pdf, workshop)
        return bytes(pdf.output())


"""The berita acara (official record of agreement) and the notulen (minutes) of a workshop as
PDF, in formal Indonesian whatever the reader's language (see services/documents.py).

The berita acara opens with the day and date in words, "Pada hari ini Selasa, tanggal dua puluh
sembilan bulan Oktober tahun dua ribu sembilan belas, …": numbers come from num2words and the
day and month names from Babel's Indonesian locale, never from tables of our own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from babel.dates import format_date
from flask_babel import force_locale
from fpdf.fonts import FontFace
from num2words import num2words

from kotaku_collab.i18n import _, format_long_date, format_rupiah, format_time_range, to_local
from kotaku_collab.services.documents import (FONT, LOCALE, _Document, _letterhead, _place,
                                              latin1)
from kotaku_collab.services.minutes import OutcomesRecord

CONTENT_WIDTH = 165  # A4 minus the 25 mm and 20 mm margins of _Document


@dataclass
class DateInWords:
    weekday: str
    day: str
    month: str
    year: str

    @property
    def date_phrase(self) -> str:
        # TRANSLATORS: a date written out in an official record:
        # "tanggal %(day)s bulan %(month)s tahun %(year)s".
        return _("date %(day)s month %(month)s year %(year)s", day=self.day, month=self.month,
                 year=self.year)


def date_in_words(day: date, locale: str = LOCALE) -> DateInWords:
    """29 Oct 2019 → Selasa / dua puluh sembilan / Oktober / dua ribu sembilan belas."""
    language = locale.split("_")[0]
    return DateInWords(
        weekday=format_date(day, "EEEE", locale=locale),
        day=num2words(day.day, lang=language),
        month=format_date(day, "LLLL", locale=locale),
        year=num2words(day.year, lang=language),
    )


def record_date(record: OutcomesRecord) -> date:
    """The day the record is made: the workshop's last day, in its own zone."""
    workshop = record.workshop
    return to_local(workshop.ends_at - timedelta(seconds=1), workshop.region.timezone).date()


def opening_sentence(record: OutcomesRecord) -> str:
    workshop = record.workshop
    words = date_in_words(record_date(record))
    # TRANSLATORS: the opening of a berita acara: "Pada hari ini %(weekday)s, %(date)s,
    # bertempat di %(place)s, telah diselenggarakan %(event)s "%(title)s"."
    return _("On this day, %(weekday)s, %(date)s, at %(place)s, the %(event)s \"%(title)s\" "
             "was held.", weekday=words.weekday, date=words.date_phrase,
             place=f"{workshop.venue}, {workshop.region.name}", event=workshop.kind.label.lower(),
             title=workshop.title)


# --- Shared sections ----------------------------------------------------------------------


def _heading(pdf: _Document, text: str) -> None:
    if pdf.will_page_break(20):
        pdf.add_page()
    pdf.ln(3)
    pdf.line_text(text, style="B")


def _numbered(pdf: _Document, number, text: str, *, detail: str | None = None) -> None:
    pdf.set_font(FONT, size=11)
    pdf.set_x(pdf.l_margin + 4)
    pdf.cell(8, 6, f"{number}.")
    pdf.multi_cell(0, 6, latin1(text), new_x="LMARGIN", new_y="NEXT")
    if detail:
        pdf.set_font(FONT, size=9)
        pdf.set_x(pdf.l_margin + 12)
        pdf.multi_cell(0, 5, latin1(detail), new_x="LMARGIN", new_y="NEXT")


def _none(pdf: _Document) -> None:
    pdf.set_x(pdf.l_margin + 4)
    # TRANSLATORS: an empty section of a record, "Tidak ada."
    pdf.line_text(_("None."), size=10)


def _issues(pdf: _Document, record: OutcomesRecord, heading: str) -> None:
    _heading(pdf, heading)
    if not record.issues:
        _none(pdf)
        return
    for number, issue in enumerate(record.issues, start=1):
        parts = [_("Aspects: %(aspects)s", aspects=", ".join(a.label for a in issue.aspects))]
        area = record.slum_areas.get(issue.slum_area_id)
        places = [p for p in (issue.location.name if issue.location else None,
                              area.name if area else None) if p]
        if places:
            parts.append(_("Location: %(place)s", place=" / ".join(places)))
        if issue.proposed_by is not None:
            parts.append(_("Proposed by: %(org)s", org=issue.proposed_by.name))
        if issue.vote_rank is not None:
            parts.append(_("Votes: %(n)d (rank %(rank)d)", n=issue.vote_count,
                           rank=issue.vote_rank))
        parts.append(_("Agreed") if issue.agreed else _("Not yet agreed"))
        _numbered(pdf, number, issue.title, detail="; ".join(parts) + ".")


def _mechanisms(pdf: _Document, record: OutcomesRecord, heading: str) -> None:
    _heading(pdf, heading)
    if not record.mechanisms:
        _none(pdf)
        return
    for number, view in enumerate(record.mechanisms, start=1):
        m = view.mechanism
        parts = [_("Type: %(type)s", type=m.type.label),
                 _("Cadence: %(cadence)s", cadence=m.cadence.label)]
        if view.lead is not None:
            parts.append(_("Lead: %(org)s", org=view.lead.name))
        if view.members:
            parts.append(_("Members: %(orgs)s",
                           orgs=", ".join(o.display_name for o in view.members)))
        if m.legal_basis:
            parts.append(_("Legal basis: %(sk)s", sk=m.legal_basis))
        if m.next_meeting_on:
            parts.append(_("Next meeting: %(date)s",
                           date=format_date(m.next_meeting_on, "d MMMM y", locale=LOCALE)))
        if m.contact_channel:
            parts.append(_("Contact: %(contact)s", contact=m.contact_channel))
        _numbered(pdf, number, m.name, detail="; ".join(parts) + ".")


def _agreements(pdf: _Document, record: OutcomesRecord, heading: str) -> None:
    _heading(pdf, heading)
    if not record.agreements:
        _none(pdf)
        return
    for point in record.agreements:
        links = []
        if point.organisations:
            links.append(_("Parties: %(orgs)s",
                           orgs=", ".join(o.display_name for o in point.organisations)))
        if point.issues:
            links.append(_("Issues: %(issues)s", issues="; ".join(i.title for i in point.issues)))
        _numbered(pdf, point.number, point.text,
                  detail=("; ".join(links) + ".") if links else None)


def _table(pdf: _Document, widths, align, headings, rows) -> None:
    pdf.set_font(FONT, size=9)
    with pdf.table(col_widths=widths, text_align=align, headings_style=FontFace(emphasis="BOLD"),
                   line_height=5) as table:
        row = table.row()
        for heading in headings:
            row.cell(latin1(heading))
        for values in rows:
            row = table.row()
            for value in values:
                row.cell(latin1(value))


def _commitments(pdf: _Document, record: OutcomesRecord, heading: str) -> None:
    _heading(pdf, heading)
    if not record.commitments:
        _none(pdf)
        return
    rows = [(str(n), c.organisation.name, c.title,
             c.funding_source.label if c.funding_source else "-",
             format_rupiah(c.amount_idr, locale=LOCALE) if c.amount_idr is not None else "-",
             str(c.fiscal_year or "-"))
            for n, c in enumerate(record.commitments, start=1)]
    total = sum(c.amount_idr or 0 for c in record.commitments)
    rows.append(("", _("Total"), "", "", format_rupiah(total, locale=LOCALE), ""))
    _table(pdf, (8, 38, 55, 24, 28, 12), ("C", "L", "L", "L", "R", "C"),
           (_("No."), _("Party"), _("Commitment"), _("Funding"), _("Amount"), _("Year")), rows)


def _attendance(pdf: _Document, record: OutcomesRecord, heading: str) -> None:
    _heading(pdf, heading)
    if not record.sectors:
        _none(pdf)
        return
    rows = [(s.sector.label, str(s.registered), str(s.attended)) for s in record.sectors]
    rows.append((_("Total"), str(record.registered_total), str(record.attendance_total)))
    _table(pdf, (85, 40, 40), ("L", "R", "R"), (_("Sector"), _("Registered"), _("Attended")),
           rows)


def _amendments(pdf: _Document, record: OutcomesRecord, heading: str) -> None:
    if not record.amendments:
        return
    _heading(pdf, heading)
    tz = record.workshop.region.timezone
    for number, amendment in enumerate(record.amendments, start=1):
        when = format_long_date(amendment.created_at, tz, locale=LOCALE)
        _numbered(pdf, number, f"{when}: {amendment.summary}",
                  detail=_("Reason: %(reason)s", reason=amendment.reason))


def _draft_notice(pdf: _Document, record: OutcomesRecord) -> None:
    """Until the workshop is finalised the documents are drafts (konsep)."""
    if record.locked:
        return
    # TRANSLATORS: the stamp on an unfinished record, "KONSEP".
    pdf.line_text(_("DRAFT"), size=12, style="B", align="C")
    pdf.line_text(_("This document has not been finalised yet."), size=9, align="C")
    pdf.ln(2)


def _title(pdf: _Document, record: OutcomesRecord, title: str) -> None:
    pdf.line_text(title, size=13, style="B", align="C")
    pdf.line_text(record.workshop.title.upper(), style="B", align="C")
    number = record.minutes.document_number if record.minutes else None
    if number:
        # TRANSLATORS: "Nomor: …" under a document title.
        pdf.line_text(_("Number: %(number)s", number=number), align="C")
    pdf.ln(4)


def _closing_place_date(pdf: _Document, record: OutcomesRecord) -> None:
    # Keep the place and date, "Signed by" and the first row of signatures on one page.
    if pdf.will_page_break(80 if record.minutes and record.minutes.signatories else 20):
        pdf.add_page()
    pdf.ln(6)
    day = format_date(record_date(record), "d MMMM y", locale=LOCALE)
    pdf.line_text(f"{_place(record.workshop)}, {day}", align="R")


def _signatories(pdf: _Document, record: OutcomesRecord) -> None:
    """Signature blocks two by two: organisation, position, room to sign, the name."""
    signatories = record.minutes.signatories if record.minutes else []
    if not signatories:
        return
    pdf.ln(2)
    # TRANSLATORS: above the signatures, "Yang bertanda tangan,".
    pdf.line_text(_("Signed by,"), align="C")
    width = CONTENT_WIDTH / 2
    for start in range(0, len(signatories), 2):
        if start and pdf.will_page_break(50):
            pdf.add_page()
        top = pdf.get_y() + 2
        bottom = top
        for column, person in enumerate(signatories[start:start + 2]):
            x = pdf.l_margin + column * width
            pdf.set_xy(x, top)
            pdf.set_font(FONT, size=10)
            heading = "\n".join(p for p in (person.get("position"), person.get("organisation")) if p)
            pdf.multi_cell(width, 5, latin1(heading or " "), align="C", new_x="LEFT", new_y="NEXT")
            pdf.set_xy(x, pdf.get_y() + 18)
            pdf.set_font(FONT, style="BU", size=10)
            pdf.multi_cell(width, 5, latin1(person.get("name")), align="C", new_x="LEFT",
                           new_y="NEXT")
            bottom = max(bottom, pdf.get_y())
        pdf.set_xy(pdf.l_margin, bottom + 4)


# --- The documents ------------------------------------------------------------------------


def berita_acara_pdf(record: OutcomesRecord) -> bytes:
    """The berita acara kesepakatan of a workshop."""
    with force_locale(LOCALE):
        workshop = record.workshop
        pdf = _Document()
        # TRANSLATORS: document title, "Berita Acara Kesepakatan".
        pdf.set_title(latin1(_("Record of agreement") + f" - {workshop.title}"))
        pdf.add_page()
        _letterhead(pdf, workshop)
        _draft_notice(pdf, record)
        # TRANSLATORS: document title, "BERITA ACARA KESEPAKATAN".
        _title(pdf, record, _("RECORD OF AGREEMENT"))
        paragraph = [opening_sentence(record)]
        if record.minutes is not None and record.minutes.opened_by:
            paragraph.append(_("The workshop was opened by %(name)s.",
                               name=record.minutes.opened_by))
        if record.attendance_total:
            paragraph.append(_("It was attended by %(n)d participants (attendance by sector "
                               "below).", n=record.attendance_total))
        # TRANSLATORS: "Para peserta menyepakati hal-hal sebagai berikut:".
        paragraph.append(_("The participants agreed on the following:"))
        pdf.line_text(" ".join(paragraph), align="J")
        # TRANSLATORS: section headings of a berita acara ("A. Isu strategis sesuai urutan
        # prioritas", "B. Mekanisme koordinasi", …).
        _issues(pdf, record, _("A. Strategic issues, in order of priority"))
        _mechanisms(pdf, record, _("B. Coordination mechanisms"))
        _agreements(pdf, record, _("C. Agreement points"))
        _commitments(pdf, record, _("D. Commitments of the parties"))
        _attendance(pdf, record, _("E. Attendance by sector"))
        _amendments(pdf, record, _("F. Amendments after finalisation"))
        pdf.ln(4)
        # TRANSLATORS: the closing formula, "Demikian berita acara ini dibuat dengan sebenarnya
        # untuk dipergunakan sebagaimana mestinya."
        pdf.line_text(_("This record was made truthfully, to be used as appropriate."),
                      align="J")
        _closing_place_date(pdf, record)
        _signatories(pdf, record)
        return bytes(pdf.output())


def notulen_pdf(record: OutcomesRecord) -> bytes:
    """The minutes (notulen) of a workshop."""
    with force_locale(LOCALE):
        workshop = record.workshop
        tz = workshop.region.timezone
        minutes = record.minutes
        pdf = _Document()
        # TRANSLATORS: document title, "Notulen".
        pdf.set_title(latin1(_("Minutes") + f" - {workshop.title}"))
        pdf.add_page()
        _letterhead(pdf, workshop)
        _draft_notice(pdf, record)
        # TRANSLATORS: document title, "NOTULEN".
        _title(pdf, record, _("MINUTES"))
        pdf.label_value(_("day/date"), format_long_date(workshop.starts_at, tz, locale=LOCALE))
        pdf.label_value(_("time"), format_time_range(workshop.starts_at, workshop.ends_at, tz,
                                                     locale=LOCALE))
        pdf.label_value(_("place"), f"{workshop.venue}, {workshop.region.name}")
        pdf.label_value(_("event"), workshop.title)
        if minutes is not None and minutes.opened_by:
            # TRANSLATORS: minutes header field "Dibuka oleh".
            pdf.label_value(_("opened by"), minutes.opened_by)
        if record.attendance_total:
            # TRANSLATORS: minutes header field "Jumlah peserta hadir".
            pdf.label_value(_("attendance"), _("%(n)d participants", n=record.attendance_total))
        for heading, text in (
                (_("1. Opening"), minutes.opening_remarks if minutes else None),
                (_("2. Presentations"), minutes.presentations if minutes else None),
                (_("3. Discussion summary"), minutes.discussion_summary if minutes else None)):
            _heading(pdf, heading)
            if text:
                pdf.line_text(text, size=10, align="J", height=5.5)
            else:
                _none(pdf)
        _issues(pdf, record, _("4. Strategic issues, in order of priority"))
        _mechanisms(pdf, record, _("5. Coordination mechanisms"))
        _agreements(pdf, record, _("6. Agreement points"))
        _commitments(pdf, record, _("7. Commitments of the parties"))
        _attendance(pdf, record, _("8. Attendance by sector"))
        _amendments(pdf, record, _("9. Amendments after finalisation"))
        _closing_place_date(pdf, record)
        _signatories(pdf, record)
        return bytes(pdf.output())

"""Minutes and berita acara: the record, finalising (which locks the outcomes), amendments,
the PDF documents in Indonesian and carry-over from earlier rounds."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from flask_babel import force_locale
from pypdf import PdfReader
from sqlalchemy import select

import kotaku_collab
from kotaku_collab.audit import acting_as
from kotaku_collab.extensions import db as _db
from kotaku_collab.i18n import _
from kotaku_collab.models import (Amendment, AttendanceStatus, AuditEvent, Cadence,
                                  CommitmentStatus, MinutesStatus, Role, Sector, Workshop,
                                  WorkshopStatus)
from kotaku_collab.services import DomainError
from kotaku_collab.services.minutes import (MinutesInput, carry_over, finalise,
                                            missing_for_finalisation, outcomes_record,
                                            save_minutes)
from kotaku_collab.services.minutes_pdf import berita_acara_pdf, date_in_words, notulen_pdf
from kotaku_collab.services.outcomes import (IssueInput, add_agreement_point, merge_issues,
                                             record_strategic_issue, update_strategic_issue)
from kotaku_collab.services.scheduling import transition
from kotaku_collab.services.voting import cast_ballot, close_vote, open_vote
from tests import factories

UTC = timezone.utc
TODAY = date(2019, 11, 5)


@pytest.fixture
def organiser(db):
    return factories.make_user(Role.ORGANISER, regions=["51.05"])


@pytest.fixture
def workshop(db):
    # Tuesday 29 October 2019, 08.30–15.00 WITA, as the Klungkung workshop.
    return factories.make_workshop(
        "51.05", status=WorkshopStatus.HELD, starts_at=datetime(2019, 10, 29, 0, 30, tzinfo=UTC),
        hours=6.5, venue="Ruang rapat BPKPD Kabupaten Klungkung",
        title="Lokakarya KOTAKU Kabupaten Klungkung 2019")


def complete(**overrides) -> MinutesInput:
    values = {"opened_by": "I Made Kasta, Wakil Bupati Klungkung",
              "opening_remarks": "Penanganan kumuh harus lintas sektor.",
              "presentations": "Paparan baseline kumuh oleh Tim KOTAKU.",
              "discussion_summary": "Peserta memetakan isu drainase dan persampahan.",
              "document_number": "050/17/Baperlitbang/2019",
              "signatories": [
                  {"name": "I Wayan Wasta", "position": "Kepala Baperlitbang",
                   "organisation": "Baperlitbang Kabupaten Klungkung"},
                  {"name": "", "position": "", "organisation": ""},
                  {"name": "I Nyoman Sutresna", "position": "Kepala BPPW Bali",
                   "organisation": "BPPW Bali"}]}
    values.update(overrides)
    return MinutesInput(**values)


def pdf_text(data: bytes) -> str:
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return " ".join(text.split())


# --- The record ---------------------------------------------------------------------------


def test_save_minutes_drops_empty_signatory_rows(db, workshop, organiser):
    minutes = save_minutes(db.session, workshop, organiser, complete())
    db.session.commit()
    assert minutes.status is MinutesStatus.DRAFT
    assert [s["name"] for s in minutes.signatories] == ["I Wayan Wasta", "I Nyoman Sutresna"]
    again = save_minutes(db.session, workshop, organiser, complete(discussion_summary="Baru"))
    assert again.id == minutes.id and again.discussion_summary == "Baru"


def test_signatory_without_a_name_is_refused(db, workshop, organiser):
    with pytest.raises(DomainError) as error:
        save_minutes(db.session, workshop, organiser, complete(signatories=[
            {"name": " ", "position": "Kepala Dinas", "organisation": "DLH"}]))
    assert error.value.field == "signatories"


# --- Finalising ---------------------------------------------------------------------------


def test_finalising_needs_complete_minutes_and_a_closed_vote(db, workshop, organiser):
    assert missing_for_finalisation(db.session, workshop)  # no minutes at all
    with pytest.raises(DomainError, match="cannot be finalised"):
        finalise(db.session, workshop, organiser)
    save_minutes(db.session, workshop, organiser, complete(discussion_summary="", signatories=[]))
    missing = " ".join(missing_for_finalisation(db.session, workshop))
    assert "discussion summary" in missing and "signatories" in missing
    save_minutes(db.session, workshop, organiser, complete())
    factories.make_issue(workshop)
    open_vote(db.session, workshop, organiser, 3)
    assert "vote is still open" in " ".join(missing_for_finalisation(db.session, workshop))
    with pytest.raises(DomainError, match="vote is still open"):
        finalise(db.session, workshop, organiser)
    assert workshop.status is WorkshopStatus.HELD
    close_vote(db.session, workshop, organiser)
    finalise(db.session, workshop, organiser, now=datetime(2019, 10, 30, 2, 0, tzinfo=UTC))
    db.session.commit()
    record = outcomes_record(db.session, workshop, TODAY)
    assert workshop.status is WorkshopStatus.FINALISED and record.locked
    assert record.minutes.status is MinutesStatus.FINALISED
    assert record.minutes.finalised_by_id == organiser.id
    assert record.minutes.finalised_at == datetime(2019, 10, 30, 2, 0, tzinfo=UTC)


def test_the_lifecycle_transition_also_requires_the_minutes(db, workshop, organiser):
    with pytest.raises(DomainError, match="minutes"):
        transition(db.session, workshop, WorkshopStatus.FINALISED)
    save_minutes(db.session, workshop, organiser, complete())
    transition(db.session, workshop, WorkshopStatus.FINALISED)
    assert workshop.status is WorkshopStatus.FINALISED


@pytest.mark.parametrize("status", [WorkshopStatus.PUBLISHED, WorkshopStatus.REGISTRATION_CLOSED,
                                    WorkshopStatus.DRAFT])
def test_only_a_held_workshop_is_finalised(db, workshop, organiser, status):
    workshop.status = status
    save_minutes(db.session, workshop, organiser, complete())
    with pytest.raises(DomainError):
        finalise(db.session, workshop, organiser)
    assert workshop.status is status


def test_after_finalising_minutes_change_only_with_a_reason(db, workshop, organiser):
    save_minutes(db.session, workshop, organiser, complete())
    finalise(db.session, workshop, organiser)
    db.session.commit()
    with pytest.raises(DomainError) as error:
        save_minutes(db.session, workshop, organiser, complete(discussion_summary="Ubah diam-diam"))
    assert error.value.field == "amendment_reason"
    db.session.rollback()
    reason = "Ringkasan dilengkapi atas permintaan Bappeda"
    with acting_as(organiser):
        minutes = save_minutes(db.session, workshop, organiser,
                               complete(discussion_summary="Ringkasan lengkap"), reason=reason)
    db.session.commit()
    assert minutes.discussion_summary == "Ringkasan lengkap"
    assert minutes.status is MinutesStatus.FINALISED
    amendment = db.session.scalar(select(Amendment))
    with force_locale("id"):  # the record's wording is Indonesian whoever made the change
        assert amendment.reason == reason and amendment.summary == _("Minutes edited")
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.entity_type == "Minutes",
                                                       AuditEvent.action == "update")
                              .order_by(AuditEvent.id.desc()).limit(1))
    assert event.reason == reason
    assert event.changes["discussion_summary"][1] == "Ringkasan lengkap"


# --- Documents ----------------------------------------------------------------------------


def test_date_in_words_comes_from_num2words_and_babel():
    words = date_in_words(date(2019, 10, 29))
    assert (words.weekday, words.day, words.month, words.year) == (
        "Selasa", "dua puluh sembilan", "Oktober", "dua ribu sembilan belas")
    words = date_in_words(date(2019, 8, 1))
    assert (words.weekday, words.day, words.month) == ("Kamis", "satu", "Agustus")


def full_record(db, workshop, organiser):
    """Three issues voted into the order Persampahan, Kebakaran, Drainase; a mechanism, an
    agreement point, a commitment, attendance from two sectors."""
    drainase = record_strategic_issue(db.session, workshop, organiser, IssueInput(
        title="Drainase Semarapura Kaja", aspects=["drainase"], agreed=True))
    sampah = record_strategic_issue(db.session, workshop, organiser, IssueInput(
        title="Persampahan Desa Lembongan", aspects=["persampahan"], agreed=True))
    api = record_strategic_issue(db.session, workshop, organiser, IssueInput(
        title="Akses proteksi kebakaran Lembongan", aspects=["proteksi_kebakaran"]))
    bpd = factories.make_organisation("Bank BPD Bali", sector=Sector.DUNIA_USAHA)
    people = [factories.make_registration(
        workshop, factories.make_person(organisation=org), attendance=AttendanceStatus.HADIR,
        checked_in_at=datetime.now(UTC)) for org in (
        factories.make_organisation("Baperlitbang"), factories.make_organisation("DLH"), bpd)]
    open_vote(db.session, workshop, organiser, 3)
    cast_ballot(db.session, workshop, people[0].code, {sampah.id: 2, api.id: 1})
    cast_ballot(db.session, workshop, people[1].code, {sampah.id: 1, api.id: 1, drainase.id: 1})
    cast_ballot(db.session, workshop, people[2].code, {api.id: 1})
    close_vote(db.session, workshop, organiser)
    factories.make_mechanism(workshop, name="Rapat Pokja PKP Kabupaten Klungkung",
                             cadence=Cadence.TRIWULANAN, legal_basis="SK 050/2019")
    add_agreement_point(db.session, workshop, organiser,
                        text="Pokja PKP rapat setiap triwulan mulai Januari 2020")
    factories.make_commitment(bpd, workshop, title="20 APAR dan 1 titik hidran di Lembongan",
                              amount_idr=75_000_000)
    return drainase, sampah, api


def test_berita_acara_opens_with_the_date_in_words_and_lists_issues_in_ranked_order(
        db, workshop, organiser):
    drainase, sampah, api = full_record(db, workshop, organiser)
    save_minutes(db.session, workshop, organiser, complete())
    finalise(db.session, workshop, organiser)
    db.session.commit()
    text = pdf_text(berita_acara_pdf(outcomes_record(db.session, workshop, TODAY)))
    # The suite runs without catalogues (English frame, Indonesian words); the Indonesian
    # sentence itself is checked in test_berita_acara_reads_in_indonesian_with_the_catalogue.
    with force_locale("id"):
        date_phrase = date_in_words(date(2019, 10, 29)).date_phrase
    assert "dua puluh sembilan" in date_phrase and "dua ribu sembilan belas" in date_phrase
    positions = [text.index(part) for part in ("Selasa", date_phrase,
                                               "Ruang rapat BPKPD Kabupaten Klungkung")]
    assert positions == sorted(positions)
    ranked = [text.index(t) for t in (sampah.title, api.title, drainase.title)]
    assert ranked == sorted(ranked)
    for expected in ("050/17/Baperlitbang/2019", "I Made Kasta, Wakil Bupati Klungkung",
                     "Rapat Pokja PKP Kabupaten Klungkung", "SK 050/2019",
                     "Pokja PKP rapat setiap triwulan mulai Januari 2020",
                     "20 APAR dan 1 titik hidran di Lembongan", "Rp75.000.000",
                     "I Wayan Wasta", "Kepala BPPW Bali", "Klungkung, 29 Oktober 2019"):
        assert expected in text, expected
    assert "KONSEP" not in text and "DRAFT" not in text


CATALOGUES = Path(kotaku_collab.__file__).resolve().parent / "translations"


def test_berita_acara_reads_in_indonesian_with_the_catalogue(make_app, db, workshop, organiser):
    full_record(db, workshop, organiser)
    save_minutes(db.session, workshop, organiser, complete())
    finalise(db.session, workshop, organiser)
    workshop_id = workshop.id
    db.session.commit()
    indonesian = make_app(BABEL_TRANSLATION_DIRECTORIES=str(CATALOGUES))
    with indonesian.app_context():
        record = outcomes_record(_db.session, _db.session.get(Workshop, workshop_id), TODAY)
        text = pdf_text(berita_acara_pdf(record))
        _db.session.remove()
    assert text.index("BERITA ACARA KESEPAKATAN") < text.index(
        "Pada hari ini Selasa, tanggal dua puluh sembilan bulan Oktober tahun dua ribu "
        "sembilan belas, bertempat di Ruang rapat BPKPD Kabupaten Klungkung")


def test_draft_documents_say_so_and_notulen_has_the_discussion(db, workshop, organiser):
    save_minutes(db.session, workshop, organiser, complete())
    record = outcomes_record(db.session, workshop, TODAY)
    assert "KONSEP" in pdf_text(berita_acara_pdf(record))  # official documents are Indonesian
    text = pdf_text(notulen_pdf(record))
    assert "Peserta memetakan isu drainase dan persampahan." in text
    assert "Paparan baseline kumuh oleh Tim KOTAKU." in text
    assert "Selasa, 29 Oktober 2019" in text and "08.30-15.00 WITA" in text.replace("–", "-")


def test_amendments_are_listed_on_the_documents(db, workshop, organiser):
    issue = factories.make_issue(workshop, title="Air minum Nusa Penida")
    save_minutes(db.session, workshop, organiser, complete())
    finalise(db.session, workshop, organiser)
    update_strategic_issue(db.session, issue, organiser, IssueInput(
        title="Air minum desa-desa Nusa Penida", aspects=["air_minum"]),
        reason="Lokasi diperjelas oleh PDAM")
    db.session.commit()
    record = outcomes_record(db.session, workshop, TODAY)
    for document in (berita_acara_pdf(record), notulen_pdf(record)):
        text = pdf_text(document)
        assert "Lokasi diperjelas oleh PDAM" in text
        assert "Air minum desa-desa Nusa Penida" in text


def test_documents_survive_any_unicode(db, workshop, organiser):
    factories.make_issue(workshop, title="Isu 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 😀 Dja\u2019far")
    save_minutes(db.session, workshop, organiser, complete(opened_by="Ngurah Rai 漢字"))
    record = outcomes_record(db.session, workshop, TODAY)
    assert "Dja'far" in pdf_text(berita_acara_pdf(record))
    assert pdf_text(notulen_pdf(record))


# --- Carry-over ---------------------------------------------------------------------------


def test_follow_up_lists_open_items_of_earlier_rounds(db, workshop, organiser):
    earlier = factories.make_workshop("51.05", status=WorkshopStatus.FINALISED,
                                      starts_at=workshop.starts_at - timedelta(days=365))
    open_issue = factories.make_issue(earlier, title="Drainase belum tuntas", agreed=True)
    factories.make_issue(earlier, title="Belum disepakati", agreed=False)
    done = factories.make_issue(earlier, title="Sudah selesai", agreed=True)
    factories.make_commitment(workshop=earlier, title="Drainase 450 m",
                              status=CommitmentStatus.SELESAI).issues = [done]
    duplicate = factories.make_issue(earlier, title="Duplikat", agreed=True)
    merge_issues(db.session, duplicate, open_issue, organiser, reason="Duplikat isu drainase")
    running = factories.make_commitment(workshop=earlier, title="TPS3R Lembongan",
                                        status=CommitmentStatus.DIANGGARKAN)
    factories.make_commitment(workshop=earlier, title="Dibatalkan", status=CommitmentStatus.BATAL)
    mechanism = factories.make_mechanism(earlier, name="Forum PKP Klungkung")
    elsewhere = factories.make_workshop("35.75", starts_at=earlier.starts_at)
    factories.make_issue(elsewhere, title="Pesisir Pasuruan", agreed=True)
    later = factories.make_workshop("51.05", starts_at=workshop.starts_at + timedelta(days=90))
    factories.make_issue(later, title="Isu babak berikutnya", agreed=True)
    cancelled = factories.make_workshop("51.05", status=WorkshopStatus.CANCELLED,
                                        starts_at=earlier.starts_at + timedelta(days=30))
    factories.make_issue(cancelled, title="Dari lokakarya batal", agreed=True)
    db.session.commit()

    result = carry_over(db.session, workshop, TODAY)
    assert [i.title for i in result.issues] == ["Drainase belum tuntas"]
    assert [c.title for c in result.commitments] == ["TPS3R Lembongan"]
    assert [v.mechanism.id for v in result.mechanisms] == [mechanism.id]
    assert result.workshops == [earlier]
    assert running.workshop_id == earlier.id
    assert carry_over(db.session, earlier, TODAY).empty


def test_explicit_previous_round_is_included(db, workshop):
    earlier = factories.make_workshop("51.05", status=WorkshopStatus.FINALISED,
                                      starts_at=workshop.starts_at + timedelta(days=1))
    workshop.previous_id = earlier.id
    factories.make_issue(earlier, title="Dari babak sebelumnya", agreed=True)
    db.session.commit()
    assert [i.title for i in carry_over(db.session, workshop, TODAY).issues] == [
        "Dari babak sebelumnya"]

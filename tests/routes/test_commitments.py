"""Commitment pages: who may do what, bad input (clear messages, nothing lost, no 500s),
evidence served as attachments, verification, spreadsheets, lists and reminders."""

import io
import re
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from kotaku_collab.models import (Commitment, CommitmentStatus, CommitmentUpdate, EvidenceFile,
                                  FundingSource, Notification, VerificationDecision)
from kotaku_collab.services.commitments import local_today
from tests import factories

UTC = timezone.utc
S = CommitmentStatus
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


#: A smaller evidence limit for these tests: bodies over 500 KB would make Werkzeug's test
#: client spool to a temporary file it never closes (a ResourceWarning, an error here).
#: The real 5 MB limit is tested in tests/services/test_evidence.py.
LIMIT = 300 * 1024


@pytest.fixture(autouse=True)
def english(client):
    """Messages are asserted in English (the msgids); Indonesian is the app's default."""
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture(autouse=True)
def uploads(app, tmp_path, monkeypatch):
    """Evidence goes to a temporary folder, never to the real instance/uploads."""
    folder = tmp_path / "uploads"
    monkeypatch.setitem(app.config, "EVIDENCE_UPLOAD_DIR", str(folder))
    monkeypatch.setitem(app.config, "EVIDENCE_MAX_BYTES", LIMIT)
    return folder


@pytest.fixture
def world(db):
    factories.make_region("51.05.03.1001")
    workshop = factories.make_workshop("51.05", starts_at=datetime(2030, 3, 10, 0, 30, tzinfo=UTC))
    pasuruan = factories.make_workshop("35.75")
    org = factories.make_organisation("Dinas PUPRPKP Klungkung")
    other = factories.make_organisation("PDAM Tirta Mahottama")
    data = dict(workshop=workshop, pasuruan=pasuruan, org=org, other=other,
                issue=factories.make_issue(workshop, "Drainase tersumbat"),
                foreign_issue=factories.make_issue(pasuruan, "Sanitasi pesisir"),
                person=factories.make_person("I Wayan Sukra", organisation=org))
    db.session.commit()
    data["ids"] = {key: value.id for key, value in data.items()}
    return data


def form_data(world, **overrides):
    data = {"organisation_id": str(world["org"].id), "title": "Normalisasi drainase 1.200 m",
            "type": "program_kegiatan", "workshop_id": str(world["workshop"].id),
            "committed_by_id": str(world["person"].id), "issue_ids": [str(world["issue"].id)],
            "amount_idr": "1.250.000.000", "funding_source": "apbd_kabkota",
            "fiscal_year": "2030", "target_date": "2030-12-31", "location_code": "51.05.03.1001"}
    data.update(overrides)
    return data


def db_get(model, object_id):
    from kotaku_collab.extensions import db

    return db.session.get(model, object_id)


def count(db, model):
    db.session.rollback()
    return db.session.scalar(select(func.count(model.id)))


# --- Creating and editing -------------------------------------------------------------------


def test_stakeholder_adds_a_commitment_linked_to_an_issue(client, login_as, db, world):
    login_as("stakeholder", organisation=world["org"])
    response = client.post("/commitments/new", data=form_data(world))
    assert response.status_code == 302
    commitment = db.session.scalars(select(Commitment)).one()
    assert response.headers["Location"].endswith(f"/commitments/{commitment.id}")
    assert commitment.amount_idr == 1_250_000_000
    assert [i.title for i in commitment.issues] == ["Drainase tersumbat"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Normalisasi drainase 1.200 m" in page and "Drainase tersumbat" in page


@pytest.mark.parametrize("overrides, message", [
    ({"amount_idr": "-5.000"}, "The amount cannot be negative."),
    ({"amount_idr": "satu juta"}, "Enter the amount in whole rupiah"),
    ({"amount_idr": "1,5"}, "Enter the amount in whole rupiah"),
    ({"target_date": "2030-03-09"}, "The target date cannot be before the workshop"),
    ({"issue_ids": "foreign"}, "comes from a workshop in another regency/city"),
    ({"fiscal_year": "dua ribu"}, "Not a valid integer"),
    ({"target_date": "31/12/2030"}, "Not a valid date"),
    ({"organisation_id": "abc"}, "could not coerce"),
    ({"organisation_id": "99999"}, "Not a valid choice"),
    ({"issue_ids": ["x"]}, "could not be coerced"),
    ({"title": ""}, "This field is required"),
])
def test_bad_input_is_explained_and_nothing_is_lost(client, login_as, db, world, overrides,
                                                    message):
    login_as("organiser", regions=["51.05", "35.75"])
    if overrides.get("issue_ids") == "foreign":
        overrides["issue_ids"] = [str(world["foreign_issue"].id)]
    response = client.post("/commitments/new", data=form_data(world, **overrides))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert message in html
    if overrides.get("title") != "":
        assert 'value="Normalisasi drainase 1.200 m"' in html
    assert count(db, Commitment) == 0


def test_the_typed_amount_is_shown_back_as_typed(client, login_as, db, world):
    login_as("organiser")
    html = client.post("/commitments/new", data=form_data(
        world, amount_idr="-1.000.000")).get_data(as_text=True)
    assert 'value="-1.000.000"' in html


def test_stakeholder_only_sees_their_own_organisation_in_the_form(client, login_as, db, world):
    login_as("stakeholder", organisation=world["org"])
    html = client.get("/commitments/new").get_data(as_text=True)
    assert "Dinas PUPRPKP Klungkung" in html and "PDAM Tirta Mahottama" not in html
    response = client.post("/commitments/new",
                           data=form_data(world, organisation_id=str(world["other"].id)))
    assert "Not a valid choice" in response.get_data(as_text=True)
    assert count(db, Commitment) == 0


def test_edit_permissions(client, login_as, db, world):
    commitment = factories.make_commitment(world["org"], world["workshop"], title="Asli")
    elsewhere = factories.make_commitment(world["org"], world["pasuruan"], title="Di Pasuruan")
    db.session.commit()
    url = f"/commitments/{commitment.id}/edit"

    login_as("reviewer", regions=["51.05"])
    assert client.get(f"/commitments/{commitment.id}").status_code == 200
    assert client.get(url).status_code == 403
    assert client.post(url, data=form_data(world, title="Diubah")).status_code == 403
    assert client.get(f"/commitments/{elsewhere.id}").status_code == 404

    login_as("stakeholder", organisation=world["other"])
    assert client.get(url).status_code == 403
    assert client.post(url, data=form_data(world, title="Diubah")).status_code == 403

    login_as("organiser", regions=["35.75"])
    assert client.get(url).status_code == 404

    login_as("stakeholder", organisation=world["org"])
    assert client.get(url).status_code == 200
    assert client.post(url, data=form_data(world, title="Diubah")).status_code == 302
    db.session.expire_all()
    assert db.session.get(Commitment, commitment.id).title == "Diubah"


def test_reviewers_cannot_log_commitments(client, login_as, db, world):
    login_as("reviewer", regions=["51.05"])
    assert client.get("/commitments/new").status_code == 403
    assert client.post("/commitments/new", data=form_data(world)).status_code == 403


# --- Progress and evidence ------------------------------------------------------------------


def post_progress(client, commitment, files=(), **overrides):
    data = {"reported_on": local_today().isoformat(), "status": "dilaksanakan",
            "percent_complete": "30", "narrative": "Galian dimulai"}
    data.update(overrides)
    data["evidence"] = [(io.BytesIO(content), name) for name, content in files]
    return client.post(f"/commitments/{commitment.id}/updates", data=data,
                       content_type="multipart/form-data")


def test_progress_with_a_pdf_is_served_back_only_as_an_attachment(client, login_as, db, world,
                                                                  uploads):
    commitment = factories.make_commitment(world["org"], world["workshop"], status=S.DIANGGARKAN)
    db.session.commit()
    login_as("stakeholder", organisation=world["org"])
    response = post_progress(client, commitment, files=[("berita acara.pdf", PDF)])
    assert response.status_code == 302
    evidence = db.session.scalars(select(EvidenceFile)).one()
    assert [p.name for p in uploads.iterdir()] == [evidence.stored_name]
    assert re.fullmatch(r"[0-9a-f]{32}\.pdf", evidence.stored_name)
    db.session.expire_all()
    assert db.session.get(Commitment, commitment.id).status is S.DILAKSANAKAN

    page = client.get(f"/commitments/{commitment.id}").get_data(as_text=True)
    assert f"/commitments/evidence/{evidence.id}" in page and "berita acara.pdf" in page
    with client.get(f"/commitments/evidence/{evidence.id}") as download:
        assert download.status_code == 200 and download.data == PDF
        assert download.headers["Content-Disposition"].startswith("attachment;")
        assert "berita acara.pdf" in download.headers["Content-Disposition"]
        assert download.headers["Content-Type"] == "application/pdf"
        assert download.headers["X-Content-Type-Options"] == "nosniff"

    login_as("reviewer", regions=["51.05"])
    with client.get(f"/commitments/evidence/{evidence.id}") as download:
        assert download.status_code == 200
    login_as("reviewer", regions=["35.75"])
    assert client.get(f"/commitments/evidence/{evidence.id}").status_code == 404
    login_as("stakeholder", organisation=factories.make_organisation(region_code="35.75"))
    assert client.get(f"/commitments/evidence/{evidence.id}").status_code == 404


@pytest.mark.parametrize("name, content, message", [
    ("laporan.pdf", b"<?php system($_GET['c']); ?>", "is not a PDF, JPG or PNG file"),
    ("besar.pdf", PDF + b"0" * LIMIT, "larger than 300 KB"),
    ("../../etc/passwd.pdf", b"root:x:0:0:root:/root:/bin/bash\n", "is not a PDF"),
])
def test_bad_evidence_is_refused_and_nothing_is_written(client, login_as, db, world, uploads,
                                                        name, content, message):
    commitment = factories.make_commitment(world["org"], world["workshop"], status=S.DIANGGARKAN)
    db.session.commit()
    login_as("stakeholder", organisation=world["org"])
    png = b"\x89PNG\r\n\x1a\n" + b"0" * 10
    response = post_progress(client, commitment, files=[("foto.png", png), (name, content)])
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert message in html and "Galian dimulai" in html
    assert count(db, CommitmentUpdate) == 0 and count(db, EvidenceFile) == 0
    assert not uploads.exists() or list(uploads.iterdir()) == []


def test_a_path_traversal_name_is_stored_safely(client, login_as, db, world, uploads, tmp_path):
    commitment = factories.make_commitment(world["org"], world["workshop"], status=S.DIANGGARKAN)
    db.session.commit()
    login_as("stakeholder", organisation=world["org"])
    assert post_progress(client, commitment,
                         files=[("../../etc/passwd.pdf", PDF)]).status_code == 302
    evidence = db.session.scalars(select(EvidenceFile)).one()
    assert evidence.original_name == "passwd.pdf"
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")
                  if p.is_file()) == [f"uploads/{evidence.stored_name}"]


def test_a_forbidden_status_jump_is_explained(client, login_as, db, world):
    commitment = factories.make_commitment(world["org"], world["workshop"], status=S.DISEPAKATI)
    db.session.commit()
    login_as("stakeholder", organisation=world["org"])
    response = post_progress(client, commitment, status="selesai", percent_complete="100")
    assert response.status_code == 200
    assert "straight to" in response.get_data(as_text=True)
    assert count(db, CommitmentUpdate) == 0


@pytest.mark.parametrize("overrides, message", [
    ({"status": "entah"}, "Choose a status."),
    ({"percent_complete": "150"}, "between 0 and 100"),
    ({"reported_on": "kemarin"}, "Not a valid date"),
    ({"reported_on": "2999-01-01"}, "cannot be in the future"),
])
def test_bad_progress_input(client, login_as, db, world, overrides, message):
    commitment = factories.make_commitment(world["org"], world["workshop"])
    db.session.commit()
    login_as("stakeholder", organisation=world["org"])
    response = post_progress(client, commitment, **overrides)
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    assert count(db, CommitmentUpdate) == 0


def test_reviewer_cannot_report_progress(client, login_as, db, world):
    commitment = factories.make_commitment(world["org"], world["workshop"])
    db.session.commit()
    login_as("reviewer", regions=["51.05"])
    assert post_progress(client, commitment).status_code == 403
    assert "progress-form" not in client.get(f"/commitments/{commitment.id}").get_data(as_text=True)


# --- Verification ---------------------------------------------------------------------------


def test_reviewer_verifies_and_the_stakeholder_sees_it(client, login_as, db, world):
    commitment = factories.make_commitment(world["org"], world["workshop"], status=S.DIANGGARKAN)
    db.session.commit()
    stakeholder = login_as("stakeholder", organisation=world["org"])
    post_progress(client, commitment)
    update = db.session.scalars(select(CommitmentUpdate)).one()

    login_as("reviewer", regions=["51.05"])
    url = f"/commitments/updates/{update.id}/verify"
    response = client.post(url, data={f"v{update.id}-decision": "needs_revision",
                                      f"v{update.id}-comment": ""})
    assert response.status_code == 200
    assert "a comment is required" in response.get_data(as_text=True)
    response = client.post(url, data={f"v{update.id}-decision": "needs_revision",
                                      f"v{update.id}-comment": "Lampirkan foto lokasi."})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(CommitmentUpdate, update.id).verification_state \
        is VerificationDecision.NEEDS_REVISION
    assert db.session.scalars(select(Notification.email)).all() == [stakeholder.email]

    login_as("stakeholder", organisation=world["org"])
    page = client.get(f"/commitments/{commitment.id}").get_data(as_text=True)
    assert "Needs revision" in page and "Lampirkan foto lokasi." in page
    assert f"verify-form-{update.id}" not in page
    assert client.post(url, data={f"v{update.id}-decision": "verified"}).status_code == 403
    listing = client.get("/commitments/mine").get_data(as_text=True)
    assert "Needs revision" in listing


# --- Quick entry ----------------------------------------------------------------------------


def quick_rows(*rows):
    data = {}
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"rows-{index}-{key}"] = value
    return data


def test_organisers_record_several_commitments_at_once(client, login_as, db, world):
    login_as("organiser", regions=["51.05"])
    url = f"/manage/workshops/{world['workshop'].id}/commitments"
    assert client.get(url).status_code == 200
    response = client.post(url, data=quick_rows(
        {"organisation_id": world["org"].id, "type": "program_kegiatan", "title": "Drainase",
         "funding_source": "apbd_kabkota", "amount_idr": "750.000.000", "fiscal_year": "2030"},
        {"organisation_id": "", "type": "program_kegiatan", "title": "", "amount_idr": ""},
        {"organisation_id": world["other"].id, "type": "anggaran", "title": "Sambungan rumah",
         "funding_source": "", "amount_idr": "", "fiscal_year": ""}))
    assert response.status_code == 302
    made = db.session.scalars(select(Commitment).order_by(Commitment.id)).all()
    assert [(c.title, c.amount_idr, c.status, c.workshop_id) for c in made] == [
        ("Drainase", 750_000_000, S.DISEPAKATI, world["workshop"].id),
        ("Sambungan rumah", None, S.DISEPAKATI, world["workshop"].id)]
    assert made[0].funding_source is FundingSource.APBD_KABKOTA


def test_quick_entry_keeps_every_row_when_one_is_wrong(client, login_as, db, world):
    login_as("organiser", regions=["51.05"])
    url = f"/manage/workshops/{world['workshop'].id}/commitments"
    response = client.post(url, data=quick_rows(
        {"organisation_id": world["org"].id, "type": "program_kegiatan", "title": "Drainase",
         "amount_idr": "750.000.000"},
        {"organisation_id": world["other"].id, "type": "program_kegiatan",
         "title": "Sambungan rumah", "amount_idr": "-20"},
        {"organisation_id": "", "type": "program_kegiatan", "title": "Tanpa organisasi"}))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Nothing was saved" in html
    assert "The amount cannot be negative." in html and "Choose the organisation." in html
    for typed in ("Drainase", "-20", "Tanpa organisasi"):
        assert f'value="{typed}"' in html
    assert count(db, Commitment) == 0


def test_quick_entry_is_for_the_regions_organisers(client, login_as, db, world):
    url = f"/manage/workshops/{world['workshop'].id}/commitments"
    login_as("organiser", regions=["35.75"])
    assert client.get(url).status_code == 404
    login_as("reviewer", regions=["51.05"])
    assert client.get(url).status_code == 403
    login_as("stakeholder", organisation=world["org"])
    assert client.post(url, data=quick_rows({"organisation_id": world["org"].id,
                                             "title": "X"})).status_code == 403
    assert count(db, Commitment) == 0


# --- Spreadsheets ---------------------------------------------------------------------------


def upload_sheet(client, url, content):
    return client.post(url, data={"sheet": (io.BytesIO(content), "komitmen.xlsx")},
                       content_type="multipart/form-data")


def test_organisation_sheet_round_trip(client, login_as, db, world):
    commitment = factories.make_commitment(world["org"], world["workshop"], title="Drainase",
                                           status=S.DIANGGARKAN)
    factories.make_commitment(world["other"], world["workshop"], title="Milik PDAM")
    db.session.commit()
    login_as("stakeholder", organisation=world["org"])
    download = client.get("/commitments/sheet.xlsx")
    assert download.status_code == 200
    assert download.headers["Content-Disposition"].startswith("attachment;")
    workbook = load_workbook(io.BytesIO(download.data))
    sheet = workbook.worksheets[0]
    assert [sheet.cell(r, 3).value for r in range(2, sheet.max_row + 1)] == ["Drainase"]
    sheet.cell(2, 4).value = "dilaksanakan"
    sheet.cell(2, 5).value = 25
    buffer = io.BytesIO()
    workbook.save(buffer)

    renamed = load_workbook(io.BytesIO(buffer.getvalue()))
    renamed.worksheets[0].cell(1, 5).value = "persen"
    broken = io.BytesIO()
    renamed.save(broken)
    response = upload_sheet(client, "/commitments/sheet/upload", broken.getvalue())
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Missing: percent" in html and "Not expected: persen" in html
    assert count(db, CommitmentUpdate) == 0

    response = upload_sheet(client, "/commitments/sheet/upload", b"not a workbook")
    assert response.status_code == 200 and "not a readable .xlsx" in response.get_data(as_text=True)

    response = upload_sheet(client, "/commitments/sheet/upload", buffer.getvalue())
    assert response.status_code == 302
    db.session.expire_all()
    assert (db.session.get(Commitment, commitment.id).status,
            db.session.get(Commitment, commitment.id).percent_complete) == (S.DILAKSANAKAN, 25)


def test_sheets_are_only_for_their_owners(client, login_as, db, world):
    login_as("reviewer", regions=["51.05"])
    assert client.get("/commitments/sheet.xlsx").status_code == 403
    assert client.get(f"/manage/workshops/{world['workshop'].id}/commitments/sheet.xlsx") \
        .status_code == 403
    login_as("organiser", regions=["51.05"])
    assert client.get("/commitments/sheet.xlsx").status_code == 403
    response = client.get(f"/manage/workshops/{world['workshop'].id}/commitments/sheet.xlsx")
    assert response.status_code == 200 and response.data[:2] == b"PK"
    upload = client.get(f"/manage/workshops/{world['workshop'].id}/commitments/sheet/upload")
    assert upload.status_code == 200


# --- Lists ----------------------------------------------------------------------------------


def make_commitments(world, n):
    """n commitments of the Klungkung workshop; looks its objects up by id, so it works after
    the session was emptied."""
    from kotaku_collab.models import Organisation, Workshop

    today = local_today()
    org, other, workshop = (db_get(Organisation, world["ids"]["org"]),
                            db_get(Organisation, world["ids"]["other"]),
                            db_get(Workshop, world["ids"]["workshop"]))
    for i in range(n):
        factories.make_commitment(
            org if i % 2 else other, workshop,
            title=f"Komitmen nomor {i}", amount_idr=1_000_000 * (i + 1),
            funding_source=FundingSource.APBD_KABKOTA if i % 3 else FundingSource.CSR_TJSL,
            target_date=today - timedelta(days=5) if i == 0 else today + timedelta(days=100),
            status=S.DILAKSANAKAN)


def test_list_with_filters_and_totals(client, login_as, db, world):
    make_commitments(world, 4)
    factories.make_commitment(world["org"], world["pasuruan"], title="Komitmen Pasuruan",
                              amount_idr=5)
    db.session.commit()
    login_as("reviewer", regions=["51.05"])
    html = client.get("/commitments/").get_data(as_text=True)
    assert "Komitmen nomor 3" in html and "Komitmen Pasuruan" not in html
    assert "4 commitments" in html
    assert "Rp10,000,000" in html  # 1 + 2 + 3 + 4 million (English grouping)
    overdue = client.get("/commitments/?flag=overdue").get_data(as_text=True)
    assert "Komitmen nomor 0" in overdue and "Komitmen nomor 1" not in overdue
    csr = client.get("/commitments/?funding_source=csr_tjsl").get_data(as_text=True)
    assert "Komitmen nomor 0" in csr and "Komitmen nomor 3" in csr
    assert "Komitmen nomor 1<" not in csr
    by_org = client.get(f"/commitments/?organisation={world['org'].id}&sort=amount") \
        .get_data(as_text=True)
    assert by_org.index("Komitmen nomor 3") < by_org.index("Komitmen nomor 1")
    assert "Komitmen nomor 2" not in by_org
    bad = client.get("/commitments/?status=hilang&page=-4&workshop=abc&sort=drop")
    assert bad.status_code == 200


@pytest.mark.parametrize("path", ["/commitments/", "/commitments/mine"])
def test_list_query_count_does_not_grow_with_the_rows(client, login_as, db, world, path):
    if path.endswith("mine"):
        login_as("stakeholder", organisation=world["other"])
    else:
        login_as("reviewer", regions=["51.05"])
    make_commitments(world, 1)
    db.session.commit()
    db.session.expunge_all()  # as in a fresh request: the page's own queries only
    one = client.get(path)
    assert one.status_code == 200
    make_commitments(world, 30)
    db.session.commit()
    db.session.expunge_all()
    thirty = client.get(path)
    expected = "16 commitments" if path.endswith("mine") else "31 commitments"
    assert expected in thirty.get_data(as_text=True)
    assert one.headers["X-Query-Count"] == thirty.headers["X-Query-Count"]


def test_detail_query_count_does_not_grow_with_the_updates(client, login_as, db, world):
    commitment = factories.make_commitment(world["org"], world["workshop"], status=S.DISEPAKATI)
    db.session.commit()
    login_as("stakeholder", organisation=world["org"])
    commitment_id = commitment.id
    post_progress(client, commitment, status="dianggarkan", files=[("a.pdf", PDF)])
    db.session.expunge_all()
    first = client.get(f"/commitments/{commitment_id}")
    for _ in range(3):
        post_progress(client, SimpleNamespace(id=commitment_id),
                      files=[("a.pdf", PDF), ("b.pdf", PDF)])
    db.session.expunge_all()
    later = client.get(f"/commitments/{commitment_id}")
    assert later.get_data(as_text=True).count("evidence-link") == 7
    assert first.headers["X-Query-Count"] == later.headers["X-Query-Count"]


def test_navbar_and_home_link_to_commitments(client, login_as, db, world):
    commitment = factories.make_commitment(world["org"], world["workshop"], title="Drainase")
    db.session.commit()
    login_as("stakeholder", organisation=world["org"])
    html = client.get("/home").get_data(as_text=True)
    assert 'href="/commitments/"' in html and 'href="/commitments/mine"' in html
    assert f'href="/commitments/{commitment.id}"' in html and 'href="/commitments/new"' in html
    assert client.get("/commitments/mine").status_code == 200
    login_as("reviewer", regions=["51.05"])
    assert client.get("/commitments/mine").status_code == 403


# --- Reminders ------------------------------------------------------------------------------


def test_organisers_see_whatsapp_links_for_their_region(client, login_as, db, world):
    person = factories.make_person("Wayan", organisation=world["org"], phone="+6281234567890")
    factories.make_commitment(world["org"], world["workshop"], title="Drainase & gorong-gorong",
                              status=S.DILAKSANAKAN, committed_by=person,
                              target_date=local_today() - timedelta(days=2))
    yayasan = factories.make_organisation("Yayasan Pesisir", region_code="35.75")
    factories.make_commitment(yayasan, world["pasuruan"], title="Tangki septik",
                              target_date=local_today() - timedelta(days=2))
    db.session.commit()
    login_as("organiser", regions=["51.05"])
    response = client.get("/manage/commitments/reminders")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Dinas PUPRPKP Klungkung" in html and "Yayasan Pesisir" not in html
    links = re.findall(r'href="(https://wa\.me/[^"]+)"', html)
    assert len(links) == 1 and links[0].startswith("https://wa.me/6281234567890?text=")
    assert "Drainase%20%26amp%3B" not in links[0] and "Drainase%20%26%20gorong-gorong" in links[0]
    assert "+62812****890" in html and "+6281234567890" not in html.replace(links[0], "")
    login_as("stakeholder", organisation=world["org"])
    assert client.get("/manage/commitments/reminders").status_code == 403
    login_as("reviewer", regions=["51.05"])
    assert client.get("/manage/commitments/reminders").status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client, db, world):
    for path in ("/commitments/", "/commitments/new", "/commitments/mine", "/commitments/1",
                 "/commitments/evidence/1", "/manage/commitments/reminders",
                 f"/manage/workshops/{world['workshop'].id}/commitments"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"], path

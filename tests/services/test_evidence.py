"""Evidence uploads: type from the content, size limit, random names inside the upload folder."""

import io
from datetime import date

import pytest
from flask_babel import force_locale

from kotaku_collab.models import CommitmentStatus, CommitmentUpdate, EvidenceFile
from kotaku_collab.services import DomainError
from kotaku_collab.services.evidence import (MAX_EVIDENCE_BYTES, MAX_FILES_PER_UPDATE,
                                             STORED_NAME, check_evidence, check_uploads,
                                             display_name, remove_stored, store_evidence,
                                             stored_path)
from tests import factories

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


@pytest.fixture(autouse=True)
def english(db):
    """Messages are asserted in English (the msgids); Indonesian is the app's default."""
    with force_locale("en"):
        yield


@pytest.fixture
def update(db):
    commitment = factories.make_commitment()
    update = CommitmentUpdate(commitment=commitment, reported_on=date(2030, 4, 1),
                              status=CommitmentStatus.DISEPAKATI, percent_complete=0)
    db.session.add(update)
    db.session.flush()
    return update


@pytest.fixture
def uploads(tmp_path):
    """The upload folder, inside a parent we can search for stray files."""
    return tmp_path / "instance" / "uploads"


def files_under(path):
    return sorted(p.relative_to(path).as_posix() for p in path.rglob("*") if p.is_file())


@pytest.mark.parametrize("name, data, content_type, shown", [
    ("berita acara.pdf", PDF, "application/pdf", "berita acara.pdf"),
    ("foto 0%.PNG", PNG, "image/png", "foto 0%.png"),
    ("foto.jpeg", JPG, "image/jpeg", "foto.jpeg"),
    ("foto-tanpa-ekstensi", JPG, "image/jpeg", "foto-tanpa-ekstensi.jpg"),
    ("scan.png", PDF, "application/pdf", "scan.png.pdf"),
])
def test_type_comes_from_the_content(name, data, content_type, shown):
    upload = check_evidence(name, io.BytesIO(data))
    assert (upload.content_type, upload.original_name) == (content_type, shown)


def test_a_php_script_renamed_pdf_is_refused():
    with pytest.raises(DomainError) as error:
        check_evidence("laporan.pdf", io.BytesIO(b"<?php system($_GET['c']); ?>"))
    assert "not a PDF, JPG or PNG" in error.value.message and error.value.field == "evidence"


def test_an_oversized_file_is_refused_without_reading_it_all():
    stream = io.BytesIO(PDF + b"0" * MAX_EVIDENCE_BYTES)
    with pytest.raises(DomainError) as error:
        check_evidence("besar.pdf", stream)
    assert "larger than 5 MB" in error.value.message
    assert stream.tell() == MAX_EVIDENCE_BYTES + 1
    exactly = check_evidence("pas.pdf", io.BytesIO(PDF + b"0" * (MAX_EVIDENCE_BYTES - len(PDF))))
    assert exactly.size_bytes == MAX_EVIDENCE_BYTES


def test_empty_files_and_too_many_files_are_refused():
    with pytest.raises(DomainError, match="empty"):
        check_evidence("kosong.pdf", io.BytesIO(b""))
    with pytest.raises(DomainError, match="at most 5"):
        check_uploads([(f"{i}.pdf", io.BytesIO(PDF)) for i in range(MAX_FILES_PER_UPDATE + 1)])


@pytest.mark.parametrize("name, shown", [
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("..\\..\\windows\\win.ini.pdf", "win.ini.pdf"),
    ("/var/www/../../x.pdf", "x.pdf"),
    ("..", "bukti.pdf"),
    ("laporan\x00.php.pdf", "laporan.php.pdf"),
    ("a\nb\r.pdf", "ab.pdf"),
])
def test_path_components_never_survive_in_the_name(name, shown):
    assert display_name(name, "pdf") == shown


def test_a_path_traversal_name_is_stored_under_a_random_name_inside_uploads(db, update, uploads):
    upload = check_evidence("../../etc/passwd.pdf", io.BytesIO(PDF))
    [record] = store_evidence(db.session, update, [upload], uploads)
    assert STORED_NAME.match(record.stored_name)
    assert record.original_name == "passwd.pdf" and record.size_bytes == len(PDF)
    parent = uploads.parent.parent
    assert files_under(parent) == [f"instance/uploads/{record.stored_name}"]
    assert stored_path(uploads, record).read_bytes() == PDF
    assert db.session.get(EvidenceFile, record.id).update is update


def test_names_are_random_and_never_reused(db, update, uploads):
    records = store_evidence(db.session, update, [check_evidence("a.pdf", io.BytesIO(PDF)),
                                                  check_evidence("a.pdf", io.BytesIO(PDF))],
                             uploads)
    assert len({r.stored_name for r in records}) == 2
    assert len(files_under(uploads)) == 2
    remove_stored(uploads, [r.stored_name for r in records] + ["../../etc/passwd"])
    assert files_under(uploads) == []


def test_a_record_naming_something_else_is_never_served(db, update, uploads):
    uploads.mkdir(parents=True)
    (uploads.parent / "secret.pdf").write_bytes(PDF)
    record = EvidenceFile(update=update, stored_name="../secret.pdf", original_name="x.pdf",
                          content_type="application/pdf", size_bytes=1)
    assert stored_path(uploads, record) is None
    record.stored_name = "0" * 32 + ".pdf"
    assert stored_path(uploads, record) is None, "missing file"

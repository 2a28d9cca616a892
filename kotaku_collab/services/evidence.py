"""Evidence files attached to progress updates: PDF, JPG or PNG, recognised from their content
(never from the name), size-limited, stored under the upload folder with random names.

Uploads are checked first (`check_evidence`, in memory, nothing written), then written
(`store_evidence`) once the update exists; the route deletes what was written if the
transaction then fails (`remove_stored`). Files are served only through a permission check,
as attachments (see the commitments blueprint).
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import IO

from sqlalchemy.orm import Session

from kotaku_collab.i18n import _
from kotaku_collab.models import CommitmentUpdate, EvidenceFile, utc_now
from kotaku_collab.services import DomainError

MAX_EVIDENCE_BYTES = 5 * 1024 * 1024
MAX_FILES_PER_UPDATE = 5

#: kind → (content type, extension, leading bytes).
KINDS = {
    "pdf": ("application/pdf", ".pdf", (b"%PDF-",)),
    "png": ("image/png", ".png", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": ("image/jpeg", ".jpg", (b"\xff\xd8\xff",)),
}
ALLOWED_EXTENSIONS = {"pdf": {".pdf"}, "png": {".png"}, "jpg": {".jpg", ".jpeg"}}
STORED_NAME = re.compile(r"^[0-9a-f]{32}\.(pdf|png|jpg)$")


@dataclass
class EvidenceUpload:
    """A checked upload, held in memory until it is stored."""

    original_name: str
    content_type: str
    extension: str
    data: bytes

    @property
    def size_bytes(self) -> int:
        return len(self.data)


def size_label(size: int) -> str:
    """5 MB, 300 KB: limits as people read them."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.0f} MB"
    return f"{max(size // 1024, 1)} KB"


def sniff_kind(data: bytes) -> str | None:
    """"pdf", "png" or "jpg" from the leading bytes, else None."""
    for kind, (_type, _ext, signatures) in KINDS.items():
        if any(data.startswith(signature) for signature in signatures):
            return kind
    return None


def _base_name(filename: str | None) -> str:
    """The last path component only (either slash), without control characters or edge dots."""
    raw = (filename or "").replace("\x00", "")
    name = PureWindowsPath(PurePosixPath(raw).name).name
    name = "".join(ch for ch in unicodedata.normalize("NFC", name)
                   if unicodedata.category(ch)[0] != "C")
    return name.strip().strip(".").strip()


def display_name(filename: str | None, kind: str) -> str:
    """A harmless name to show and to offer on download: the last path component, at most
    about 100 characters, with an extension that matches the content."""
    name = _base_name(filename)
    stem, dot, ext = name.rpartition(".")
    if not dot or "." + ext.lower() not in ALLOWED_EXTENSIONS[kind]:
        stem, ext = name, KINDS[kind][1][1:]
    stem = (stem.strip() or "bukti")[:100]
    return f"{stem}.{ext.lower()}"


def check_evidence(filename: str | None, stream: IO[bytes], *,
                   max_bytes: int = MAX_EVIDENCE_BYTES) -> EvidenceUpload:
    """Read and check one upload; raises DomainError (field "evidence") saying what is wrong."""
    shown = _base_name(filename)[:100] or _("the file")
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise DomainError(_("“%(name)s” is larger than %(limit)s.", name=shown,
                            limit=size_label(max_bytes)), field="evidence")
    if not data:
        raise DomainError(_("“%(name)s” is empty.", name=shown), field="evidence")
    kind = sniff_kind(data)
    if kind is None:
        raise DomainError(_("“%(name)s” is not a PDF, JPG or PNG file (the content was checked, "
                            "not just the name).", name=shown), field="evidence")
    content_type, extension, _signatures = KINDS[kind]
    return EvidenceUpload(original_name=display_name(filename, kind), content_type=content_type,
                          extension=extension, data=data)


def check_uploads(files: list[tuple[str | None, IO[bytes]]], *,
                  max_bytes: int = MAX_EVIDENCE_BYTES) -> list[EvidenceUpload]:
    if len(files) > MAX_FILES_PER_UPDATE:
        raise DomainError(_("Attach at most %(n)d files to one report.", n=MAX_FILES_PER_UPDATE),
                          field="evidence")
    return [check_evidence(name, stream, max_bytes=max_bytes) for name, stream in files]


def store_evidence(session: Session, update: CommitmentUpdate, uploads: list[EvidenceUpload],
                   upload_dir: Path) -> list[EvidenceFile]:
    """Write the checked uploads under `upload_dir` with random names and record them.

    If writing fails part-way, the files already written are removed before the error goes on."""
    upload_dir = Path(upload_dir)
    upload_dir.mkdir(parents=True, exist_ok=True)
    written: list[str] = []
    records = []
    try:
        for upload in uploads:
            stored_name = secrets.token_hex(16) + upload.extension
            target = upload_dir / stored_name
            # "x": never overwrite; the name is ours, so it cannot point elsewhere.
            with open(target, "xb") as out:
                out.write(upload.data)
            written.append(stored_name)
            record = EvidenceFile(update=update, stored_name=stored_name,
                                  original_name=upload.original_name,
                                  content_type=upload.content_type,
                                  size_bytes=upload.size_bytes, created_at=utc_now())
            session.add(record)
            records.append(record)
        session.flush()
    except Exception:
        remove_stored(upload_dir, written)
        raise
    return records


def stored_path(upload_dir: Path, evidence: EvidenceFile) -> Path | None:
    """Where an evidence file lives, or None when its record does not name one of ours."""
    if not STORED_NAME.match(evidence.stored_name or ""):
        return None
    path = Path(upload_dir) / evidence.stored_name
    return path if path.is_file() else None


def remove_stored(upload_dir: Path, stored_names: list[str]) -> None:
    for name in stored_names:
        if STORED_NAME.match(name):
            (Path(upload_dir) / name).unlink(missing_ok=True)

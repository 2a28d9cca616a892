"""Commitments made by organisations, their progress updates and Bappeda's verification."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Optional

from sqlalchemy import (BigInteger, CheckConstraint, Column, ForeignKey, Index, Numeric, String,
                        Table, Text)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kotaku_collab.models.base import Base, LabelledEnum, UTCDateTime, enum_column, utc_now
from kotaku_collab.models.organisation import Organisation, Person, Sector
from kotaku_collab.models.outcome import Aspect, StrategicIssue
from kotaku_collab.models.region import Region
from kotaku_collab.models.user import User
from kotaku_collab.models.workshop import Workshop


class CommitmentType(LabelledEnum):
    PROGRAM_KEGIATAN = "program_kegiatan"
    ANGGARAN = "anggaran"
    KEBIJAKAN_REGULASI = "kebijakan_regulasi"
    DATA_PERENCANAAN = "data_perencanaan"
    PENDAMPINGAN_TEKNIS = "pendampingan_teknis"
    LAHAN = "lahan"
    OPERASI_PEMELIHARAAN = "operasi_pemeliharaan"


class Scale(LabelledEnum):
    LINGKUNGAN = "lingkungan"
    KAWASAN = "kawasan"
    KOTA = "kota"


class FundingSource(LabelledEnum):
    """Funding sources (DOMAIN.md §5.2)."""

    APBN = "apbn"
    BDI_BPM = "bdi_bpm"
    APBD_PROVINSI = "apbd_provinsi"
    APBD_KABKOTA = "apbd_kabkota"
    DAK = "dak"
    DANA_DESA = "dana_desa"
    CSR_TJSL = "csr_tjsl"
    FILANTROPI = "filantropi"
    HIBAH_DONOR = "hibah_donor"
    SWADAYA = "swadaya"
    LAINNYA = "lainnya"


class CommitmentStatus(LabelledEnum):
    DIUSULKAN = "diusulkan"
    DISEPAKATI = "disepakati"
    DIANGGARKAN = "dianggarkan"
    DILAKSANAKAN = "dilaksanakan"
    SELESAI = "selesai"
    BATAL = "batal"


class VerificationDecision(LabelledEnum):
    VERIFIED = "verified"
    NEEDS_REVISION = "needs_revision"
    REJECTED = "rejected"


commitment_issues = Table(
    "commitment_issues",
    Base.metadata,
    Column("commitment_id", ForeignKey("commitments.id", ondelete="CASCADE"), primary_key=True),
    Column("issue_id", ForeignKey("strategic_issues.id", ondelete="RESTRICT"), primary_key=True),
    # "Which commitments follow up this issue?" (the outcomes page, carry-over to the next round).
    Index("ix_commitment_issues_issue_id", "issue_id"),
)


class Commitment(Base):
    __tablename__ = "commitments"
    __table_args__ = (
        CheckConstraint("amount_idr IS NULL OR amount_idr >= 0", name="amount_not_negative"),
        CheckConstraint("volume IS NULL OR volume >= 0", name="volume_not_negative"),
        CheckConstraint("percent_complete BETWEEN 0 AND 100", name="percent_range"),
        Index("ix_commitments_region_status", "region_code", "status"),
        # The national commitment list and totals filtered by status and sector (bench/README.md):
        # the page's ids sorted by target date and the totals by funding source from the index.
        Index("ix_commitments_filtered", "status", "sector", "target_date", "funding_source",
              "amount_idr"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"), index=True
    )
    #: Sector of the organisation when the commitment was made (for reporting by sector).
    sector: Mapped[Sector] = mapped_column(enum_column(Sector, "sector"))
    committed_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("people.id", ondelete="RESTRICT"))
    #: Workshop where it was made; empty for commitments made elsewhere.
    workshop_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("workshops.id", ondelete="RESTRICT"), index=True
    )
    #: The kabupaten/kota the commitment is for (drives reviewer scope).
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code", ondelete="RESTRICT"))
    type: Mapped[CommitmentType] = mapped_column(enum_column(CommitmentType, "commitment_type"))
    aspect: Mapped[Optional[Aspect]] = mapped_column(enum_column(Aspect, "aspect"))
    scale: Mapped[Optional[Scale]] = mapped_column(enum_column(Scale, "scale"))
    #: Kelurahan/desa where the work happens (optional).
    location_code: Mapped[Optional[str]] = mapped_column(ForeignKey("regions.code", ondelete="RESTRICT"))
    location_text: Mapped[Optional[str]] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[Optional[str]] = mapped_column(Text)
    volume: Mapped[Optional[Decimal]] = mapped_column(Numeric(14, 2))
    unit: Mapped[Optional[str]] = mapped_column(String(30))
    #: Whole rupiah.
    amount_idr: Mapped[Optional[int]] = mapped_column(BigInteger)
    funding_source: Mapped[Optional[FundingSource]] = mapped_column(
        enum_column(FundingSource, "funding_source")
    )
    fiscal_year: Mapped[Optional[int]]
    target_date: Mapped[Optional[date]]
    #: MoU/PKS/SK number that formalises it.
    document_ref: Mapped[Optional[str]] = mapped_column(String(120))
    #: Where it landed in planning: RKPD year, Renja OPD, Musrenbang, RP2KPKP memorandum.
    integrated_into: Mapped[Optional[str]] = mapped_column(String(200))
    #: Current status and progress, copied from the latest progress update.
    status: Mapped[CommitmentStatus] = mapped_column(
        enum_column(CommitmentStatus, "commitment_status"), default=CommitmentStatus.DIUSULKAN
    )
    percent_complete: Mapped[int] = mapped_column(default=0)
    last_update_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    is_example: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)

    organisation: Mapped[Organisation] = relationship()
    committed_by: Mapped[Optional[Person]] = relationship()
    workshop: Mapped[Optional[Workshop]] = relationship()
    region: Mapped[Region] = relationship(foreign_keys=[region_code])
    location: Mapped[Optional[Region]] = relationship(foreign_keys=[location_code])
    issues: Mapped[list[StrategicIssue]] = relationship(secondary=commitment_issues)
    updates: Mapped[list["CommitmentUpdate"]] = relationship(
        back_populates="commitment", order_by="CommitmentUpdate.created_at"
    )

    def __repr__(self) -> str:
        return f"<Commitment {self.id} {self.title!r}>"


class CommitmentUpdate(Base):
    """A progress report; the history is append-only."""

    __tablename__ = "commitment_updates"
    __table_args__ = (
        CheckConstraint("percent_complete BETWEEN 0 AND 100", name="percent_range"),
        # A commitment's updates newest first, with the state: the latest update's verification
        # state (the ?verification= filter) from the index alone; serves lookups by commitment.
        Index("ix_commitment_updates_latest", "commitment_id", "created_at", "id",
              "verification_state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitments.id", ondelete="RESTRICT"))
    reported_on: Mapped[date]
    status: Mapped[CommitmentStatus] = mapped_column(enum_column(CommitmentStatus, "commitment_status"))
    percent_complete: Mapped[int]
    narrative: Mapped[Optional[str]] = mapped_column(Text)
    author_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: Latest verification decision, copied for quick filtering (empty = awaiting review).
    verification_state: Mapped[Optional[VerificationDecision]] = mapped_column(
        enum_column(VerificationDecision, "verification_decision"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)

    commitment: Mapped[Commitment] = relationship(back_populates="updates")
    author: Mapped[Optional[User]] = relationship()
    evidence: Mapped[list["EvidenceFile"]] = relationship(back_populates="update")
    verifications: Mapped[list["Verification"]] = relationship(
        back_populates="update", order_by="Verification.created_at"
    )


class EvidenceFile(Base):
    __tablename__ = "evidence_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    update_id: Mapped[int] = mapped_column(
        ForeignKey("commitment_updates.id", ondelete="RESTRICT"), index=True
    )
    #: Random file name under instance/uploads; never derived from the upload.
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    original_name: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(80))
    size_bytes: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)

    update: Mapped[CommitmentUpdate] = relationship(back_populates="evidence")


class Verification(Base):
    """A reviewer's decision on a progress update."""

    __tablename__ = "verifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    update_id: Mapped[int] = mapped_column(
        ForeignKey("commitment_updates.id", ondelete="RESTRICT"), index=True
    )
    reviewer_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decision: Mapped[VerificationDecision] = mapped_column(
        enum_column(VerificationDecision, "verification_decision")
    )
    comment: Mapped[Optional[str]] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)

    update: Mapped[CommitmentUpdate] = relationship(back_populates="verifications")
    reviewer: Mapped[Optional[User]] = relationship()

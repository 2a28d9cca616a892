"""The written record of a workshop (notulen, berita acara), amendments made after it was
finalised, and the participants' prioritisation vote on its strategic issues."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kotaku_collab.models.base import Base, LabelledEnum, UTCDateTime, enum_column, utc_now
from kotaku_collab.models.outcome import StrategicIssue
from kotaku_collab.models.registration import Registration
from kotaku_collab.models.user import User
from kotaku_collab.models.workshop import Workshop


class MinutesStatus(LabelledEnum):
    DRAFT = "draft"
    FINALISED = "finalised"


class Minutes(Base):
    """One workshop's minutes; the berita acara is drawn from the same record."""

    __tablename__ = "minutes"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshops.id", ondelete="RESTRICT"), unique=True
    )
    #: Number of the berita acara, e.g. 050/17/Baperlitbang/2019 (optional).
    document_number: Mapped[Optional[str]] = mapped_column(String(80))
    #: Who opened the workshop, with position, as it should read in the record.
    opened_by: Mapped[Optional[str]] = mapped_column(String(200))
    opening_remarks: Mapped[Optional[str]] = mapped_column(Text)
    presentations: Mapped[Optional[str]] = mapped_column(Text)
    discussion_summary: Mapped[Optional[str]] = mapped_column(Text)
    #: [{"name": ..., "position": ..., "organisation": ...}, ...] in signing order.
    signatories: Mapped[list[dict]] = mapped_column(JSON, default=list)
    status: Mapped[MinutesStatus] = mapped_column(
        enum_column(MinutesStatus, "minutes_status"), default=MinutesStatus.DRAFT
    )
    finalised_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    finalised_by_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now, onupdate=utc_now)

    workshop: Mapped[Workshop] = relationship()
    finalised_by: Mapped[Optional[User]] = relationship()

    def __repr__(self) -> str:
        return f"<Minutes w={self.workshop_id} {self.status.value}>"


class Amendment(Base):
    """A change to a finalised workshop's outcomes, with the reason given for it."""

    __tablename__ = "amendments"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshops.id", ondelete="RESTRICT"), index=True
    )
    reason: Mapped[str] = mapped_column(Text)
    #: What changed, in a few words (e.g. "Strategic issue 4 edited").
    summary: Mapped[str] = mapped_column(String(300))
    actor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)

    actor: Mapped[Optional[User]] = relationship()

    def __repr__(self) -> str:
        return f"<Amendment {self.id} w={self.workshop_id}>"


class VoteStatus(LabelledEnum):
    OPEN = "open"
    CLOSED = "closed"


class VoteSession(Base):
    """The prioritisation vote of a workshop: one per workshop, final once closed."""

    __tablename__ = "vote_sessions"
    __table_args__ = (
        CheckConstraint("votes_per_participant BETWEEN 1 AND 20",
                        name="votes_per_participant_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshops.id", ondelete="RESTRICT"), unique=True
    )
    votes_per_participant: Mapped[int]
    status: Mapped[VoteStatus] = mapped_column(
        enum_column(VoteStatus, "vote_status"), default=VoteStatus.OPEN
    )
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    closed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    opened_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    closed_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    workshop: Mapped[Workshop] = relationship()

    @property
    def is_open(self) -> bool:
        return self.status is VoteStatus.OPEN

    def __repr__(self) -> str:
        return f"<VoteSession w={self.workshop_id} {self.status.value}>"


class Ballot(Base):
    """One participant's votes. A registration has at most one ballot (a unique key, so two
    simultaneous submissions cannot both land) and its total stays within the allowance."""

    __tablename__ = "ballots"
    __table_args__ = (
        CheckConstraint("votes_used >= 1 AND votes_used <= votes_allowed",
                        name="votes_within_allowance"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    vote_session_id: Mapped[int] = mapped_column(
        ForeignKey("vote_sessions.id", ondelete="RESTRICT"), index=True
    )
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="RESTRICT"), unique=True
    )
    #: The session's votes per participant when the ballot was cast.
    votes_allowed: Mapped[int]
    #: Sum of the counts of this ballot's IssueVote rows.
    votes_used: Mapped[int]
    cast_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)

    registration: Mapped[Registration] = relationship()
    votes: Mapped[list["IssueVote"]] = relationship(
        back_populates="ballot", cascade="all, delete-orphan"
    )


class IssueVote(Base):
    """Votes one participant gave one issue (several votes may go to the same issue)."""

    __tablename__ = "issue_votes"
    __table_args__ = (
        UniqueConstraint("issue_id", "registration_id"),
        UniqueConstraint("ballot_id", "issue_id"),
        CheckConstraint("count >= 1", name="count_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ballot_id: Mapped[int] = mapped_column(ForeignKey("ballots.id", ondelete="CASCADE"))
    issue_id: Mapped[int] = mapped_column(
        ForeignKey("strategic_issues.id", ondelete="RESTRICT"), index=True
    )
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="RESTRICT"), index=True
    )
    count: Mapped[int]

    ballot: Mapped[Ballot] = relationship(back_populates="votes")
    issue: Mapped[StrategicIssue] = relationship()

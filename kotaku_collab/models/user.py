"""Accounts: one role each, with the regions an organiser or reviewer may act in."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Optional

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kotaku_collab.models.base import Base, LabelledEnum, UTCDateTime, enum_column, utc_now
from kotaku_collab.models.organisation import Organisation
from kotaku_collab.models.region import Region


class Role(LabelledEnum):
    ADMIN = "admin"
    ORGANISER = "organiser"
    STAKEHOLDER = "stakeholder"
    REVIEWER = "reviewer"


user_regions = Table(
    "user_regions",
    Base.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("region_code", ForeignKey("regions.code", ondelete="CASCADE"), primary_key=True),
)


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


class User(UserMixin, Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(
            "role <> 'stakeholder' OR organisation_id IS NOT NULL", name="stakeholder_has_organisation"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stored trimmed and lower-cased; compared exactly.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"))
    #: The organisation a stakeholder acts for (optional for other roles).
    organisation_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"), index=True
    )
    #: Organisers and reviewers with this flag may act everywhere.
    is_national: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    locale: Mapped[Optional[str]] = mapped_column(String(5))
    #: Identifies the user in the session cookie; replaced on logout, password change and
    #: deactivation so that every cookie issued before stops working.
    session_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_session_token)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    last_login_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    organisation: Mapped[Optional[Organisation]] = relationship()
    regions: Mapped[list[Region]] = relationship(secondary=user_regions, order_by=Region.code)

    # Flask-Login
    def get_id(self) -> str:
        return self.session_token

    @property
    def is_active(self) -> bool:
        return self.active

    def rotate_session_token(self) -> None:
        self.session_token = new_session_token()

    @property
    def region_codes(self) -> list[str]:
        return [r.code for r in self.regions]

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email} {self.role.value}>"

"""A change counter per table, bumped in the same transaction as every write to that table.

services/stats_cache.py keys cached aggregates (the reviewer dashboard) on these counters, so a
cached result is reused exactly as long as nothing it was computed from has changed.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from kotaku_collab.models.base import Base


class DataVersion(Base):
    __tablename__ = "data_versions"

    #: The table whose rows changed, e.g. "commitments".
    table_name: Mapped[str] = mapped_column(String(64), primary_key=True)
    #: Raised by one on every transaction that inserts, updates or deletes rows of the table.
    version: Mapped[int] = mapped_column(BigInteger)

    def __repr__(self) -> str:
        return f"<DataVersion {self.table_name} {self.version}>"

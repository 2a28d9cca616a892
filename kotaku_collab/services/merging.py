"""Re-pointing every reference from one row to another, for merging duplicates.

The references are discovered from the schema (every column whose foreign key points at the
merged table's id), so a table added later is merged too without anyone remembering to list it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import (Column, PrimaryKeyConstraint, UniqueConstraint, delete, exists, func,
                        select, update)
from sqlalchemy.orm import Session

from kotaku_collab.models import Base


@dataclass
class RepointReport:
    """Rows moved to the target and duplicate rows dropped, per "table.column"."""

    moved: dict[str, int] = field(default_factory=dict)
    dropped: dict[str, int] = field(default_factory=dict)


def referencing_columns(table_name: str) -> list[Column]:
    """Every column whose foreign key references `<table_name>.id`, in a stable order."""
    columns = [fk.parent for table in Base.metadata.sorted_tables for fk in table.foreign_keys
               if fk.column.table.name == table_name and fk.column.name == "id"]
    return sorted(columns, key=lambda c: (c.table.name, c.name))


def column_key(column: Column) -> str:
    return f"{column.table.name}.{column.name}"


def count_references(session: Session, table_name: str, object_id: int) -> dict[str, int]:
    """How many rows point at one row, per referencing column."""
    return {column_key(c): session.scalar(select(func.count()).select_from(c.table)
                                          .where(c == object_id))
            for c in referencing_columns(table_name)}


def _unique_column_sets(column: Column) -> list[list[Column]]:
    """Primary keys, unique constraints and unique indexes of the table that include `column`."""
    table = column.table
    sets = [list(c.columns) for c in table.constraints
            if isinstance(c, (PrimaryKeyConstraint, UniqueConstraint)) and column.name in c.columns]
    sets += [list(i.columns) for i in table.indexes if i.unique and column.name in i.columns]
    if column.unique:
        sets.append([column])
    return sets


def repoint_references(session: Session, table_name: str, source_id: int, target_id: int,
                       *, skip: frozenset[str] = frozenset()) -> RepointReport:
    """Make every row that references `source_id` reference `target_id` instead.

    Where a unique key would be violated because the target already has the same row (both
    organisations organise one workshop, both people speak in one session), the source's copy
    is deleted: the target's row already says the same thing. Callers that must choose which
    copy to keep (registrations) settle those rows first. Everything is flushed first and the
    session expired after, because this works on tables, below the ORM.
    """
    session.flush()
    report = RepointReport()
    for column in referencing_columns(table_name):
        key = column_key(column)
        if key in skip:
            continue
        table = column.table
        dropped = 0
        for unique in _unique_column_sets(column):
            twin = table.alias("twin")
            clash = exists().where(twin.c[column.name] == target_id,
                                   *(twin.c[c.name] == c for c in unique if c is not column))
            dropped += session.execute(delete(table).where(column == source_id, clash)).rowcount
        moved = session.execute(update(table).where(column == source_id)
                                .values({column.name: target_id})).rowcount
        report.moved[key] = moved
        report.dropped[key] = dropped
    session.expire_all()
    return report

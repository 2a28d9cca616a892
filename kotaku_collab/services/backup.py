"""Consistent backups of the live SQLite database (PostgreSQL is backed up with pg_dump).

SQLite's online backup is taken in ONE step: a step-wise backup restarts whenever another
connection writes, so under steady writes it never finishes (and pins the WAL meanwhile). One
step reads a single snapshot, which WAL lets writers keep appending to in the meantime.
"""

from __future__ import annotations

import os
import shlex
import sqlite3
import tempfile
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import Engine

from kotaku_collab.i18n import _
from kotaku_collab.services import DomainError


class BackupNotSupported(DomainError):
    """The database engine has its own backup tool; the message names it."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size_bytes: int
    #: The first line of `PRAGMA integrity_check` on the copy ("ok").
    integrity: str


def pg_dump_hint(engine: Engine, target: Path) -> str:
    """The pg_dump command line for this database, with the password masked."""
    url = engine.url.set(drivername="postgresql").render_as_string(hide_password=True)
    return f"pg_dump -Fc -f {shlex.quote(str(target))} {shlex.quote(url)}"


def backup_database(engine: Engine, target: Path, *, force: bool = False) -> BackupResult:
    """Copy the SQLite database behind `engine` to `target` and verify the copy.

    Refuses to overwrite `target` unless `force`; the copy is written beside it under a
    temporary name and moved into place only once it has passed `PRAGMA integrity_check`.
    """
    if engine.dialect.name == "postgresql":
        raise BackupNotSupported(_(
            "This is a PostgreSQL database: back it up with PostgreSQL's own tool, e.g. "
            "%(command)s (give the password through PGPASSWORD or ~/.pgpass).",
            command=pg_dump_hint(engine, target)))
    if engine.dialect.name != "sqlite":
        raise BackupNotSupported(_("Backups of %(engine)s databases are not supported.",
                                   engine=engine.dialect.name))
    target = Path(target)
    _check_target(engine, target, force)

    fd, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial",
                                     dir=target.parent)
    os.close(fd)
    temp = Path(temp_name)
    try:
        try:
            _copy(engine, temp)
            integrity = _integrity(temp)
        except sqlite3.Error as error:
            raise DomainError(_("The backup failed: %(reason)s", reason=str(error))) from error
        if integrity != "ok":
            raise DomainError(_("The copy failed its integrity check (%(result)s); the database "
                                "was not backed up.", result=integrity))
        if target.exists() and not force:
            raise DomainError(_("%(path)s already exists; use --force to overwrite it.",
                                path=target))
        os.replace(temp, target)
    finally:
        temp.unlink(missing_ok=True)
    return BackupResult(path=target, size_bytes=target.stat().st_size, integrity=integrity)


def _check_target(engine: Engine, target: Path, force: bool) -> None:
    if target.is_dir():
        raise DomainError(_("%(path)s is a directory; give a file name for the backup.",
                            path=target))
    if not target.parent.is_dir():
        raise DomainError(_("The directory %(path)s does not exist.", path=target.parent))
    if target.exists() and not force:
        raise DomainError(_("%(path)s already exists; use --force to overwrite it.", path=target))
    source = engine.url.database
    if source and source != ":memory:" and target.exists() \
            and os.path.samefile(source, target):
        raise DomainError(_("The backup cannot overwrite the live database itself."))


def _copy(engine: Engine, temp: Path) -> None:
    # The engine's own connection: same file, same pragmas (busy timeout), and it also works
    # for an in-memory database, whose contents live only in that connection.
    raw = engine.raw_connection()
    try:
        with closing(sqlite3.connect(temp)) as destination:
            raw.driver_connection.backup(destination)  # pages=-1: the whole file in one step
            # A self-contained single file: no -wal/-shm companions to forget when copying it.
            destination.execute("PRAGMA journal_mode=DELETE")
    finally:
        raw.close()


def _integrity(path: Path) -> str:
    uri = path.resolve().as_uri() + "?mode=ro"
    with closing(sqlite3.connect(uri, uri=True)) as copy:
        rows = copy.execute("PRAGMA integrity_check").fetchall()
    return "; ".join(str(r[0]) for r in rows[:5])

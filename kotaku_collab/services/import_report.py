"""What an all-or-nothing file import did, or every reason it did nothing.

Shared by the region import (admin, services/regions.py) and the 100-0-100 figures import
(reviewers, services/indicators.py): both check the whole file first and write nothing unless
every line is valid, then report by line and, where it helps, by column.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ImportProblem:
    """One reason the file was refused: its 1-based line (None: the whole file), the column as
    named in the file's template ("" when the whole line or file is meant) and what to do."""

    line: int | None
    message: str
    column: str = ""

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


@dataclass
class ImportReport:
    """Counts of what was written, or the problems (any problem: nothing was written)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[ImportProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, line: int | None, message, column: str = "") -> None:
        self.problems.append(ImportProblem(line, str(message), column))

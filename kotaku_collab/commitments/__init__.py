"""Commitments: logging, progress with evidence, verification, spreadsheets and reminders."""

from kotaku_collab.commitments.routes import bp

__all__ = ["bp"]

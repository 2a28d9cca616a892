"""Organisers' participant management: list, panel, adding, check-in, daftar hadir, exports and
imports (/manage/workshops/<id>/participants, /checkin, ...)."""

from kotaku_collab.participants.routes import bp

__all__ = ["bp"]

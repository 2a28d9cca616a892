"""Workshops: lists and the workshop page."""

from kotaku_collab.workshops.routes import bp

__all__ = ["bp"]

"""Bappeda review: the dashboard across workshops, gap analysis, round comparison, exports."""

from kotaku_collab.review.routes import bp

__all__ = ["bp"]

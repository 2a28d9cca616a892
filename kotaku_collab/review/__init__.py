"""Bappeda review: the dashboard across workshops, gap analysis, round comparison, exports."""

from kotaku_collab.review.routes import bp
from kotaku_collab.review import exports  # noqa: F401  (registers the export routes)

__all__ = ["bp"]

"""Workshop outcomes: strategic issues and their vote, coordination mechanisms, agreement
points, minutes and berita acara."""

from kotaku_collab.outcomes.routes import bp

__all__ = ["bp"]

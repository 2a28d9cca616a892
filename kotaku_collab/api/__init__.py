"""The read-only JSON API, version 1 (/api/v1), authenticated by personal tokens."""

from kotaku_collab.api.routes import bp

__all__ = ["bp"]

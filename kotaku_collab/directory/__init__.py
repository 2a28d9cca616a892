"""The organisation registry and the people directory (management pages)."""

from kotaku_collab.directory.routes import bp

__all__ = ["bp"]

"""Home pages per role, language switch and the health check."""

from kotaku_collab.main.routes import bp

__all__ = ["bp"]

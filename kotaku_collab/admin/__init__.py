"""Administration: users and the audit trail."""

from kotaku_collab.admin.routes import bp

__all__ = ["bp"]

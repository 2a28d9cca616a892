"""Log in, log out, change password."""

from kotaku_collab.auth.routes import bp

__all__ = ["bp"]

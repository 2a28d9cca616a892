"""Public self-registration (/w/<code>/register), confirmation and cancel links."""

from kotaku_collab.registration.routes import bp

__all__ = ["bp"]

"""Public pages, open without logging in: a workshop's page and its calendar files."""

from kotaku_collab.public.routes import bp

__all__ = ["bp"]

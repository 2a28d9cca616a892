"""A signed-in user's own settings: personal API tokens."""

from kotaku_collab.account.routes import bp

__all__ = ["bp"]

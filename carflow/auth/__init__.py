"""Login and logout (F30)."""

from carflow.auth.routes import bp

__all__ = ["bp"]

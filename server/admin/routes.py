"""The admin blueprint with every route attached (importing the route modules attaches them)."""

from server.admin import audit_routes, bp, data_routes, user_routes  # noqa: F401  (they attach routes to bp)

__all__ = ["bp"]

"""The admin blueprint with every route attached (importing the route modules attaches them)."""

from server.admin import (  # noqa: F401  (they attach routes to bp)
    audit_routes,
    bp,
    data_routes,
    settings_routes,
    user_routes,
)

__all__ = ["bp"]

"""The default permission of every API view."""

from __future__ import annotations

from typing import Any

from rest_framework import permissions
from rest_framework.request import Request


class ReadOnlyForIntegrations(permissions.IsAuthenticated):
    """Authenticated; an integration client (another hospital system) only reads.

    Views for the client's own tokens and webhooks set ``integration_may_write = True``.
    """

    message = "integration clients have read-only access"

    def has_permission(self, request: Request, view: Any) -> bool:
        if not super().has_permission(request, view):
            return False
        if getattr(request.user, "role", "") != "integration":
            return True
        return (request.method in permissions.SAFE_METHODS
                or getattr(view, "integration_may_write", False))

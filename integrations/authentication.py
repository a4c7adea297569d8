"""DRF authentication by API token (``Authorization: Token <token>`` or ``Bearer <token>``)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from .tokens import TokenExpired, token_authenticate


class ApiTokenAuthentication(authentication.BaseAuthentication):
    keywords = ("token", "bearer")

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].decode(errors="replace").lower() not in self.keywords:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("Authorization: Token <token>, one token")
        try:
            raw = parts[1].decode()
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("invalid token") from None
        try:
            token = token_authenticate(raw)
        except TokenExpired as expired:
            raise exceptions.AuthenticationFailed(str(expired)) from None
        if token is None:
            raise exceptions.AuthenticationFailed("invalid or revoked token")
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        # A 401 (not a 403) for a missing or bad token: WWW-Authenticate names the scheme.
        return "Token"


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "integrations.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "apiKey", "in": "header", "name": "Authorization",
                "description": "`Token tb_...` (or `Bearer tb_...`), from POST /api/v1/auth/token/"}

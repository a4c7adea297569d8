"""The address of the person at the keyboard, for the login lockout and the audit trail.

Behind nginx every request reaches gunicorn from nginx's own address (127.0.0.1), so a lockout by
``REMOTE_ADDR`` would lock a username out for everyone at once, and the audit trail would name
the proxy. nginx sets ``X-Real-IP`` to the address it saw (``$remote_addr``, replacing anything
the client sent: deploy/nginx/tumorboard.conf). That header is believed only on a request that
comes from a trusted proxy, ``TRUSTED_PROXIES`` (``FORWARDED_ALLOW_IPS``, the list gunicorn trusts
for X-Forwarded-Proto); from anyone else it is ignored, so a client cannot choose its address.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _is_address(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: X-Real-IP from a trusted proxy, else the socket's peer."""
    remote = request.META.get("REMOTE_ADDR") or None
    trusted = settings.TRUSTED_PROXIES
    if remote is not None and ("*" in trusted or remote in trusted):
        forwarded = request.META.get("HTTP_X_REAL_IP", "").strip()
        if _is_address(forwarded):
            return forwarded
    return remote

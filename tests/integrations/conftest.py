"""The integrations tests share the API-product fixtures."""

from typing import Any

import pytest

from tests.api.conftest import his, world

__all__ = ["his", "loopback_allowed", "world"]


@pytest.fixture
def loopback_allowed(settings: Any) -> None:
    """The test receivers listen on 127.0.0.1: allow-list it, as a hospital would its engine."""
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32"]

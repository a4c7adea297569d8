"""The integrations tests share the API-product fixtures."""

from tests.api.conftest import his, world

__all__ = ["his", "world"]

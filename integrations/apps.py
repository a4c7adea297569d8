from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    """The API as a product for other hospital systems: tokens, grants, webhooks, FHIR."""

    name = "integrations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from cases.access import register_access_source
        from tumorboard.health import register_shown_check

        from . import access, receivers, throttling

        # A system granted a team reads its cases (DESIGN.md, access model).
        register_access_source("integration-grants", access.granted_cases)
        access.connect_receivers()
        # Webhooks of the lower apps' changes, sent inside their transactions (signals).
        receivers.connect()
        # With its store down the rate limiter lets requests through: /health/ shows it, and
        # the service stays "ok".
        register_shown_check("rate_limiter", throttling.store_report)

from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    """The API as a product for other hospital systems: tokens, grants, webhooks, FHIR."""

    name = "integrations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from cases.access import register_access_source

        from . import access, receivers

        # A system granted a team reads its cases (DESIGN.md, access model).
        register_access_source("integration-grants", access.granted_cases)
        access.connect_receivers()
        receivers.connect()

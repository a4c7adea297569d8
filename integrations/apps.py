from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    """The API as a product for other hospital systems: tokens, grants, webhooks, FHIR."""

    name = "integrations"
    default_auto_field = "django.db.models.BigAutoField"

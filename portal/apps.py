from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The pages that combine the apps below it (role home pages, dashboards, demo data): the top
    layer of DESIGN.md, which may import every app and is imported by none."""

    name = "portal"
    default_auto_field = "django.db.models.BigAutoField"

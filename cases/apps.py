from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "Patients and cases"

    def ready(self) -> None:
        from . import access, polling_receivers

        # Every change of who sees a case is audited, whatever made it (cases.access).
        access.connect_receivers()
        # What a polling client sees of a case moves its updated_at, whatever wrote it.
        polling_receivers.connect_receivers()

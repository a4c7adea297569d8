from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "Patients and cases"

    def ready(self) -> None:
        from . import access

        # Every change of who sees a case is audited, whatever made it (cases.access).
        access.connect_receivers()

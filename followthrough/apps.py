from django.apps import AppConfig


class FollowThroughConfig(AppConfig):
    name = "followthrough"
    verbose_name = "Follow-through of MDT decisions"

    def ready(self) -> None:
        from cases.selectors import register_case_status_part

        from . import receivers, selectors

        # Finalizing a meeting creates its tasks, in the finalize's transaction.
        receivers.connect()
        # The case status and page show the case's follow-through tasks.
        register_case_status_part("followthrough", selectors.fill_case_status)

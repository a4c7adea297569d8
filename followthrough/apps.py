from django.apps import AppConfig


class FollowThroughConfig(AppConfig):
    name = "followthrough"
    verbose_name = "Follow-through of MDT decisions"

    def ready(self) -> None:
        from cases.selectors import register_case_status_part
        from meetings.metrics import register_measure_part

        from . import receivers, selectors

        # Finalizing a meeting creates its tasks, in the finalize's transaction.
        receivers.connect()
        # The case status and page show the case's follow-through tasks.
        register_case_status_part("followthrough", selectors.fill_case_status)
        # The 30- and 90-day implementation shares (CLINICAL.md §14) come from the tasks.
        register_measure_part("followthrough", selectors.IMPLEMENTATION_MEASURES,
                              selectors.implementation_by_month)

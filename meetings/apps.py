from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = "MDT meetings"

    def ready(self) -> None:
        from cases.access import register_access_source
        from cases.selectors import register_case_status_part

        from . import access, selectors, signals

        # The attendees of a meeting see the cases on its agenda (DESIGN.md, access model).
        register_access_source("meeting-attendees", access.attendee_cases)
        signals.connect_receivers()
        # The case status and page show the next meeting and the decisions.
        register_case_status_part("meetings", selectors.fill_case_status)

from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = "MDT meetings"

    def ready(self) -> None:
        from cases.access import register_access_source

        from . import access, signals

        # The attendees of a meeting see the cases on its agenda (DESIGN.md, access model).
        register_access_source("meeting-attendees", access.attendee_cases)
        signals.connect_receivers()

from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = "MDT meetings"

    def ready(self) -> None:
        from cases.access import register_access_source
        from cases.polling_receivers import touch_on_change
        from cases.selectors import register_case_status_part

        from . import access, selectors, signals
        from .models import AgendaItem, Decision, Meeting

        # The attendees of a meeting see the cases on its agenda (DESIGN.md, access model).
        register_access_source("meeting-attendees", access.attendee_cases)
        signals.connect_receivers()
        # The case status and page show the next meeting and the decisions.
        register_case_status_part("meetings", selectors.fill_case_status)
        # The next meeting and the decisions are shown with the case: a change of an agenda
        # item, a decision or a meeting (rescheduled, locked, finalized) moves the updated_at of
        # the cases concerned, so that polling clients see it.
        touch_on_change(AgendaItem, lambda row: [row.case_id], uid="agenda-item")
        touch_on_change(Decision, lambda row: AgendaItem.objects.filter(
            pk=row.item_id).values_list("case_id", flat=True), uid="decision")
        touch_on_change(Meeting, lambda row: AgendaItem.objects.filter(
            meeting_id=row.pk).values_list("case_id", flat=True), uid="meeting")

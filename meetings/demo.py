"""Demo meetings: a past, finalized meeting with its decisions, and the next planned meeting with
its agenda populated and its attendees invited. Built through the services (state machine, event
rows, audit), after the demo referrals.

Idempotent: each demo meeting is found by its title in the demo MDT team and left alone once it
exists.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from cases.models import Case
from tumorboard.demo import DemoPeople

from . import services
from .models import Meeting
from .snapshot import recommended

PAST_TITLE = "Spine metastasis MDT (demo: last week)"
NEXT_TITLE = "Spine metastasis MDT (demo: next)"
#: The cases decided at the past meeting (their referrals were closed by the referral demo).
PAST_CASES = ("DEMO-1005", "DEMO-1006")


def seed_meetings(people: DemoPeople) -> int:
    """Returns the number of demo meetings."""
    team = people.teams["Spine Metastasis MDT"]
    users = people.users
    coordinator, chair = users["coordinator"], users["neuro1"]
    attendees = [users["breast1"], users["radonc1"], users["medonc1"], users["neuro2"]]
    now = timezone.now()
    if not Meeting.objects.filter(mdt_team=team, title=PAST_TITLE).exists():
        past = services.meeting_create(
            mdt_team=team, starts_at=now - timedelta(days=7), chair=chair,
            coordinator=coordinator, actor=coordinator, title=PAST_TITLE,
            place="Riverside, seminar room 2", attendees=attendees, record_past=True,
            past_reason="Demo: last week's meeting, recorded after the event.")
        for case in Case.objects.filter(patient__mrn__in=PAST_CASES,
                                        patient__institution=people.institution):
            services.agenda_item_add(meeting=past, case=case, actor=coordinator,
                                     question="Surgery or radiotherapy first?")
        if past.items.exists():
            services.meeting_lock(meeting=past, actor=coordinator)
            services.meeting_start(meeting=past, actor=coordinator)
            for attendance in past.attendances.all():
                services.attendance_record(meeting=past, user_id=attendance.user_id,
                                           present=attendance.user_id != users["medonc1"].pk,
                                           actor=coordinator)
            for index, item in enumerate(past.items.order_by("position")):
                pathway, stabilisation = recommended(item.snapshot)
                if index == 0 or not pathway:
                    # One override, with its reason, so the demo shows both kinds.
                    chosen = "cebrt" if pathway != "cebrt" else "separation_surgery_srs"
                    services.decision_record(
                        item=item, actor=coordinator, pathway=chosen,
                        stabilisation=bool(stabilisation), urgency="orange", responsible=chair,
                        rationale="Discussed with the patient: goals of care and fitness.",
                        override_reason="The board weighed the patient's fitness and wishes "
                                        "against the recommended pathway.")
                else:
                    services.decision_record(
                        item=item, actor=coordinator, pathway=pathway,
                        stabilisation=bool(stabilisation), responsible=users["radonc1"],
                        rationale="As recommended: radiosensitive, low-grade compression.")
            services.meeting_finalize(meeting=past, actor=coordinator)
    if not Meeting.objects.filter(mdt_team=team, title=NEXT_TITLE).exists():
        upcoming = services.meeting_create(
            mdt_team=team, starts_at=(now + timedelta(days=5)).replace(minute=0, second=0,
                                                                     microsecond=0),
            chair=chair, coordinator=coordinator, actor=coordinator, title=NEXT_TITLE,
            place="Riverside, seminar room 2", video_link="https://video.example.org/spine-mdt",
            attendees=attendees)
        services.agenda_populate(meeting=upcoming, actor=coordinator)
    return Meeting.objects.filter(mdt_team=team).count()

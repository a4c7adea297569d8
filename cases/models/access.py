"""Who is on a case's care team beyond its breast and spine teams (DESIGN.md, access model).

The teams themselves need no row here: the access rule (``cases.access``) reads the team
memberships directly, so a person joining or leaving a team sees the change on the next request,
whatever made it. The oncologists a care-team member adds on the case form are ``Case.oncologists``;
a ``CareTeamMember`` is a clinician the service adds to one case, audited: the responsible
clinician of an MDT decision, or the owner of a follow-through task.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from .case import Case


class CareTeamReason(models.TextChoices):
    DECISION_RESPONSIBLE = "decision_responsible", "Responsible clinician of an MDT decision"
    TASK_OWNER = "task_owner", "Owner of a follow-through task"
    SPECIALIST_CARE = "specialist_care", "Palliative care or rehabilitation"
    REFERRAL_RECEIVER = "referral_receiver", "Took a radiation oncology referral"


class CareTeamMember(models.Model):
    Reason = CareTeamReason

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="care_team_members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="care_team_cases")
    reason = models.CharField(max_length=24, choices=CareTeamReason.choices)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                 blank=True, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "user"], name="care_team_member_once"),
            models.CheckConstraint(condition=Q(reason__in=CareTeamReason.values),
                                   name="care_team_reason_valid"),
        ]
        indexes = [
            # The access rule probes (user, case) for each candidate case.
            models.Index(fields=["user", "case"], name="care_team_user_case_idx"),
        ]

    def __str__(self) -> str:
        return f"user {self.user_id} on case {self.case_id}"

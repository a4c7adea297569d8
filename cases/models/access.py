"""Object permissions on cases (django-guardian, direct foreign keys: see cases.permissions).

Direct FK permission models let ``get_objects_for_user`` filter with two subqueries on integer
keys instead of casting a generic ``object_pk`` per row (LIBRARY-NOTES.md, guardian).
"""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.db import models
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from tumorboard.models import Team

from .case import Case


class CaseUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)


class CaseGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)


class TeamGroup(models.Model):
    """The auth group that mirrors one team's members, for guardian group permissions."""

    team = models.OneToOneField(Team, on_delete=models.CASCADE, primary_key=True,
                                related_name="access_group")
    group = models.OneToOneField(Group, on_delete=models.CASCADE, related_name="+")

    def __str__(self) -> str:
        return f"Access group of team #{self.team_id}"

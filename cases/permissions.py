"""Who may see and change a case: guardian object permissions kept in step with the care team.

The care team of a case is its breast team and spine team (through each team's auth group, so a
person joining a team sees its cases at once) and the oncologists added to it (user permissions).
Coordinators are admitted by the visibility selector (cases.selectors). The grants are written by
the services whenever a case is created or its team changes: never by hand.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType

from tumorboard.models import Team, TeamMembership, User

from .models import Case, CaseGroupObjectPermission, CaseUserObjectPermission, TeamGroup

CARE_TEAM_PERMS = ("view_case", "change_case")


def team_group(team: Team) -> Group:
    """The auth group of ``team``, created (with the team's current members) on first use."""
    try:
        return TeamGroup.objects.select_related("group").get(team=team).group
    except TeamGroup.DoesNotExist:
        group, _ = Group.objects.get_or_create(name=f"team-{team.pk}")
        TeamGroup.objects.create(team=team, group=group)
        group.user_set.set(User.objects.filter(memberships__team=team))
        return group


def membership_changed(membership: TeamMembership, *, joined: bool) -> None:
    """Mirror one team membership change into the team's group (signals in cases.apps)."""
    group_id = (
        TeamGroup.objects.filter(team_id=membership.team_id)
        .values_list("group_id", flat=True)
        .first()
    )
    if group_id is None:
        return  # no case uses the team yet: team_group() syncs the members when one does
    if joined:
        membership.user.groups.add(group_id)
    else:
        membership.user.groups.remove(group_id)


def _permissions() -> list[Permission]:
    content_type = ContentType.objects.get_for_model(Case)
    return list(Permission.objects.filter(content_type=content_type,
                                          codename__in=CARE_TEAM_PERMS))


def case_sync_access(case: Case) -> dict[str, list[int]]:
    """Make the case's object permissions match its care team; returns what is granted now."""
    perms = _permissions()
    groups = [team_group(team) for team in (case.breast_team, case.spine_team) if team is not None]
    users = list(case.oncologists.all())
    CaseGroupObjectPermission.objects.filter(content_object=case).exclude(
        group__in=groups
    ).delete()
    CaseUserObjectPermission.objects.filter(content_object=case).exclude(user__in=users).delete()
    have_groups = set(
        CaseGroupObjectPermission.objects.filter(content_object=case).values_list(
            "group_id", "permission_id"
        )
    )
    have_users = set(
        CaseUserObjectPermission.objects.filter(content_object=case).values_list(
            "user_id", "permission_id"
        )
    )
    CaseGroupObjectPermission.objects.bulk_create(
        CaseGroupObjectPermission(group=group, permission=perm, content_object=case)
        for group in groups
        for perm in perms
        if (group.pk, perm.pk) not in have_groups
    )
    CaseUserObjectPermission.objects.bulk_create(
        CaseUserObjectPermission(user=user, permission=perm, content_object=case)
        for user in users
        for perm in perms
        if (user.pk, perm.pk) not in have_users
    )
    return {"groups": sorted(g.pk for g in groups), "users": sorted(u.pk for u in users)}

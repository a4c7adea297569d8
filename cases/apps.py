from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "Patients and cases"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from tumorboard.models import TeamMembership

        from . import permissions

        # Team membership drives case visibility through the team's auth group: keep them in step.
        def joined(
            sender: object, instance: TeamMembership, created: bool, **kwargs: object
        ) -> None:
            if created:
                permissions.membership_changed(instance, joined=True)

        def left(sender: object, instance: TeamMembership, **kwargs: object) -> None:
            permissions.membership_changed(instance, joined=False)

        post_save.connect(joined, sender=TeamMembership, dispatch_uid="cases-team-joined")
        post_delete.connect(left, sender=TeamMembership, dispatch_uid="cases-team-left")

from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = "Referrals and alerts"

    def ready(self) -> None:
        from cases.services import register_team_change_guard

        from .services import guard_team_change

        # A team an open referral involves cannot leave its case (409 naming the referral).
        register_team_change_guard("referrals-open-referral", guard_team_change)

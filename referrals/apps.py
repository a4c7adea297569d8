from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = "Referrals and alerts"

    def ready(self) -> None:
        from cases import signals as case_signals
        from cases.polling_receivers import touch_on_change
        from cases.selectors import register_case_status_part
        from cases.services import register_team_change_guard

        from . import selectors, triggers
        from .models import Referral, ReferralTrigger
        from .services import guard_team_change

        # A team an open referral involves cannot leave its case (409 naming the referral).
        register_team_change_guard("referrals-open-referral", guard_team_change)
        # The case status and page show the open referrals.
        register_case_status_part("referrals", selectors.fill_case_status)
        # Radiation oncologists see the cases referred to their service (CLINICAL.md §16).
        from cases.access import register_access_source

        from .services.radiotherapy import radiation_access

        register_access_source("radiation-oncology-referrals", radiation_access)
        # New findings re-evaluate the referral triggers inside their transaction (CLINICAL.md §8).
        case_signals.findings_changed.connect(
            triggers.on_findings_changed, dispatch_uid="referrals-triggers")
        # A referral is shown with its case (open_referrals): polling clients see each change.
        touch_on_change(Referral, lambda row: [row.case_id], uid="referral")
        touch_on_change(ReferralTrigger, lambda row: Referral.objects.filter(
            pk=row.referral_id).values_list("case_id", flat=True), uid="referral-trigger")

"""Demo referrals: the demo cases' lesions already raised their referrals through the trigger
hook (seed_cases); this moves some along the pathway so every stage has an example.

Idempotent: a referral is moved only while it is still at ``sent``, as first raised.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from cases.models import Case
from tumorboard.demo import DemoPeople

from . import services
from .models import Referral, ReferralStatus
from .states import Action

#: MRN -> the moves of its breast-to-neuro referral (receiver's moves by the site's neurosurgeon,
#: sender's by the site's breast oncosurgeon). Cases not listed stay "sent" (in the queue).
PLANS: dict[str, list[tuple[Action, str]]] = {
    "DEMO-1002": [(Action.ACKNOWLEDGE, ""),
                  (Action.REQUEST_INFO, "Is the back pain mechanical? Any night pain?")],
    "DEMO-1004": [(Action.ACKNOWLEDGE, ""), (Action.ACCEPT, "Separation surgery candidate."),
                  (Action.LIST_FOR_MDT, "")],
    "DEMO-1005": [(Action.ACKNOWLEDGE, ""), (Action.ACCEPT, ""), (Action.LIST_FOR_MDT, ""),
                  (Action.CLOSE, "MDT decided: surgery.")],
    "DEMO-1006": [(Action.ACKNOWLEDGE, ""), (Action.ACCEPT, ""), (Action.LIST_FOR_MDT, ""),
                  (Action.CLOSE, "MDT decided: surgery.")],
    "DEMO-1007": [(Action.ACKNOWLEDGE, ""),
                  (Action.DECLINE, "Stable blastic lesion, Bilsky 0: radiotherapy via the MDT.")],
}
TEXT_ARG = {Action.REQUEST_INFO: "question", Action.DECLINE: "reason", Action.ACCEPT: "note",
            Action.CLOSE: "note"}


def seed_referrals(people: DemoPeople) -> int:
    """Returns the number of demo referrals."""
    for mrn, plan in PLANS.items():
        case = Case.objects.filter(patient__mrn=mrn, patient__institution=people.institution,
                                   ).select_related("spine_team").first()
        referral = (Referral.objects.filter(case=case, direction="breast_to_neuro",
                                            status=ReferralStatus.SENT).first()
                    if case else None)
        if case is None or referral is None:
            continue
        number = "1" if case.spine_team and case.spine_team.name.startswith("Riverside") else "2"
        for action, text in plan:
            actor = people.users[f"neuro{number}"]
            kwargs = {TEXT_ARG[action]: text} if action in TEXT_ARG else {}
            referral = services.ACTION_SERVICES[action](referral=referral, actor=actor, **kwargs)
    occult = Referral.objects.filter(case__patient__mrn="DEMO-1008",
                                     direction="neuro_to_breast").first()
    if occult is not None and not occult.workup_items.exclude(done_at=None).exists():
        for code in ("history", "examination"):
            services.workup_item_tick(referral=occult, code=code, actor=people.users["breast2"])
    if occult is not None and not occult.workup_results.exists():
        # Results, not ticks (§17): a raised CA 15-3 and an indeterminate mammogram keep the
        # work-up open; the biopsy will tell.
        today = timezone.localdate()
        services.workup_result_record(
            referral=occult, actor=people.users["breast2"], kind="marker",
            taken_on=today - timedelta(days=2), marker="ca15_3", value=Decimal("58"),
            upper_limit=Decimal("31.3"))
        services.workup_result_record(
            referral=occult, actor=people.users["breast2"], kind="breast_imaging",
            taken_on=today - timedelta(days=1), modality="mammography", birads_left=4,
            birads_right=1)
    return Referral.objects.filter(case__patient__institution=people.institution).count()


def seed_radiotherapy(people: Any) -> int:
    """Radiotherapy referrals and a plan (CLINICAL.md §15-§16), after the demo meetings (whose
    decisions resolve the open referrals of their cases): DEMO-1006, operated, referred by its
    neurosurgeon, taken by radonc1 and planned (SBRT to L3, with denosumab running: warned);
    DEMO-1005, in surgery, referred and waiting in the radiation oncologists' queue. Idempotent.
    Returns the number of radiotherapy referrals of the demo cases."""
    from cases import services as case_services
    from cases.models import Case
    from cases.systemic import surgery_date

    from .models import TO_RADIATION_ONCOLOGY, ReferralStatus
    from .services import radiotherapy_referral_raise, referral_accept, referral_acknowledge

    def case_of(mrn: str) -> Case | None:
        return Case.objects.filter(patient__institution=people.institution,
                                   patient__mrn=mrn).first()

    radonc = people.users["radonc1"]
    operated = case_of("DEMO-1006")
    if operated is not None:
        referral = operated.referrals.filter(direction=TO_RADIATION_ONCOLOGY).first()
        if referral is None:
            referral = radiotherapy_referral_raise(
                case=operated, actor=people.users["neuro2"], urgency="green",
                reason="Separation surgery and L3 fixation done: SBRT to the residual tumour "
                       "once the wound has healed.")
        if referral.status == ReferralStatus.SENT:
            referral_acknowledge(referral=referral, actor=radonc)
            referral.refresh_from_db()
        if referral.status == ReferralStatus.ACKNOWLEDGED:
            referral_accept(referral=referral, actor=radonc, note="SBRT planned.")
        if not operated.radiotherapy_plans.exists():
            operated_on = surgery_date(operated) or timezone.localdate()
            case_services.radiotherapy_plan_create(
                case=operated, actor=radonc, technique="sbrt", dose_gy=24, fractions=2,
                target_levels=["L3"], surgery_date=operated_on,
                planned_start=operated_on + timedelta(days=21),
                planned_end=operated_on + timedelta(days=23))
    waiting = case_of("DEMO-1005")
    if waiting is not None and not waiting.referrals.filter(
            direction=TO_RADIATION_ONCOLOGY).exists():
        radiotherapy_referral_raise(
            case=waiting, actor=people.users["neuro1"], urgency="orange",
            reason="Separation surgery at T11-T12 this week: SBRT to follow.")
    return Referral.objects.filter(direction=TO_RADIATION_ONCOLOGY,
                                   case__patient__institution=people.institution).count()

"""Demo referrals: the demo cases' lesions already raised their referrals through the trigger
hook (seed_cases); this moves some along the pathway so every stage has an example.

Idempotent: a referral is moved only while it is still at ``sent``, as first raised.
"""

from __future__ import annotations

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
    return Referral.objects.filter(case__patient__institution=people.institution).count()

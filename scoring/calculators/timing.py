"""Timing of spinal surgery around systemic therapy (CLINICAL.md §10; S2 §6.3 and §11).

Elective spinal surgery waits for an absolute neutrophil count above 1,500/mm3; CDK4/6 inhibitors
are myelosuppressive; bone-modifying agents pause 4-6 weeks before instrumented surgery. In acute
ESCC needing emergency surgery no systemic-therapy contraindication justifies delay, so a red case
shows every check as information, never as a block.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Final

from .bilsky import HIGH_GRADE
from .checks import bool_error, enum_error
from .enums import (
    BilskyGrade,
    BoneModifyingAgent,
    MolecularSubtype,
    Severity,
    TimingCode,
    Urgency,
)
from .errors import ErrorBag, ScoringInputError
from .frozen import fast_init

TIMING_REFERENCE: Final = "S2 §6.3 and §11; CLINICAL.md §10"
#: Elective surgery needs an ANC that *exceeds* this (S2 §6.3).
ANC_MIN_EXCLUSIVE_PER_MM3: Final = 1500
#: Bone-modifying agents pause 4-6 weeks before instrumented surgery: warn under 4 weeks.
BONE_AGENT_MIN_PAUSE_DAYS: Final = 28
_AGENT_LABEL: Final = {
    BoneModifyingAgent.ZOLEDRONIC_ACID: "zoledronic acid",
    BoneModifyingAgent.DENOSUMAB: "denosumab",
}


#: Therapies that need holding or adjusting around spinal surgery (§10): the myelosuppressive
#: CDK4/6 inhibitors and the bone-modifying agents (paused 4-6 weeks before instrumented surgery).
#: Endocrine therapy and trastuzumab may continue (§16), so they are not in this table.
HOLD_CDK46_LABEL: Final = "CDK4/6 inhibitor"


def therapies_to_hold(
    *, cdk46_inhibitor: bool | None, bone_modifying_agent: BoneModifyingAgent | str | None
) -> tuple[str, ...]:
    """The recorded therapies that need holding or adjusting (§10), in words; empty when the
    patient is on none of them, so no hold advice is given."""
    held: list[str] = []
    if cdk46_inhibitor is True:
        held.append(HOLD_CDK46_LABEL)
    if bone_modifying_agent:
        held.append(_AGENT_LABEL[BoneModifyingAgent(bone_modifying_agent)])
    return tuple(held)


@fast_init
@dataclass(frozen=True, slots=True)
class TimingCheck:
    code: TimingCode
    severity: Severity
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code.value, "severity": self.severity.value, "message": self.message}


_EMERGENCY: Final = TimingCheck(
    code=TimingCode.EMERGENCY_OVERRIDE,
    severity=Severity.INFO,
    message="Red urgency: in acute ESCC needing emergency surgery no systemic-therapy "
    "contraindication justifies delay; the checks below are information, not blocks.",
)
_CDK46: Final = TimingCheck(
    code=TimingCode.CDK46_INHIBITOR,
    severity=Severity.WARNING,
    message="CDK4/6 inhibitor (palbociclib, ribociclib or abemaciclib) is myelosuppressive: "
    "check the neutrophil count before elective surgery.",
)
_LUMINAL_A: Final = TimingCheck(
    code=TimingCode.LUMINAL_A_ELECTIVE_DEFERRAL,
    severity=Severity.INFO,
    message="Luminal A: elective surgery may be deferred 4-6 weeks while endocrine therapy starts.",
)
_TRIPLE_NEGATIVE: Final = TimingCheck(
    code=TimingCode.TRIPLE_NEGATIVE_SURGERY_WITHIN_HOURS,
    severity=Severity.INFO,
    message="Triple-negative with high-grade compression: surgery within hours; systemic "
    "therapy is a postoperative consideration.",
)


def timing_checks(
    *,
    urgency: Urgency | None,
    subtype: MolecularSubtype,
    max_bilsky: BilskyGrade | None,
    anc_per_mm3: int | None = None,
    cdk46_inhibitor: bool | None = None,
    bone_modifying_agent: BoneModifyingAgent | None = None,
    bone_agent_last_dose: date | None = None,
    planned_surgery_date: date | None = None,
    today: date | None = None,
) -> tuple[TimingCheck, ...]:
    """The surgical-timing checks that apply (CLINICAL.md §10), each block, warning or info.

    The bone-agent interval runs from the last dose to ``planned_surgery_date``, or to ``today``
    when no date is planned (surgery could be now). Without a last dose the pause is shown as
    information. Red urgency turns every block and warning into information.
    """
    _check(
        urgency, subtype, max_bilsky, anc_per_mm3, cdk46_inhibitor, bone_modifying_agent,
        bone_agent_last_dose, planned_surgery_date, today,
    )  # fmt: skip
    checks: list[TimingCheck] = []
    if anc_per_mm3 is not None and anc_per_mm3 <= ANC_MIN_EXCLUSIVE_PER_MM3:
        checks.append(
            TimingCheck(
                code=TimingCode.ANC_AT_OR_BELOW_1500,
                severity=Severity.BLOCK,
                message=f"Neutrophil count {anc_per_mm3}/mm3: elective spinal surgery waits "
                "until it exceeds 1,500/mm3.",
            )
        )
    if cdk46_inhibitor is True:
        checks.append(_CDK46)
    if bone_modifying_agent is not None:
        checks.append(
            _bone_agent_check(
                bone_modifying_agent, bone_agent_last_dose, planned_surgery_date, today
            )
        )
    if urgency is Urgency.RED:
        checks = [
            _EMERGENCY,
            *(
                check
                if check.severity is Severity.INFO
                else TimingCheck(
                    code=check.code,
                    severity=Severity.INFO,
                    message=f"{check.message} (Emergency: information only.)",
                )
                for check in checks
            ),
        ]
    if subtype == MolecularSubtype.LUMINAL_A and urgency in (None, Urgency.GREEN):
        checks.append(_LUMINAL_A)
    if subtype == MolecularSubtype.TRIPLE_NEGATIVE and max_bilsky in HIGH_GRADE:
        checks.append(_TRIPLE_NEGATIVE)
    return tuple(checks)


def _bone_agent_check(
    agent: BoneModifyingAgent, last_dose: date | None, planned: date | None, today: date | None
) -> TimingCheck:
    label = _AGENT_LABEL[agent]
    target = planned if planned is not None else today
    if last_dose is None or target is None:
        return TimingCheck(
            code=TimingCode.BONE_AGENT_PAUSE,
            severity=Severity.INFO,
            message=f"{label.capitalize()}: pause 4-6 weeks before instrumented surgery (last dose "
            "not recorded).",
        )
    days = (target - last_dose).days
    when = f"the planned date {planned.isoformat()}" if planned is not None else "today"
    if days < BONE_AGENT_MIN_PAUSE_DAYS:
        return TimingCheck(
            code=TimingCode.BONE_AGENT_WITHIN_4_WEEKS,
            severity=Severity.WARNING,
            message=f"Last {label} dose {last_dose.isoformat()} is "
            + (f"{days} days before" if days >= 0 else f"{-days} days after")
            + f" {when}: under the 4-6 week pause before instrumented surgery.",
        )
    return TimingCheck(
        code=TimingCode.BONE_AGENT_PAUSE,
        severity=Severity.INFO,
        message=f"Last {label} dose {last_dose.isoformat()} is {days} days before {when}: the "
        "4-week pause before instrumented surgery is met.",
    )


def _check(
    urgency: object,
    subtype: object,
    max_bilsky: object,
    anc: object,
    cdk46: object,
    agent: object,
    last_dose: object,
    planned: object,
    today: object,
) -> None:
    if (
        (urgency is None or type(urgency) is Urgency)
        and type(subtype) is MolecularSubtype
        and (max_bilsky is None or type(max_bilsky) is BilskyGrade)
        and (anc is None or (type(anc) is int and anc >= 0))
        and (cdk46 is None or cdk46 is True or cdk46 is False)
        and (agent is None or type(agent) is BoneModifyingAgent)
        and (last_dose is None or (type(last_dose) is date and agent is not None))
        and (planned is None or type(planned) is date)
        and (today is None or type(today) is date)
    ):
        return  # the common case, exact types throughout, checked without building any message
    bag = ErrorBag()
    if urgency is not None and (reason := enum_error(urgency, Urgency)):
        bag.add("urgency", reason)
    if reason := enum_error(subtype, MolecularSubtype):
        bag.add("subtype", reason)
    if max_bilsky is not None and (reason := enum_error(max_bilsky, BilskyGrade)):
        bag.add("max_bilsky", reason)
    if anc is not None and (type(anc) is not int or anc < 0):
        bag.add("anc_per_mm3", "must be an integer of at least 0")
    if cdk46 is not None and (reason := bool_error(cdk46)):
        bag.add("cdk46_inhibitor", reason)
    if agent is not None and (reason := enum_error(agent, BoneModifyingAgent)):
        bag.add("bone_modifying_agent", reason)
    for name, value in (
        ("bone_agent_last_dose", last_dose),
        ("planned_surgery_date", planned),
        ("today", today),
    ):
        if value is not None and (not isinstance(value, date) or isinstance(value, datetime)):
            bag.add(name, "expected a date")
    if last_dose is not None and agent is None:
        bag.add("bone_agent_last_dose", "needs bone_modifying_agent")
    if bag:
        raise ScoringInputError(bag.errors)

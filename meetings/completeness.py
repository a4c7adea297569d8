"""Is a case ready for the board? A named, versioned table of checks, each answered ✓ (complete),
⚠ (partial or out of date) or ✗ (missing), shown on the agenda, warned about before the lock
and printed in the packet (issue 18).

The checks follow what the board needs to decide (CLINICAL.md): the imaging that grades SINS and
Bilsky (§1, §2: MRI, recent), the receptors that give the subtype (§12), the neurology and the
performance status of the NOMS neurological and systemic arms (§5, §7), a current assessment
(the scores computed after the newest study), and what is known of the systemic therapy for the
timing checks (§10: the CDK4/6 inhibitor and the last ANC).

The service records studies per lesion without their extent: "whole-spine MRI" is read as the
newest MRI of any lesion of the case.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from django.db.models import Max, Q

from cases.models import Case, LesionImaging

COMPLETENESS_VERSION: Final = "completeness-v1"
#: An MRI older than this on the meeting's day is out of date (⚠).
MRI_FRESH_DAYS: Final = 30
#: An ANC older than this on the meeting's day is out of date (⚠).
ANC_FRESH_DAYS: Final = 30

COMPLETE, PARTIAL, MISSING = "complete", "partial", "missing"
MARK: Final = {COMPLETE: "✓", PARTIAL: "⚠", MISSING: "✗"}

#: The table: key, the words a clinician reads.
CHECKS: Final = (
    ("mri", "Whole-spine MRI within 30 days"),
    ("receptors", "Receptors known (ER, PR, HER2)"),
    ("neurology", "Neurology and ECOG/KPS recorded"),
    ("assessment", "A current assessment"),
    ("systemic", "Systemic therapy state known"),
)


@dataclass(frozen=True)
class Check:
    key: str
    title: str
    state: str
    note: str

    @property
    def mark(self) -> str:
        return MARK[self.state]


@dataclass(frozen=True)
class Completeness:
    checks: tuple[Check, ...]
    version: str = COMPLETENESS_VERSION

    @property
    def complete(self) -> bool:
        return all(check.state == COMPLETE for check in self.checks)

    @property
    def gaps(self) -> list[Check]:
        return [check for check in self.checks if check.state != COMPLETE]

    @property
    def marks(self) -> str:
        return " ".join(check.mark for check in self.checks)


@dataclass(frozen=True)
class Imaging:
    """The newest MRI and the newest study of any modality of one case."""

    last_mri: date | None
    last_study: date | None


def imaging_for(case_ids: Iterable[int]) -> dict[int, Imaging]:
    """The newest MRI and newest study of each case: ONE query whatever the number of cases."""
    rows = (LesionImaging.objects.filter(lesion__case_id__in=list(case_ids))
            .values("lesion__case_id")
            .annotate(last_mri=Max("imaging_date", filter=Q(modality="mri")),
                      last_study=Max("imaging_date")))
    return {row["lesion__case_id"]: Imaging(row["last_mri"], row["last_study"]) for row in rows}


def _state(known: int, of: int) -> str:
    return COMPLETE if known == of else (MISSING if known == 0 else PARTIAL)


def case_completeness(case: Case, imaging: Imaging | None, *, day: date) -> Completeness:
    """The table for one case on ``day`` (the meeting's day). Reads the case row, its latest
    assessment (select it with the case) and ``imaging`` (``imaging_for``): no query."""
    imaging = imaging or Imaging(None, None)
    checks = []
    if imaging.last_mri is None:
        checks.append(("mri", MISSING, "no MRI recorded"))
    elif imaging.last_mri < day - timedelta(days=MRI_FRESH_DAYS):
        checks.append(("mri", PARTIAL, f"newest MRI {imaging.last_mri:%d %b %Y}, over "
                                       f"{MRI_FRESH_DAYS} days before the meeting"))
    else:
        checks.append(("mri", COMPLETE, f"MRI {imaging.last_mri:%d %b %Y}"))
    receptors = [name for name in ("er", "pr", "her2") if getattr(case, name) is not None]
    unknown = [name.upper() for name in ("er", "pr", "her2") if name not in receptors]
    checks.append(("receptors", _state(len(receptors), 3),
                   f"{', '.join(unknown)} unknown" if unknown else "ER, PR and HER2 known"))
    neurology = bool(case.asia or case.frankel or case.neurological_deficit is not None)
    performance = case.ecog is not None or case.kps is not None
    missing = [what for what, known in (("neurology", neurology),
                                        ("ECOG/KPS", performance)) if not known]
    checks.append(("neurology", _state(int(neurology) + int(performance), 2),
                   f"{' and '.join(missing)} not recorded" if missing else "recorded"))
    assessment = case.latest_assessment
    if assessment is None:
        checks.append(("assessment", MISSING, "never assessed"))
    elif imaging.last_study and assessment.evaluated_at.date() < imaging.last_study:
        checks.append(("assessment", PARTIAL, "assessed before the newest study"))
    else:
        checks.append(("assessment", COMPLETE,
                       f"assessed {assessment.evaluated_at:%d %b %Y}"))
    # The CDK4/6 flag always has a value; the ANC (and its date) is what §10's checks need.
    on_cdk = "on a CDK4/6 inhibitor" if case.cdk46_inhibitor else "no CDK4/6 inhibitor"
    if case.anc_per_mm3 is None or case.anc_date is None:
        checks.append(("systemic", MISSING, f"{on_cdk}; no ANC recorded"))
    elif case.anc_date < day - timedelta(days=ANC_FRESH_DAYS):
        checks.append(("systemic", PARTIAL, f"{on_cdk}; last ANC {case.anc_date:%d %b %Y}, "
                                            f"over {ANC_FRESH_DAYS} days before the meeting"))
    else:
        checks.append(("systemic", COMPLETE, f"{on_cdk}; ANC {case.anc_date:%d %b %Y}"))
    titles = dict(CHECKS)
    return Completeness(tuple(Check(key, titles[key], state, note)
                              for key, state, note in checks))


def for_items(items: Iterable[object], *, day: date) -> None:
    """Attach ``item.completeness`` to each agenda item (its case selected with it, with
    ``latest_assessment``): one query for all of them."""
    items = list(items)
    imaging = imaging_for(item.case_id for item in items)  # type: ignore[attr-defined]
    for item in items:
        case = item.case  # type: ignore[attr-defined]
        item.completeness = case_completeness(  # type: ignore[attr-defined]
            case, imaging.get(case.pk), day=day)

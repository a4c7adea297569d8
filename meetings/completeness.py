"""Is a case ready for the board? A named, versioned table of checks, each answered ✓ (complete),
⚠ (partial or out of date) or ✗ (missing), shown on the agenda, warned about before the lock
and printed in the packet (issue 18).

The checks follow what the board needs to decide (CLINICAL.md): the imaging that grades SINS and
Bilsky (§1, §2: MRI, recent), the receptors that give the subtype (§12), the neurology and the
performance status of the NOMS neurological and systemic arms (§5, §7), a current assessment
(the scores computed after the newest study), and what is known of the systemic therapy for the
timing checks (§10: the CDK4/6 inhibitor and the last ANC).

Version 2 reads the systemic therapy as the case page does: the CDK4/6 inhibitor episodes with
their holds on the meeting's day and the newest ANC among the laboratory values, the case's
older summary fields included where no row says more (``cases.systemic``). Version 1 read the
summary fields alone, and the agenda said "no CDK4/6 inhibitor" beside an episode of ribociclib.

The service records studies per lesion without their extent: "whole-spine MRI" is read as the
newest MRI of any lesion of the case.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from django.db.models import Max, Q

from cases.models import Case, LabValue, LesionImaging, SystemicTherapyEpisode
from cases.systemic import SUMMARY_CDK46_DRUG, SystemicPicture, case_episodes, case_labs
from scoring.calculators import Episode, Lab, LabKind, TherapyClass

COMPLETENESS_VERSION: Final = "completeness-v2"
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


@dataclass(frozen=True)
class Systemic:
    """One case's CDK4/6 inhibitor episodes and ANC values, the older summary fields included
    (``cases.systemic.case_episodes`` and ``case_labs``)."""

    episodes: tuple[Episode, ...]
    labs: tuple[Lab, ...]

    @classmethod
    def of(cls, case: Case, episodes: list[SystemicTherapyEpisode],
           labs: list[LabValue]) -> Systemic:
        """From the case's rows (their holds prefetched), with its summary fields."""
        return cls(tuple(case_episodes(case, episodes)), tuple(case_labs(case, labs)))


_CDK46 = TherapyClass.CDK46_INHIBITOR


def systemic_for(cases: Iterable[Case]) -> dict[int, Systemic]:
    """``Systemic`` of each case: three queries whatever the number of cases (the episodes, their
    holds, the ANC values), two when no case has an episode."""
    cases = list(cases)
    ids = [case.pk for case in cases]
    episodes: dict[int, list[SystemicTherapyEpisode]] = defaultdict(list)
    for row in SystemicTherapyEpisode.objects.filter(
            case_id__in=ids, therapy_class=_CDK46).prefetch_related("holds"):
        episodes[row.case_id].append(row)
    labs: dict[int, list[LabValue]] = defaultdict(list)
    for lab in LabValue.objects.filter(case_id__in=ids, kind=LabKind.ANC):
        labs[lab.case_id].append(lab)
    return {case.pk: Systemic.of(case, episodes[case.pk], labs[case.pk]) for case in cases}


def systemic_of(case: Case, picture: SystemicPicture) -> Systemic:
    """``Systemic`` of a case from what its page already read (no query)."""
    return Systemic.of(case, picture.episodes,
                       [row for series in picture.labs for row in series.rows])


def _cdk46_words(systemic: Systemic, day: date) -> str:
    """The CDK4/6 inhibitor on ``day``: given, held since when, or none."""
    words = []
    for episode in systemic.episodes:
        if episode.therapy_class is not _CDK46 or not episode.active_on(day):
            continue
        # An episode read from the older summary field has no drug name of its own.
        drug = ("a CDK4/6 inhibitor" if episode.drug == SUMMARY_CDK46_DRUG
                else f"{episode.drug} (CDK4/6 inhibitor)")
        hold = next((hold for hold in episode.holds if hold.covers(day)), None)
        words.append(f"{drug} held since {hold.start:%d %b %Y}" if hold is not None
                     else f"on {drug}")
    return "; ".join(words) or "no CDK4/6 inhibitor"


def _state(known: int, of: int) -> str:
    return COMPLETE if known == of else (MISSING if known == 0 else PARTIAL)


def case_completeness(case: Case, imaging: Imaging | None, *, day: date,
                      systemic: Systemic | None = None) -> Completeness:
    """The table for one case on ``day`` (the meeting's day). Reads the case row, its latest
    assessment (select it with the case), ``imaging`` (``imaging_for``) and ``systemic``
    (``systemic_for``; None: the case's summary fields alone): no query."""
    imaging = imaging or Imaging(None, None)
    if systemic is None:
        systemic = Systemic.of(case, [], [])
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
    # The CDK4/6 inhibitor is always known (none is an answer); the ANC (and its date) is what
    # §10's checks need: the newest taken by the meeting's day.
    on_cdk = _cdk46_words(systemic, day)
    anc = max((lab.taken_on for lab in systemic.labs
               if lab.kind is LabKind.ANC and lab.taken_on <= day), default=None)
    if anc is None:
        checks.append(("systemic", MISSING, f"{on_cdk}; no ANC recorded"))
    elif anc < day - timedelta(days=ANC_FRESH_DAYS):
        checks.append(("systemic", PARTIAL, f"{on_cdk}; last ANC {anc:%d %b %Y}, "
                                            f"over {ANC_FRESH_DAYS} days before the meeting"))
    else:
        checks.append(("systemic", COMPLETE, f"{on_cdk}; ANC {anc:%d %b %Y}"))
    titles = dict(CHECKS)
    return Completeness(tuple(Check(key, titles[key], state, note)
                              for key, state, note in checks))


def for_items(items: Iterable[object], *, day: date,
              systemic: dict[int, Systemic] | None = None) -> None:
    """Attach ``item.completeness`` to each agenda item (its case selected with it, with
    ``latest_assessment``): four queries for all of them, one when ``systemic`` (the cases'
    ``Systemic``) is given."""
    items = list(items)
    cases = [item.case for item in items]  # type: ignore[attr-defined]
    imaging = imaging_for(case.pk for case in cases)
    if systemic is None:
        systemic = systemic_for(cases)
    for item, case in zip(items, cases, strict=True):
        item.completeness = case_completeness(  # type: ignore[attr-defined]
            case, imaging.get(case.pk), day=day, systemic=systemic.get(case.pk))

"""Synthetic demo patients and their cases, one in every phase of the care timeline.

Invented names; MRNs carry a DEMO prefix. Everything is written through cases.services, so the
permissions, phase events, audit rows and assessments are the real ones. Idempotent: a patient
who already has a case is left as it is, so running ``seed_demo`` twice changes no count.
Riverside cases belong to the Riverside breast and spine teams; Northfield cases to Northfield's,
so breast2 and neuro2 are outsiders to Riverside cases (and breast1 and neuro1 to Northfield's).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from tumorboard.demo import DemoPeople
from tumorboard.models import User

from . import services
from .models import Case, Patient
from .timeline import Phase

PATIENTS: list[tuple[str, str, str, date]] = [
    # mrn, given name, family name, birth date
    ("DEMO-1001", "Maren", "Holloway", date(1968, 3, 14)),
    ("DEMO-1002", "Ines", "Carvalho", date(1975, 9, 2)),
    ("DEMO-1003", "Ruth", "Ambersley", date(1959, 12, 21)),
    ("DEMO-1004", "Joanna", "Prewitt", date(1981, 6, 30)),
    ("DEMO-1005", "Alma", "Kestrel", date(1964, 1, 8)),
    ("DEMO-1006", "Yara", "Delacroix", date(1972, 4, 17)),
    ("DEMO-1007", "Beatrix", "Lowell", date(1956, 11, 5)),
    ("DEMO-1008", "Noor", "Haddadin", date(1987, 8, 23)),
    # Registered by the Riverside breast oncosurgeon, no case yet: found by her search, and
    # offered when she types the MRN again (in any case of letters).
    ("DEMO-1009", "Lena", "Ashcombe", date(1979, 2, 11)),
]

#: The demo patients registered without a case, with who registered them.
WITHOUT_CASE = {"DEMO-1009": "breast1"}

LUMINAL_A = {"er": True, "pr": True, "her2": False, "ki67": 10.0}
LUMINAL_B = {"er": True, "pr": False, "her2": True, "ki67": 35.0}
HER2 = {"er": False, "pr": False, "her2": True, "ki67": 40.0}
TRIPLE_NEGATIVE = {"er": False, "pr": False, "her2": False, "ki67": 60.0}


@dataclass
class DemoCase:
    mrn: str
    site: str  # "Riverside" or "Northfield": whose breast and spine teams
    opener: str  # "breast" or "neuro"
    start: Phase
    path: list[tuple[Phase, str]]  # moves after opening, with their reasons
    clinical: dict[str, Any]
    lesions: list[tuple[list[str], list[dict[str, Any]]]] = field(default_factory=list)
    oncologists: list[str] = field(default_factory=list)
    followups: list[dict[str, Any]] = field(default_factory=list)
    ticks: int = 2  # duties ticked per specialty in each past phase
    # Palliative care and rehabilitation in the care team (issue 19): demo usernames.
    specialists: list[str] = field(default_factory=list)


def _study(days_ago: int, **values: Any) -> dict[str, Any]:
    base = {"modality": "mri", "pain": "mechanical", "bone_lesion": "lytic", "alignment": "normal",
            "collapse": "under_50", "posterolateral": "unilateral", "bilsky": "1a"}
    return {**base, **values, "imaging_date": timezone.localdate() - timedelta(days=days_ago)}


def _visit(days_ago: int, **values: Any) -> dict[str, Any]:
    base = {"frankel": "E", "asia": "E", "kps": 80, "pain_nrs": 3, "ambulation": "independent",
            "qlq_c30_global": 67, "bm22_painful_sites": 33, "bm22_pain_characteristics": 33,
            "bm22_functional_interference": 25, "bm22_psychosocial_aspects": 40,
            "new_metastases": False, "implant_integrity": "not_applicable",
            "local_control": "controlled", "survival_status": "alive",
            "analgesics": "non_opioid", "mdasi_severity": 3, "mdasi_interference": 2}
    return {**base, **values, "visit_date": timezone.localdate() - timedelta(days=days_ago)}


BURDEN = {"extraspinal_bone_metastases": 1, "vertebral_metastases": 2,
          "visceral_metastases": "none", "frankel": "E", "asia": "E", "kps": 80}
TO_DETECTION = (Phase.SPINE_METASTASIS_DETECTION, "Spinal lesion on surveillance PET-CT.")
TO_MDT = (Phase.MDT_TUMOR_BOARD, "Referred to neurosurgery; MRI done: listed for the spine MDT.")
TO_PREOP = (Phase.PRE_OPERATIVE, "MDT: separation surgery then SBRT.")
TO_SURGERY = (Phase.SURGERY, "Optimised: listed for theatre.")
TO_POSTOP = (Phase.POST_OPERATIVE, "Decompression and T-level fixation done.")

DEMO_CASES: list[DemoCase] = [
    DemoCase("DEMO-1001", "Riverside", "breast", Phase.INITIAL_DIAGNOSIS, [],
             {"primary_status": "known_breast", **LUMINAL_A, "kps": 90, "frankel": "E",
              "cdk46_inhibitor": True}),
    # Serial imaging 4 weeks apart: collapse and compression worse -> progression within 6 weeks.
    DemoCase("DEMO-1002", "Riverside", "breast", Phase.INITIAL_DIAGNOSIS, [TO_DETECTION],
             {"primary_status": "known_breast", **LUMINAL_B, **BURDEN,
              "new_or_progressive_back_pain": True},
             lesions=[(["T8"], [_study(40, collapse="none", bilsky="0", pain="occasional"),
                                _study(12, collapse="under_50", bilsky="1b")])]),
    DemoCase("DEMO-1003", "Riverside", "neuro", Phase.SPINE_METASTASIS_DETECTION, [TO_MDT],
             {"primary_status": "known_breast", **TRIPLE_NEGATIVE, **BURDEN, "kps": 70,
              "frankel": "D", "asia": "D", "neurological_deficit": True,
              "visceral_metastases": "treatable"},
             lesions=[(["T4"], [_study(3, bilsky="2", posterolateral="bilateral")])],
             oncologists=["radonc1"]),
    DemoCase("DEMO-1004", "Riverside", "breast", Phase.INITIAL_DIAGNOSIS,
             [TO_DETECTION, TO_MDT, TO_PREOP],
             {"primary_status": "known_breast", **HER2, **BURDEN,
              "bone_modifying_agent": "denosumab",
              "bone_agent_last_dose": timezone.localdate() - timedelta(days=14),
              "anc_per_mm3": 1300, "anc_date": timezone.localdate() - timedelta(days=2),
              "planned_surgery_date": timezone.localdate() + timedelta(days=10)},
             lesions=[(["L1"], [_study(20, collapse="over_50", alignment="deformity",
                                       bilsky="1c")])],
             oncologists=["medonc1"]),
    DemoCase("DEMO-1005", "Riverside", "breast", Phase.INITIAL_DIAGNOSIS,
             [TO_DETECTION, TO_MDT, TO_PREOP, TO_SURGERY],
             {"primary_status": "known_breast", **LUMINAL_B, **BURDEN,
              "bone_modifying_agent": "zoledronic_acid",
              "bone_agent_last_dose": timezone.localdate() - timedelta(days=45),
              "anc_per_mm3": 3200, "anc_date": timezone.localdate() - timedelta(days=3)},
             lesions=[(["T11", "T12"], [_study(15, bilsky="2", collapse="over_50")])]),
    DemoCase("DEMO-1006", "Northfield", "breast", Phase.INITIAL_DIAGNOSIS,
             [TO_DETECTION, TO_MDT, TO_PREOP, TO_SURGERY, TO_POSTOP],
             {"primary_status": "known_breast", **LUMINAL_A, **BURDEN},
             lesions=[(["L3"], [_study(60, bilsky="2")])],
             followups=[_visit(20, frankel="D", kps=60, pain_nrs=6, ambulation="with_aid",
                               qlq_c30_global=42, implant_integrity="intact",
                               analgesics="strong_opioid", mdasi_severity=6,
                               mdasi_interference=7)],
             specialists=["palliative1", "physio1"]),
    # The non-surgical pathway: MDT straight to surveillance after radiotherapy.
    DemoCase("DEMO-1007", "Riverside", "breast", Phase.INITIAL_DIAGNOSIS,
             [TO_DETECTION, TO_MDT,
              (Phase.SURVEILLANCE, "MDT: stable, low-grade compression: cEBRT 30 Gy/10, "
                                   "then surveillance.")],
             {"primary_status": "known_breast", **LUMINAL_A, **BURDEN, "kps": 90},
             # Staged on MRI; the surveillance CT cannot grade Bilsky: the lesion keeps grade 0.
             lesions=[(["C5"], [_study(120, collapse="none", bilsky="0", pain="occasional",
                                        bone_lesion="blastic"),
                                _study(35, modality="ct", bilsky="", collapse="none",
                                       pain="occasional", bone_lesion="blastic")])],
             oncologists=["radonc1"],
             followups=[_visit(90, pain_nrs=5, qlq_c30_global=58, analgesics="weak_opioid",
                               mdasi_severity=5),
                        _visit(30, pain_nrs=2, qlq_c30_global=75, bm22_painful_sites=17,
                               mdasi_severity=2)],
             specialists=["palliative1"]),
    # Occult primary: the neurosurgeon saw her first; breast primary suspected, no histology.
    DemoCase("DEMO-1008", "Northfield", "neuro", Phase.SPINE_METASTASIS_DETECTION, [],
             {"primary_status": "suspected_breast", **BURDEN, "extraspinal_bone_metastases": 0,
              "vertebral_metastases": 1, "new_patient": True},
             lesions=[(["L4"], [_study(5, bilsky="1a", pain="occasional")])]),
]


def seed_cases(people: DemoPeople) -> int:
    for mrn, given, family, born in PATIENTS:
        Patient.objects.update_or_create(
            institution=people.institution,
            mrn=mrn,
            defaults={
                "given_name": given,
                "family_name": family,
                "birth_date": born,
                "sex": Patient.Sex.FEMALE,
                "created_by": people.users.get(WITHOUT_CASE.get(mrn, "")),
            },
        )
    for demo in DEMO_CASES:
        _seed_case(people, demo)
    return len(PATIENTS)


def _seed_case(people: DemoPeople, demo: DemoCase) -> None:
    patient = Patient.objects.get(institution=people.institution, mrn=demo.mrn)
    if Case.objects.filter(patient=patient).exists():
        return
    number = "1" if demo.site == "Riverside" else "2"
    breast: User = people.users[f"breast{number}"]
    neuro: User = people.users[f"neuro{number}"]
    opener = breast if demo.opener == "breast" else neuro
    case = services.case_create(
        patient=patient,
        actor=opener,
        phase=demo.start,
        reason="Case opened (demo).",
        breast_team=people.teams[f"{demo.site} Breast Service"],
        spine_team=people.teams[f"{demo.site} Spine Service"],
        mdt_team=people.teams["Spine Metastasis MDT"],
        oncologists=[people.users[name] for name in demo.oncologists],
        **demo.clinical,
    )
    for name in demo.specialists:
        if name in people.users:
            services.specialist_add(case=case, user=people.users[name], actor=opener)
    for levels, studies in demo.lesions:
        first, *later = studies
        # Whoever saw the patient first records the lesion that fires the trigger: the breast
        # oncosurgeon refers her own patient (the sender), the neurosurgeon a neuro-first one.
        lesion = services.lesion_create(case=case, levels=levels, actor=opener, **first)
        for study in later:
            services.lesion_imaging_add(lesion=lesion, actor=neuro, **study)
    if demo.lesions:
        services.assessment_create(case=case, actor=neuro)
    for phase, reason in demo.path:
        _tick_some(case, breast, neuro, demo.ticks)
        actor = breast if phase in (Phase.SPINE_METASTASIS_DETECTION,) else neuro
        services.case_transition(case=case, to_phase=phase, reason=reason, actor=actor)
        case.refresh_from_db()
        if phase == Phase.POST_OPERATIVE and demo.lesions:
            # The neurosurgeon's operation note (issue 19): what was done, where, with what.
            services.surgery_record(
                case=case, actor=neuro, performed_on=timezone.localdate() - timedelta(days=3),
                procedure="separation_surgery", approach="posterior",
                levels=list(demo.lesions[0][0]), instrumentation="pedicle_screws",
                complications=[], complication_note="")
    _tick_some(case, breast, neuro, 1)
    for visit in demo.followups:
        services.followup_create(case=case, actor=neuro, **visit)


def _tick_some(case: Case, breast: User, neuro: User, per_specialty: int) -> None:
    from .timeline import duties

    case.refresh_from_db()
    event = case.current_event
    assert event is not None
    for person in (breast, neuro):
        done = set(event.ticks.values_list("duty_code", flat=True))  # recorded facts tick some
        mine = [duty for duty in duties(event.to_phase)
                if duty.specialty == person.role and duty.code not in done]
        for duty in mine[:per_specialty]:
            services.duty_tick(case=case, event=event, duty_code=duty.code, actor=person)

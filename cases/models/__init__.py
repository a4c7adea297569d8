"""Models of the cases app, one module per concept; import them from here."""

from .access import CareTeamMember, CareTeamReason
from .assessment import Assessment
from .audit import AuditAction, AuditChain, AuditEvent, AuditOutcome
from .case import Case, PrimaryStatus
from .lesion import LesionImaging, SpinalLesion
from .outcome import (
    Ambulation,
    Analgesics,
    FollowUpVisit,
    ImplantIntegrity,
    LocalControl,
    SurvivalStatus,
)
from .patient import Patient, Sex
from .phase import DutyTick, PhaseEvent
from .radiotherapy import RadiotherapyPlan, RadiotherapyTechnique
from .surgery import SurgeryRecord
from .systemic import LabValue, SystemicTherapyEpisode, TherapyHold

__all__ = [
    "Ambulation",
    "Analgesics",
    "Assessment",
    "AuditAction",
    "AuditChain",
    "AuditEvent",
    "AuditOutcome",
    "CareTeamMember",
    "CareTeamReason",
    "Case",
    "DutyTick",
    "FollowUpVisit",
    "ImplantIntegrity",
    "LabValue",
    "LesionImaging",
    "LocalControl",
    "Patient",
    "PhaseEvent",
    "PrimaryStatus",
    "RadiotherapyPlan",
    "RadiotherapyTechnique",
    "Sex",
    "SpinalLesion",
    "SurgeryRecord",
    "SurvivalStatus",
    "SystemicTherapyEpisode",
    "TherapyHold",
]

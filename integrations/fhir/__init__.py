"""The FHIR R4 server: mappings (``resources``, ``oncology``), codes and profiles (``codes``),
search (``search``), reads (``read``), the REST interface (``views``) and the
CapabilityStatement (``capability``). The mapping functions are re-exported here."""

from __future__ import annotations

from typing import Any

from . import codes
from .resources import bundle, care_plan, observation, patient, service_request, task

__all__ = ["bundle", "care_plan", "codes", "observation", "patient", "service_request", "task"]


def __getattr__(name: str) -> Any:
    # The score system follows settings.FHIR_CANONICAL_BASE, so it is computed when asked.
    if name == "SCORES":
        return codes.scores_system()
    raise AttributeError(name)

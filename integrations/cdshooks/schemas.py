"""JSON Schemas of CDS Hooks 2.0 (https://cds-hooks.org/specification/current/), written from
the specification's text: the discovery document, a hook request and a hook response (cards,
suggestions, actions, links). The service validates every request against ``REQUEST``; the tests
validate requests and answers against all three.

Only what the specification requires is required; unknown members are allowed (extensions).
"""

from __future__ import annotations

from typing import Any, Final

_STRING: Final = {"type": "string", "minLength": 1}

DISCOVERY: Final[dict[str, Any]] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "CDS Hooks discovery response",
    "type": "object",
    "required": ["services"],
    "properties": {
        "services": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["hook", "description", "id"],
                "properties": {
                    "hook": _STRING,
                    "title": {"type": "string"},
                    "description": _STRING,
                    "id": {"type": "string", "pattern": "^[A-Za-z0-9._~-]+$"},
                    "prefetch": {"type": "object",
                                 "additionalProperties": {"type": "string"}},
                    "usageRequirements": {"type": "string"},
                },
            },
        },
    },
}

_FHIR_RESOURCE: Final = {"type": "object", "required": ["resourceType"],
                         "properties": {"resourceType": _STRING}}

REQUEST: Final[dict[str, Any]] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "CDS Hooks request",
    "type": "object",
    "required": ["hook", "hookInstance", "context"],
    "properties": {
        "hook": _STRING,
        "hookInstance": {"type": "string", "minLength": 1, "maxLength": 200},
        "fhirServer": {"type": "string", "format": "uri", "pattern": "^https?://"},
        "fhirAuthorization": {
            "type": "object",
            "required": ["access_token", "token_type", "expires_in", "scope", "subject"],
            "properties": {
                "access_token": _STRING,
                "token_type": {"const": "Bearer"},
                "expires_in": {"type": "integer", "minimum": 0},
                "scope": _STRING,
                "subject": _STRING,
                "patient": {"type": "string"},
            },
        },
        "context": {"type": "object"},
        "prefetch": {
            "type": "object",
            # A prefetch key the EHR could not fill is absent or null (specification).
            "additionalProperties": {"anyOf": [_FHIR_RESOURCE, {"type": "null"}]},
        },
    },
    # fhirAuthorization only makes sense with a fhirServer.
    "dependentRequired": {"fhirAuthorization": ["fhirServer"]},
}

#: The context of each hook this service answers (hooks patient-view 1.0, order-select 1.0).
CONTEXT: Final[dict[str, dict[str, Any]]] = {
    "patient-view": {
        "type": "object",
        "required": ["userId", "patientId"],
        "properties": {"userId": {"type": "string", "pattern": "^(Practitioner|PractitionerRole|"
                                                                 "Patient|RelatedPerson)/.+$"},
                       "patientId": {"type": "string", "pattern": "^[A-Za-z0-9.-]{1,64}$"},
                       "encounterId": {"type": "string"}},
    },
    "order-select": {
        "type": "object",
        "required": ["userId", "patientId", "selections", "draftOrders"],
        "properties": {
            "userId": {"type": "string", "pattern": "^(Practitioner|PractitionerRole)/.+$"},
            "patientId": {"type": "string", "pattern": "^[A-Za-z0-9.-]{1,64}$"},
            "encounterId": {"type": "string"},
            "selections": {"type": "array", "minItems": 1,
                           "items": {"type": "string", "pattern": "^[A-Za-z]+/.+$"}},
            "draftOrders": {
                "type": "object", "required": ["resourceType", "entry"],
                "properties": {"resourceType": {"const": "Bundle"},
                               "entry": {"type": "array", "items": {
                                   "type": "object", "required": ["resource"],
                                   "properties": {"resource": _FHIR_RESOURCE}}}},
            },
        },
    },
}

_ACTION: Final = {
    "type": "object",
    "required": ["type", "description"],
    "properties": {
        "type": {"enum": ["create", "update", "delete"]},
        "description": _STRING,
        "resource": _FHIR_RESOURCE,
        "resourceId": {"type": "array", "items": {"type": "string"}},
    },
}

RESPONSE: Final[dict[str, Any]] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "CDS Hooks response",
    "type": "object",
    "required": ["cards"],
    "properties": {
        "cards": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["summary", "indicator", "source"],
                "properties": {
                    "uuid": {"type": "string"},
                    "summary": {"type": "string", "minLength": 1, "maxLength": 140},
                    "detail": {"type": "string"},
                    "indicator": {"enum": ["info", "warning", "critical"]},
                    "source": {
                        "type": "object", "required": ["label"],
                        "properties": {"label": _STRING, "url": {"type": "string"},
                                       "icon": {"type": "string"},
                                       "topic": {"type": "object"}},
                    },
                    "suggestions": {
                        "type": "array",
                        "items": {
                            "type": "object", "required": ["label"],
                            "properties": {"label": _STRING, "uuid": {"type": "string"},
                                           "isRecommended": {"type": "boolean"},
                                           "actions": {"type": "array", "items": _ACTION}},
                        },
                    },
                    "selectionBehavior": {"enum": ["at-most-one", "any"]},
                    "overrideReasons": {"type": "array"},
                    "links": {
                        "type": "array",
                        "items": {
                            "type": "object", "required": ["label", "url", "type"],
                            "properties": {"label": _STRING,
                                           "url": {"type": "string", "pattern": "^https?://"},
                                           "type": {"enum": ["absolute", "smart"]},
                                           "appContext": {"type": "string"}},
                        },
                    },
                },
                # The specification: selectionBehavior is required when suggestions are given.
                "dependentRequired": {"suggestions": ["selectionBehavior"]},
            },
        },
        "systemActions": {"type": "array", "items": _ACTION},
    },
}

"""CDS Hooks 2.0 (cds-hooks.org): the service's referral triggers as cards in the EHR.

``schemas`` (the specification's JSON shapes), ``auth`` (the EHR's signed JWT against the
configured JWKS), ``prefetch`` (the FHIR prefetch read into the scoring core's inputs, through
the codes of ``integrations.fhir``), ``cards`` (cards, links and ServiceRequest suggestions),
``services`` (discovery and one hook call, audited) and ``views`` (``/cds-services``).
"""

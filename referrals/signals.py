"""Signals the referrals app sends for the apps above it (DESIGN.md, Layers): referrals never
imports them; they connect their receivers in their own ``AppConfig.ready``."""

from __future__ import annotations

from django.dispatch import Signal

#: A referral's status changed (raised, sent, each triage move, cancel, close). Sent inside the
#: transaction of the change, after its ``ReferralEvent`` row is written, once per change, so a
#: receiver writes its own rows (an outbox) in the same transaction: a rollback removes them too.
#: A receiver that raises rolls the change back. Not sent for events that keep the status
#: (extend, escalate, work-up tick). Keyword arguments:
#:
#: - ``referral``: the ``Referral`` (its ``case`` loaded on access);
#: - ``from_status``: the status before, ``""`` when the referral was just raised;
#: - ``to_status``: the status after;
#: - ``at``: the ``datetime`` of the change (the event's ``at``).
#:
#: ``sender`` is the ``Referral`` class.
referral_status_changed = Signal()

"""Signals the cases app sends for the apps above it (DESIGN.md, Layers): a saved finding that
must raise a referral is a signal sent inside the write's transaction, never an upward import."""

from __future__ import annotations

from django.dispatch import Signal

#: Sent inside the transaction of a write that changed the clinical findings of a case (a lesion
#: or imaging study added, an assessment run), after the write. Arguments: ``case``, ``actor``.
#: Receivers run in the same transaction: what they write commits or rolls back with it.
findings_changed = Signal()

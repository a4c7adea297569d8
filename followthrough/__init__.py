"""Follow-through after an MDT decision (CLINICAL.md §15): tasks, alerts, minutes sign-off."""

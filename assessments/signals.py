"""Hooks that the apps above assessments connect to from their `AppConfig.ready()`, so that
assessments tells them what happened without importing them (docs/decisions/0020-one-way-layers.md)."""

from django.dispatch import Signal

# Sent inside the transaction that ends a case early (a decision not to assess, withdrawn, moved away),
# with `case` and `on` (the date it ended). The advice app stops every timer of the case's advice.
case_ended = Signal()

# Sent inside the transaction that records the final plan issued, with `case`, `on` (the day it was
# issued) and `by` (who recorded it). The reviews app schedules the plan's first annual review.
plan_issued = Signal()

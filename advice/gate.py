"""The drafting gate (DOMAIN.md, "Acknowledgement"): the plan is not drafted until every tracked
advice is returned or the LA is told it will not come. One definition, for the draft plan's service
and page (draft_gate_outstanding), the case page's list of what holds it back (holds_gate, on the
items the page read) and the caseload's "Ready to draft" filter with the home page's count of it
(ready_to_draft_q, registered with assessments.sections by advice.apps)."""

from django.db.models import Exists, OuterRef, Q

from assessments.models import CaseStatus

from .models import AdviceItem, ItemStatus
from .querysets import is_for_review

# The caseload's `stage` for ready_to_draft_q (assessments.forms.CaseFilterForm offers it by this name).
READY_TO_DRAFT = "ready_to_draft"


def gate_items():
    """The items that hold a draft plan back: every item of the assessment still outstanding, excepted
    ones too (an exception excuses lateness, not the advice). A review's report holds no draft back."""
    return AdviceItem.objects.for_assessment().filter(status=ItemStatus.OUTSTANDING)


def holds_gate(item) -> bool:
    """gate_items, for an item already read."""
    return item.status == ItemStatus.OUTSTANDING and not is_for_review(item)


def draft_gate_outstanding(*, case) -> list[AdviceItem]:
    """The case's items holding its draft plan back, longest outstanding first."""
    items = list(gate_items().filter(case=case).select_related("team", "provider", "request"))
    items.sort(key=lambda item: (item.provider.name, item.team.name))
    return sorted(items, key=lambda item: item.outstanding_since)


def ready_to_draft_q():
    """Cases whose draft plan may be recorded now: being assessed (the case page offers "Record the
    draft plan" only then) and nothing holding the gate."""
    return Q(status=CaseStatus.ASSESSING) & ~Exists(gate_items().filter(case_id=OuterRef("pk")))

"""What counts as a response owed: the one definition every page, list, CSV and email reads.

Two answers are owed after an escalation (DOMAIN.md, steps 5 and 6):

- the DCO/DMO office's response to escalation 1, one per request: owed while it is not recorded and
  the request still has advice outstanding. Advice returned, or closed otherwise (will not be
  provided, removed, cancelled), closes what the letter asked for: once none is outstanding the
  response is no longer owed, however late it was (issue 23: the dashboard listed letters for advice
  returned months before, the Responses owed page did not);
- the head of service's answer to escalation 2, one per item: owed while the item is outstanding at
  escalation 2 and no outcome is recorded. Advice returned (or closed) answers it as well: the case
  page once said "Waiting for the head of service" for advice already returned.

Each rule is here twice, as a filter for querysets and as a test of one loaded row, and the tests
(tests/reports/test_counts_agree.py) hold every page's counts to the lists they link to.
"""

from django.db.models import Exists, OuterRef, Q

from advice.models import AdviceItem, ItemStatus, Stage

from .models import EscalationStage


def request_has_outstanding(request_field="request_id"):
    """Whether the request (an OuterRef to `request_field`) still has advice outstanding."""
    return Exists(AdviceItem.objects.filter(request_id=OuterRef(request_field), status=ItemStatus.OUTSTANDING))


def escalation_1_owed_q():
    """Escalations (stage 1) whose DCO/DMO office response is owed."""
    return Q(stage=EscalationStage.ESCALATION_1, responded_at__isnull=True, response_due_on__isnull=False) & Q(
        request_has_outstanding()
    )


def escalation_response_owed(escalation, *, has_outstanding: bool) -> bool:
    """The same rule for one loaded escalation (either stage), given whether its request still has
    advice outstanding. A chase asks for no response."""
    return (
        escalation.stage != EscalationStage.CHASE
        and escalation.responded_at is None
        and escalation.response_due_on is not None
        and has_outstanding
    )


def head_of_service_owed_q(prefix=""):
    """Advice items whose head of service's answer to escalation 2 is owed."""
    return Q(
        **{
            f"{prefix}status": ItemStatus.OUTSTANDING,
            f"{prefix}stage": Stage.ESCALATION_2,
            f"{prefix}head_of_service_responded_at__isnull": True,
        }
    )


def head_of_service_owed(item) -> bool:
    """The same rule for one loaded item (a model instance or a `.values()` row)."""

    def value(name):
        return item[name] if isinstance(item, dict) else getattr(item, name)

    return (
        value("status") == ItemStatus.OUTSTANDING
        and value("stage") == Stage.ESCALATION_2
        and value("head_of_service_responded_at") is None
    )

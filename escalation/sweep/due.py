"""What each LA has waiting, found by one probe for all the active LAs: a step with nothing waiting is
skipped, so an idle tick is a few statements for every LA together, not a dozen for each."""

from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone

from advice.exceptions import not_excepted_on
from advice.models import AdviceItem, ItemStatus
from ehc.models import Organisation, OrganisationKind

from ..approvals import approvals_overdue
from ..models import DigestSchedule, Escalation
from .digest import SPOC_SCHEDULE
from .promises import promises_passed
from .responses import responses_overdue


def las_with_work(today, now=None):
    """The active LAs with their settings and, from five index probes each (item_due_action,
    escalation_messages_pending, escalation_response_unnotified, item_promise_unnotified,
    letter_awaiting_approval), what is waiting; and whether the SPOC digests may be due (one row, the
    same for every LA)."""
    return (
        Organisation.objects.filter(kind=OrganisationKind.LOCAL_AUTHORITY, is_active=True)
        .select_related("la_settings")
        .annotate(
            items_due=Exists(
                AdviceItem.objects.filter(
                    local_authority_id=OuterRef("pk"), status=ItemStatus.OUTSTANDING, next_action_on__lte=today
                ).filter(not_excepted_on(today))
            ),
            messages_pending=Exists(
                Escalation.objects.filter(local_authority_id=OuterRef("pk"), messages_queued_at__isnull=True)
            ),
            # The first one in index order rather than EXISTS: with EXISTS the planner guesses that a
            # sequential scan finds a row early, and reads the whole table when there is none.
            first_response_unnotified=Subquery(
                responses_overdue(today)
                .filter(local_authority_id=OuterRef("pk"))
                .order_by("response_due_on", "id")
                .values("id")[:1]
            ),
            promises_due=Exists(promises_passed(today).filter(local_authority_id=OuterRef("pk"))),
            approvals_due=Exists(
                approvals_overdue(now or timezone.now()).filter(escalation__local_authority_id=OuterRef("pk"))
            ),
            spoc_digest_due=~Exists(
                DigestSchedule.objects.filter(name=SPOC_SCHEDULE, next_at__gt=now or timezone.now())
            ),
        )
        .order_by("pk")
    )

"""What became of advice, defined once for the audit and the monthly figures (decision 0006), and
the SQL they share: the advice and requests of a period, a median, a share."""

from django.db.models import Aggregate, F, FloatField, Func, IntegerField, Q
from django.db.models.functions import Coalesce

from advice.access import visible_advice_items, visible_advice_requests
from advice.exceptions import excepted_reason
from advice.models import ItemStatus, QualityCheck, QualityDecision


class Median(Aggregate):
    """percentile_cont(0.5): the median as PostgreSQL computes it (interpolating between the two
    middle values of an even count)."""

    function = "percentile_cont"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def days_between(start, end):
    """`end - start` in whole days: PostgreSQL's date minus date is an integer."""
    return Func(F(end), F(start), arg_joiner=" - ", template="(%(expressions)s)", output_field=IntegerField())


def share(part, whole):
    return round(100 * part / whole, 1) if whole else None


RETURNED = Q(status=ItemStatus.RETURNED)
# Returned on or before its due date: due_on is the notification date plus the LA's advice
# period (6 weeks unless an LA has set otherwise). Advice the LA sent back (advice.quality) has a new
# due_on and keeps the first in first_due_on; returned_on stays the first return's date: "within 6
# weeks" is measured on the first return, the send-back is counted apart (SENT_BACK below).
FIRST_DUE_ON = Coalesce(F("first_due_on"), F("due_on"))
WITHIN = RETURNED & Q(returned_on__lte=FIRST_DUE_ON)
LATE = RETURNED & ~Q(returned_on__lte=FIRST_DUE_ON)
NOT_PROVIDED = Q(status=ItemStatus.NOT_PROVIDED)
OUTSTANDING = Q(status=ItemStatus.OUTSTANDING)
WITHDRAWN = Q(status__in=[ItemStatus.REMOVED, ItemStatus.CANCELLED])
# Covered by an exception at some time (or marked under reg 8(2) on the item): still counted in every
# outcome above, and marked. Needs `excepted_reason`, which period_items annotates.
EXCEPTED = Q(excepted_reason__isnull=False)


def _sent_back(*conditions, **extra):
    # An IN over the send-backs rather than a correlated EXISTS: these filters sit inside aggregates.
    return Q(
        pk__in=QualityCheck.objects.filter(*conditions, decision=QualityDecision.SENT_BACK, **extra).values("item_id")
    )


def sent_back_q():
    """Advice the LA sent back at least once (advice.quality)."""
    return _sent_back()


def sent_back_late_q(today):
    """Advice sent back and not back by its new due date: back after it, or still not back after it
    (the send-back's own due date)."""
    return _sent_back(Q(back_on__gt=F("due_on")) | Q(back_on__isnull=True, due_on__lt=today))


def period_items(*, user, start, end, local_authority=None, provider=None):
    """The assessment's advice items asked for in the period (a review's are counted apart, by
    reports.selectors.review_health)."""
    items = (
        visible_advice_items(user)
        .for_assessment()
        .filter(request__notified_on__gte=start, request__notified_on__lte=end)
        .annotate(excepted_reason=excepted_reason())
    )
    if local_authority is not None:
        items = items.filter(local_authority_id=local_authority.pk)
    if provider is not None:
        items = items.filter(provider_id=provider.pk)
    return items


def period_requests(*, user, start, end, local_authority=None, provider=None):
    requests = visible_advice_requests(user).for_assessment().filter(notified_on__gte=start, notified_on__lte=end)
    if local_authority is not None:
        requests = requests.filter(local_authority_id=local_authority.pk)
    if provider is not None:
        requests = requests.filter(provider_id=provider.pk)
    return requests

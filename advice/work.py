"""The querysets behind the advice work lists: the SPOC's and the team's queues list their rows from
these, and the home page counts the very same ones (one definition of each count; decision 0037)."""

import datetime

from django.db.models import Count, Exists, OuterRef, Q

from .models import AdviceItem, AdviceRequest, ItemStatus

DUE_SOON_DAYS = 14


def spoc_awaiting_requests(*, provider):
    """The provider's requests awaiting acknowledgement (request_unacknowledged): the SPOC queue's list
    and the home page's count. A request whose case ended (nothing outstanding) needs no acknowledgement."""
    return AdviceRequest.objects.filter(provider=provider, acknowledged_at__isnull=True).filter(
        Exists(AdviceItem.objects.filter(request_id=OuterRef("pk"), status=ItemStatus.OUTSTANDING))
    )


def provider_outstanding_items(*, provider, team=None):
    """The provider's outstanding items, or one team's (item_provider_outstanding)."""
    items = AdviceItem.objects.filter(provider=provider, status=ItemStatus.OUTSTANDING)
    return items if team is None else items.filter(team=team)


def spoc_item_counts(*, provider, today: datetime.date, team=None) -> dict:
    """How many of provider_outstanding_items are due in the next 2 weeks and overdue: one query, for
    the SPOC queue's captions and the home page alike."""
    soon_until = today + datetime.timedelta(days=DUE_SOON_DAYS)
    return provider_outstanding_items(provider=provider, team=team).aggregate(
        due_soon=Count("pk", filter=Q(due_on__gte=today, due_on__lte=soon_until)),
        overdue=Count("pk", filter=Q(due_on__lt=today)),
    )


def team_outstanding_items(*, user, team=None):
    """The outstanding items of the practitioner's teams, or of one of them (item_team_outstanding):
    the team queue's list and the home page's count."""
    teams = user.teams.filter(provider_id=user.organisation_id)
    if team is not None:
        teams = teams.filter(pk=team.pk)
    return AdviceItem.objects.filter(
        status=ItemStatus.OUTSTANDING, provider_id=user.organisation_id, team_id__in=teams.values("pk")
    )


def drafts_started_items(*, user, team=None):
    """Of team_outstanding_items, those whose Appendix C draft the user started (saved first) and that
    are not yet returned: the team queue's "Drafts you started" (`?drafts=mine`) and the home page's
    count. A draft awaiting a lead's sign-off is still one (it is not returned)."""
    return team_outstanding_items(user=user, team=team).filter(return_draft__started_by=user)

"""A team lead's queue: the returns waiting for their sign-off (docs/decisions/0036-team-lead-sign-off.md).
Beside advice.selectors, which is at its size limit."""

from .drafts import DraftStatus, ReturnDraft
from .models import ItemStatus


def awaiting_sign_off(*, user) -> list[ReturnDraft]:
    """The returns waiting for the user's sign-off: those of the teams they lead (and still work for)."""
    return list(
        ReturnDraft.objects.filter(
            status=DraftStatus.AWAITING_SIGN_OFF,
            item__status__in=[ItemStatus.OUTSTANDING, ItemStatus.RETURNED],
            item__provider_id=user.organisation_id,
            item__team__in=user.teams_led.filter(members=user),
        )
        .select_related("item__case", "item__team", "item__request", "sent_by")
        .order_by("sent_at", "pk")
    )

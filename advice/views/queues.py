"""The SPOC's and the practitioner's work queues."""

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from ehc.access import can_act_as_spoc
from ehc.decorators import role_required
from ehc.models import OrganisationKind, Role

from .. import selectors
from .common import _page_links


@role_required(Role.SPOC, org_kind=OrganisationKind.HEALTH_PROVIDER)
@require_GET
def spoc_queue(request):
    """Four queries (tests/advice/test_queues.py): the three lists and their counts. The permission
    checks read the signed-in user's own row (ehc.access.can_act_as_spoc)."""
    provider = request.user.organisation
    if not can_act_as_spoc(request.user, provider):
        raise Http404
    today = timezone.localdate()
    keys = ("awaiting", "soon", "overdue")
    queue = selectors.spoc_queue(
        provider=provider, today=today, cursors={key: request.GET.get(key) for key in keys}
    )
    return render(
        request,
        "advice/spoc_queue.html",
        {
            "provider": provider,
            "today": today,
            "awaiting": _page_links(request, "awaiting", queue.awaiting_acknowledgement),
            "soon": _page_links(request, "soon", queue.due_soon, queue.due_soon_count),
            "overdue": _page_links(request, "overdue", queue.overdue, queue.overdue_count),
        },
    )


@role_required(Role.PRACTITIONER, org_kind=OrganisationKind.HEALTH_PROVIDER)
@require_GET
def team_queue(request):
    page = selectors.team_queue(user=request.user, cursor=request.GET.get("after"))
    return render(
        request,
        "advice/team_queue.html",
        {
            "today": timezone.localdate(),
            "teams": list(request.user.teams.filter(provider_id=request.user.organisation_id)),
            "items": _page_links(request, "after", page),
            "leads_a_team": request.user.teams_led.filter(members=request.user).exists(),
            "awaiting_count": len(selectors.awaiting_sign_off(user=request.user)),
        },
    )

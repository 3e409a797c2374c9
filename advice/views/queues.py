"""The SPOC's and the practitioner's work queues: each item list sorts by its columns and narrows
to one team, both kept in the URL (and in a saved filter)."""

from urllib.parse import urlencode

from django import forms
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from ehc.access import can_act_as_spoc
from ehc.decorators import role_required
from ehc.models import OrganisationKind, Role, Team

from .. import selectors, services
from ..ack_forms import TickedRequestsForm
from ..sign_off_queue import awaiting_sign_off
from .common import _page_links

# The ticking form's button: its name in the queue's query says the ticks were submitted.
ACKNOWLEDGE = "acknowledge"
# The team queue's `drafts` value for the drafts the user started (advice.work.drafts_started_items).
DRAFTS_MINE = "mine"


class QueueFilterForm(forms.Form):
    team = forms.ModelChoiceField(
        queryset=Team.objects.none(),
        required=False,
        label="Team",
        empty_label="All teams",
        error_messages={"invalid_choice": "Select a team from the list"},
    )

    def __init__(self, data, *, teams):
        super().__init__(data)
        self.fields["team"].queryset = teams.order_by("name")
        # The team's own name: str(team) names its provider too, a query per team.
        self.fields["team"].label_from_instance = lambda team: team.name


def _filters(request, teams):
    """The form, the team chosen (None for a bad or no choice: the whole queue, with the error
    shown) and the order."""
    form = QueueFilterForm(request.GET, teams=teams)
    team = form.cleaned_data.get("team") if form.is_valid() else None
    return form, team, selectors.queue_sort(request.GET.get("sort"))


@role_required(Role.SPOC, org_kind=OrganisationKind.HEALTH_PROVIDER)
@require_GET
def spoc_queue(request):
    """Six queries (tests/advice/test_queues.py): the three lists, their counts, the team filter's
    choices and the saved filters. The permission checks read the signed-in user's own row
    (ehc.access.can_act_as_spoc).

    "Acknowledge selected requests" submits the ticks here: a good choice goes on to the page of their
    questions (acknowledge_several); none, or too many, is this page again with the error summary, the
    error on the checkboxes and the same boxes ticked."""
    provider = request.user.organisation
    if not can_act_as_spoc(request.user, provider):
        raise Http404
    ticks = None
    if ACKNOWLEDGE in request.GET:
        ticks = TickedRequestsForm(request.GET, at_most=services.ACKNOWLEDGE_AT_ONCE)
        if ticks.is_valid():
            query = urlencode([("request", pk) for pk in ticks.cleaned_data["request"]])
            return redirect(f"{reverse('advice:acknowledge_several')}?{query}")
        # The page's own links (headers, pages, filters, saved filters) are built from the query:
        # they keep its order, filter and page, not the refused submission.
        kept = request.GET.copy()
        for name in (ACKNOWLEDGE, "request"):
            kept.pop(name, None)
        request.GET = kept
    form, team, sort = _filters(request, Team.objects.filter(provider=provider))
    sort_awaiting = selectors.awaiting_sort(request.GET.get("sort"))
    today = timezone.localdate()
    keys = ("awaiting", "soon", "overdue")
    queue = selectors.spoc_queue(
        provider=provider,
        today=today,
        cursors={key: request.GET.get(key) for key in keys},
        sort=sort,
        team=team,
        sort_awaiting=sort_awaiting,
    )
    # The one `sort` both orders came from, kept by the filter form when either is not its default.
    sort_kept = (
        sort.value if sort.value != "due" else (sort_awaiting.value if sort_awaiting.value != "notified" else "")
    )
    return render(
        request,
        "advice/spoc_queue.html",
        {
            "provider": provider,
            "today": today,
            "form": form,
            "sort": sort,
            "sort_awaiting": sort_awaiting,
            "sort_kept": sort_kept,
            "cursors": ",".join(keys),
            "awaiting": _page_links(request, "awaiting", queue.awaiting_acknowledgement),
            "soon": _page_links(request, "soon", queue.due_soon, queue.due_soon_count),
            "overdue": _page_links(request, "overdue", queue.overdue, queue.overdue_count),
            "at_once": services.ACKNOWLEDGE_AT_ONCE,
            "ticks": ticks,
            "ticked": ticks.ticked() if ticks is not None else [],
            "kept_query": [(key, value) for key, values in request.GET.lists() for value in values],
        },
    )


@role_required(Role.PRACTITIONER, org_kind=OrganisationKind.HEALTH_PROVIDER)
@require_GET
def team_queue(request):
    teams = request.user.teams.filter(provider_id=request.user.organisation_id)
    form, team, sort = _filters(request, teams)
    # "Drafts you started" (`?drafts=mine`): the home page's count of them links here.
    drafts = request.GET.get("drafts") == DRAFTS_MINE
    page = selectors.team_queue(user=request.user, cursor=request.GET.get("after"), sort=sort, team=team, drafts=drafts)
    caption = "Drafts you started" if drafts else "Advice to write"
    return render(
        request,
        "advice/team_queue.html",
        {
            "today": timezone.localdate(),
            "teams": list(teams.order_by("name")),
            "form": form,
            "sort": sort,
            "cursors": "after",
            "caption": f"{caption}, by due date" if sort.value == "due" else caption,
            "drafts": drafts,
            "drafts_mine": DRAFTS_MINE,
            "items": _page_links(request, "after", page),
            "leads_a_team": request.user.teams_led.filter(members=request.user).exists(),
            "awaiting_count": len(awaiting_sign_off(user=request.user)),
        },
    )

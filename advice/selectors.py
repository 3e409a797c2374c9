"""Reads for the advice pages: what a viewer may open, the SPOC and team queues (keyset-paginated,
a fixed number of queries however long they grow), the drafting gate and the case page's section."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q

from assessments.models import CaseStatus, DraftComment, DraftPlan
from assessments.selectors import Page, decode_cursor
from ehc.access import can_act_as_spoc, visible_advice_items, visible_advice_requests
from ehc.models import Organisation, OrganisationKind, Role, Team

from .models import AdviceItem, AdviceRequest, ItemStatus

PAGE_SIZE = 25
DUE_SOON_DAYS = 14
LA_EDITORS = (Role.CASE_OFFICER, Role.BUSINESS_SUPPORT)
# Health advice is asked for from the request until the draft plan; not after the case ends.
REQUESTABLE_CASE_STATUSES = {CaseStatus.AWAITING_DECISION, CaseStatus.ASSESSING}


def advice_items_for(user):
    """The advice items a user may open, with the advice returned on them.

    `ehc.access.visible_advice_items` gives an LA and a DCO the items of their cases, a provider's
    SPOC (and head of service) all of that provider's items, and a practitioner their own teams'.
    Professionals on the same case see each other's advice (the CDC's ask) within one provider:
    a practitioner also sees the other teams' items of their own provider on a case where one of
    their teams is involved (has an item the SPOC did not remove). A second provider's items stay
    hidden from the first, on the same case too: the LA, who sees every provider's advice, is the
    one who shares across providers. The draft plan's health sections are shared separately, with
    every team that gave advice (`draft_teams_for`).
    """
    items = visible_advice_items(user)
    if (
        not user.is_authenticated
        or not user.is_provider_user
        or user.has_role(Role.SPOC, Role.HEAD_OF_SERVICE, Role.ADMINISTRATOR)
    ):
        return items
    my_teams = user.teams.filter(provider_id=user.organisation_id).values("pk")
    involved = AdviceItem.objects.filter(
        case_id=OuterRef("case_id"), provider_id=user.organisation_id, team_id__in=my_teams
    ).exclude(status=ItemStatus.REMOVED)
    # Subqueries rather than a join through team members: a join would repeat each row per member.
    return AdviceItem.objects.filter(provider_id=user.organisation_id).filter(
        Q(team_id__in=my_teams) | Exists(involved)
    )


def may_answer_for_la(user, item) -> bool:
    """LA case officers and business support may record 'not provided' or an exception for their
    LA's items: health sometimes tells the LA rather than the system."""
    return user.has_role(*LA_EDITORS) and user.organisation_id == item.local_authority_id


def _keyset(queryset, date_field, cursor, page_size) -> Page:
    """One page ordered by (date, id), continuing after the cursor 'YYYY-MM-DD.id'."""
    position = decode_cursor(cursor)
    if position and position[0] is not None:
        date, last_id = position
        queryset = queryset.filter(
            Q(**{f"{date_field}__gt": date}) | Q(**{date_field: date, "id__gt": last_id})
        )
    else:
        position = None
    rows = list(queryset.order_by(date_field, "id")[: page_size + 1])
    next_cursor = None
    if len(rows) > page_size:
        rows = rows[:page_size]
        next_cursor = f"{getattr(rows[-1], date_field).isoformat()}.{rows[-1].id}"
    return Page(rows=rows, next_cursor=next_cursor, has_previous=position is not None)


@dataclass
class SpocQueue:
    awaiting_acknowledgement: Page
    due_soon: Page
    overdue: Page


def spoc_queue(*, provider, today: datetime.date, cursors=None, page_size=PAGE_SIZE) -> SpocQueue:
    """A SPOC's work: requests awaiting acknowledgement, items due in the next 2 weeks, overdue items.
    Three queries whatever the numbers, each served by a partial index on provider."""
    cursors = cursors or {}
    # request_unacknowledged; a request whose case ended (nothing outstanding) needs no acknowledgement.
    awaiting = (
        AdviceRequest.objects.filter(provider=provider, acknowledged_at__isnull=True)
        .filter(Exists(AdviceItem.objects.filter(request_id=OuterRef("pk"), status=ItemStatus.OUTSTANDING)))
        .select_related("case", "local_authority")
    )
    # item_provider_outstanding
    items = AdviceItem.objects.filter(provider=provider, status=ItemStatus.OUTSTANDING).select_related(
        "case", "team", "local_authority", "request"
    )
    return SpocQueue(
        awaiting_acknowledgement=_keyset(awaiting, "notified_on", cursors.get("awaiting"), page_size),
        due_soon=_keyset(
            items.filter(due_on__gte=today, due_on__lte=today + datetime.timedelta(days=DUE_SOON_DAYS)),
            "due_on",
            cursors.get("soon"),
            page_size,
        ),
        overdue=_keyset(items.filter(due_on__lt=today), "due_on", cursors.get("overdue"), page_size),
    )


def team_queue(*, user, cursor=None, page_size=PAGE_SIZE) -> Page:
    """The outstanding items of the practitioner's teams by due date (item_team_outstanding)."""
    items = AdviceItem.objects.filter(
        status=ItemStatus.OUTSTANDING,
        provider_id=user.organisation_id,
        team_id__in=user.teams.filter(provider_id=user.organisation_id).values("pk"),
    ).select_related("case", "team", "request")
    return _keyset(items, "due_on", cursor, page_size)


def draft_gate_outstanding(*, case) -> list[AdviceItem]:
    """The tracked items that hold the draft plan back: every item still outstanding, excepted ones too
    (an exception excuses lateness, not the advice)."""
    items = list(
        AdviceItem.objects.filter(case=case, status=ItemStatus.OUTSTANDING)
        .select_related("team", "provider", "request")
        .order_by("provider__name", "team__name")
    )
    return sorted(items, key=lambda item: item.outstanding_since)


def draft_advice_teams(*, case) -> list[Team]:
    """The teams that gave advice on the case: they see sections C and G of the draft and may comment."""
    return list(
        Team.objects.filter(advice_items__case=case, advice_items__status=ItemStatus.RETURNED)
        .select_related("provider")
        .distinct()
        .order_by("provider__name", "name")
    )


def draft_teams_for(*, user, case) -> list[Team]:
    """The teams a user may comment for: of those that gave advice, their own teams, or every team of
    their provider if they act as its SPOC."""
    if not user.is_authenticated or not user.is_active or not user.is_provider_user:
        return []
    teams = [team for team in draft_advice_teams(case=case) if team.provider_id == user.organisation_id]
    if can_act_as_spoc(user, user.organisation):
        return teams
    mine = set(user.teams.values_list("pk", flat=True))
    return [team for team in teams if team.pk in mine]


@dataclass
class CaseAdvicePanel:
    requests: list = field(default_factory=list)
    gate_items: list = field(default_factory=list)
    sees_all: bool = False
    can_request: bool = False
    can_record_draft: bool = False
    draft_plan: DraftPlan | None = None
    draft_visible: bool = False
    comments: list = field(default_factory=list)
    comment_teams: list = field(default_factory=list)
    comments_open: bool = False
    comment_form: object = None  # set by the template tag: forms are not a selector's business


def case_advice_panel(
    *, case, user, today: datetime.date, requests=None, items=None, can_request=None, comments=None
) -> CaseAdvicePanel:
    """Everything the case page's health advice section shows this user, in a handful of queries.

    The case page (assessments.selectors.case_page) passes what it read with the case: the visible
    requests, the user's items of the case (ordered by team name), whether a provider is left to ask
    and the draft plan's comments; the draft plan comes select_related on the case. Anything not
    passed is read here.
    """
    org = user.organisation
    is_la = org is not None and org.pk == case.local_authority_id
    is_icb = org is not None and org.kind == OrganisationKind.ICB
    panel = CaseAdvicePanel(sees_all=is_la or is_icb)
    if requests is None:
        requests = list(visible_advice_requests(user).filter(case=case).select_related("provider"))
    # Newest first, then by provider: the requests' own ordering under the sort by provider name.
    requests = sorted(requests, key=lambda request: (request.notified_on, request.pk), reverse=True)
    panel.requests = sorted(requests, key=lambda request: request.provider.name)
    if items is None:
        items = list(
            advice_items_for(user)
            .filter(case=case)
            .select_related("team", "provider", "request", "advice_return")
            .order_by("team__name", "id")
        )
    for advice_request in panel.requests:
        advice_request.visible_items = [item for item in items if item.request_id == advice_request.pk]
    if panel.sees_all:
        panel.gate_items = sorted((item for item in items if item.is_outstanding), key=lambda i: i.outstanding_since)
    editor = is_la and user.has_role(*LA_EDITORS)
    if editor and case.status in REQUESTABLE_CASE_STATUSES:
        if can_request is None:
            can_request = (
                Organisation.objects.filter(
                    kind=OrganisationKind.HEALTH_PROVIDER, is_active=True, served_las=case.local_authority_id
                )
                .exclude(advice_requests__case=case)
                .exists()
            )
        panel.can_request = can_request
    panel.can_record_draft = editor and case.status == CaseStatus.ASSESSING
    if type(case).draft_plan.is_cached(case):
        panel.draft_plan = getattr(case, "draft_plan", None)
    else:
        panel.draft_plan = DraftPlan.objects.filter(case=case).select_related("recorded_by").first()
    if panel.draft_plan is None:
        return panel
    panel.comment_teams = draft_teams_for(user=user, case=case)
    panel.draft_visible = panel.sees_all or bool(panel.comment_teams)
    if not panel.draft_visible:
        return panel
    if comments is None:
        comments = list(DraftComment.objects.filter(draft_plan=panel.draft_plan).select_related("author", "team"))
    if not panel.sees_all:
        # Health staff see their own provider's comments; another provider's may carry its health details.
        comments = [c for c in comments if c.team is not None and c.team.provider_id == user.organisation_id]
    panel.comments = list(comments)
    panel.comments_open = bool(panel.comment_teams) and panel.draft_plan.comments_open(today)
    return panel

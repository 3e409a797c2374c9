"""Reads for the advice pages: the SPOC and team queues (keyset-paginated,
a fixed number of queries however long they grow), the drafting gate and the case page's section."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone

from assessments.models import CaseStatus, DraftComment, DraftPlan
from ehc.access import can_act_as_spoc, can_return_for_team, is_team_lead
from ehc.models import Organisation, OrganisationKind, Role, Team
from ehc.pagination import PAGE_SIZE, Page
from ehc.sorting import SURNAME_WORDS, SortKey, sort_read, sorted_page, text_key

from .access import advice_items_for, visible_advice_requests
from .drafts import ReturnDraft
from .exceptions import EXCEPTION_REASON_LABELS, excepted_on, excepted_reason
from .gate import holds_gate
from .models import ItemStatus, Stage, service_labels
from .querysets import ReviewLabelled
from .work import (
    DUE_SOON_DAYS,
    drafts_started_items,
    provider_outstanding_items,
    spoc_awaiting_requests,
    spoc_item_counts,
    team_outstanding_items,
)

LA_EDITORS = (Role.CASE_OFFICER, Role.BUSINESS_SUPPORT)
# Health advice is asked for from the request until the draft plan; not after the case ends.
REQUESTABLE_CASE_STATUSES = {CaseStatus.AWAITING_DECISION, CaseStatus.ASSESSING}


def may_answer_for_la(user, item) -> bool:
    """LA case officers and business support may record 'not provided' or an exception for their
    LA's items: health sometimes tells the LA rather than the system."""
    return user.has_role(*LA_EDITORS) and user.organisation_id == item.local_authority_id


# The queues are read as plain rows, not model instances: a page holds up to 150 rows, and building
# four model instances per row (item, case, team, request, each with every column) cost more than the
# queries. A row holds what the queue tables show (templates/advice/_queue_items.html, spoc_queue.html).


_STAGE_LABELS = dict(Stage.choices)
# As the pages' |date:"j M Y" writes them (LANGUAGE_CODE en-gb).
_MONTHS = (None, "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_URL_MARKER = 987654321987
_url_patterns = {}


def _row_url(view_name, pk):
    """reverse() costs tens of microseconds and a queue page links up to 150 rows: each view's
    pattern is reversed once, with a marker id, and each row's id is put in its place."""
    key = (view_name, get_script_prefix(), get_urlconf())
    parts = _url_patterns.get(key)
    if parts is None:
        parts = _url_patterns[key] = reverse(view_name, args=[_URL_MARKER]).split(str(_URL_MARKER))
    return str(pk).join(parts)


def _short_date(value):
    return f"{value.day} {_MONTHS[value.month]} {value.year}"


@dataclass(slots=True)
class QueueItem(ReviewLabelled):
    """An outstanding advice item as the SPOC and team queues list it."""

    pk: int
    due_on: datetime.date
    stage: str
    exception_reason: str
    request_id: int
    case_reference: str
    child_first_name: str
    child_last_name: str
    team_name: str
    request_acknowledged_at: datetime.datetime | None
    # An exception covers it today (advice.exceptions): nobody chases it until the exception ends.
    clock_stopped: bool = False
    # The team has saved a draft of its return (advice.drafts): only these queues, the team's, show it.
    has_draft: bool = False
    # A review's report: the meeting it is for (read in the same query, through the item's review).
    review_id: int | None = None
    review_meeting_on: datetime.date | None = None

    COLUMNS = (
        "pk",
        "due_on",
        "stage",
        # The reason it is marked excepted (advice.exceptions.excepted_reason), or None.
        "excepted",
        "request_id",
        "case__reference",
        "case__child__first_name",
        "case__child__last_name",
        "team__name",
        "request__acknowledged_at",
        "clock_stopped",
        "has_draft",
        "review_id",
        "review__meeting_on",
    )

    @classmethod
    def rows(cls, items, today):
        return items.annotate(
            excepted=excepted_reason(),
            clock_stopped=excepted_on(today),
            has_draft=Exists(ReturnDraft.objects.filter(item_id=OuterRef("pk"))),
        ).values_list(*cls.COLUMNS)

    @property
    def child_name(self):
        return f"{self.child_first_name} {self.child_last_name}"

    @property
    def stage_label(self):
        return _STAGE_LABELS.get(self.stage, self.stage)

    @property
    def url(self):
        return _row_url("advice:item_detail", self.pk)

    @property
    def due_label(self):
        return _short_date(self.due_on)

    @property
    def is_excepted(self):
        return bool(self.exception_reason)

    @property
    def exception_label(self):
        return EXCEPTION_REASON_LABELS.get(self.exception_reason, "")

    @property
    def request_acknowledged(self):
        return self.request_acknowledged_at is not None


@dataclass(slots=True)
class AwaitingRequest(ReviewLabelled):
    """A request for health advice awaiting the SPOC's acknowledgement, as the SPOC queue lists it."""

    pk: int
    notified_on: datetime.date
    due_on: datetime.date
    services_named: list
    case_reference: str
    child_first_name: str
    child_last_name: str
    local_authority_name: str
    local_authority_short_name: str
    review_id: int | None = None
    review_meeting_on: datetime.date | None = None

    COLUMNS = (
        "pk",
        "notified_on",
        "due_on",
        "services_named",
        "case__reference",
        "case__child__first_name",
        "case__child__last_name",
        "local_authority__name",
        "local_authority__short_name",
        "review_id",
        "review__meeting_on",
    )

    @property
    def child_name(self):
        return f"{self.child_first_name} {self.child_last_name}"

    @property
    def url(self):
        return _row_url("advice:request_detail", self.pk)

    @property
    def notified_label(self):
        return _short_date(self.notified_on)

    @property
    def due_label(self):
        return _short_date(self.due_on)

    @property
    def local_authority_label(self):
        return self.local_authority_short_name or self.local_authority_name

    @property
    def services_named_labels(self):
        return service_labels(self.services_named)


@dataclass
class SpocQueue:
    awaiting_acknowledgement: Page
    due_soon: Page
    overdue: Page
    due_soon_count: int
    overdue_count: int


# The queues' item lists sort by these (?sort=-team); by due date unless asked. The others sort one
# provider's or one team's outstanding items, already narrowed by the partial indexes.
QUEUE_SORT_KEYS = (
    SortKey("due", "due_on"),
    text_key("case", "case__reference", nullable=True),
    text_key("child", "case__child__last_name", **SURNAME_WORDS),
    text_key("team", "team__name"),
)


def queue_sort(value):
    return sort_read(value, QUEUE_SORT_KEYS, "due")


# The requests awaiting acknowledgement sort by these, on the same `sort` as the item lists (a key
# only one table has leaves the other in its default order); by the day the provider was told.
AWAITING_SORT_KEYS = (
    SortKey("notified", "notified_on"),
    SortKey("due", "due_on"),
    text_key("case", "case__reference"),
    text_key("child", "case__child__last_name", **SURNAME_WORDS),
    text_key("la", "local_authority__name"),
)


def awaiting_sort(value):
    return sort_read(value, AWAITING_SORT_KEYS, "notified")


def spoc_queue(
    *, provider, today: datetime.date, cursors=None, page_size=PAGE_SIZE, sort=None, team=None, sort_awaiting=None
) -> SpocQueue:
    """A SPOC's work: requests awaiting acknowledgement, items due in the next 2 weeks, overdue items,
    with how many items each item list holds (of one team, given `team`). Four queries whatever the
    numbers, each served by a partial index on provider."""
    cursors, sort = cursors or {}, sort or queue_sort(None)
    soon = {"due_on__gte": today, "due_on__lte": today + datetime.timedelta(days=DUE_SOON_DAYS)}
    awaiting = spoc_awaiting_requests(provider=provider).values_list(*AwaitingRequest.COLUMNS)
    listed = QueueItem.rows(provider_outstanding_items(provider=provider, team=team), today)
    counts = spoc_item_counts(provider=provider, today=today, team=team)
    return SpocQueue(
        awaiting_acknowledgement=sorted_page(
            awaiting, sort_awaiting or awaiting_sort(None), cursors.get("awaiting"), page_size, row=AwaitingRequest
        ),
        due_soon=sorted_page(listed.filter(**soon), sort, cursors.get("soon"), page_size, row=QueueItem),
        overdue=sorted_page(listed.filter(due_on__lt=today), sort, cursors.get("overdue"), page_size, row=QueueItem),
        due_soon_count=counts["due_soon"],
        overdue_count=counts["overdue"],
    )


def team_queue(*, user, cursor=None, page_size=PAGE_SIZE, today=None, sort=None, team=None, drafts=False) -> Page:
    """team_outstanding_items (or, with `drafts`, drafts_started_items) by due date unless `sort` says."""
    listed = (drafts_started_items if drafts else team_outstanding_items)(user=user, team=team)
    items = QueueItem.rows(listed, today or timezone.localdate())
    return sorted_page(items, sort or queue_sort(None), cursor, page_size, row=QueueItem)


def return_draft_for(*, user, item) -> ReturnDraft | None:
    """The team's draft of an outstanding item (or the next version of returned advice), for those who
    may return it and the team's leads (nobody else sees it, nor a return awaiting sign-off)."""
    if item.status not in (ItemStatus.OUTSTANDING, ItemStatus.RETURNED):
        return None
    if not (can_return_for_team(user, item.team) or is_team_lead(user, item.team)):
        return None
    return ReturnDraft.objects.filter(item=item).select_related("saved_by", "sent_by", "sent_back_by").first()


def superseded_returns(*, item) -> list:
    """The versions of an item's advice that amendments or the LA's send-backs (advice.quality) replaced,
    newest first, with their documents. Advice sent back is outstanding and keeps its earlier versions."""
    if item.status not in (ItemStatus.RETURNED, ItemStatus.OUTSTANDING):
        return []
    return list(
        item.superseded_returns.select_related("returned_by").prefetch_related("more_documents").order_by("-version")
    )


def return_draft_initial(*, item) -> dict:
    """What the return form opens with: the team's draft, as it was saved, or nothing yet."""
    draft = ReturnDraft.objects.filter(item=item).first()
    if draft is None:
        return {"draft_revision": 0}
    initial = {**draft.content(), "draft_revision": draft.revision}
    if draft.returned_on is not None:
        initial["returned_on"] = draft.returned_on
    return initial


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
        # The drafting gate as advice.gate defines it (the case's items holding it back), of the items
        # read for the page: who sees all of them sees the gate the draft plan's service checks.
        panel.gate_items = sorted((item for item in items if holds_gate(item)), key=lambda i: i.outstanding_since)
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

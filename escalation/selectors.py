"""Reads the escalation pages, the digest and the case page share. Flags are computed from dates
(escalation.rules explains why nothing needs storing for them)."""

import datetime

from django.db.models import Count, F, Q, Window
from django.db.models.functions import RowNumber

from advice.access import visible_advice_items, visible_advice_requests
from advice.exceptions import not_excepted_on
from advice.models import AdviceItem, ItemStatus, Stage
from ehc.delivery import undelivered_q
from ehc.models import OutboundEmail, Role
from ehc.pagination import PAGE_SIZE, Page
from ehc.sorting import SURNAME_WORDS, SortKey, sort_read, sorted_page, sorted_queryset, text_key

from .access import answerable_teams, may_download, resolvable_items, respondable_escalations
from .models import Escalation, Letter, StageChange
from .owed import escalation_1_owed_q, escalation_response_owed, head_of_service_owed, request_has_outstanding


class Flag:
    HEAD_OF_SERVICE_OVERDUE = "Head of service response overdue"
    PROMISE_PASSED = "Promised date passed"
    EXCEPTED = "Exception recorded"


def _value(row, name):
    return row[name] if isinstance(row, dict) else getattr(row, name)


def item_flags(row, today: datetime.date) -> list[str]:
    """The flags of an outstanding item (a model instance or a `.values()` row)."""
    flags = []
    due = _value(row, "head_of_service_response_due_on")
    if (
        _value(row, "stage") == Stage.ESCALATION_2
        and _value(row, "head_of_service_responded_at") is None
        and due is not None
        and today > due
    ):
        flags.append(Flag.HEAD_OF_SERVICE_OVERDUE)
    promised = _value(row, "promised_on")
    if promised is not None and today > promised:
        flags.append(Flag.PROMISE_PASSED)
    if _value(row, "exception_reason"):
        flags.append(Flag.EXCEPTED)
    return flags


DIGEST_FIELDS = (
    "id",
    "provider_id",
    "case_id",
    "case__reference",
    "team__name",
    "due_on",
    "stage",
    "promised_on",
    "head_of_service_response_due_on",
    "head_of_service_responded_at",
    "exception_reason",
    # A review's report says which meeting it is for (review in item_la_outstanding's INCLUDE).
    "review_id",
    "review__meeting_on",
)
STAGE_LABELS = dict(Stage.choices)


def digest_rows(*, la_id, today: datetime.date, per_provider: int | None = None) -> list[dict]:
    """Every overdue item of the LA, oldest first: references, teams and dates only, never a child's
    name. The item columns are all in item_la_outstanding (INCLUDE), so the LA's list is an
    index-only range; only the case reference and the team name are looked up per row.

    With `per_provider`, only the first `per_provider` of each provider's list, each row carrying
    the full length of its list as `overdue_count`: what an email that shows the oldest N and says
    how many more needs, numbered and counted by PostgreSQL (window functions) rather than by
    loading every row. Items an exception covers today are left out (decision 0017)."""
    items = AdviceItem.objects.filter(
        local_authority_id=la_id, status=ItemStatus.OUTSTANDING, due_on__lt=today
    ).filter(not_excepted_on(today))
    fields = DIGEST_FIELDS
    if per_provider is not None:
        each_provider = {"partition_by": [F("provider_id")]}
        items = items.annotate(
            position=Window(RowNumber(), order_by=[F("due_on").asc(), F("id").asc()], **each_provider),
            overdue_count=Window(Count("id"), **each_provider),
        ).filter(position__lte=per_provider)
        fields = (*fields, "overdue_count")
    rows = list(items.order_by("due_on", "id").values(*fields))
    for row in rows:
        row["days_overdue"] = (today - row["due_on"]).days
        row["stage_label"] = STAGE_LABELS[row["stage"]]
    return rows


# Pages
#
# Each list's sortable columns (?sort=...) and its default order. The lists are one provider's teams'
# escalations or one ICB's owed responses: small sets once filtered, sorted in memory by PostgreSQL.

HOS_SORT_KEYS = (
    SortKey("response", "head_of_service_response_due_on", nullable=True),
    text_key("reference", "case__reference", nullable=True),
    text_key("child", "case__child__last_name", **SURNAME_WORDS),
    text_key("team", "team__name"),
    SortKey("due", "due_on"),
    SortKey("escalated", "escalation_2_on", nullable=True),
)
OWED_SORT_KEYS = (
    SortKey("due", "response_due_on", nullable=True),
    text_key("reference", "request__case__reference", nullable=True),
    text_key("la", "local_authority__name"),
    text_key("provider", "provider__name"),
    SortKey("letter", "issued_on", nullable=True),
)
RESOLUTION_SORT_KEYS = (
    SortKey("due", "next_action_on", nullable=True),
    text_key("reference", "case__reference", nullable=True),
    text_key("la", "local_authority__name"),
    text_key("provider", "provider__name"),
    text_key("team", "team__name"),
    SortKey("escalation1", "escalation_1_on", nullable=True),
)
LETTER_SORT_KEYS = (
    SortKey("dated", "dated"),
    text_key("from", "escalation__local_authority__name"),
    text_key("reference", "escalation__request__case__reference", nullable=True),
    SortKey("required", "escalation__response_due_on", nullable=True),
)
# The AD Education's letters to approve (escalation.approvals.approvals_page): by the time approval is
# due by default (index letter_awaiting_approval), a working day after the letter was written.
APPROVAL_SORT_KEYS = (
    SortKey("due", "approval_due_at", kind="datetime", ascending_words="oldest first", descending_words="newest first"),
    text_key("reference", "escalation__request__case__reference", nullable=True),
    text_key("provider", "escalation__provider__name"),
)
SORTS = {
    "letters": (LETTER_SORT_KEYS, "-dated"),
    "approvals": (APPROVAL_SORT_KEYS, "due"),
    "hos": (HOS_SORT_KEYS, "response"),
    "owed": (OWED_SORT_KEYS, "due"),
    "resolutions": (RESOLUTION_SORT_KEYS, "due"),
}


def list_sort(kind, value):
    """The Sort of one of these lists from `?sort=`; anything unknown is the list's default."""
    keys, default = SORTS[kind]
    return sort_read(value, keys, default)


def hos_queue_items(*, user):
    """Outstanding items escalated inside health for the user's teams: the heads of service's queue
    and the home page's count."""
    return AdviceItem.objects.filter(
        status=ItemStatus.OUTSTANDING, stage=Stage.ESCALATION_2, team__in=answerable_teams(user)
    )


def hos_queue(*, user, today, cursor=None, page_size=PAGE_SIZE, sort=None) -> Page:
    """hos_queue_items by response due date unless `sort` says otherwise (keyset)."""
    items = hos_queue_items(user=user).select_related("team", "case__child", "local_authority")
    page = sorted_page(items, sort or list_sort("hos", None), cursor, page_size)
    for item in page.rows:
        item.flags = item_flags(item, today)
        item.response_overdue = Flag.HEAD_OF_SERVICE_OVERDUE in item.flags
    return page


def responses_owed_escalations(*, user):
    """The DCO's escalation 1 letters whose response is owed (escalation.owed): the Responses owed
    page and the home page's count."""
    return respondable_escalations(user).filter(escalation_1_owed_q())


def responses_owed(*, user, today, limit=200, sort=None) -> list:
    """Escalation 1 letters of the DCO's area still waiting for the DCO's response, oldest due first
    unless `sort` says otherwise (index escalation_response_owed). Requests whose advice is all in
    owe nothing."""
    owed = (
        responses_owed_escalations(user=user)
        .select_related("request__case", "provider", "local_authority", "letter")
        .defer("letter__pdf", "letter__content")
    )
    rows = list(sorted_queryset(owed, sort or list_sort("owed", None))[:limit])
    for escalation in rows:
        escalation.overdue = escalation.response_overdue(today)
    return rows


def escalation_2_due_items(*, user):
    """Advice of the DCO's area at escalation 1 with an escalation 2 date: the page's list and the
    home page's count."""
    return resolvable_items(user).filter(next_action_on__isnull=False)


def escalation_2_due(*, user, limit=200, sort=None) -> list:
    """Advice of the DCO's area at escalation 1, by the date escalation 2 falls due (its next action)
    unless `sort` says otherwise: what a resolution recorded now would stop."""
    items = (
        escalation_2_due_items(user=user)
        .select_related("case__child", "provider", "local_authority", "team")
    )
    return list(sorted_queryset(items, sort or list_sort("resolutions", None))[:limit])


def failing_emails(*, user, limit=50) -> list:
    """Emails that keep failing to send or were not delivered (ehc.delivery.undelivered_q, the
    dashboard's definition too), for the cases of the DCO's area."""
    if not user.is_authenticated or not user.is_icb_user or not user.has_role(Role.DCO):
        return []
    return list(
        OutboundEmail.objects.filter(undelivered_q(), case__local_authority__icb_id=user.organisation_id)
        .select_related("case__child")
        .order_by("created_at")[:limit]
    )


def case_escalations(*, case, user, today, escalations=None, stage_changes=None, escalated_items=None) -> dict:
    """The escalation part of a case page, as far as the user may see it: a fixed number of queries.

    The case page (assessments.selectors.case_page) reads these lists with the case itself and passes
    them, each as this function would load it (escalations annotated `has_outstanding`, with
    `letter_row`); whatever is not passed is loaded here."""
    if escalations is None:
        requests = visible_advice_requests(user).filter(case=case)
        escalations = list(
            Escalation.objects.filter(request__in=requests)
            .annotate(has_outstanding=request_has_outstanding())
            .select_related("provider", "local_authority", "responded_by")
            .order_by("issued_on", "id")
        )
        letters = {
            letter.escalation_id: letter
            for letter in Letter.objects.filter(escalation__in=[e.pk for e in escalations]).defer("pdf", "content")
        }
        for escalation in escalations:
            escalation.letter_row = letters.get(escalation.pk)
    respondable = set(respondable_escalations(user).filter(request__case=case).values_list("pk", flat=True))
    for escalation in escalations:
        escalation.can_download = escalation.letter_row is not None and may_download(
            user, escalation, escalation.letter_row
        )
        escalation.can_respond = escalation.pk in respondable and escalation.responded_at is None
        escalation.owed = escalation_response_owed(escalation, has_outstanding=escalation.has_outstanding)
        escalation.overdue = escalation.owed and escalation.response_overdue(today)
    items = visible_advice_items(user).filter(case=case)
    if stage_changes is None:
        stage_changes = list(
            StageChange.objects.filter(item__in=items).select_related("item__team").order_by("on", "id")
        )
    if escalated_items is None:
        escalated_items = list(
            items.filter(Q(stage=Stage.ESCALATION_2) | Q(head_of_service_responded_at__isnull=False))
            .select_related("team", "head_of_service_responded_by")
            .order_by("team__name")
        )
    answerable = set(answerable_teams(user).values_list("pk", flat=True)) if user.is_provider_user else set()
    for item in escalated_items:
        item.flags = item_flags(item, today) if item.is_outstanding else []
        item.head_of_service_owed = head_of_service_owed(item)
        item.can_answer = item.is_outstanding and item.team_id in answerable
    return {
        "escalations": escalations,
        "stage_changes": stage_changes,
        "escalated_items": escalated_items,
        "today": today,
    }

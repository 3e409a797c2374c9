"""What the advice app adds to the assessments pages (registered in `AdviceConfig.ready()`): the case
page's health advice section and the caseload's advice counts. See assessments.sections."""

from django.db.models import Count, Exists, OuterRef, Subquery
from django.db.models.functions import Coalesce

from assessments.models import DraftComment
from assessments.sections import CaseSection
from ehc.json_rows import USER_NAME, as_instances, concrete_fields, json_rows, related_fields
from ehc.models import Organisation, OrganisationKind, Role

from .access import advice_items_for, visible_advice_requests
from .models import AdviceItem, AdviceRequest, ItemStatus, QualityCheck
from .selectors import case_advice_panel


def _annotate(user, case):
    """The visible requests and the draft plan's comments travel with the case row; for LA editors,
    whether any provider is left to ask (nobody else is offered that form)."""
    requests = visible_advice_requests(user).filter(case_id=case).order_by()
    comments = DraftComment.objects.filter(draft_plan__case_id=case).order_by("created_at", "id")
    rows = {
        "request_rows": json_rows(
            requests, *concrete_fields(AdviceRequest), *related_fields("provider", "id", "name", "short_name")
        ),
        "comment_rows": json_rows(
            comments,
            *concrete_fields(DraftComment),
            *related_fields("author", *USER_NAME),
            *related_fields("team", "id", "name", "provider_id"),
        ),
    }
    if user.organisation_id is not None and user.has_role(Role.CASE_OFFICER, Role.BUSINESS_SUPPORT):
        providers_left = Organisation.objects.filter(
            kind=OrganisationKind.HEALTH_PROVIDER, is_active=True, served_las=OuterRef("local_authority_id")
        ).filter(~Exists(AdviceRequest.objects.filter(provider_id=OuterRef("pk"), case_id=OuterRef(OuterRef("pk")))))
        rows["can_request_advice"] = Exists(providers_left)
    return rows


def _build(*, case, user, today, read):
    """The health advice panel, from one query for the user's advice items of the case (kept in
    `read` for the escalation section)."""
    items = list(
        advice_items_for(user)
        .filter(case=case)
        .select_related("team", "provider", "request", "advice_return", "head_of_service_responded_by")
        # Each version's quality check (advice.quality), with the row: the page makes no query per item.
        .annotate(
            quality_rows=json_rows(
                QualityCheck.objects.filter(item_id=OuterRef("pk")).order_by("decided_at", "id"),
                *concrete_fields(QualityCheck),
                *related_fields("decided_by", *USER_NAME),
            )
        )
        .order_by("team__name", "id")
    )
    for item in items:
        item.quality_list = as_instances(QualityCheck, item.quality_rows)
        # A caseload imported as returned may have no return row: nothing to check there.
        current_id = getattr(item, "advice_return", None) and item.advice_return.pk
        item.awaiting_check = bool(
            item.status == ItemStatus.RETURNED
            and current_id
            and all(check.advice_return_id != current_id for check in item.quality_list)
        )
    read["advice_items"] = items
    return case_advice_panel(
        case=case,
        user=user,
        today=today,
        requests=as_instances(AdviceRequest, case.request_rows),
        items=items,
        can_request=getattr(case, "can_request_advice", None),
        comments=as_instances(DraftComment, case.comment_rows),
    )


ADVICE_SECTION = CaseSection(
    name="advice_panel",
    template="advice/_case_advice.html",
    order=10,
    annotate=_annotate,
    build=_build,
    build_order=10,
)


def _count(queryset):
    return Coalesce(
        Subquery(queryset.order_by().values("case_id").annotate(n=Count("pk")).values("n")[:1]),
        0,
    )


def caseload_columns(today):
    """How much of each case's advice is outstanding, and how much of that overdue."""
    outstanding = AdviceItem.objects.filter(case_id=OuterRef("pk"), status=ItemStatus.OUTSTANDING)
    return {
        "outstanding_advice": _count(outstanding),
        "overdue_advice": _count(outstanding.filter(due_on__lt=today)),
    }

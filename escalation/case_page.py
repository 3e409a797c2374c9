"""The case page's sections from escalation (registered in `EscalationConfig.ready()`; see
assessments.sections): the exceptions with the dates they moved, and the chases and escalations.
Their lists travel with the case row; the advice items are those the advice section read."""

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Exists, OuterRef

from advice.access import visible_advice_items, visible_advice_requests
from advice.models import Stage
from assessments.sections import CaseSection
from ehc.json_rows import USER_NAME, as_instances, concrete_fields, json_rows, related_fields
from ehc.models import ClosureDay, LocalAuthoritySettings, Role
from ehc.workdays import WorkingCalendar

from .exceptions import case_exceptions_panel
from .models import Escalation, StageChange
from .owed import request_has_outstanding
from .rules import TimerRules
from .selectors import case_escalations


def _annotate(user, case):
    escalations = (
        Escalation.objects.filter(request__case_id=case)
        .filter(Exists(visible_advice_requests(user).order_by().filter(pk=OuterRef("request_id"))))
        .annotate(has_outstanding=request_has_outstanding())
        .order_by("issued_on", "id")
    )
    stage_changes = (
        StageChange.objects.filter(item__case_id=case)
        .filter(Exists(visible_advice_items(user).filter(pk=OuterRef("item_id"))))
        .order_by("on", "id")
    )
    return {
        "escalation_rows": json_rows(
            escalations,
            *concrete_fields(Escalation),
            "has_outstanding",
            *related_fields("provider", "id", "name", "short_name"),
            *related_fields("local_authority", "id", "name", "icb_id"),
            *related_fields("responded_by", *USER_NAME),
            *related_fields(
                "letter",
                "id",
                "created_at",
                "updated_at",
                "escalation_id",
                "dated",
                "sha256",
                "rendered_at",
                "approval_required",
                "approved_at",
            ),
        ),
        "stage_change_rows": json_rows(
            stage_changes,
            *concrete_fields(StageChange),
            "item__id",
            *related_fields("item__team", "id", "name", "provider_id"),
        ),
    }


def _build(*, case, user, today, read):
    escalations = as_instances(Escalation, case.escalation_rows)
    for escalation in escalations:
        escalation.letter_row = getattr(escalation, "letter", None)  # as case_escalations names it
    items = read.get("advice_items")
    escalated = None
    if items is not None and (not user.is_provider_user or user.has_role(Role.SPOC, Role.HEAD_OF_SERVICE)):
        # For these users the advice section's items are visible_advice_items, what this section would
        # read; a practitioner's page also lists other teams' items, so the section reads its own.
        escalated = [
            item for item in items if item.stage == Stage.ESCALATION_2 or item.head_of_service_responded_at is not None
        ]
    return case_escalations(
        case=case,
        user=user,
        today=today,
        escalations=escalations,
        stage_changes=as_instances(StageChange, case.stage_change_rows),
        escalated_items=escalated,
    )


ESCALATION_SECTION = CaseSection(
    name="case_escalations",
    template="escalation/_case_escalations.html",
    order=20,
    annotate=_annotate,
    build=_build,
    build_order=20,
)


def _exceptions_annotate(user, case):
    # The LA's closure days, for the working-day rules that date the excepted items' next steps.
    return {
        "closure_days": ArraySubquery(
            ClosureDay.objects.filter(local_authority_id=OuterRef("local_authority_id")).values("date")
        )
    }


def _exceptions_build(*, case, user, today, read):
    la_settings = LocalAuthoritySettings.of(case.local_authority)
    rules = TimerRules(la_settings=la_settings, calendar=WorkingCalendar(case.closure_days or ()))
    return case_exceptions_panel(
        exceptions=read["exceptions"], items=read.get("advice_items", []), rules=rules, today=today
    )


# Shown above the advice, built after it: it shows the advice items the advice section read.
EXCEPTIONS_SECTION = CaseSection(
    name="exception_panel",
    template="escalation/_case_exceptions.html",
    order=5,
    annotate=_exceptions_annotate,
    build=_exceptions_build,
    build_order=30,
)

"""Requesting health advice from a provider's SPOC: one tracked item per service the family named."""

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from ehc.audit import audit_record
from ehc.models import AuditAction, LocalAuthoritySettings, MessageKind, Service, Team
from ehc.outbox import email_queue

from ..models import AdviceItem, AdviceRequest, ItemStatus, Stage
from ..selectors import REQUESTABLE_CASE_STATUSES
from .common import AdviceError, _lock_case, _path


def teams_for_services(*, provider, services) -> dict:
    """The provider's active team for each service: {service: Team}. Where a provider has two
    active teams for one service, the first by name answers for it; the SPOC can add the other."""
    chosen = {}
    for team in Team.objects.filter(provider=provider, is_active=True, service__in=services).order_by("name", "id"):
        chosen.setdefault(team.service, team)
    return chosen


def missing_services(*, provider, services) -> list[str]:
    teams = teams_for_services(provider=provider, services=services)
    return [service for service in services if service not in teams]


def _new_item(*, advice_request, team, **fields) -> AdviceItem:
    # The timer contract (escalation.sweep): stage REQUESTED, the shared due date, and the sweep's
    # next look on the due date itself; it works out the working-day chase date from there.
    return AdviceItem(
        request=advice_request,
        team=team,
        provider_id=advice_request.provider_id,
        local_authority_id=advice_request.local_authority_id,
        case_id=advice_request.case_id,
        # A review's request makes review items: counted apart from the assessment (advice.querysets).
        review_id=advice_request.review_id,
        due_on=advice_request.due_on,
        next_action_on=advice_request.due_on,
        stage=Stage.REQUESTED,
        status=ItemStatus.OUTSTANDING,
        **fields,
    )


@transaction.atomic
def advice_request_send(*, case, provider, services_named, user, message="") -> AdviceRequest:
    """Send a request for health advice to a provider's SPOC: one tracked item per service the family
    named, due `advice_period_days` after today (the day the SPOC is notified)."""
    case = _lock_case(case.pk)
    if case.status not in REQUESTABLE_CASE_STATUSES:
        raise AdviceError("Health advice can only be requested while the case is open and before the draft plan")
    if not provider.is_provider or not provider.served_las.filter(pk=case.local_authority_id).exists():
        raise AdviceError("Select a health provider that serves your local authority", field="provider")
    services = list(dict.fromkeys(services_named))
    if not services:
        raise AdviceError("Select the health services the family says are involved", field="services_named")
    teams = teams_for_services(provider=provider, services=services)
    missing = [Service(service).label for service in services if service not in teams]
    if missing:
        raise AdviceError(
            f"{provider} has no team for {', '.join(missing)}: untick it or choose another provider",
            field="services_named",
        )
    notified_on = timezone.localdate()
    period = LocalAuthoritySettings.for_la(case.local_authority).advice_period_days
    try:
        with transaction.atomic():
            advice_request = AdviceRequest.objects.create(
                case=case,
                provider=provider,
                local_authority_id=case.local_authority_id,
                services_named=services,
                message=message,
                notified_on=notified_on,
                due_on=notified_on + datetime.timedelta(days=period),
                requested_by=user,
            )
    except IntegrityError:
        raise AdviceError(
            f"Health advice has already been requested from {provider} for this case", field="provider"
        ) from None
    for service in services:
        _new_item(advice_request=advice_request, team=teams[service], named_by_family=True).save()
    audit_record(
        user=user,
        action=AuditAction.CREATE,
        case=case,
        obj=advice_request,
        summary=f"Requested health advice from {provider} ({', '.join(t.name for t in teams.values())}), "
        f"due {advice_request.due_on:%d/%m/%Y}",
    )
    advice_request_notify_spoc(advice_request=advice_request)
    return advice_request


def advice_request_notify_spoc(*, advice_request):
    """The SPOC mailbox hears of the request: the reference and a link, nothing about the child."""
    case = advice_request.case
    return email_queue(
        kind=MessageKind.ADVICE_REQUESTED,
        dedupe_key=f"advice_requested:{advice_request.pk}",
        to=[advice_request.provider.spoc_email],
        template="advice_requested",
        context={
            "reference": case.reference,
            "local_authority": advice_request.local_authority.name,
            "provider": advice_request.provider.name,
            "due_on": advice_request.due_on,
            "path": _path("advice:request_detail", advice_request.pk),
        },
        case=case,
        advice_request=advice_request,
    )

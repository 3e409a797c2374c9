"""Response windows passed unanswered: the DCO office's answer to escalation 1 and the heads of
service's answer to escalation 2 each have a date (Escalation.response_due_on); once it passes with
no answer, the AD Education is told once."""

from collections import defaultdict

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from advice.exceptions import not_excepted_on
from advice.models import AdviceItem, ItemStatus, Stage
from ehc.models import AuditAction, AuditEvent, MessageKind
from ehc.outbox import email_values, emails_insert

from ..models import Escalation, EscalationStage
from ..sending import send_after_commit
from .run import MESSAGES_BATCH, one_la
from .sql import insert_rows


def responses_overdue(today):
    """Escalations whose response window passed unanswered and nobody was told yet (the partial index
    escalation_response_unnotified)."""
    return Escalation.objects.filter(
        stage__in=[EscalationStage.ESCALATION_1, EscalationStage.ESCALATION_2],
        responded_at__isnull=True,
        response_due_on__isnull=False,
        response_due_on__lt=today,
        response_overdue_notified=False,
    ).filter(
        # Not while every outstanding item of the request is excepted (decision 0017): the AD is told
        # once the exception is over, if the response is still owed.
        Exists(
            AdviceItem.objects.filter(request_id=OuterRef("request_id"), status=ItemStatus.OUTSTANDING).filter(
                not_excepted_on(today)
            )
        )
    )


def responses_overdue_check(*, today, report, la=None, rules=None, scope=None, limit=MESSAGES_BATCH) -> int:
    """Tell the AD Education, once, about each response window that passed unanswered.

    Claims escalations through the partial index escalation_response_unnotified; the flag
    `response_overdue_notified` set in the same transaction makes it once. For one LA (`la`, `rules`)
    or several (`scope`), each email to its own LA's AD Education.
    """
    scope = scope or one_la(la, rules)
    with transaction.atomic():
        escalations = list(
            responses_overdue(today)
            .select_for_update(skip_locked=True, of=("self",))
            .filter(local_authority_id__in=list(scope))
            .select_related("request__case", "provider")
            .order_by("response_due_on", "id")[:limit]
        )
        if not escalations:
            return 0
        owed = defaultdict(list)
        rows = (
            AdviceItem.objects.filter(
                request_id__in=[escalation.request_id for escalation in escalations],
                status=ItemStatus.OUTSTANDING,
            )
            .filter(not_excepted_on(today))
            .order_by("team__name", "id")
            .values(
                "request_id",
                "stage",
                "head_of_service_responded_at",
                "team__name",
                "team__head_of_service_email",
                "due_on",
            )
        )
        for row in rows:
            owed[(row["request_id"], EscalationStage.ESCALATION_1)].append(row)
            if row["stage"] == Stage.ESCALATION_2 and row["head_of_service_responded_at"] is None:
                owed[(row["request_id"], EscalationStage.ESCALATION_2)].append(row)
        emails, audit = [], []
        now = timezone.now()
        for escalation in escalations:
            teams = owed[(escalation.request_id, escalation.stage)]
            if not teams:
                continue  # all advice is in, or every head of service answered: nothing to chase
            la, rules = scope[escalation.local_authority_id].la, scope[escalation.local_authority_id].rules
            request = escalation.request
            context = {
                "reference": request.case.reference,
                "case_id": request.case_id,
                "la_name": la.name,
                "provider_name": escalation.provider.name,
                "issued_on": escalation.issued_on,
                "response_due_on": escalation.response_due_on,
                "teams": [
                    {
                        "due_on": row["due_on"],
                        "days_overdue": (today - row["due_on"]).days,
                    }
                    for row in teams
                ],
            }
            cc = [rules.settings.dco_office_email, rules.settings.business_support_email]
            if escalation.stage == EscalationStage.ESCALATION_1:
                kind = MessageKind.ESCALATION_1_OVERDUE
                summary = f"No response to escalation 1 recorded by {escalation.response_due_on:%-d %b %Y}"
            else:
                kind = MessageKind.HEAD_OF_SERVICE_OVERDUE
                cc += [row["team__head_of_service_email"] for row in teams]
                summary = (
                    f"No head of service response to escalation 2 recorded by "
                    f"{escalation.response_due_on:%-d %b %Y}: {', '.join(row['team__name'] for row in teams)}"
                )
            email = email_values(
                kind=kind,
                dedupe_key=f"{kind}:request:{escalation.request_id}",
                to=[rules.settings.ad_education_email],
                cc=cc,
                template=str(kind),
                context=context,
                case_id=request.case_id,
                advice_request_id=escalation.request_id,
                defer_rendering=True,
            )
            if email is not None:
                emails.append(email)
            summary = f"{summary}: the AD Education was told"[:500]
            audit.append(
                (now, "", str(AuditAction.STAGE), request.case_id, "escalation", str(escalation.pk), summary)
            )
            report.note(la, f"request {escalation.request_id}: {summary}")
        Escalation.objects.filter(pk__in=[escalation.pk for escalation in escalations]).update(
            response_overdue_notified=True, updated_at=now
        )
        insert_rows(
            AuditEvent, ["at", "actor_name", "action", "case", "object_type", "object_id", "summary"], audit
        )
        send_after_commit(email_ids=emails_insert(emails))
        return len(escalations)

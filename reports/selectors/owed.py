"""The dashboard's lists: escalation 1 letters and heads of service owing a response (what is owed is
escalation.owed's, as on every other page), and emails that keep failing to send. Each reads its own
partial index, earliest due first."""

import datetime
from dataclasses import dataclass

from django.db.models import F, Q

from ehc.delivery import undelivered_q
from ehc.models import OutboundEmail
from escalation.models import Escalation
from escalation.owed import escalation_1_owed_q, head_of_service_owed_q

from .scope import scope_la_ids, scoped_items

# Escalation and email lists on the dashboard stop here; the rest is one click away in the list.
DASHBOARD_LIST_LIMIT = 100


@dataclass
class ResponseOwed:
    """One row of a "responses owed" table: the escalation (or, at stage 2, the item) by id, what
    the table shows of it, and how late the response is (negative: days still to go)."""

    pk: int
    case_id: int
    reference: str
    provider_name: str
    where: str  # escalation 1: the LA; escalation 2: the team
    started_on: datetime.date | None  # the letter's date; the escalation 2 date
    due_on: datetime.date
    days_late: int


def _owed_rows(queryset, *, where, started_on, due_on, today):
    """The first DASHBOARD_LIST_LIMIT + 1 rows as plain values: a row of the table needs five columns,
    not four model instances."""
    rows = queryset.values_list(
        "pk", "case_id", "case_reference", "provider__name", where, started_on, due_on
    ).order_by(due_on, "id")[: DASHBOARD_LIST_LIMIT + 1]
    return [ResponseOwed(*row, days_late=(today - row[-1]).days) for row in rows]


def escalation_1_responses_owed(*, user, today, local_authority=None, provider=None):
    """Escalation 1 letters awaiting the DCO office's response (3 working days), earliest due first,
    for requests with advice still outstanding (escalation.owed),
    so those already overdue lead. Served by the partial index escalation_response_owed, walked in
    order until the page is full. An escalation carries its request's LA and provider, so the scope
    is read from the escalation row itself rather than by a semi-join over every visible request."""
    escalations = Escalation.objects.filter(escalation_1_owed_q(), local_authority_id__in=scope_la_ids(user))
    if local_authority is not None:
        escalations = escalations.filter(local_authority_id=local_authority.pk)
    if provider is not None:
        escalations = escalations.filter(provider_id=provider.pk)
    escalations = escalations.annotate(case_id=F("request__case_id"), case_reference=F("request__case__reference"))
    return _owed_rows(
        escalations, where="local_authority__name", started_on="issued_on", due_on="response_due_on", today=today
    )


def head_of_service_responses_owed(*, user, today, local_authority=None, provider=None):
    """Items at escalation 2 whose head of service has not answered (10 working days), earliest due
    first (index item_hos_response_owed)."""
    items = scoped_items(user).filter(head_of_service_owed_q(), head_of_service_response_due_on__isnull=False)
    if local_authority is not None:
        items = items.filter(local_authority_id=local_authority.pk)
    if provider is not None:
        items = items.filter(provider_id=provider.pk)
    items = items.annotate(case_reference=F("case__reference"))
    return _owed_rows(
        items,
        where="team__name",
        started_on="escalation_2_on",
        due_on="head_of_service_response_due_on",
        today=today,
    )


def failed_emails(*, user, local_authority=None, provider=None):
    """Emails (and the letters they carry) somebody must act on (ehc.delivery.undelivered_q: failing
    to send after repeated attempts, or a chase or escalation GOV.UK Notify could not deliver), for
    the cases in scope, or with a provider, those about its requests. Read through the partial
    indexes email_unsent_next_attempt and email_delivery_failed. The scope is the LAs in scope: for
    the dashboard's readers (DCO, LA managers) a case or request is visible exactly when its LA is one
    of them."""
    la_ids = scope_la_ids(user)
    if local_authority is not None:
        la_ids = [pk for pk in la_ids if pk == local_authority.pk]
    emails = OutboundEmail.objects.filter(undelivered_q())
    if provider is not None:
        emails = emails.filter(advice_request__provider_id=provider.pk, advice_request__local_authority_id__in=la_ids)
    else:
        emails = emails.filter(
            Q(case__local_authority_id__in=la_ids) | Q(advice_request__local_authority_id__in=la_ids)
        )
    # The bodies can be long and the page never shows them.
    emails = (
        emails.select_related("case")
        .defer("body_text", "body_html")
        .only(
            "kind",
            "to",
            "status",
            "attempts",
            "updated_at",
            "last_error",
            "letter_id",
            "delivery",
            "delivery_status",
            "case__reference",
        )
    )
    return list(emails.order_by("-updated_at", "-id")[: DASHBOARD_LIST_LIMIT + 1])

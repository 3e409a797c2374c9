"""The demo's year replayed day by day: the planned returns and outcomes, the real sweep each
morning, and the DCO's and heads of service's answers, so every chase, escalation and letter in the
demo comes from the product's own rules."""

import datetime

from django.db.models import Min
from django.utils import timezone

from advice.models import AdviceItem, AdviceReturn, DelayReason, ItemStatus, Stage
from assessments.models import Case, CaseStatus, DraftPlan
from ehc.models import OutboundEmail

from ..models import Escalation, Escalation2Resolution, EscalationStage, ResolutionKind
from .cases import _at
from .changes import approve_letters, changes_of_the_day

NOT_PROVIDED_DETAILS = [
    (
        "not_required",
        "The child is not known to the team and has no needs in this area; Appendix C not required.",
    ),
    ("dna", "Two appointments were offered and not attended."),
    ("no_consent", "The family did not give consent for an assessment."),
]


def replay(*, events, start, today, users, la, provider, sweep=None):
    """Apply the planned returns and outcomes day by day, running the real sweep each morning,
    so chases, escalations and letters in the demo come from the product's own rules (and the
    settings changed in the last weeks: escalation.demo.changes)."""
    by_day = {}
    for when, kind, object_id, payload in events:
        if when <= today:
            by_day.setdefault(when, []).append((kind, object_id, payload))
    practitioners = [
        users["slt.practitioner"],
        users["ot.practitioner"],
        users["paeds.practitioner"],
        users["spoc"],
    ]
    day = start
    replay_began = timezone.now()
    while day <= today:
        if sweep is not None:
            changes_of_the_day(day=day, today=today, la=la, provider=provider, users=users)
            sweep(now=_at(day, 9))
            _answer_escalations(day=day, users=users)
            # The outbox dates its rows by the clock, not the sweep's day: date the day's emails to it
            # (the case page's "Emails about this case" lists them by date), the morning's first and
            # then those of the letters the AD approved in the afternoon.
            OutboundEmail.objects.filter(created_at__gte=replay_began).update(
                created_at=_at(day, 9), updated_at=_at(day, 9)
            )
            if approve_letters(day=day, today=today, la=la, users=users):
                OutboundEmail.objects.filter(created_at__gte=replay_began).update(
                    created_at=_at(day, 14), updated_at=_at(day, 14)
                )
        for kind, object_id, _payload in by_day.get(day, []):
            if kind == "return":
                item = AdviceItem.objects.select_related("case__child").get(pk=object_id)
                if item.status != ItemStatus.OUTSTANDING:
                    continue
                who = practitioners[object_id % len(practitioners)]
                AdviceReturn.objects.create(
                    item=item,
                    description_of_needs=f"{item.case.child.first_name} has needs in this area that affect learning.",
                    provision_required="Weekly 30-minute sessions with a therapy assistant, reviewed each term.",
                    outcomes="More independent at school by the end of the year.",
                    how_often_seen="Seen six times",
                    seen_over_period="Over the last 12 months",
                    returned_by=who,
                )
                AdviceItem.objects.filter(pk=item.pk).update(
                    status=ItemStatus.RETURNED,
                    returned_on=day,
                    returned_by=who,
                    next_action_on=None,
                    closed_on=day,
                )
            elif kind == "not_provided":
                reason, detail = NOT_PROVIDED_DETAILS[object_id % len(NOT_PROVIDED_DETAILS)]
                AdviceItem.objects.filter(pk=object_id, status=ItemStatus.OUTSTANDING).update(
                    status=ItemStatus.NOT_PROVIDED,
                    not_provided_reason=reason,
                    not_provided_detail=detail,
                    not_provided_decided_by="Sam Holloway, Head of Integrated Nursing and Therapies",
                    next_action_on=None,
                    closed_on=day,
                )
            elif kind in {"withdraw", "not_issuing", "draft", "final"}:
                case = Case.objects.get(pk=object_id)
                if case.is_closed:
                    continue
                if kind == "withdraw":
                    case.status, case.closed_on = CaseStatus.WITHDRAWN, day
                    case.closed_reason = "The family withdrew the request."
                    AdviceItem.objects.filter(case=case, status=ItemStatus.OUTSTANDING).update(
                        status=ItemStatus.CANCELLED, next_action_on=None, closed_on=day
                    )
                elif kind == "not_issuing":
                    if AdviceItem.objects.filter(case=case, status=ItemStatus.OUTSTANDING).exists():
                        continue
                    case.status, case.not_issuing_on, case.closed_on = CaseStatus.NOT_ISSUING, day, day
                    case.closed_reason = "Needs can be met from the resources of the school."
                elif kind == "draft":
                    case.status, case.draft_plan_sent_on = CaseStatus.DRAFT_PLAN, day
                    DraftPlan.objects.get_or_create(
                        case=case,
                        defaults={
                            "sent_on": day,
                            "section_c": "Health needs as described in the returned advice.",
                            "section_g": "Provision as recommended by the health teams.",
                            "recorded_by": case.case_officer,
                        },
                    )
                elif kind == "final":
                    if case.status != CaseStatus.DRAFT_PLAN:
                        continue
                    case.status, case.final_plan_issued_on, case.closed_on = CaseStatus.PLAN_ISSUED, day, day
                case.save()
        day += datetime.timedelta(days=1)


def _answer_escalations(*, day, users):
    """Most escalations are answered in time, as in a working area; the rest show as owed."""
    two_days_ago = day - datetime.timedelta(days=2)
    for escalation in Escalation.objects.filter(
        stage=EscalationStage.ESCALATION_1, responded_at__isnull=True, issued_on=two_days_ago
    ):
        if _ordinal(Escalation, escalation) % 5:
            Escalation.objects.filter(pk=escalation.pk).update(
                responded_at=_at(day, 15),
                responded_by=users["dco"],
                response="The DCO office has spoken to the team leads; the advice is being finalised this week.",
            )
    _resolve_some_before_escalation_2(day=day, users=users)
    waiting = AdviceItem.objects.filter(
        status=ItemStatus.OUTSTANDING,
        stage=Stage.ESCALATION_2,
        head_of_service_responded_at__isnull=True,
        escalation_2_on=day - datetime.timedelta(days=5),
    )
    for item in waiting:
        n = _ordinal(AdviceItem, item)
        if n % 4:
            AdviceItem.objects.filter(pk=item.pk).update(
                head_of_service_responded_at=_at(day, 11),
                head_of_service_responded_by=users["head.of.service"],
                promised_on=day + datetime.timedelta(days=7 + n % 14),
                delay_reason=DelayReason.CAPACITY if n % 2 else DelayReason.WAITING_LIST,
                delay_detail="Two therapists on long-term leave; the child has an assessment booked.",
            )
            if not AdviceItem.objects.filter(
                request_id=item.request_id,
                status=ItemStatus.OUTSTANDING,
                stage=Stage.ESCALATION_2,
                head_of_service_responded_at__isnull=True,
            ).exists():
                Escalation.objects.filter(
                    request_id=item.request_id, stage=EscalationStage.ESCALATION_2, responded_at__isnull=True
                ).update(responded_at=_at(day, 11), responded_by=users["head.of.service"])



def _resolve_some_before_escalation_2(*, day, users):
    """Now and then the DCO office agrees a date with the team two days before escalation 2 falls due
    (escalation.resolutions): that item's escalation 2 never goes, and the dashboard says so."""
    due_soon = AdviceItem.objects.filter(
        status=ItemStatus.OUTSTANDING,
        stage=Stage.ESCALATION_1,
        next_action_on=day + datetime.timedelta(days=2),
        escalation_2_resolution__isnull=True,
    )
    for item in due_soon:
        n = _ordinal(AdviceItem, item)
        if n % 6:
            continue
        agreed = day + datetime.timedelta(days=10 + n % 7)
        Escalation2Resolution.objects.create(
            item=item,
            local_authority_id=item.local_authority_id,
            kind=ResolutionKind.AGREED_DATE,
            agreed_on=agreed,
            reason="Agreed with the team lead: a clinic appointment is booked and the advice follows it.",
            recorded_on=day,
            recorded_by=users["dco"],
        )
        AdviceItem.objects.filter(pk=item.pk).update(
            promised_on=agreed, promise_passed_notified_on=None, next_action_on=None
        )


def _ordinal(model, row):
    """The row's place among the demo council's rows of its kind, counted from its first. The demo
    picks which escalations are answered (and when) by it rather than by the primary key: keys depend
    on how many rows were made before, in the database's life or a test run's, and the demo must be
    the same year every time (tests/reports/test_counts_agree.py holds it to exact figures)."""
    first = model.objects.filter(local_authority_id=row.local_authority_id).aggregate(first=Min("pk"))["first"]
    return row.pk - first

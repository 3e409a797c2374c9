"""The sweep: takes every due timer action once, on the LA's working days (the rules: escalation.rules).

Exactly once, whatever runs twice or at the same time:

- Work is claimed by locking the requests whose items are due (FOR UPDATE SKIP LOCKED, in batches,
  oldest action first): all of one request's due items are handled by one worker, so its chase,
  letter or notice lists them all. Another sweep skips the locked requests and, once the first
  commits, finds their items' `next_action_on` moved past today.
- A batch is one transaction: the items' new stage and next action date, one StageChange per
  (item, stage), one Escalation per (request, stage), the letter and the emails as rows, the audit
  events. Unique constraints on all of them stop a second chase, letter or notice even if the
  locking were bypassed. Writes are set-based: a batch costs a fixed number of queries.
- Sending happens after commit, from the rows (ehc.outbox). A worker killed before commit leaves
  nothing behind; one killed after commit leaves pending rows that the outbox retry sweep sends.
- A batch that fails is retried request by request; a request that still fails has its due items
  pushed to the next working day and is logged, so one bad row cannot stop the sweep.
"""

import datetime
import logging
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from advice.models import AdviceItem, AdviceRequest, ItemStatus, Stage
from ehc.models import (
    AuditAction,
    AuditEvent,
    LocalAuthoritySettings,
    MessageKind,
    Organisation,
    OrganisationKind,
)

from . import letters
from .models import DigestRun, Escalation, EscalationStage, Letter, StageChange
from .rules import TimerRules
from .selectors import digest_rows, item_flags
from .services import email_build, emails_insert, send_after_commit

log = logging.getLogger(__name__)

BATCH_SIZE = 2000
# The digest lists at most this many items in the email body; the rest are behind the link.
DIGEST_LIST_LIMIT = 500

ESCALATION_STAGE = {
    Stage.CHASED: EscalationStage.CHASE,
    Stage.ESCALATION_1: EscalationStage.ESCALATION_1,
    Stage.ESCALATION_2: EscalationStage.ESCALATION_2,
}


@dataclass
class SweepReport:
    """What a run did (or, in a dry run, would do): printed by the management command."""

    now: datetime.datetime
    today: datetime.date
    dry_run: bool = False
    lines: list = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)

    def note(self, la, text):
        self.lines.append(f"{la.short_name or la.name}: {text}")


def sweep_run(*, now=None, dry_run=False, batch_size=BATCH_SIZE) -> SweepReport:
    """Run every timer of every active LA as of `now`. A dry run does it all and rolls it back."""
    now = now or timezone.now()
    report = SweepReport(now=now, today=timezone.localdate(now), dry_run=dry_run)
    las = Organisation.objects.filter(kind=OrganisationKind.LOCAL_AUTHORITY, is_active=True).order_by("pk")
    for la in las:
        try:
            if dry_run:
                # Everything runs for real inside one transaction that is then rolled back: the dry
                # run reports exactly what a run would do, and its emails, never sent, vanish with it.
                with transaction.atomic():
                    sweep_la(la=la, now=now, report=report, batch_size=batch_size)
                    transaction.set_rollback(True)
            else:
                sweep_la(la=la, now=now, report=report, batch_size=batch_size)
        except Exception:  # noqa: BLE001 - one LA's failure must not stop the others'
            log.exception("Sweep failed for %s", la)
            report.counts["errors"] += 1
            report.note(la, "the sweep failed; see the log")
    return report


def sweep_la(*, la, now, report, batch_size=BATCH_SIZE):
    today = timezone.localdate(now)
    rules = TimerRules.for_la(la)
    if not rules.calendar.is_working_day(today):
        report.note(la, f"{today:%A %-d %B %Y} is not a working day: nothing is sent")
        return
    while sweep_batch(la=la, rules=rules, today=today, report=report, limit=batch_size):
        pass
    while responses_overdue_check(la=la, rules=rules, today=today, report=report, limit=batch_size):
        pass
    digest_send_if_due(la=la, rules=rules, now=now, report=report)


def claim_requests(*, la_id, today, limit) -> list[int]:
    """Lock the requests of the oldest due items (served by the partial index item_due_action)."""
    due = (
        AdviceItem.objects.filter(
            local_authority_id=la_id, status=ItemStatus.OUTSTANDING, next_action_on__lte=today
        )
        .order_by("next_action_on", "id")
        .values("request_id")[:limit]
    )
    return list(
        AdviceRequest.objects.select_for_update(skip_locked=True)
        .filter(id__in=due)
        .order_by("id")
        .values_list("id", flat=True)
    )


def sweep_batch(*, la, rules, today, report, limit=BATCH_SIZE) -> int:
    """Claim and process one batch in one transaction. Returns how many requests it claimed."""
    with transaction.atomic():
        request_ids = claim_requests(la_id=la.pk, today=today, limit=limit)
        if not request_ids:
            return 0
        try:
            with transaction.atomic():
                lines = process_requests(la=la, rules=rules, today=today, request_ids=request_ids)
        except Exception:  # noqa: BLE001 - isolate the bad request below
            log.exception("Sweep batch failed for %s; retrying request by request", la)
            lines = []
            for request_id in request_ids:
                try:
                    with transaction.atomic():
                        lines += process_requests(la=la, rules=rules, today=today, request_ids=[request_id])
                except Exception:  # noqa: BLE001
                    log.exception("Sweep failed for advice request %s: postponed a working day", request_id)
                    report.counts["postponed"] += 1
                    AdviceItem.objects.filter(
                        request_id=request_id, status=ItemStatus.OUTSTANDING, next_action_on__lte=today
                    ).update(next_action_on=rules.calendar.after(today), updated_at=timezone.now())
        for line in lines:
            report.note(la, line)
        report.counts["requests"] += len(request_ids)
        return len(request_ids)


def process_requests(*, la, rules, today, request_ids) -> list[str]:
    """Apply the rules to the due items of locked requests; write every row set-based."""
    items = list(
        AdviceItem.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(request_id__in=request_ids, status=ItemStatus.OUTSTANDING, next_action_on__lte=today)
        .order_by("id")
        .values_list(
            "id", "request_id", "case_id", "team__name", "stage", "due_on", "escalation_1_on", named=True
        )
    )
    if not items:
        return []
    reached = defaultdict(list)  # (request id, stage) -> the items reaching it today
    updates = []
    for item in items:
        plan = rules.plan(
            stage=item.stage, due_on=item.due_on, escalation_1_on=item.escalation_1_on, today=today
        )
        for stage in plan.stages:
            reached[(item.request_id, stage)].append(item)
        stage = plan.stages[-1] if plan.stages else item.stage
        updates.append((item.id, stage, plan.next_action_on, plan.stages))
    _items_update(updates, today=today, head_of_service_due=rules.head_of_service_response_due(today))
    if not reached:
        return []

    reached_requests = {request_id for request_id, _ in reached}
    known = {
        (row.request_id, row.stage): row
        for row in Escalation.objects.filter(request_id__in=reached_requests).only(
            "id", "request_id", "stage", "issued_on"
        )
    }
    new_keys = sorted(
        {(request_id, ESCALATION_STAGE[stage]) for request_id, stage in reached} - set(known),
        key=lambda key: (key[0], list(EscalationStage).index(key[1])),
    )
    requests = AdviceRequest.objects.select_related("case", "provider").in_bulk({key[0] for key in new_keys})
    response_due = {
        EscalationStage.ESCALATION_1: rules.escalation_1_response_due(today),
        EscalationStage.ESCALATION_2: rules.head_of_service_response_due(today),
    }
    Escalation.objects.bulk_create(
        [
            Escalation(
                request_id=request_id,
                stage=stage,
                issued_on=today,
                response_due_on=response_due.get(stage),
                provider_id=requests[request_id].provider_id,
                local_authority_id=requests[request_id].local_authority_id,
            )
            for request_id, stage in new_keys
        ],
        ignore_conflicts=True,
    )
    escalations = {
        (row.request_id, row.stage): row
        for row in Escalation.objects.filter(request_id__in=reached_requests).only(
            "id", "request_id", "stage", "issued_on", "response_due_on"
        )
    }
    StageChange.objects.bulk_create(
        [
            StageChange(
                item_id=item.id,
                stage=stage,
                on=today,
                escalation_id=escalations[(request_id, ESCALATION_STAGE[stage])].id,
            )
            for (request_id, stage), stage_items in reached.items()
            for item in stage_items
        ],
        ignore_conflicts=True,
    )

    messages = Messages(la=la, la_settings=rules.settings, today=today)
    messages.load_listed(requests)
    new_letters = []
    for request_id, stage in new_keys:
        escalation = escalations[(request_id, stage)]
        request = requests[request_id]
        if stage == EscalationStage.CHASE:
            messages.chase(request=request)
        elif stage == EscalationStage.ESCALATION_1:
            chase = escalations.get((request_id, EscalationStage.CHASE))
            new_letters.append(
                Letter(
                    escalation_id=escalation.id,
                    dated=today,
                    content=letters.letter_content(
                        request=request,
                        la=la,
                        la_settings=rules.settings,
                        teams=messages.listed[request_id],
                        dated=today,
                        response_due_on=escalation.response_due_on,
                        chased_on=chase.issued_on if chase else None,
                    ),
                )
            )
        else:
            messages.escalation_2(request=request, escalation=escalation)
    if new_letters:
        Letter.objects.bulk_create(new_letters, ignore_conflicts=True)
        letter_ids = dict(
            Letter.objects.filter(
                escalation_id__in=[letter.escalation_id for letter in new_letters]
            ).values_list("escalation_id", "id")
        )
        for request_id, stage in new_keys:
            if stage == EscalationStage.ESCALATION_1:
                escalation = escalations[(request_id, stage)]
                messages.escalation_1(
                    request=requests[request_id], escalation=escalation, letter_id=letter_ids[escalation.id]
                )
    email_ids = emails_insert(messages.emails)
    send_after_commit(email_ids=email_ids, letter_ids=messages.letters_without_email)

    audit = []
    lines = []
    for (request_id, stage), stage_items in sorted(reached.items()):
        escalation_stage = ESCALATION_STAGE[stage]
        teams = ", ".join(sorted(item.team__name for item in stage_items))
        is_new = (request_id, escalation_stage) in new_keys
        summary = messages.summary(
            stage=escalation_stage,
            escalation=escalations[(request_id, escalation_stage)],
            teams=teams,
            is_new=is_new,
        )
        audit.append(
            AuditEvent(
                action=AuditAction.STAGE,
                case_id=stage_items[0].case_id,
                object_type="advice request",
                object_id=str(request_id),
                summary=summary[:500],
            )
        )
        lines.append(f"request {request_id}: {summary}")
    AuditEvent.objects.bulk_create(audit)
    return lines


def _items_update(updates, *, today, head_of_service_due):
    """One UPDATE for the whole batch: each item's stage, next action date and the dates it reached."""
    if not updates:
        return
    table = AdviceItem._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {table} AS item SET
                stage = v.stage,
                next_action_on = v.next_action_on,
                chased_on = CASE WHEN v.chased THEN %(today)s ELSE item.chased_on END,
                escalation_1_on = CASE WHEN v.escalated_1 THEN %(today)s ELSE item.escalation_1_on END,
                escalation_2_on = CASE WHEN v.escalated_2 THEN %(today)s ELSE item.escalation_2_on END,
                head_of_service_response_due_on = CASE WHEN v.escalated_2 THEN %(hos_due)s
                    ELSE item.head_of_service_response_due_on END,
                updated_at = %(now)s
            FROM unnest(%(ids)s::bigint[], %(stages)s::varchar[], %(next)s::date[],
                        %(chased)s::boolean[], %(escalated_1)s::boolean[], %(escalated_2)s::boolean[])
                AS v(id, stage, next_action_on, chased, escalated_1, escalated_2)
            WHERE item.id = v.id
            """,  # noqa: S608 - the table name is the model's, every value a parameter
            {
                "today": today,
                "hos_due": head_of_service_due,
                "now": timezone.now(),
                "ids": [row[0] for row in updates],
                "stages": [str(row[1]) for row in updates],
                "next": [row[2] for row in updates],
                "chased": [Stage.CHASED in row[3] for row in updates],
                "escalated_1": [Stage.ESCALATION_1 in row[3] for row in updates],
                "escalated_2": [Stage.ESCALATION_2 in row[3] for row in updates],
            },
        )


class Messages:
    """Builds the emails of one batch (unsaved rows) from what the batch loaded, with no queries of its
    own beyond `load_listed`. Emails carry the case reference, team names and dates: no child's name."""

    def __init__(self, *, la, la_settings, today):
        self.la = la
        self.settings = la_settings
        self.today = today
        self.emails = []
        self.listed = defaultdict(list)
        self.letters_without_email = []

    def load_listed(self, requests):
        """The outstanding overdue teams of each request a message is about, in one query."""
        rows = (
            AdviceItem.objects.filter(
                request_id__in=list(requests), status=ItemStatus.OUTSTANDING, due_on__lt=self.today
            )
            .order_by("team__name", "id")
            .values("request_id", "team__name", "team__head_of_service_email", "due_on")
        )
        for row in rows:
            self.listed[row["request_id"]].append(
                {
                    "name": row["team__name"],
                    "due_on": row["due_on"],
                    "days_overdue": (self.today - row["due_on"]).days,
                    "head_of_service_email": row["team__head_of_service_email"],
                }
            )

    def _context(self, request, **extra):
        return {
            "reference": request.case.reference,
            "case_id": request.case_id,
            "la_name": self.la.name,
            "provider_name": request.provider.name,
            "teams": self.listed[request.pk],
            "issued_on": self.today,
            **extra,
        }

    def _add(self, **kwargs):
        email = email_build(**kwargs)
        if email is not None:
            self.emails.append(email)
        return email

    def chase(self, *, request):
        self._add(
            kind=MessageKind.CHASE,
            dedupe_key=f"chase:request:{request.pk}",
            to=[request.provider.spoc_email],
            cc=[self.settings.business_support_email],
            template="chase",
            context=self._context(request),
            case_id=request.case_id,
            advice_request_id=request.pk,
        )

    def escalation_1(self, *, request, escalation, letter_id):
        email = self._add(
            kind=MessageKind.ESCALATION_1,
            dedupe_key=f"escalation_1:request:{request.pk}",
            to=[request.provider.director_email],
            cc=[self.settings.dco_office_email, self.settings.business_support_email],
            template="escalation_1",
            context=self._context(
                request,
                response_due_on=escalation.response_due_on,
                director_name=request.provider.director_name,
                ad_name=self.settings.ad_education_name,
                ad_title=self.settings.ad_education_title,
            ),
            case_id=request.case_id,
            advice_request_id=request.pk,
            letter_id=letter_id,
        )
        if email is None:
            # No director address: the letter is still issued, rendered and downloadable from the case.
            self.letters_without_email.append(letter_id)

    def escalation_2(self, *, request, escalation):
        teams = self.listed[request.pk]
        self._add(
            kind=MessageKind.ESCALATION_2,
            dedupe_key=f"escalation_2:request:{request.pk}",
            to=[self.settings.ad_education_email],
            cc=[self.settings.business_support_email, self.settings.dco_office_email]
            + [team["head_of_service_email"] for team in teams],
            template="escalation_2",
            context=self._context(request, response_due_on=escalation.response_due_on),
            case_id=request.case_id,
            advice_request_id=request.pk,
        )

    def summary(self, *, stage, escalation, teams, is_new):
        if not is_new:
            return (
                f"{teams}: reached {stage.label.lower()}, covered by the {stage.label.lower()} "
                f"of {escalation.issued_on:%-d %b %Y}"
            )
        if stage == EscalationStage.CHASE:
            return f"Chase sent to the SPOC: {teams}"
        if stage == EscalationStage.ESCALATION_1:
            return (
                f"Escalation 1 letter issued to the provider's director, response due "
                f"{escalation.response_due_on:%-d %b %Y}: {teams}"
            )
        return (
            f"Escalation 2: escalated inside health, heads of service to respond by "
            f"{escalation.response_due_on:%-d %b %Y}: {teams}"
        )


def responses_overdue_check(*, la, rules, today, report, limit=BATCH_SIZE) -> int:
    """Tell the AD Education, once, about each response window that passed unanswered.

    Claims escalations through the partial index escalation_response_owed; the flag
    `response_overdue_notified` set in the same transaction makes it once.
    """
    with transaction.atomic():
        escalations = list(
            Escalation.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(
                local_authority_id=la.pk,
                stage__in=[EscalationStage.ESCALATION_1, EscalationStage.ESCALATION_2],
                responded_at__isnull=True,
                response_due_on__lt=today,
                response_overdue_notified=False,
            )
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
        for escalation in escalations:
            teams = owed[(escalation.request_id, escalation.stage)]
            if not teams:
                continue  # all advice is in, or every head of service answered: nothing to chase
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
                        "name": row["team__name"],
                        "due_on": row["due_on"],
                        "days_overdue": (today - row["due_on"]).days,
                    }
                    for row in teams
                ],
            }
            if escalation.stage == EscalationStage.ESCALATION_1:
                kind, template = MessageKind.ESCALATION_1_OVERDUE, "escalation_1_overdue"
                cc = [rules.settings.dco_office_email, rules.settings.business_support_email]
                summary = f"No response to escalation 1 recorded by {escalation.response_due_on:%-d %b %Y}"
            else:
                kind, template = MessageKind.HEAD_OF_SERVICE_OVERDUE, "head_of_service_overdue"
                cc = [rules.settings.dco_office_email, rules.settings.business_support_email] + [
                    row["team__head_of_service_email"] for row in teams
                ]
                summary = (
                    f"No head of service response to escalation 2 recorded by "
                    f"{escalation.response_due_on:%-d %b %Y}: {', '.join(row['team__name'] for row in teams)}"
                )
            email = email_build(
                kind=kind,
                dedupe_key=f"{kind}:request:{escalation.request_id}",
                to=[rules.settings.ad_education_email],
                cc=cc,
                template=template,
                context=context,
                case_id=request.case_id,
                advice_request_id=escalation.request_id,
            )
            if email is not None:
                emails.append(email)
            audit.append(
                AuditEvent(
                    action=AuditAction.STAGE,
                    case_id=request.case_id,
                    object_type="escalation",
                    object_id=str(escalation.pk),
                    summary=f"{summary}: the AD Education was told"[:500],
                )
            )
            report.note(la, f"request {escalation.request_id}: {summary}")
        Escalation.objects.filter(pk__in=[escalation.pk for escalation in escalations]).update(
            response_overdue_notified=True, updated_at=timezone.now()
        )
        AuditEvent.objects.bulk_create(audit)
        send_after_commit(email_ids=emails_insert(emails))
        return len(escalations)


def digest_send_if_due(*, la, rules, now, report) -> bool:
    """The weekly chase digest: moved by compare-and-set on next_digest_at, once per week (DigestRun)."""
    today = timezone.localdate(now)
    settings_id = rules.settings.pk
    with transaction.atomic():
        rows = LocalAuthoritySettings.objects.filter(pk=settings_id)
        current = rows.values_list("next_digest_at", flat=True).get()
        if current is None:
            current = rules.digest_first_on_or_after(today)
            if not rows.filter(next_digest_at__isnull=True).update(next_digest_at=current):
                return False  # another sweep set it first: it will send when due
        if now < current:
            return False
        week = rules.digest_latest_week(now)
        following = rules.digest_next_after(now)
        if not rows.filter(next_digest_at=current).update(next_digest_at=following):
            return False  # another sweep moved it first and sends this week's digest
        report.note(
            la, f"weekly digest for the week of {week:%-d %b %Y}; next at {following:%a %-d %b %Y %H:%M}"
        )

        by_provider = defaultdict(list)
        for row in digest_rows(la_id=la.pk, today=today):
            by_provider[row["provider_id"]].append(row)
        providers = Organisation.objects.filter(
            Q(kind=OrganisationKind.HEALTH_PROVIDER, is_active=True, served_las=la)
            | Q(pk__in=list(by_provider))
        ).distinct()
        already = set(
            DigestRun.objects.filter(local_authority=la, week_of=week).values_list("provider_id", flat=True)
        )
        runs, emails = [], []
        for provider in providers.order_by("name"):
            if provider.pk in already:
                continue
            rows_ = by_provider.get(provider.pk, [])
            runs.append(
                DigestRun(
                    local_authority=la,
                    provider=provider,
                    week_of=week,
                    sent_for_date=today,
                    item_count=len(rows_),
                )
            )
            if not rows_:
                continue
            for row in rows_:
                row["flags"] = item_flags(row, today)
            email = email_build(
                kind=MessageKind.DIGEST,
                dedupe_key=f"digest:la:{la.pk}:provider:{provider.pk}:week:{week.isoformat()}",
                to=[provider.spoc_email],
                template="digest",
                context={
                    "la_name": la.name,
                    "provider_name": provider.name,
                    "week_of": week,
                    "issued_on": today,
                    "count": len(rows_),
                    "rows": rows_[:DIGEST_LIST_LIMIT],
                    "more": max(0, len(rows_) - DIGEST_LIST_LIMIT),
                },
            )
            if email is not None:
                emails.append(email)
            report.note(la, f"digest to {provider.name}: {len(rows_)} overdue")
        DigestRun.objects.bulk_create(runs, ignore_conflicts=True)
        send_after_commit(email_ids=emails_insert(emails))
        report.counts["digests"] += len(emails)
        return True

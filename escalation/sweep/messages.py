"""Writing the messages: each new Escalation's chase email, escalation 1 letter and its email, or
escalation 2 notice, written to the outbox in chunks, the escalation marked queued in the same
transaction. The emails are snapshots of their templates' context, rendered when sent (ehc.outbox), so a
chunk is a few statements; the letter's content is its own snapshot. An escalation whose messages were
never queued (a crash after its stage change was written) is picked up by the next run. The outbox's
unique dedupe key is the last guard; sending happens after commit (escalation.sending).
"""

import json

from django.db import transaction
from django.utils import timezone

from ehc.models import MessageKind
from ehc.notifications import rows_insert
from ehc.outbox import emails_insert

from .. import approvals, letters
from ..models import Escalation, EscalationStage, Letter
from ..sending import send_after_commit
from .emails import Messages
from .run import MESSAGES_BATCH, log, names, one_la
from .sql import insert_rows

# What the messages and the letter snapshot (escalation.letters.letter_content) read of an escalation:
# a thousand full rows of four models cost more than the statements that write their messages.
MESSAGE_FIELDS = (
    "request_id",
    "local_authority_id",
    "stage",
    "issued_on",
    "response_due_on",
    "request__case_id",
    "request__provider_id",
    "request__notified_on",
    "request__case__reference",
    "request__case__child__first_name",
    "request__case__child__last_name",
    "request__case__child__date_of_birth",
    # The provider, read with its escalations rather than once more per chunk.
    "request__provider__name",
    "request__provider__spoc_email",
    "request__provider__director_name",
    "request__provider__director_title",
    "request__provider__director_email",
    "request__provider__address",
    # A review's report: the letter and emails say which meeting it is for.
    "request__review_id",
    "request__review__meeting_on",
)


def messages_queue(*, report, failed, la=None, rules=None, scope=None, limit=MESSAGES_BATCH) -> int:
    """Write the messages of escalations not yet queued to the outbox (index escalation_messages_pending).

    Each message lists the request's teams still outstanding and overdue on the escalation's date;
    if none is left (the advice came back in between) there is nothing to send. An escalation whose
    messages fail is logged, added to `failed` and left pending for the next run; the others go.
    Returns how many escalations it claimed. For one LA (`la`, `rules`) or several (`scope`, as
    sweep_las gives it), each message under its own LA's settings.
    """
    scope = scope or one_la(la, rules)
    with transaction.atomic():
        escalations = list(
            Escalation.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(local_authority_id__in=list(scope), messages_queued_at__isnull=True)
            .exclude(pk__in=failed)
            .select_related("request__case__child", "request__provider", "request__review")
            .only(*MESSAGE_FIELDS)
            .order_by("id")[:limit]
        )
        if not escalations:
            return 0
        try:
            with transaction.atomic():
                _messages_write(escalations, scope=scope, report=report)
        except Exception:  # noqa: BLE001 - isolate the bad escalation below
            log.exception("Queueing escalation messages failed for %s; retrying one by one", names(scope))
            for escalation in escalations:
                try:
                    with transaction.atomic():
                        _messages_write([escalation], scope=scope, report=report)
                except Exception:  # noqa: BLE001
                    log.exception("Messages of escalation %s failed: left for the next run", escalation.pk)
                    failed.add(escalation.pk)
                    report.counts["message_errors"] += 1
        return len(escalations)


def _messages_write(escalations, *, scope, report):
    lines = []
    messages = Messages(scope=scope)
    messages.load(escalations)
    new_letters = []
    for escalation in escalations:
        teams = messages.teams(escalation)
        run = scope[escalation.local_authority_id]
        if not teams:
            stage = escalation.get_stage_display().lower()
            lines.append((run.la, f"request {escalation.request_id}: advice all in, no {stage} sent"))
        elif escalation.stage == EscalationStage.CHASE:
            messages.chase(escalation)
        elif escalation.stage == EscalationStage.ESCALATION_1:
            content = letters.letter_content(
                request=escalation.request,
                la=run.la,
                la_settings=run.rules.settings,
                teams=teams,
                dated=escalation.issued_on,
                response_due_on=escalation.response_due_on,
                chased_on=messages.chased_on.get(escalation.request_id),
                wording=messages.wording(escalation),
            )
            new_letters.append((escalation, content))
        else:
            messages.escalation_2(escalation)
    if new_letters:
        now = timezone.now()
        letter_ids = {
            escalation_id: pk
            for pk, escalation_id in insert_rows(
                Letter,
                [
                    "created_at",
                    "updated_at",
                    "escalation",
                    "dated",
                    "content",
                    "sha256",
                    "addressed_to",
                    "approval_required",
                    "approval_due_at",
                    "wording",
                ],
                [
                    (
                        now,
                        now,
                        escalation.pk,
                        escalation.issued_on,
                        json.dumps(content),
                        "",
                        (escalation.request.provider.director_email or "").strip().lower(),
                        *approvals.approval_columns(
                            rules=scope[escalation.local_authority_id].rules,
                            issued_on=escalation.issued_on,
                            now=report.now,
                        ),
                        messages.wording(escalation)["id"],
                    )
                    for escalation, content in new_letters
                ],
                ignore_conflicts=True,
                returning=("id", "escalation"),
            )
        }
        missing = [escalation.pk for escalation, _ in new_letters if escalation.pk not in letter_ids]
        if missing:
            # Issued before (the letter is kept unchanged once issued): its email goes with that letter.
            letter_ids.update(
                Letter.objects.filter(escalation__in=missing).values_list("escalation_id", "id")
            )
        held = []
        for escalation, _ in new_letters:
            if scope[escalation.local_authority_id].rules.settings.letters_need_ad_approval:
                held.append(escalation)
            else:
                messages.escalation_1(escalation, letter_id=letter_ids[escalation.pk])
        # Waiting for the AD Education: nothing goes, and the response window and escalation 2 count
        # from the day the letter is approved and sent (escalation.approvals).
        approvals.hold(escalations=held)
        lines += [
            (
                scope[escalation.local_authority_id].la,
                f"request {escalation.request_id}: escalation 1 letter waiting for the AD Education's approval",
            )
            for escalation in held
        ]
    Escalation.objects.filter(pk__in=[escalation.pk for escalation in escalations]).update(
        messages_queued_at=timezone.now()
    )
    send_after_commit(email_ids=emails_insert(messages.emails), letter_ids=messages.letters_without_email)
    rows_insert(messages.notification_rows)
    # The subject is rendered when the email is sent: the line names the case reference instead.
    lines += [
        (la, f"{MessageKind(email['kind']).label} to {', '.join(email['to'])}: {email['context']['reference']}")
        for la, email in zip(messages.email_las, messages.emails, strict=True)
    ]
    # Reported at the end, once every write has succeeded: a chunk retried one by one is not reported twice.
    for la, line in lines:
        report.note(la, line)
    report.counts["emails"] += len(messages.emails)

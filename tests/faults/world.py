"""The fault suite's data, run as its own process against the suite's own servers:

    python -m tests.faults.world setup            the LA, provider and teams (once)
    python -m tests.faults.world seed WAVE COUNT  COUNT requests crossing thresholds today
    python -m tests.faults.world check SINK.json  the verdict, as JSON on stdout

It runs outside pytest because the suite's pytest process is bound to its own test database,
while the worker and beat under test use the servers the suite kills and restarts.
"""

import datetime
import json
import os
import sys
from collections import Counter

import django

from tests.faults.shifted import shift

shift()
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ehc.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from advice.models import AdviceItem, ItemStatus, Stage  # noqa: E402
from ehc.models import LocalAuthoritySettings, MessageKind, MessageStatus, Organisation, OutboundEmail  # noqa: E402
from ehc.outbox import message_id_for  # noqa: E402
from escalation.models import Escalation, EscalationStage, Letter, StageChange  # noqa: E402
from escalation.rules import TimerRules  # noqa: E402

SUFFIX = "Faults"
STAGE_KIND = {
    EscalationStage.CHASE: MessageKind.CHASE,
    EscalationStage.ESCALATION_1: MessageKind.ESCALATION_1,
    EscalationStage.ESCALATION_2: MessageKind.ESCALATION_2,
}
ESCALATION_STAGE = {
    Stage.CHASED: EscalationStage.CHASE,
    Stage.ESCALATION_1: EscalationStage.ESCALATION_1,
    Stage.ESCALATION_2: EscalationStage.ESCALATION_2,
}


def world():
    from tests.conftest import _existing_world, _world

    return _existing_world(SUFFIX) or _world(SUFFIX)


def setup():
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    w = world()
    # Every message needs a recipient, or the sweep rightly queues nothing for it.
    LocalAuthoritySettings.for_la(w.la)
    LocalAuthoritySettings.objects.filter(local_authority=w.la).update(
        ad_education_email="ad-education@council-faults.example",
        business_support_email="business-support@council-faults.example",
        dco_office_email="dco@icb-faults.example",
    )
    Organisation.objects.filter(pk=w.provider.pk).update(director_email="director@provider-faults.example")
    for team in (w.slt, w.ot, w.paeds):
        type(team).objects.filter(pk=team.pk).update(
            head_of_service_email=f"hos-{team.service}@provider-faults.example"
        )
    today = timezone.localdate()
    calendar = TimerRules.for_la(w.la).calendar
    print(
        json.dumps(
            {
                "today": today.isoformat(),
                "working_day": calendar.is_working_day(today),
                "run_on": calendar.on_or_after(today).isoformat(),
            }
        )
    )


def seed(wave: int, count: int):
    """`count` requests, two teams each, in four kinds: due a chase, long overdue (chase and
    escalation 1 today, with a letter), at escalation 1 long enough to reach escalation 2, and not
    due at all (nothing may happen to those)."""
    from tests.factories import AdviceItemFactory, AdviceRequestFactory, CaseFactory

    w = world()
    today = timezone.localdate()
    rules = TimerRules.for_la(w.la)
    with transaction.atomic():
        for n in range(count):
            kind = n % 4
            case = CaseFactory(local_authority=w.la, reference=f"EHC-F{wave:02d}-{n:04d}")
            if kind == 0:  # due a chase today or earlier, not yet an escalation
                notified = today - datetime.timedelta(days=42 + 4)
            elif kind == 1:  # long overdue: chase and escalation 1 in one run
                notified = today - datetime.timedelta(days=42 + 40)
            elif kind == 2:  # escalated 1 two months ago: escalation 2 due
                notified = today - datetime.timedelta(days=42 + 100)
            else:  # due in three weeks: nothing may happen
                notified = today - datetime.timedelta(days=21)
            request = AdviceRequestFactory(
                case=case, provider=w.provider, notified_on=notified, requested_by=w.case_officer
            )
            for team in (w.slt, w.ot):
                if kind == 2:
                    e1 = today - datetime.timedelta(days=60)
                    nxt = rules.escalation_2_on(e1)
                    AdviceItemFactory(
                        request=request,
                        team=team,
                        stage=Stage.ESCALATION_1,
                        chased_on=e1,
                        escalation_1_on=e1,
                        next_action_on=nxt,
                    )
                else:
                    nxt = rules.next_action(stage=Stage.REQUESTED, due_on=request.due_on).on
                    AdviceItemFactory(request=request, team=team, next_action_on=nxt)
    print(json.dumps({"wave": wave, "requests": count}))


def status():
    """What is still to do: the suite waits for all of it to be zero before checking."""
    today = timezone.localdate()
    print(
        json.dumps(
            {
                "due_items": AdviceItem.objects.filter(
                    status=ItemStatus.OUTSTANDING, next_action_on__lte=today
                ).count(),
                "unqueued_escalations": Escalation.objects.filter(messages_queued_at__isnull=True).count(),
                "unsent_emails": OutboundEmail.objects.filter(
                    status__in=[MessageStatus.PENDING, MessageStatus.FAILED]
                ).count(),
                "failed_emails": OutboundEmail.objects.filter(status=MessageStatus.FAILED).count(),
                "unrendered_letters": Letter.objects.filter(rendered_at__isnull=True).count(),
            }
        )
    )


def check(sink_path: str, notify_path: str | None = None):
    """Per (item, stage), per (request, stage) and per outbox row: exactly once, against the
    expected stages recomputed from each item's seeded dates. A row sent by SMTP is counted by its
    Message-ID at the sink; one sent by GOV.UK Notify by its reference and each address at the
    stand-in (tests/notify_standin.py)."""
    received = Counter(json.loads(open(sink_path).read()))
    accepted = json.loads(open(notify_path).read()) if notify_path else []
    by_notify = Counter((reference, address.lower()) for reference, address in accepted)
    today = timezone.localdate()
    w = world()
    rules = TimerRules.for_la(w.la)
    problems = []
    duplicates = missing = 0

    changes = Counter(StageChange.objects.values_list("item_id", "stage"))
    for (item_id, stage), n in changes.items():
        if n > 1:
            duplicates += n - 1
            problems.append(f"item {item_id}: {n} stage changes to {stage}")
    expected_escalations = set()
    items = AdviceItem.objects.filter(case__reference__startswith="EHC-F").select_related("request")
    checked_items = 0
    for item in items:
        checked_items += 1
        # The stages it had reached when seeded, then whatever the rules make due by today.
        seeded_stage = (
            Stage.ESCALATION_1 if item.request.notified_on <= today - datetime.timedelta(days=142) else Stage.REQUESTED
        )
        seeded_e1 = today - datetime.timedelta(days=60) if seeded_stage == Stage.ESCALATION_1 else None
        plan = rules.plan(stage=seeded_stage, due_on=item.due_on, escalation_1_on=seeded_e1, today=today)
        for stage in plan.stages:
            expected_escalations.add((item.request_id, ESCALATION_STAGE[stage]))
            if changes.get((item.id, str(stage)), 0) == 0:
                missing += 1
                problems.append(f"item {item.id}: no stage change to {stage}")
        final = plan.stages[-1] if plan.stages else seeded_stage
        if item.stage != final:
            missing += 1
            problems.append(f"item {item.id}: stage {item.stage}, expected {final}")
        extra = {stage for (item_id, stage) in changes if item_id == item.id} - {str(s) for s in plan.stages}
        if extra:
            duplicates += len(extra)
            problems.append(f"item {item.id}: unexpected stage changes {sorted(extra)}")

    escalations = Counter(Escalation.objects.values_list("request_id", "stage"))
    for key in expected_escalations:
        if escalations.get((key[0], str(key[1])), 0) == 0:
            missing += 1
            problems.append(f"request {key[0]}: no {key[1]} escalation")
    for key, n in escalations.items():
        if n > 1:
            duplicates += n - 1
            problems.append(f"request {key[0]}: {n} {key[1]} escalations")

    letters = Counter(Letter.objects.values_list("escalation__request_id", flat=True))
    for request_id, stage in expected_escalations:
        if stage == EscalationStage.ESCALATION_1 and letters.get(request_id, 0) != 1:
            missing += 1
            problems.append(f"request {request_id}: {letters.get(request_id, 0)} escalation 1 letters")
    unrendered = Letter.objects.filter(rendered_at__isnull=True).count()
    if unrendered:
        missing += unrendered
        problems.append(f"{unrendered} letters never rendered")

    emails = {
        (e.advice_request_id, e.kind): e for e in OutboundEmail.objects.filter(case__reference__startswith="EHC-F")
    }
    for request_id, stage in expected_escalations:
        if (request_id, STAGE_KIND[stage]) not in emails:
            missing += 1
            problems.append(f"request {request_id}: no {STAGE_KIND[stage]} email queued")
    sent_rows = resent = 0
    notify_rows, notify_counts = 0, Counter()
    for email in OutboundEmail.objects.all():
        message_id = message_id_for(email)
        n = received.get(message_id, 0)
        if email.delivery:  # sent by Notify: every address once
            notify_rows += 1
            counts = [by_notify[(email.notify_reference, address.lower())] for address in [*email.to, *email.cc]]
            notify_counts.update(counts)
            n += max(counts)
            if min(counts) == 0 and email.status == MessageStatus.SENT:
                missing += 1
                problems.append(f"email {email.pk} ({email.kind}) marked sent, an address never reached Notify")
        if email.status != MessageStatus.SENT:
            missing += 1
            problems.append(f"email {email.pk} ({email.kind}) is {email.status}")
        elif n == 0:
            missing += 1
            problems.append(f"email {email.pk} ({email.kind}) marked sent, never received")
        if n > 1:
            resent += n - 1
            problems.append(f"email {email.pk} ({email.kind}) received {n} times")
        sent_rows += 1
    print(
        json.dumps(
            {
                "items": checked_items,
                "stage_changes": sum(changes.values()),
                "escalations": sum(escalations.values()),
                "letters": sum(letters.values()),
                "emails": sent_rows,
                "received": sum(received.values()),
                "duplicates": duplicates + resent,
                "resent": resent,
                "missing": missing,
                "notify_rows": notify_rows,
                # {emails accepted for one address of one row: how many (row, address) pairs}
                "notify_per_address": {str(k): v for k, v in sorted(notify_counts.items())},
                "problems": problems[:50],
            }
        )
    )


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    if command == "setup":
        setup()
    elif command == "seed":
        seed(int(args[0]), int(args[1]))
    elif command == "status":
        status()
    elif command == "check":
        check(*args)
    else:
        sys.exit(f"unknown command {command}")

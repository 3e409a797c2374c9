"""Demo data: the organisations and people (ehc.demo), then about a year of cases, requests for
health advice and their answers, replayed day by day through the real sweep so the chases,
escalations and letters come from the product's own rules. Deterministic and idempotent.

It lives in escalation because the replay drives the whole process (assessments, advice and the
sweep); docs/decisions/0019-module-splits-and-the-demo.md."""

import datetime
import random

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from assessments.models import Case
from ehc.demo import seed_organisations, seed_sign_off, seed_users
from ehc.models import MessageStatus, OutboundEmail
from ehc.outbox import email_send

from .cases import seed_cases
from .discussion import discussion_examples
from .examples import send_examples
from .replay import replay
from .sign_off import sign_off_examples

# What a layer above adds to the demo once its year is replayed (reviews.demo: plans under review),
# registered from that app's `ready()`: escalation imports nothing above it. Each is called as
# `step(la=..., users=..., today=..., rng=...)` inside the demo's transaction, once, with the cases.
_demo_steps = []


def register_demo_step(step):
    """Add a step to the demo from a higher layer; registering it twice keeps one."""
    if step not in _demo_steps:
        _demo_steps.append(step)
    return step


def seed_demo(*, today=None, sweep=None, stdout=None, months=12):
    """Idempotent: organisations and users are brought up to date; cases are made once."""
    today = today or timezone.localdate()
    icb, la, provider, teams = seed_organisations()
    users = seed_users((icb, la, provider), teams)
    if Case.objects.filter(local_authority=la).exists():
        seed_sign_off(teams, users)
        if stdout:
            stdout.write("Demo cases already present: left as they are")
        return False
    rng = random.Random(2026)
    with transaction.atomic():
        events = seed_cases(
            la=la, provider=provider, teams=teams, users=users, today=today, rng=rng, months=months
        )
        start = min((when for when, *_ in events), default=today) - datetime.timedelta(days=60)
        replay(events=events, start=start, today=today, users=users, la=la, provider=provider, sweep=sweep)
        send_examples(la=la, users=users)
        sign_off_examples(teams=teams, users=users, today=today)
        discussion_examples(users=users, la=la)
        for step in _demo_steps:
            step(la=la, users=users, today=today, rng=random.Random(2027))
        # The replayed year's emails belong to the past: record them as sent then rather than
        # flood the demo's mailbox with a year of chases on first start; but the latest of each kind
        # is sent now, so the mailbox (var/mail/ under `make run`) holds an example of each (with those
        # of the LA's answers the replay wrote straight to the rows: escalation.demo.examples).
        examples = examples_of_each_kind()
        OutboundEmail.objects.filter(status=MessageStatus.PENDING).exclude(pk__in=examples).update(
            status=MessageStatus.SENT, sent_at=F("created_at"), next_attempt_at=None
        )
    for email_id in examples:
        email_send(email_id=email_id)
    if stdout:
        stdout.write(f"Demo data made: {Case.objects.filter(local_authority=la).count()} cases")
    return True


def examples_of_each_kind() -> list[int]:
    """The latest pending email of each kind the replay wrote, by id."""
    pending = OutboundEmail.objects.filter(status=MessageStatus.PENDING)
    return list(pending.order_by("kind", "-created_at", "-id").distinct("kind").values_list("pk", flat=True))

"""Two sweeps at once on the real database (real transactions, one connection per thread)."""

import datetime
import threading

import pytest
from django.db import connection

from advice.models import Stage
from ehc.models import LocalAuthoritySettings, MessageKind, OutboundEmail
from escalation import sending
from escalation.models import DigestRun, DigestSchedule, Escalation, Letter, StageChange
from escalation.rules import LONDON
from escalation.sweep import sweep_run
from escalation.sweep.digest import SPOC_SCHEDULE

from .conftest import at, make_request

D = datetime.date
REQUESTS = 24


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_sweeps_take_each_action_once(world, monkeypatch):
    for _ in range(REQUESTS):
        make_request(world, notified_on=D(2026, 11, 20), teams=[world.slt, world.ot])
    LocalAuthoritySettings.objects.filter(local_authority=world.la).update(
        next_digest_at=datetime.datetime(2027, 1, 18, 9, 0, tzinfo=LONDON)
    )
    DigestSchedule.objects.create(name=SPOC_SCHEDULE, next_at=datetime.datetime(2027, 1, 18, 9, 0, tzinfo=LONDON))
    dispatched = []
    # Sending is tested elsewhere; here only what each sweep hands over for sending counts.
    monkeypatch.setattr(sending, "_dispatch", lambda email_ids, letter_ids: dispatched.extend(email_ids))

    barrier = threading.Barrier(2)
    reports, errors = [], []

    def run():
        try:
            barrier.wait()
            reports.append(sweep_run(now=at(D(2027, 1, 22), 10), batch_size=4))
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors and len(reports) == 2
    assert all(report.counts["errors"] == 0 and report.counts["postponed"] == 0 for report in reports)
    # No request was claimed by both sweeps.
    assert sum(report.counts["requests"] for report in reports) == REQUESTS

    assert StageChange.objects.filter(stage=Stage.CHASED).count() == 2 * REQUESTS
    assert StageChange.objects.filter(stage=Stage.ESCALATION_1).count() == 2 * REQUESTS
    assert Escalation.objects.count() == 2 * REQUESTS
    assert Letter.objects.count() == REQUESTS
    assert OutboundEmail.objects.filter(kind=MessageKind.CHASE).count() == REQUESTS
    assert OutboundEmail.objects.filter(kind=MessageKind.ESCALATION_1).count() == 3 * REQUESTS  # per recipient
    # The LA's business support list of the week and the SPOC's digest, each once.
    support = world.la.la_settings.business_support_email
    assert OutboundEmail.objects.filter(kind=MessageKind.DIGEST_LA, to=[support]).count() == 1
    assert DigestRun.objects.filter(local_authority=world.la).count() == 1
    assert OutboundEmail.objects.filter(kind=MessageKind.DIGEST, to=[world.provider.spoc_email]).count() == 1
    assert DigestRun.objects.filter(mailbox=world.provider.spoc_email).count() == 1
    assert sorted(dispatched) == sorted(OutboundEmail.objects.values_list("pk", flat=True))

"""The sweep takes each step once for every LA with work for it (escalation.sweep.sweep_las): a run over
three LAs makes the statements of a run over one, while each LA keeps its own rules, calendar and
addresses, and one LA's failure still leaves the others swept."""

import datetime
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from advice.models import Stage
from ehc.models import ClosureDay, LocalAuthoritySettings, MessageKind, OutboundEmail
from escalation.models import Escalation, EscalationStage, Letter
from escalation.rules import TimerRules
from escalation.sweep import claim as claim_module
from tests.factories import LocalAuthorityFactory

from .conftest import make_request, sweep

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def worlds(world):
    """Three LAs asking the same provider: ours and two more, each with its own settings."""
    more = [LocalAuthorityFactory(icb=world.icb) for _ in range(2)]
    return [world] + [SimpleNamespace(**{**vars(world), "la": la}) for la in more]


def _digests_next_on_1_february(worlds):
    """Each LA's next digest where its rules put it, after the days counted: the weekly digest is a step of
    its own for each LA (its compare-and-set), not what these tests count; so are the SPOC digests."""
    from escalation.models import DigestSchedule
    from escalation.sweep.digest import SPOC_SCHEDULE, spoc_rules

    DigestSchedule.objects.update_or_create(
        name=SPOC_SCHEDULE, defaults={"next_at": spoc_rules().digest_first_on_or_after(D(2027, 2, 1))}
    )
    for world in worlds:
        rules = TimerRules.for_la(world.la)
        LocalAuthoritySettings.objects.filter(local_authority=world.la).update(
            next_digest_at=rules.digest_first_on_or_after(D(2027, 2, 1))
        )


def _statements(day):
    with CaptureQueriesContext(connection) as queries:
        report = sweep(day)
    return len(queries.captured_queries), report


# A chase day and a letter day, counted with the savepoints: the same for one LA as for three.
# One more each day than before the LAs' wording: the wording in force, read once per chunk of messages.
SWEEP_STATEMENTS = {D(2027, 1, 4): 26, D(2027, 1, 15): 29}


@pytest.mark.parametrize("las", [1, 3])
def test_a_sweep_over_three_las_makes_the_statements_of_one(worlds, las):
    for world in worlds[:las]:
        for _ in range(2):
            make_request(world, notified_on=D(2026, 11, 20), teams=[world.slt, world.ot])
    _digests_next_on_1_february(worlds)
    counts = {day: _statements(day)[0] for day in SWEEP_STATEMENTS}
    assert counts == SWEEP_STATEMENTS
    for world in worlds[:las]:
        assert Letter.objects.filter(escalation__local_authority=world.la).count() == 2
        chases = OutboundEmail.objects.filter(kind=MessageKind.CHASE, advice_request__local_authority=world.la)
        assert chases.count() == 2
        assert {tuple(email.cc) for email in chases} == {(world.la.la_settings.business_support_email,)}


def test_each_la_keeps_its_own_calendar_and_timings_when_swept_together(worlds):
    ours, closed, slow = worlds
    ClosureDay.objects.create(local_authority=closed.la, date=D(2027, 1, 4), reason="Staff training")
    LocalAuthoritySettings.objects.filter(local_authority=slow.la).update(escalation_1_response_working_days=5)
    requests = {world.la.pk: make_request(world, notified_on=D(2026, 11, 20)) for world in worlds}
    report = sweep(D(2027, 1, 4))
    chased = {
        la_id: Escalation.objects.filter(request=request, stage=EscalationStage.CHASE).first()
        for la_id, request in requests.items()
    }
    assert chased[closed.la.pk] is None
    assert f"{closed.la.short_name}: Monday 4 January 2027 is not a working day: nothing is sent" in report.lines
    assert chased[ours.la.pk].issued_on == chased[slow.la.pk].issued_on == D(2027, 1, 4)
    sweep(D(2027, 1, 5))
    assert Escalation.objects.get(request=requests[closed.la.pk], stage=EscalationStage.CHASE).issued_on == D(
        2027, 1, 5
    )
    sweep(D(2027, 1, 15))
    letters = {
        la_id: Escalation.objects.get(request=request, stage=EscalationStage.ESCALATION_1)
        for la_id, request in requests.items()
    }
    assert letters[ours.la.pk].response_due_on == D(2027, 1, 20)  # 3 working days
    assert letters[slow.la.pk].response_due_on == D(2027, 1, 22)  # 5 working days
    for world in worlds:
        # The copy for the LA's own business support, under its own name.
        email = OutboundEmail.objects.get(
            kind=MessageKind.ESCALATION_1,
            advice_request=requests[world.la.pk],
            to=[world.la.la_settings.business_support_email],
        )
        assert email.context["la_name"] == world.la.name


def test_the_report_reads_la_by_la(worlds):
    for world in reversed(worlds):
        make_request(world, notified_on=D(2026, 11, 20))
    report = sweep(D(2027, 1, 15))
    prefixes = [line.split(":")[0] for line in report.lines]
    order = [world.la.short_name for world in sorted(worlds, key=lambda world: world.la.pk)]
    assert sorted(set(prefixes), key=order.index) == order
    assert prefixes == sorted(prefixes, key=order.index)  # each LA's lines together, in LA order


def test_an_la_whose_step_fails_leaves_the_others_swept_and_is_swept_next_time(worlds, monkeypatch):
    bad = worlds[1].la
    requests = [make_request(world, notified_on=D(2026, 11, 20)) for world in worlds]
    real_claim = claim_module.claim_due_requests

    def claim(*, la_ids, **kwargs):
        if bad.pk in la_ids:
            raise RuntimeError("the bad LA's claim fails")
        return real_claim(la_ids=la_ids, **kwargs)

    monkeypatch.setattr(claim_module, "claim_due_requests", claim)
    report = sweep(D(2027, 1, 4))
    assert report.counts["errors"] == 1
    assert f"{bad.short_name}: a step of the sweep failed; see the log" in report.lines
    chased = set(
        Escalation.objects.filter(stage=EscalationStage.CHASE).values_list("local_authority_id", flat=True)
    )
    assert chased == {worlds[0].la.pk, worlds[2].la.pk}
    assert requests[1].items.get().stage == Stage.REQUESTED
    monkeypatch.undo()
    sweep(D(2027, 1, 4), hour=9)
    sweep(D(2027, 1, 4), hour=10)
    assert OutboundEmail.objects.filter(kind=MessageKind.CHASE).count() == 3
    assert requests[1].items.get().stage == Stage.CHASED

"""The sweep, with explicit time travel: each rule fires once, on the right working day."""

import datetime

import pytest
from django.core import mail

from advice.models import AdviceItem, ItemStatus, Stage
from advice.services import advice_items_cancel_for_case, advice_timers_stop
from ehc.models import AuditAction, AuditEvent, ClosureDay, MessageKind, MessageStatus, OutboundEmail
from ehc.outbox import email_content
from escalation import letters
from escalation import sweep as sweep_module
from escalation.models import Escalation, EscalationStage, Letter, StageChange
from escalation.rules import TimerRules
from escalation.sweep import stages as stages_module

from .conftest import at, make_request, sweep

D = datetime.date
pytestmark = pytest.mark.django_db


def emails(kind=None):
    rows = OutboundEmail.objects.order_by("id")
    return list(rows.filter(kind=kind) if kind else rows)


def stage_dates(item):
    return dict(StageChange.objects.filter(item=item).values_list("stage", "on"))


def return_advice(item, on):
    """What the advice flow does when a team returns its advice: the item closes, timers stop."""
    AdviceItem.objects.filter(pk=item.pk).update(
        status=ItemStatus.RETURNED, returned_on=on, next_action_on=None
    )
    advice_timers_stop(request_ids=[item.request_id])


def test_whole_timeline_run_every_day_for_a_request_notified_on_20_november_2026(world):
    request = make_request(world, notified_on=D(2026, 11, 20), teams=[world.slt, world.ot])
    assert request.due_on == D(2027, 1, 1)
    event_days = {D(2027, 1, 4), D(2027, 1, 15), D(2027, 1, 21), D(2027, 1, 29), D(2027, 2, 15)}
    day = D(2026, 12, 28)  # nothing can fall due before the due date: start the daily runs near it
    while day <= D(2027, 2, 19):
        sweep(day)
        if day in event_days:
            sweep(day, hour=14)  # beat runs all day: a second run the same day changes nothing
        day += datetime.timedelta(days=1)

    slt = AdviceItem.objects.get(request=request, team=world.slt)
    assert stage_dates(slt) == {
        Stage.CHASED: D(2027, 1, 4),
        Stage.ESCALATION_1: D(2027, 1, 15),
        Stage.ESCALATION_2: D(2027, 1, 29),
    }
    assert (slt.stage, slt.next_action_on) == (Stage.ESCALATION_2, None)
    assert (slt.chased_on, slt.escalation_1_on, slt.escalation_2_on) == (
        D(2027, 1, 4),
        D(2027, 1, 15),
        D(2027, 1, 29),
    )
    assert slt.head_of_service_response_due_on == D(2027, 2, 12)

    escalations = {e.stage: e for e in Escalation.objects.filter(request=request)}
    assert escalations[EscalationStage.CHASE].issued_on == D(2027, 1, 4)
    assert escalations[EscalationStage.ESCALATION_1].response_due_on == D(2027, 1, 20)
    assert escalations[EscalationStage.ESCALATION_2].response_due_on == D(2027, 2, 12)
    letter = Letter.objects.get(escalation=escalations[EscalationStage.ESCALATION_1])
    assert letter.dated == D(2027, 1, 15)
    assert [t["name"] for t in letter.content["teams"]] == [world.ot.name, world.slt.name]
    assert letter.content["chased_on"] == "2027-01-04"

    # One email per request and event, never one per team, never twice; the letter's one per recipient.
    kinds = [email.kind for email in emails() if email.advice_request_id == request.pk]
    assert kinds == [
        MessageKind.CHASE,
        MessageKind.ESCALATION_1,
        MessageKind.ESCALATION_1,
        MessageKind.ESCALATION_1,
        MessageKind.ESCALATION_1_OVERDUE,
        MessageKind.ESCALATION_2,
        MessageKind.HEAD_OF_SERVICE_OVERDUE,
    ]
    by_kind = {email.kind: email for email in emails()}
    chase = by_kind[MessageKind.CHASE]
    assert chase.to == [world.provider.spoc_email]
    assert chase.cc == ["send.support@la-ours.example"]
    # The sweep's emails are rendered when sent, from the snapshot the row holds.
    subject, text, html = email_content(chase)
    # Two teams overdue, named behind the sign-in only.
    assert "2 teams have not returned their advice" in text
    assert world.slt.name not in text + html and world.ot.name not in text + html
    assert request.case.reference in subject
    assert request.case.child.first_name not in text + html + subject
    # The letter: an email for each recipient, attached only for a secure domain (business support's is
    # the LA's own; the director's and icb.example are not on the list).
    e1 = {tuple(email.to): email for email in emails(MessageKind.ESCALATION_1)}
    assert set(e1) == {(world.provider.director_email,), ("dco.office@icb.example",), ("send.support@la-ours.example",)}
    assert all(email.cc == [] for email in e1.values())
    assert e1[("send.support@la-ours.example",)].letter_id == letter.pk
    assert e1[(world.provider.director_email,)].letter_id is None
    assert e1[("dco.office@icb.example",)].letter_id is None
    assert by_kind[MessageKind.ESCALATION_2].to == ["ad.education@la-ours.example"]
    assert world.slt.head_of_service_email in by_kind[MessageKind.ESCALATION_2].cc
    # The response windows were flagged on the first working day after they passed.
    assert by_kind[MessageKind.ESCALATION_1_OVERDUE].created_at is not None
    assert Escalation.objects.filter(request=request, response_overdue_notified=True).count() == 2

    stage_events = AuditEvent.objects.filter(case=request.case, action=AuditAction.STAGE)
    assert stage_events.count() == 5  # chase, E1, E1 overdue, E2, head of service overdue


def test_the_response_overdue_emails_go_the_first_working_day_after_the_window(world):
    request = make_request(world, notified_on=D(2026, 11, 20))
    for day in (D(2027, 1, 4), D(2027, 1, 15), D(2027, 1, 20)):
        sweep(day)
    assert not emails(MessageKind.ESCALATION_1_OVERDUE)
    sweep(D(2027, 1, 21))
    assert len(emails(MessageKind.ESCALATION_1_OVERDUE)) == 1
    for day in (D(2027, 1, 29), D(2027, 2, 12)):
        sweep(day)
    assert not emails(MessageKind.HEAD_OF_SERVICE_OVERDUE)
    sweep(D(2027, 2, 13))  # Saturday: nothing is sent on a non-working day
    assert not emails(MessageKind.HEAD_OF_SERVICE_OVERDUE)
    sweep(D(2027, 2, 15))
    assert len(emails(MessageKind.HEAD_OF_SERVICE_OVERDUE)) == 1
    assert emails(MessageKind.HEAD_OF_SERVICE_OVERDUE)[0].advice_request_id == request.pk


def test_a_recorded_response_means_no_overdue_email(world):
    request = make_request(world, notified_on=D(2026, 11, 20))
    sweep(D(2027, 1, 15))
    Escalation.objects.filter(request=request, stage=EscalationStage.ESCALATION_1).update(
        responded_at=at(D(2027, 1, 18)), response="Teams contacted"
    )
    sweep(D(2027, 1, 21))
    assert not emails(MessageKind.ESCALATION_1_OVERDUE)


def test_items_falling_due_across_christmas_2026(world):
    request = make_request(world, notified_on=D(2026, 11, 12))  # due Thursday 24 December
    assert request.due_on == D(2026, 12, 24)
    for day in (D(2026, 12, 24), D(2026, 12, 25), D(2026, 12, 28)):
        sweep(day)
    assert not emails()
    item = AdviceItem.objects.get(request=request)
    assert item.next_action_on == D(2026, 12, 29)
    sweep(D(2026, 12, 29))
    assert [e.kind for e in emails()] == [MessageKind.CHASE]
    item.refresh_from_db()
    assert (item.stage, item.next_action_on) == (Stage.CHASED, D(2027, 1, 7))


def test_escalation_1_response_window_spanning_25_to_28_december(world):
    request = make_request(world, notified_on=D(2026, 10, 28))  # due 9 December, E1 23 December
    sweep(D(2026, 12, 10))
    sweep(D(2026, 12, 23))
    escalation = Escalation.objects.get(request=request, stage=EscalationStage.ESCALATION_1)
    assert (escalation.issued_on, escalation.response_due_on) == (D(2026, 12, 23), D(2026, 12, 30))
    sweep(D(2026, 12, 30))
    assert not emails(MessageKind.ESCALATION_1_OVERDUE)
    sweep(D(2026, 12, 31))
    assert len(emails(MessageKind.ESCALATION_1_OVERDUE)) == 1


def test_items_falling_due_across_easter_2027(world):
    before = make_request(world, notified_on=D(2027, 2, 11))  # due Thursday 25 March
    late = make_request(world, notified_on=D(2027, 1, 29))  # due 12 March: E1 would be Good Friday
    for day in (D(2027, 3, 13), D(2027, 3, 25), D(2027, 3, 26), D(2027, 3, 29)):
        sweep(day)
    assert not Escalation.objects.filter(request=before).exists()
    assert not Escalation.objects.filter(request=late, stage=EscalationStage.ESCALATION_1).exists()
    sweep(D(2027, 3, 30))
    assert Escalation.objects.get(request=before).stage == EscalationStage.CHASE
    assert Escalation.objects.get(request=late, stage=EscalationStage.ESCALATION_1).issued_on == D(
        2027, 3, 30
    )


def test_sweep_run_twice_makes_one_row_and_one_email_of_each(world):
    request = make_request(world, notified_on=D(2026, 11, 20), teams=[world.slt, world.ot])
    for _ in range(2):
        sweep(D(2027, 1, 4))
    assert StageChange.objects.filter(item__request=request).count() == 2
    assert Escalation.objects.filter(request=request).count() == 1
    assert len(emails(MessageKind.CHASE)) == 1
    for _ in range(2):
        sweep(D(2027, 1, 15))
    assert Letter.objects.filter(escalation__request=request).count() == 1
    assert len(emails(MessageKind.ESCALATION_1)) == 3  # one per recipient


def test_three_weeks_overdue_catches_up_chase_and_escalation_1_once(world):
    request = make_request(world, notified_on=D(2026, 11, 20))
    sweep(D(2027, 1, 22))
    assert [e.kind for e in emails()] == [MessageKind.CHASE] + [MessageKind.ESCALATION_1] * 3
    item = AdviceItem.objects.get(request=request)
    assert stage_dates(item) == {Stage.CHASED: D(2027, 1, 22), Stage.ESCALATION_1: D(2027, 1, 22)}
    # Escalation 2 counts from the letter's actual date.
    assert item.next_action_on == D(2027, 2, 5)
    assert Letter.objects.get(escalation__request=request).dated == D(2027, 1, 22)


def test_sweep_off_for_ten_days_then_on_takes_each_due_action_once(world):
    # Due dates spread so the 10 days of downtime cover a chase, an escalation 1 and an escalation 2.
    chase_only = make_request(world, notified_on=D(2026, 11, 27))  # due 8 Jan: chase 11 Jan
    to_e1 = make_request(world, notified_on=D(2026, 11, 18))  # due 30 Dec: E1 13 Jan
    to_e2 = make_request(world, notified_on=D(2026, 10, 21))  # due 2 Dec: E1 16 Dec, E2 30 Dec
    for day in (D(2026, 12, 3), D(2026, 12, 16), D(2026, 12, 31), D(2027, 1, 7)):
        sweep(day)
    before = {
        r.pk: set(Escalation.objects.filter(request=r).values_list("stage", flat=True))
        for r in (chase_only, to_e1, to_e2)
    }
    # Down from 8 to 17 January inclusive; back on Monday 18 January.
    sweep(D(2027, 1, 18))
    sweep(D(2027, 1, 18), hour=8)
    after = {
        r.pk: set(Escalation.objects.filter(request=r).values_list("stage", flat=True))
        for r in (chase_only, to_e1, to_e2)
    }
    assert after[chase_only.pk] - before[chase_only.pk] == {EscalationStage.CHASE}
    assert after[to_e1.pk] - before[to_e1.pk] == {EscalationStage.ESCALATION_1}
    assert before[to_e2.pk] == {
        EscalationStage.CHASE,
        EscalationStage.ESCALATION_1,
        EscalationStage.ESCALATION_2,
    }
    for request in (chase_only, to_e1, to_e2):
        for stage in MessageKind.CHASE, MessageKind.ESCALATION_2:
            assert OutboundEmail.objects.filter(advice_request=request, kind=stage).count() <= 1
        assert OutboundEmail.objects.filter(advice_request=request, kind=MessageKind.ESCALATION_1).count() in (0, 3)
    assert StageChange.objects.filter(item__request=to_e1, stage=Stage.ESCALATION_1).get().on == D(
        2027, 1, 18
    )


@pytest.mark.parametrize(
    "returned_on, chased",
    [(D(2027, 1, 3), False), (D(2027, 1, 4), False)],
    ids=["day before", "day of, before the run"],
)
def test_advice_returned_before_the_chase_run_stops_it(world, returned_on, chased):
    request = make_request(world, notified_on=D(2026, 11, 20))
    sweep(D(2026, 12, 31))
    return_advice(request.items.get(), on=returned_on)
    sweep(D(2027, 1, 4))
    assert Escalation.objects.filter(request=request).exists() is chased
    assert not emails()


def test_advice_returned_on_the_day_after_the_run_cancels_the_unsent_email(world):
    request = make_request(world, notified_on=D(2026, 11, 20))
    sweep(D(2027, 1, 15))  # chase and escalation 1, not sent yet (no commit in this test)
    return_advice(request.items.get(), on=D(2027, 1, 15))
    statuses = {e.kind: e.status for e in emails()}
    assert statuses == {
        MessageKind.CHASE: MessageStatus.CANCELLED,
        MessageKind.ESCALATION_1: MessageStatus.CANCELLED,
    }
    sweep(D(2027, 1, 29))
    assert not Escalation.objects.filter(request=request, stage=EscalationStage.ESCALATION_2).exists()
    sweep(D(2027, 1, 21))
    assert not emails(MessageKind.ESCALATION_1_OVERDUE)


@pytest.mark.parametrize(
    "runs_before, trigger, stage",
    [
        ([D(2027, 1, 4)], D(2027, 1, 15), EscalationStage.ESCALATION_1),
        ([D(2027, 1, 4), D(2027, 1, 15)], D(2027, 1, 29), EscalationStage.ESCALATION_2),
    ],
    ids=["escalation 1", "escalation 2"],
)
@pytest.mark.parametrize(
    "returned_days_before", [1, 0], ids=["returned the day before", "returned the day of"]
)
def test_advice_returned_before_a_later_trigger_stops_it(
    world, runs_before, trigger, stage, returned_days_before
):
    request = make_request(world, notified_on=D(2026, 11, 20))
    for day in runs_before:
        sweep(day)
    return_advice(request.items.get(), on=trigger - datetime.timedelta(days=returned_days_before))
    sweep(trigger)
    assert not Escalation.objects.filter(request=request, stage=stage).exists()
    assert not OutboundEmail.objects.filter(kind=stage, advice_request=request).exists()


def test_one_team_returning_leaves_the_others_chased(world):
    request = make_request(world, notified_on=D(2026, 11, 20), teams=[world.slt, world.ot])
    return_advice(request.items.get(team=world.slt), on=D(2026, 12, 30))
    sweep(D(2027, 1, 4))
    chase = emails(MessageKind.CHASE)[0]
    text = email_content(chase)[1]
    # OT alone is listed, by its due date: no team is named in an email.
    assert "1 team has not returned its advice" in text and "\n- advice due 1 January 2027, 3 days overdue\n" in text
    assert world.ot.name not in text and world.slt.name not in text
    assert chase.status == MessageStatus.PENDING


def test_a_withdrawn_case_stops_every_timer(world):
    request = make_request(world, notified_on=D(2026, 11, 20), teams=[world.slt, world.ot])
    sweep(D(2027, 1, 4))
    advice_items_cancel_for_case(case=request.case, on=D(2027, 1, 5))
    assert emails(MessageKind.CHASE)[0].status == MessageStatus.CANCELLED
    sweep(D(2027, 1, 15))
    sweep(D(2027, 1, 29))
    assert list(Escalation.objects.filter(request=request).values_list("stage", flat=True)) == [
        EscalationStage.CHASE
    ]


def test_nothing_is_sent_on_a_bank_holiday_weekend_or_closure_day(world):
    request = make_request(world, notified_on=D(2026, 11, 20))
    ClosureDay.objects.create(local_authority=world.la, date=D(2027, 1, 4), reason="Council closure")
    for day in (D(2027, 1, 1), D(2027, 1, 2), D(2027, 1, 3), D(2027, 1, 4)):
        sweep(day)
    assert not emails()
    sweep(D(2027, 1, 5))
    assert StageChange.objects.get(item__request=request).on == D(2027, 1, 5)


def test_a_team_added_after_the_chase_joins_the_existing_chase_without_a_second_email(world):
    request = make_request(world, notified_on=D(2026, 11, 20))
    sweep(D(2027, 1, 4))
    late = request.items.create(
        team=world.ot,
        provider=world.provider,
        local_authority=world.la,
        case=request.case,
        due_on=request.due_on,
        next_action_on=request.due_on,
    )
    sweep(D(2027, 1, 5))
    assert len(emails(MessageKind.CHASE)) == 1
    change = StageChange.objects.get(item=late)
    assert change.escalation.issued_on == D(2027, 1, 4)
    assert AuditEvent.objects.filter(summary__contains="covered by the chase").count() == 1


def test_a_worker_killed_mid_batch_leaves_nothing_and_the_next_run_does_it_once(world, monkeypatch):
    request = make_request(world, notified_on=D(2026, 11, 20))
    real_insert = sweep_module.insert_rows

    def insert_then_die(model, *args, **kwargs):
        if model is AuditEvent:  # the last write of the batch
            raise KeyboardInterrupt  # a BaseException, like the worker's death: nothing may catch it
        return real_insert(model, *args, **kwargs)

    monkeypatch.setattr(stages_module, "insert_rows", insert_then_die)
    with pytest.raises(KeyboardInterrupt):
        sweep(D(2027, 1, 22))
    assert not emails() and not Escalation.objects.exists() and not StageChange.objects.exists()
    assert request.items.get().stage == Stage.REQUESTED
    monkeypatch.undo()
    sweep(D(2027, 1, 22))
    sweep(D(2027, 1, 22))
    assert [e.kind for e in emails()] == [MessageKind.CHASE] + [MessageKind.ESCALATION_1] * 3
    assert Letter.objects.count() == 1


def test_a_worker_killed_between_the_timers_and_the_messages(world, monkeypatch):
    request = make_request(world, notified_on=D(2026, 11, 20))

    def die(**kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(sweep_module, "messages_queue", die)
    with pytest.raises(KeyboardInterrupt):
        sweep(D(2027, 1, 4))
    escalation = Escalation.objects.get(request=request)
    assert escalation.messages_queued_at is None and not emails()
    monkeypatch.undo()
    sweep(D(2027, 1, 5))  # the next run, even a day later, queues the chase once
    sweep(D(2027, 1, 5))
    chase = emails(MessageKind.CHASE)
    assert len(chase) == 1 and "Sent on 4 January 2027" in email_content(chase[0])[1]


def test_dry_run_reports_and_changes_nothing(world):
    request = make_request(world, notified_on=D(2026, 11, 20))
    report = sweep(D(2027, 1, 22), dry_run=True)
    assert any("Chase sent to the SPOC" in line for line in report.lines)
    assert any("Escalation 1 letter" in line for line in report.lines)
    assert not emails()
    assert (
        not Escalation.objects.exists() and not StageChange.objects.exists() and not Letter.objects.exists()
    )
    item = request.items.get()
    assert (item.stage, item.next_action_on) == (Stage.REQUESTED, D(2027, 1, 1))


def test_a_request_that_fails_is_postponed_and_the_others_go(world, monkeypatch):
    good = make_request(world, notified_on=D(2026, 11, 20))
    bad = make_request(world, notified_on=D(2026, 11, 19))
    real_plan = TimerRules.plan

    def plan(self, *, due_on, **kwargs):
        if due_on == bad.due_on:
            raise RuntimeError("bad data")
        return real_plan(self, due_on=due_on, **kwargs)

    monkeypatch.setattr(TimerRules, "plan", plan)
    report = sweep(D(2027, 1, 22))
    assert report.counts["postponed"] == 1
    assert Escalation.objects.filter(request=good, stage=EscalationStage.ESCALATION_1).exists()
    assert not Escalation.objects.filter(request=bad).exists()
    assert bad.items.get().next_action_on == D(2027, 1, 25)
    monkeypatch.undo()
    sweep(D(2027, 1, 25))
    assert Escalation.objects.filter(request=bad, stage=EscalationStage.ESCALATION_1).exists()


def test_an_escalation_whose_messages_fail_waits_and_the_others_go(world, monkeypatch):
    good = make_request(world, notified_on=D(2026, 11, 20))
    bad = make_request(world, notified_on=D(2026, 11, 20))
    real = letters.letter_content

    def broken(*, request, **kwargs):
        if request.pk == bad.pk:
            raise RuntimeError("bad data")
        return real(request=request, **kwargs)

    monkeypatch.setattr(letters, "letter_content", broken)
    report = sweep(D(2027, 1, 15))
    assert report.counts["message_errors"] == 1
    assert OutboundEmail.objects.filter(advice_request=good, kind=MessageKind.ESCALATION_1).exists()
    pending = Escalation.objects.get(request=bad, stage=EscalationStage.ESCALATION_1)
    assert pending.messages_queued_at is None
    monkeypatch.undo()
    sweep(D(2027, 1, 15), hour=9)
    assert Letter.objects.get(escalation=pending).dated == D(2027, 1, 15)
    assert OutboundEmail.objects.filter(kind=MessageKind.ESCALATION_1).count() == 2 * 3  # 3 recipients each


def test_sending_after_commit_sends_each_email_once_with_the_letter_attached(
    world, django_capture_on_commit_callbacks
):
    request = make_request(world, notified_on=D(2026, 11, 20), first_name="Jo")
    with django_capture_on_commit_callbacks(execute=True):
        sweep(D(2027, 1, 22))
    # The chase, and the letter's three emails: attached for business support (the LA's own domain) only.
    assert len(mail.outbox) == 4
    (letter_mail,) = [m for m in mail.outbox if m.attachments]
    assert letter_mail.to == ["send.support@la-ours.example"]
    name, pdf, mimetype = letter_mail.attachments[0]
    assert mimetype == "application/pdf" and pdf.startswith(b"%PDF")
    letter = Letter.objects.get(escalation__request=request)
    assert bytes(letter.pdf) == pdf and letter.sha256 and letter.rendered_at
    assert all(e.status == MessageStatus.SENT for e in emails())
    # Sending again, by task or by the retry sweep, sends nothing more.
    from ehc.outbox import email_send, email_send_due

    for email in emails():
        assert email_send(email_id=email.pk) is False
    assert email_send_due() == 0
    with django_capture_on_commit_callbacks(execute=True):
        sweep(D(2027, 1, 22))
    assert len(mail.outbox) == 4


def test_a_failed_send_is_retried_by_the_outbox_and_shows_as_failing(world, monkeypatch, settings):
    make_request(world, notified_on=D(2026, 11, 20))
    sweep(D(2027, 1, 4))
    from ehc import outbox

    def refuse(self, fail_silently=False):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", refuse)
    email = emails(MessageKind.CHASE)[0]
    for _ in range(3):
        outbox.email_send(email_id=email.pk)
    email.refresh_from_db()
    assert email.is_failing and email.next_attempt_at is not None
    monkeypatch.undo()
    outbox.email_send(email_id=email.pk)
    email.refresh_from_db()
    assert email.status == MessageStatus.SENT
    assert len(mail.outbox) == 1

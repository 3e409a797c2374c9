"""Timings: the LA's administrator changes them with a preview of the open items whose next chase or
escalation moves, counted as the test counts them; the change is saved and applied in one step,
audited; the sweep then acts on the new dates, once, and nothing it did before is undone."""

import datetime

import pytest
from django.urls import reverse

from advice.models import AdviceItem, ItemStatus
from ehc.models import AuditEvent, LocalAuthoritySettings
from escalation.models import DigestAudience, DigestRun
from escalation.rules import LONDON, TimerRules
from escalation.sweep import SweepReport, sweep_batch
from escalation.sweep.digest import la_digest_send_if_due
from tests.escalation.conftest import at, sweep

from .timers import D, EscalationStage, MessageKind, Stage, due_on, emails, frozen, issued, reached, refreshed

pytestmark = pytest.mark.django_db

URL = reverse("administration:timings")
TODAY = D(2027, 3, 1)  # a Monday; no bank holiday in March 2027 before Good Friday (26 March)


def timings(**changes):
    data = {
        "advice_period_days": 42,
        "chase_after_due_working_days": 1,
        "escalation_1_after_due_days": 14,
        "escalation_1_response_working_days": 3,
        "escalation_2_after_escalation_1_days": 14,
        "head_of_service_response_working_days": 10,
        "quality_send_back_working_days": 10,
        "digest_weekday": 0,
        "digest_time": "09:00",
    }
    data.update(changes)
    return data


def confirmed(client, **changes):
    """Preview the change, then confirm it as the page does (its hidden fields posted back)."""
    preview = client.post(URL, timings(**changes))
    version = preview.context["preview"].version
    return client.post(URL, {**timings(**changes), "version": version, "confirm": "yes"}, follow=True)


@pytest.fixture
def today():
    with frozen(TODAY) as traveller:
        yield traveller


@pytest.fixture
def chased(ours, today):
    """Twelve items due on 22 February, chased on the 23rd: escalation 1 on Monday 8 March (due + 14)."""
    items = [due_on(ours, D(2027, 2, 22)) for _ in range(12)]
    sweep(D(2027, 2, 23))
    assert {refreshed(item).stage for item in items} == {Stage.CHASED}
    return items


@pytest.fixture
def others(ours, theirs, today):
    """Items a change of the escalation 1 offset does not move: ours at escalation 1 already, ours due on
    9 March (chase on the 10th), ours returned, and their council's chased item."""
    escalated = due_on(ours, D(2027, 2, 1))  # chased 2 Feb, escalation 1 on 15 Feb
    theirs_item = due_on(theirs, D(2027, 2, 22))
    sweep(D(2027, 2, 2))
    sweep(D(2027, 2, 15))
    sweep(D(2027, 2, 23))
    requested = due_on(ours, D(2027, 3, 9))
    returned = due_on(ours, D(2027, 2, 22))
    AdviceItem.objects.filter(pk=returned.pk).update(
        status=ItemStatus.RETURNED, returned_on=D(2027, 2, 20), next_action_on=None
    )
    assert refreshed(escalated).stage == Stage.ESCALATION_1 and refreshed(theirs_item).stage == Stage.CHASED
    return {"escalated": escalated, "requested": requested, "returned": returned, "theirs": theirs_item}


@pytest.mark.parametrize("who", ["case_officer", "business_support", "ad", "spoc", "head_of_service", "dco"])
def test_case_workers_get_404(ours, login, who):
    client = login(getattr(ours, who))
    assert client.get(URL).status_code == 404
    assert client.post(URL, {**timings(escalation_1_after_due_days=21), "confirm": "yes"}).status_code == 404


def test_other_administrators_get_404_and_their_own_la_is_theirs_alone(ours, theirs, our_admins, their_admins, login):
    for admin in (our_admins.provider, our_admins.icb, their_admins.provider, their_admins.icb):
        client = login(admin)
        assert client.get(URL).status_code == 404
        assert client.post(URL, {**timings(escalation_1_after_due_days=21), "confirm": "yes"}).status_code == 404
    confirmed(login(their_admins.la), escalation_1_after_due_days=21)
    assert LocalAuthoritySettings.for_la(theirs.la).escalation_1_after_due_days == 21
    assert LocalAuthoritySettings.for_la(ours.la).escalation_1_after_due_days == 14


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"advice_period_days": 43}, "Advice period must be from 1 to 42 days"),
        ({"advice_period_days": 0}, "Advice period must be from 1 to 42 days"),
        ({"advice_period_days": ""}, "Enter the advice period in days"),
        ({"advice_period_days": "six weeks"}, "Advice period must be a whole number of days"),
        ({"chase_after_due_working_days": 11}, "Chase must be from 1 to 10 working days after the due date"),
        ({"escalation_1_after_due_days": 57}, "Escalation 1 must be from 1 to 56 days after the due date"),
        ({"escalation_1_response_working_days": ""}, "Enter how many working days the DCO/DMO office has"),
        ({"head_of_service_response_working_days": 31}, "Head of service response must be from 1 to 30 working"),
        ({"digest_weekday": 6}, "Select a weekday"),
        ({"digest_time": "25:00"}, "Enter the time of the weekly list like 09:00, on the 24-hour clock"),
        ({"digest_time": "05:30"}, "Time of the weekly list must be between 06:00 and 20:00"),
    ],
)
def test_bad_input_shows_the_error_summary_and_changes_nothing(ours, our_admins, login, chased, changes, message):
    row = LocalAuthoritySettings.objects.filter(local_authority=ours.la).values().get()
    dates = list(AdviceItem.objects.order_by("pk").values_list("next_action_on", flat=True))
    audited = AuditEvent.objects.filter(settings_of=ours.la).count()
    for extra in ({}, {"confirm": "yes", "version": "x"}):
        data = timings(**{"escalation_1_after_due_days": 21, **changes})
        response = login(our_admins.la).post(URL, {**data, **extra})
        body = response.content.decode()
        assert response.status_code == 200 and "govuk-error-summary" in body and message in body
    assert LocalAuthoritySettings.objects.filter(local_authority=ours.la).values().get() == row
    assert list(AdviceItem.objects.order_by("pk").values_list("next_action_on", flat=True)) == dates
    assert AuditEvent.objects.filter(settings_of=ours.la).count() == audited


def test_the_preview_counts_and_lists_the_items_whose_escalation_1_moves_and_saves_nothing(
    ours, our_admins, login, chased, others
):
    # The count made here: our items chased and not yet escalated.
    expected = AdviceItem.objects.filter(local_authority=ours.la, status=ItemStatus.OUTSTANDING, stage=Stage.CHASED)
    assert expected.count() == 12
    before = list(AdviceItem.objects.order_by("pk").values_list("next_action_on", flat=True))
    response = login(our_admins.la).post(URL, timings(escalation_1_after_due_days=21))
    body = response.content.decode()
    assert "12 open advice items move their next chase or escalation" in body
    assert "12 items move their escalation 1 date; first 10 listed" in body
    assert body.count("Escalation 1 on Mon 8 Mar 2027") == 10 and body.count("Escalation 1 on Mon 15 Mar 2027") == 10
    listed = [item for item in chased if item.case.reference in body]
    assert len(listed) == 10
    for item in others.values():
        assert item.case.reference not in body
    assert "Escalation 1 (days after the due date)" in body
    assert LocalAuthoritySettings.for_la(ours.la).escalation_1_after_due_days == 14
    assert list(AdviceItem.objects.order_by("pk").values_list("next_action_on", flat=True)) == before


def test_confirming_saves_reschedules_and_records_before_and_after(ours, our_admins, login, chased, others):
    client = login(our_admins.la)
    page = confirmed(client, escalation_1_after_due_days=21).content.decode()
    assert "Timings saved. 12 open items moved their next action" in page
    assert LocalAuthoritySettings.for_la(ours.la).escalation_1_after_due_days == 21
    assert {refreshed(item).next_action_on for item in chased} == {D(2027, 3, 15)}
    # Escalation 2 counts from the letter already sent: unchanged (15 Feb + 14 days).
    assert refreshed(others["escalated"]).next_action_on == D(2027, 3, 1)
    assert refreshed(others["theirs"]).next_action_on == D(2027, 3, 8)
    event = AuditEvent.objects.filter(settings_of=ours.la).latest("id")
    assert event.actor == our_admins.la
    assert event.changes == {"Escalation 1 (days after the due date)": ["14", "21"]}
    assert event.summary == "Changed the timings (12 open items moved their next action)"
    history = client.get(reverse("administration:history")).content.decode()
    assert "Changed the timings" in history and "Escalation 1 (days after the due date)" in history


def test_after_a_later_escalation_1_the_sweep_escalates_on_the_new_date_once(ours, our_admins, login, chased, others):
    confirmed(login(our_admins.la), escalation_1_after_due_days=21)
    item = chased[0]
    sweep(D(2027, 3, 8))
    assert reached(item, Stage.ESCALATION_1) == [] and issued(item, EscalationStage.ESCALATION_1) == []
    # Their council kept 14 days: escalated on the 8th.
    assert reached(others["theirs"], Stage.ESCALATION_1) == [D(2027, 3, 8)]
    for day, hour in ((D(2027, 3, 15), 7), (D(2027, 3, 15), 16), (D(2027, 3, 16), 7), (D(2027, 3, 22), 7)):
        sweep(day, hour=hour)
    assert {tuple(reached(each, Stage.ESCALATION_1)) for each in chased} == {(D(2027, 3, 15),)}
    assert issued(item, EscalationStage.ESCALATION_1) == [D(2027, 3, 15)]
    assert emails(MessageKind.ESCALATION_1, item) == 1
    assert reached(item, Stage.CHASED) == [D(2027, 2, 23)]  # the chase stays as it was, and once


def test_an_earlier_escalation_1_already_due_goes_on_the_next_run_once(ours, our_admins, login, chased):
    client = login(our_admins.la)
    preview = client.post(URL, timings(escalation_1_after_due_days=7)).content.decode()
    # Due 22 Feb + 7 days = 1 March, today: the next run takes it.
    assert "Escalation 1 on Mon 1 Mar 2027" in preview and "Due now: the next run takes it" in preview
    confirmed(client, escalation_1_after_due_days=7)
    item = chased[0]
    for day, hour in ((TODAY, 11), (TODAY, 15), (D(2027, 3, 2), 7), (D(2027, 3, 8), 7)):
        sweep(day, hour=hour)
    assert reached(item, Stage.ESCALATION_1) == [TODAY]
    assert issued(item, EscalationStage.ESCALATION_1) == [TODAY]
    assert emails(MessageKind.ESCALATION_1, item) == 1


def test_a_later_chase_moves_the_chase_and_the_sweep_chases_on_the_new_date_once(ours, our_admins, login, others):
    item = others["requested"]  # due Tuesday 9 March: chased on the 10th, or 3 working days after on the 12th
    client = login(our_admins.la)
    preview = client.post(URL, timings(chase_after_due_working_days=3)).content.decode()
    assert "1 item moves its chase date" in preview
    assert "Chase on Wed 10 Mar 2027" in preview and "Chase on Fri 12 Mar 2027" in preview
    confirmed(client, chase_after_due_working_days=3)
    for day in (D(2027, 3, 10), D(2027, 3, 11), D(2027, 3, 12), D(2027, 3, 12), D(2027, 3, 15)):
        sweep(day)
    assert reached(item, Stage.CHASED) == [D(2027, 3, 12)]
    assert emails(MessageKind.CHASE, item) == 1


def test_a_confirmation_against_timings_changed_since_the_preview_is_refused(ours, our_admins, login, chased):
    client = login(our_admins.la)
    version = client.post(URL, timings(escalation_1_after_due_days=21)).context["preview"].version
    confirmed(client, escalation_1_after_due_days=28)
    response = client.post(URL, {**timings(escalation_1_after_due_days=21), "version": version, "confirm": "yes"})
    body = response.content.decode()
    assert "The timings were changed since you checked the change" in body
    assert "Escalation 1 on Mon 22 Mar 2027" in body and "Escalation 1 on Mon 15 Mar 2027" in body
    assert LocalAuthoritySettings.for_la(ours.la).escalation_1_after_due_days == 28


def test_a_new_digest_day_moves_the_next_list_without_sending_a_week_twice(ours, our_admins, login, today):
    row = LocalAuthoritySettings.for_la(ours.la)
    # This week's list went this morning; the sweep then set the next one for Monday 8 March.
    row.next_digest_at = datetime.datetime(2027, 3, 8, 9, 0, tzinfo=LONDON)
    row.save()
    DigestRun.objects.create(
        audience=DigestAudience.BUSINESS_SUPPORT, local_authority=ours.la, week_of=TODAY, sent_for_date=TODAY
    )
    client = login(our_admins.la)
    preview = client.post(URL, timings(digest_weekday=2, digest_time="14:30")).content.decode()
    assert "Monday 8 March 2027, 09:00, after the change Wednesday 10 March 2027, 14:30" in preview
    confirmed(client, digest_weekday=2, digest_time="14:30")
    row.refresh_from_db()
    assert row.next_digest_at == datetime.datetime(2027, 3, 10, 14, 30, tzinfo=LONDON)
    for day, hour in ((D(2027, 3, 3), 15), (D(2027, 3, 8), 10), (D(2027, 3, 10), 14), (D(2027, 3, 10), 15)):
        sweep(day, hour=hour)
        sweep(day, hour=hour)
    runs = DigestRun.objects.filter(audience=DigestAudience.BUSINESS_SUPPORT, local_authority=ours.la)
    assert sorted(runs.values_list("week_of", "sent_for_date")) == [(TODAY, TODAY), (D(2027, 3, 8), D(2027, 3, 10))]


def test_the_advice_period_applies_to_requests_sent_from_now_on(ours, our_admins, login, others):
    client = login(our_admins.la)
    preview = client.post(URL, timings(advice_period_days=35)).content.decode()
    assert "No open advice item's next chase or escalation moves" in preview
    assert "keep the due date the SPOC was given" in preview
    confirmed(client, advice_period_days=35)
    assert refreshed(others["requested"]).due_on == D(2027, 3, 9)
    assert LocalAuthoritySettings.for_la(ours.la).advice_period_days == 35


def test_saving_the_same_timings_saves_nothing(ours, our_admins, login):
    response = login(our_admins.la).post(URL, timings(), follow=True)
    assert "Nothing changed: nothing was saved" in response.content.decode()
    assert not AuditEvent.objects.filter(settings_of=ours.la).exists()


def test_a_sweep_run_that_loaded_the_old_timings_plans_what_it_claims_after_the_change_with_the_new(
    ours, our_admins, login, chased, today
):
    stale = TimerRules.for_la(ours.la)  # loaded by a run under way
    # Escalation 1 a week after the due date of 22 February: today, 1 March.
    confirmed(login(our_admins.la), escalation_1_after_due_days=7)
    sweep_batch(la=ours.la, rules=stale, today=TODAY, report=SweepReport(now=at(TODAY, 11), today=TODAY))
    assert reached(chased[0], Stage.ESCALATION_1) == [TODAY]
    # Its list of the week: the run with the old day leaves the new date alone.
    row = LocalAuthoritySettings.for_la(ours.la)
    stale = TimerRules.for_la(ours.la)
    today.shift(datetime.timedelta(minutes=1))  # the settings' version is the time they were saved
    confirmed(login(our_admins.la), escalation_1_after_due_days=7, digest_weekday=2)
    row.refresh_from_db()
    expected = row.next_digest_at
    report = SweepReport(now=at(TODAY, 11), today=TODAY)
    assert not la_digest_send_if_due(la=ours.la, rules=stale, now=at(D(2027, 3, 8), 10), report=report)
    row.refresh_from_db()
    assert row.next_digest_at == expected

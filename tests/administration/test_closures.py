"""Closure days: the LA's administrator lists, adds and removes them; past dates, weekends, bank
holidays and duplicates are refused; the open items whose next action moves are previewed, counted
and rescheduled, and the sweep then acts on the new date, once."""

import pytest
from django.urls import reverse

from advice.models import AdviceItem
from ehc.models import AuditEvent, ClosureDay
from escalation.sweep import sweep_run
from tests.escalation.conftest import at, sweep

from .timers import DAY, D, EscalationStage, MessageKind, Stage, due_on, emails, frozen, issued, reached, refreshed

pytestmark = pytest.mark.django_db

LIST = reverse("administration:closures")
TODAY = D(2027, 3, 1)  # a Monday
# Advice due on Tuesday 9 March is chased on Wednesday 10 March, the day the council will close.
CLOSED = D(2027, 3, 10)


def add(day, reason="Staff training day", **extra):
    return {"date_0": day.day, "date_1": day.month, "date_2": day.year, "reason": reason, **extra}


@pytest.fixture
def today():
    with frozen(TODAY) as traveller:
        yield traveller


@pytest.fixture
def items(ours, theirs, today):
    """Three items chased on 10 March, one whose escalation 1 is on 10 March, two that 10 March does not
    touch, and their council's item chased on 10 March."""
    chased_on_10th = [due_on(ours, D(2027, 3, 9)) for _ in range(3)]
    escalated_on_10th = due_on(ours, D(2027, 2, 24))  # chased 25 February; escalation 1 on 24 Feb + 14
    sweep(D(2027, 2, 25))
    assert refreshed(escalated_on_10th).stage == Stage.CHASED
    untouched = [due_on(ours, D(2027, 3, 15)), due_on(ours, D(2027, 3, 1))]
    return {
        "chase": chased_on_10th,
        "escalation_1": escalated_on_10th,
        "untouched": untouched,
        "theirs": due_on(theirs, D(2027, 3, 9)),
    }


@pytest.mark.parametrize("who", ["case_officer", "business_support", "ad", "spoc", "dco"])
def test_case_workers_get_404(ours, login, who):
    client = login(getattr(ours, who))
    assert client.get(LIST).status_code == 404
    assert client.post(LIST, add(D(2030, 3, 12))).status_code == 404


def test_other_administrators_get_404_on_the_list_and_on_their_closure_days(
    ours, theirs, our_admins, their_admins, login
):
    ours_closed = ClosureDay.objects.create(local_authority=ours.la, date=D(2030, 3, 12), reason="Ours")
    theirs_closed = ClosureDay.objects.create(local_authority=theirs.la, date=D(2030, 3, 12), reason="Theirs")
    for admin in (our_admins.provider, our_admins.icb, their_admins.provider, their_admins.icb):
        client = login(admin)
        assert client.get(LIST).status_code == 404
        for closure in (ours_closed, theirs_closed):
            path = reverse("administration:closure_remove", args=[closure.pk])
            assert client.get(path).status_code == 404
            assert client.post(path).status_code == 404
    # Their LA's administrator: our closure day by its id is a 404, as a missing one is.
    client = login(their_admins.la)
    path = reverse("administration:closure_remove", args=[ours_closed.pk])
    assert client.get(path).status_code == 404 and client.post(path).status_code == 404
    assert client.get(reverse("administration:closure_remove", args=[10**9])).status_code == 404
    assert "Ours" not in client.get(LIST).content.decode()
    assert ClosureDay.objects.filter(pk=ours_closed.pk).exists()


def test_the_list_shows_upcoming_days_first_and_past_ones_apart(ours, our_admins, login, today):
    for day, reason in [(D(2027, 4, 6), "Later"), (D(2027, 3, 2), "Sooner"), (D(2027, 2, 1), "Gone")]:
        ClosureDay.objects.create(local_authority=ours.la, date=day, reason=reason)
    body = login(our_admins.la).get(LIST).content.decode()
    assert body.index("Sooner") < body.index("Later") < body.index("Past closure days") < body.index("Gone")
    gone = ClosureDay.objects.get(reason="Gone")
    assert reverse("administration:closure_remove", args=[gone.pk]) not in body


@pytest.mark.parametrize(
    ("day", "message"),
    [
        (
            D(2027, 2, 26),
            "Date the council is closed must be today or in the future: Friday 26 February 2027 has passed",
        ),
        (D(2027, 3, 6), "Saturday 6 March 2027 is a weekend day: it is not a working day already"),
        (D(2027, 3, 26), "Friday 26 March 2027 is a bank holiday"),  # Good Friday
        (D(2027, 4, 6), "Tuesday 6 April 2027 is already a closure day"),
    ],
)
def test_bad_dates_are_refused_with_a_clear_message_and_nothing_changes(ours, our_admins, login, today, day, message):
    ClosureDay.objects.create(local_authority=ours.la, date=D(2027, 4, 6), reason="Already")
    audited = AuditEvent.objects.filter(settings_of=ours.la).count()
    response = login(our_admins.la).post(LIST, add(day, reason="O'Neill's leaving do"))
    body = response.content.decode()
    assert response.status_code == 200 and "govuk-error-summary" in body and message in body
    assert "O&#x27;Neill&#x27;s leaving do" in body
    assert ClosureDay.objects.filter(local_authority=ours.la).count() == 1
    assert AuditEvent.objects.filter(settings_of=ours.la).count() == audited


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"date_0": "31", "date_1": "2", "date_2": "2027", "reason": "x"},
            "Date the council is closed must be a real date",
        ),
        ({"date_0": "", "date_1": "", "date_2": "", "reason": "x"}, "Enter date the council is closed"),
        ({**add(D(2027, 3, 3)), "reason": ""}, "Enter the reason the council is closed"),
        ({**add(D(2027, 3, 3)), "reason": "x" * 201}, "Reason must be 200 characters or fewer"),
    ],
)
def test_bad_input_shows_the_error_summary(ours, our_admins, login, today, data, message):
    response = login(our_admins.la).post(LIST, data)
    body = response.content.decode()
    assert response.status_code == 200 and "govuk-error-summary" in body and message in body
    assert not ClosureDay.objects.filter(local_authority=ours.la).exists()


def test_a_day_that_moves_nothing_is_added_at_once_and_audited(ours, our_admins, login, today):
    response = login(our_admins.la).post(LIST, add(D(2027, 5, 5), reason="O'Neill's day"), follow=True)
    body = response.content.decode()
    assert "Closure day added: Wednesday 5 May 2027. 0 open items moved their next action" in body
    closure = ClosureDay.objects.get(local_authority=ours.la)
    assert closure.reason == "O'Neill's day"
    event = AuditEvent.objects.filter(settings_of=ours.la).latest("id")
    assert event.changes == {"Date": [None, "5 May 2027"], "Reason": [None, "O'Neill's day"]}
    history = login(our_admins.la).get(reverse("administration:history")).content.decode()
    assert "Added a closure day: 5 May 2027" in history and "O&#x27;Neill&#x27;s day" in history


def test_adding_a_day_that_moves_items_previews_them_then_reschedules_them(ours, our_admins, login, items):
    client = login(our_admins.la)
    before = {item.pk: item.next_action_on for item in AdviceItem.objects.filter(local_authority=ours.la)}
    preview = client.post(LIST, add(CLOSED))
    body = preview.content.decode()
    # The count made here: the three chased on the 10th and the one escalated on it; not theirs.
    assert "4 open advice items move their next chase or escalation" in body
    assert "3 items move their chase date" in body and "1 item moves its escalation 1 date" in body
    for item in items["chase"]:
        assert item.case.reference in body
    assert "Chase on Wed 10 Mar 2027" in body and "Chase on Thu 11 Mar 2027" in body
    assert "Escalation 1 on Wed 10 Mar 2027" in body and "Escalation 1 on Thu 11 Mar 2027" in body
    for item in [*items["untouched"], items["theirs"]]:
        assert item.case.reference not in body
    # Nothing is saved until confirmed.
    assert not ClosureDay.objects.filter(local_authority=ours.la).exists()
    assert before == {item.pk: item.next_action_on for item in AdviceItem.objects.filter(local_authority=ours.la)}

    done = client.post(LIST, add(CLOSED, confirm="yes"), follow=True).content.decode()
    assert "Closure day added: Wednesday 10 March 2027. 4 open items moved their next action" in done
    assert ClosureDay.objects.filter(local_authority=ours.la, date=CLOSED).exists()
    for item in [*items["chase"], items["escalation_1"]]:
        assert refreshed(item).next_action_on == D(2027, 3, 11)
    assert refreshed(items["theirs"]).next_action_on == before.get(items["theirs"].pk, items["theirs"].next_action_on)
    event = AuditEvent.objects.filter(settings_of=ours.la).latest("id")
    assert event.summary.startswith("Added a closure day: 10 March 2027 (4 open items")


def test_after_a_closure_day_the_sweep_chases_and_escalates_on_the_next_working_day_once(
    ours, our_admins, login, items
):
    login(our_admins.la).post(LIST, add(CLOSED, confirm="yes"))
    chased = items["chase"][0]
    escalated = items["escalation_1"]
    for day in (D(2027, 3, 9), CLOSED):
        sweep_run(now=at(day))
        assert reached(chased, Stage.CHASED) == [] and reached(escalated, Stage.ESCALATION_1) == []
    for day, hour in ((D(2027, 3, 11), 7), (D(2027, 3, 11), 15), (D(2027, 3, 12), 7), (D(2027, 3, 15), 7)):
        sweep(day, hour=hour)
    assert reached(chased, Stage.CHASED) == [D(2027, 3, 11)]
    assert reached(escalated, Stage.ESCALATION_1) == [D(2027, 3, 11)]
    assert emails(MessageKind.CHASE, chased) == 1
    assert emails(MessageKind.ESCALATION_1, escalated) == 1
    assert issued(escalated, EscalationStage.ESCALATION_1) == [D(2027, 3, 11)]
    # Their council did not close: their item was chased on the 10th.
    assert reached(items["theirs"], Stage.CHASED) == [CLOSED]


def test_removing_a_day_previews_the_items_it_moves_then_the_sweep_acts_on_the_day_once(ours, our_admins, login, items):
    client = login(our_admins.la)
    client.post(LIST, add(CLOSED, confirm="yes"))
    closure = ClosureDay.objects.get(local_authority=ours.la, date=CLOSED)
    path = reverse("administration:closure_remove", args=[closure.pk])
    page = client.get(path).content.decode()
    assert "4 open advice items move their next chase or escalation" in page
    assert "Chase on Thu 11 Mar 2027" in page and "Chase on Wed 10 Mar 2027" in page
    assert ClosureDay.objects.filter(pk=closure.pk).exists()
    done = client.post(path, follow=True).content.decode()
    assert "Closure day removed: Wednesday 10 March 2027. 4 open items moved their next action" in done
    assert not ClosureDay.objects.filter(pk=closure.pk).exists()
    event = AuditEvent.objects.filter(settings_of=ours.la).latest("id")
    assert event.changes == {"Date": ["10 March 2027", None], "Reason": ["Staff training day", None]}
    chased = items["chase"][0]
    assert refreshed(chased).next_action_on == CLOSED
    for day in (CLOSED, CLOSED, D(2027, 3, 11)):
        sweep(day)
    assert reached(chased, Stage.CHASED) == [CLOSED] and emails(MessageKind.CHASE, chased) == 1


def test_a_past_closure_day_is_not_removed(ours, our_admins, login, today):
    gone = ClosureDay.objects.create(local_authority=ours.la, date=TODAY - DAY, reason="Gone")
    path = reverse("administration:closure_remove", args=[gone.pk])
    response = login(our_admins.la).post(path, follow=True)
    assert "has passed: a past closure day stays" in response.content.decode()
    assert ClosureDay.objects.filter(pk=gone.pk).exists()

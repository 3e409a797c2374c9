"""Recording, changing and ending an exception from the case page: who may (the case's LA's case
officers and business support), GOV.UK errors with nothing changed, the audit trail, and the case
page's original and moved dates."""

import datetime

import pytest
import time_machine

from advice.models import AdviceItem
from assessments.models import ExceptionReason, TimelineException
from ehc.models import AuditEvent
from escalation.exceptions import exception_record

from ..factories import AdviceItemFactory, AdviceRequestFactory, CaseFactory

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = datetime.datetime(2026, 3, 20, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture
def frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def asked(ours, frozen):
    """Advice asked on Monday 2 March 2026 of SLT and OT (due 13 April) for Liam O'Neill."""
    case = CaseFactory(
        local_authority=ours.la, case_officer=ours.case_officer, first_name="Liam", last_name="O'Neill",
        received_on=D(2026, 2, 2),
    )  # fmt: skip
    request = AdviceRequestFactory(case=case, provider=ours.provider, notified_on=D(2026, 3, 2))
    slt = AdviceItemFactory(request=request, team=ours.slt, named_by_family=True, next_action_on=request.due_on)
    ot = AdviceItemFactory(request=request, team=ours.ot, named_by_family=True, next_action_on=request.due_on)
    return case, slt, ot


def form(**overrides):
    data = {
        "reason": "missed_appointment",
        "detail": "Missed the SLT assessment on 9 March; rebooked",
        "agreed_by": "Siobhan O'Neill, SEND manager",
        "starts_on_0": "10",
        "starts_on_1": "3",
        "starts_on_2": "2026",
        "ends_on_0": "19",
        "ends_on_1": "3",
        "ends_on_2": "2026",
        "covers": "all",
    }
    data.update(overrides)
    return data


def test_a_case_officer_records_an_exception_for_one_team_and_the_case_page_shows_the_moved_dates(ours, asked, login):
    case, slt, ot = asked
    client = login(ours.case_officer)
    response = client.post(f"/escalation/cases/{case.pk}/exceptions/new/", form(covers="chosen", items=[slt.pk]))
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    exception = TimelineException.objects.get(case=case)
    assert (exception.starts_on, exception.ends_on, exception.covers_all_advice) == (
        D(2026, 3, 10),
        D(2026, 3, 19),
        False,
    )
    assert list(exception.advice_items.all()) == [slt]
    assert AdviceItem.objects.get(pk=slt.pk).due_on == D(2026, 4, 23)
    assert AdviceItem.objects.get(pk=ot.pk).due_on == D(2026, 4, 13)
    event = AuditEvent.objects.filter(case=case).latest("at", "id")
    assert event.actor_id == ours.case_officer.pk
    assert "Missed appointment" in event.summary and "SLT" in event.summary and "19 Mar 2026" in event.summary
    html = client.get(f"/cases/{case.pk}/").content.decode()
    assert "Dates moved by exceptions" in html
    assert "<del>13 Apr 2026</del> moved to 23 Apr 2026" in html
    assert "Chase: <del>14 Apr 2026</del> moved to 24 Apr 2026" in html
    assert "10 excepted days" in html
    assert "Only: " + ours.slt.name in html


def test_business_support_ends_a_running_exception_and_its_dates_move_by_the_days_it_ran(ours, asked, login):
    case, slt, _ = asked
    exception = exception_record(
        case=case,
        user=ours.case_officer,
        reason=ExceptionReason.AWAY_FROM_AREA,
        detail="Family abroad for 5 weeks",
        agreed_by="Parent",
        starts_on=D(2026, 3, 10),
    )
    client = login(ours.business_support)
    html = client.get(f"/cases/{case.pk}/").content.decode()
    assert "still running (no end date)" in html and "Clock stopped" in html and "11 excepted days so far" in html
    response = client.post(
        f"/escalation/exceptions/{exception.pk}/end/", {"ends_on_0": "19", "ends_on_1": "3", "ends_on_2": "2026"}
    )
    assert response.status_code == 302
    exception.refresh_from_db()
    assert exception.ends_on == D(2026, 3, 19)
    assert AdviceItem.objects.get(pk=slt.pk).next_action_on == D(2026, 4, 24)
    assert AuditEvent.objects.filter(case=case, summary__startswith="Ended exception").count() == 1


@pytest.mark.parametrize(
    "overrides, error",
    [
        ({"reason": ""}, "Select the reason for the exception"),
        ({"agreed_by": ""}, "Enter who agreed the exception"),
        ({"starts_on_0": "31", "starts_on_1": "2"}, "Date the exception applies from must be a real date"),
        ({"starts_on_1": "1"}, "must be on or after the date the request was received"),
        ({"ends_on_0": "9"}, "Last day the exception applies must be on or after the date it applies from"),
        ({"covers": "chosen"}, "Select the teams whose advice the exception covers"),
        ({"covers": "chosen", "items": ["999999"]}, "Select teams of this case only"),
        ({"reason": "school_holiday", "covers": "chosen", "items": ["{slt}"]}, "A school holiday is no exception"),
    ],
)
def test_bad_input_shows_a_govuk_error_keeps_what_was_typed_and_changes_nothing(ours, asked, login, overrides, error):
    case, slt, _ = asked
    overrides = {key: [v.format(slt=slt.pk) for v in value] if isinstance(value, list) else value
                 for key, value in overrides.items()}  # fmt: skip
    before = list(AdviceItem.objects.filter(case=case).values_list("due_on", "next_action_on"))
    response = login(ours.case_officer).post(f"/escalation/cases/{case.pk}/exceptions/new/", form(**overrides))
    html = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in html and error in html
    assert "Missed the SLT assessment on 9 March; rebooked" in html
    assert not TimelineException.objects.exists()
    assert list(AdviceItem.objects.filter(case=case).values_list("due_on", "next_action_on")) == before


def test_an_end_before_the_start_is_refused(ours, asked, login):
    case, _, _ = asked
    exception = exception_record(
        case=case, user=ours.case_officer, reason="personal", detail="D", agreed_by="A", starts_on=D(2026, 3, 10)
    )
    response = login(ours.case_officer).post(
        f"/escalation/exceptions/{exception.pk}/end/", {"ends_on_0": "9", "ends_on_1": "3", "ends_on_2": "2026"}
    )
    assert response.status_code == 200 and "must be on or after 10 March 2026" in response.content.decode()
    exception.refresh_from_db()
    assert exception.ends_on is None


def test_only_the_las_case_officers_and_business_support_may_record_change_or_end(ours, theirs, asked, login):
    case, _, _ = asked
    exception = exception_record(
        case=case, user=ours.case_officer, reason="personal", detail="D", agreed_by="A", starts_on=D(2026, 3, 10)
    )
    urls = [
        f"/escalation/cases/{case.pk}/exceptions/new/",
        f"/escalation/exceptions/{exception.pk}/change/",
        f"/escalation/exceptions/{exception.pk}/end/",
    ]
    for user in (ours.case_officer, ours.business_support):
        client = login(user)
        assert [client.get(url).status_code for url in urls] == [200, 200, 200]
    refused = (ours.dco, ours.spoc, ours.slt_practitioner, ours.head_of_service, theirs.case_officer)
    for user in refused:
        client = login(user)
        assert [client.get(url).status_code for url in urls] == [404, 404, 404], user.username
        assert client.post(urls[2], {"ends_on_0": "19", "ends_on_1": "3", "ends_on_2": "2026"}).status_code == 404
    exception.refresh_from_db()
    assert exception.ends_on is None
    # Someone else's case page offers no link to change it.
    html = login(ours.dco).get(f"/cases/{case.pk}/").content.decode()
    assert f"/escalation/exceptions/{exception.pk}/change/" not in html


def test_a_missing_exception_is_a_404(ours, asked, login):
    assert login(ours.case_officer).get("/escalation/exceptions/999999/change/").status_code == 404


def test_the_spoc_and_team_queues_mark_an_item_whose_clock_is_stopped(ours, asked, login):
    case, slt, ot = asked
    exception_record(
        case=case,
        user=ours.case_officer,
        reason=ExceptionReason.MISSED_APPOINTMENT,
        detail="Missed",
        agreed_by="SEND manager",
        starts_on=D(2026, 3, 10),
        covers_all_advice=False,
        items=[slt],
    )
    from advice.selectors import spoc_queue, team_queue

    queue = spoc_queue(provider=ours.provider, today=D(2026, 4, 12))
    rows = {row.pk: row for row in queue.due_soon.rows}
    assert (rows[slt.pk].is_excepted, rows[slt.pk].clock_stopped, rows[slt.pk].exception_label) == (
        True,
        True,
        "Missed appointment",
    )
    assert (rows[ot.pk].is_excepted, rows[ot.pk].clock_stopped) == (False, False)
    [row] = team_queue(user=ours.slt_practitioner, today=D(2026, 4, 12)).rows
    assert row.clock_stopped
    with time_machine.travel(datetime.datetime(2026, 4, 12, 10, 0, tzinfo=datetime.UTC), tick=False):
        html = login(ours.spoc).get("/advice/spoc/").content.decode()
    assert "Missed appointment: clock stopped, not chased" in html


def test_the_case_officer_goes_from_one_teams_advice_to_an_exception_for_it(ours, asked, login):
    case, slt, _ = asked
    client = login(ours.case_officer)
    html = client.get(f"/advice/items/{slt.pk}/").content.decode()
    link = f"/escalation/cases/{case.pk}/exceptions/new/?item={slt.pk}"
    assert link in html
    form = client.get(link).context["form"]
    assert form.initial == {"covers": "chosen", "items": [slt.pk]}
    # A health practitioner's view of the same advice offers no such link.
    assert link not in login(ours.slt_practitioner).get(f"/advice/items/{slt.pk}/").content.decode()

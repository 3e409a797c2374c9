"""A case officer excepts one team's advice in the browser: the form's errors, then the case page's
moved dates (axe-checked at each step)."""

import datetime

import pytest
from django.utils import timezone

from advice.models import AdviceItem

from ..factories import AdviceItemFactory, AdviceRequestFactory, CaseFactory
from .helpers import expect, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def fill_date(page, legend, date):
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(date.day))
    group.get_by_label("Month").fill(str(date.month))
    group.get_by_label("Year").fill(str(date.year))


def test_case_officer_stops_one_teams_clock_and_sees_the_moved_dates(journey, ours, authenticator):
    page = journey.page
    today = timezone.localdate()
    asked_on = today - datetime.timedelta(days=20)
    case = CaseFactory(
        local_authority=ours.la,
        case_officer=ours.case_officer,
        last_name="O'Neill",
        received_on=asked_on - datetime.timedelta(days=7),
    )
    request = AdviceRequestFactory(case=case, provider=ours.provider, notified_on=asked_on)
    slt, ot = (
        AdviceItemFactory(request=request, team=team, named_by_family=True, next_action_on=request.due_on)
        for team in (ours.slt, ours.ot)
    )
    authenticator(ours.case_officer)
    sign_in(journey, ours.case_officer)
    page.goto(f"/cases/{case.pk}/")

    page.get_by_role("link", name="Record an exception (regulations 10(4) and 8(2))").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record an exception")
    page.get_by_label("Missed appointment").check()
    page.get_by_label("Details").fill("Missed the speech and language assessment; rebooked")
    page.get_by_label("Who agreed the exception").fill("Siobhan O'Neill, SEND manager")
    fill_date(page, "Date the exception applies from", today - datetime.timedelta(days=10))
    fill_date(page, "Last day the exception applies (optional)", today - datetime.timedelta(days=12))
    page.get_by_label("Only the teams' advice chosen below").check()
    page.get_by_role("button", name="Save").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Last day the exception applies must be on or after the date it applies from")
    expect(summary).to_contain_text("Select the teams whose advice the exception covers")
    expect(page.get_by_label("Who agreed the exception")).to_have_value("Siobhan O'Neill, SEND manager")
    journey.check("exception form, end before start and no team chosen")

    fill_date(page, "Last day the exception applies (optional)", today - datetime.timedelta(days=1))
    page.get_by_label(f"{ours.slt.name} ({ours.provider})").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(case.child_name)
    moved = page.get_by_role("table", name="Dates moved by exceptions")
    expect(moved.locator("tbody tr")).to_have_count(1)
    expect(moved).to_contain_text(ours.slt.name)
    expect(moved).to_contain_text("10 excepted days")
    expect(page.get_by_text(f"Only: {ours.slt.name}")).to_be_visible()
    journey.check("case page with one team's advice excepted")
    assert AdviceItem.objects.get(pk=slt.pk).due_on == request.due_on + datetime.timedelta(days=10)
    assert AdviceItem.objects.get(pk=ot.pk).due_on == request.due_on

    starts = today - datetime.timedelta(days=10)
    page.get_by_role("link", name=f"Change the exception from {starts.day} {starts:%b %Y}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change the exception")
    expect(page.get_by_label(f"{ours.slt.name} ({ours.provider})")).to_be_checked()
    journey.check("exception change form")

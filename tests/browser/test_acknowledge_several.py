"""A SPOC ticks two requests on the queue and answers both on one page, each request its own grid of
teams: sent with none ticked, or 21, the queue's error summary leads to the checkboxes with the ticks
kept; sent with one unanswered, nothing is saved and the summary leads to the very radio; put right,
both are acknowledged at once and the confirmation page links each by its reference."""

import re

import pytest

from advice.models import AdviceRequest
from ehc.models import Service
from tests.advice.test_acknowledge_grid import nine_teams, request_for

from .helpers import expect, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_spoc_acknowledges_two_requests_on_one_page(journey, ours, authenticator):
    nine_teams(ours)
    first = request_for(ours, [Service.OT])
    second = request_for(ours, [Service.COMMUNITY_PAEDIATRICS])
    ot = first.items.get().team_id
    paeds = second.items.get().team_id
    page = journey.page
    authenticator(ours.spoc)
    sign_in(journey, ours.spoc)
    page.get_by_role("link", name="2 requests for health advice to acknowledge").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Requests for health advice")
    journey.check("the queue with a checkbox per request")
    # None ticked: the queue again, its error summary focused, its link to the first checkbox.
    page.get_by_role("button", name="Acknowledge selected requests").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("alert")).to_contain_text("Select the requests to acknowledge")
    expect(page.locator("#select-requests-error")).to_contain_text("Select the requests to acknowledge")
    expect(page).to_have_title(re.compile(r"\(error\)"))
    journey.check("none ticked")
    summary.get_by_role("link", name="Select the requests to acknowledge").click()
    expect(page.locator("input[name=request]").first).to_be_focused()
    page.get_by_label(f"Select {first.case.reference}").check()
    page.get_by_label(f"Select {second.case.reference}").check()
    page.get_by_role("button", name="Acknowledge selected requests").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Acknowledge 2 requests for health advice")
    for advice_request in (first, second):
        expect(
            page.get_by_role(
                "region", name=f"{advice_request.case.reference}: will each team respond, and is the child known to it?"
            )
        ).to_be_visible()
    journey.check("two requests, each its own grid")

    # The first request answered, the second's named team not: nothing saved, the summary says which.
    page.get_by_label("OT Ours: Will respond: not known to the team").first.check()
    page.get_by_role("button", name="Acknowledge 2 requests").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("nothing has been saved")
    expect(summary).to_contain_text(f"{second.case.reference}: Select whether Paediatrics Ours will respond")
    journey.check("two requests with an error")
    assert not AdviceRequest.objects.filter(pk__in=[first.pk, second.pk], acknowledged_at__isnull=False).exists()
    # The first request's answer is kept; the summary's link goes to the second's radio.
    expect(page.locator(f"#id_request-{first.pk}-team_{ot}_3")).to_be_checked()
    summary.get_by_role("link", name=f"{second.case.reference}: Select whether Paediatrics Ours").click()
    expect(page.locator(f"#id_request-{second.pk}-team_{paeds}_1")).to_be_focused()
    page.locator(f"#id_request-{second.pk}-team_{paeds}_4").check()
    page.get_by_role("button", name="Acknowledge 2 requests").click()
    expect(page).to_have_url(re.compile(r"/advice/spoc/acknowledged/$"))
    expect(page.locator(".govuk-panel--confirmation")).to_contain_text("2 requests acknowledged")
    journey.check("both acknowledged")
    page.get_by_role("link", name=second.case.reference).click()
    expect(page).to_have_url(re.compile(rf"/advice/requests/{second.pk}/$"))
    assert AdviceRequest.objects.filter(pk__in=[first.pk, second.pk], acknowledged_at__isnull=False).count() == 2


def test_twenty_one_ticked_are_refused_with_the_ticks_kept(journey, ours, authenticator):
    requests = [request_for(ours, [Service.OT]) for _ in range(21)]
    page = journey.page
    authenticator(ours.spoc)
    sign_in(journey, ours.spoc)
    page.get_by_role("link", name="21 requests for health advice to acknowledge").click()
    for advice_request in requests:
        page.get_by_label(f"Select {advice_request.case.reference}").check()
    page.get_by_role("button", name="Acknowledge selected requests").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Select 20 requests or fewer to acknowledge at once: you selected 21")
    expect(page.locator("input[name=request]:checked")).to_have_count(21)
    journey.check("21 ticked")
    # One unticked, the 20 go on to their questions.
    page.get_by_label(f"Select {requests[0].case.reference}").uncheck()
    page.get_by_role("button", name="Acknowledge selected requests").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Acknowledge 20 requests for health advice")
    ids = [each.pk for each in requests]
    assert not AdviceRequest.objects.filter(pk__in=ids, acknowledged_at__isnull=False).exists()

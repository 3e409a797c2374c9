"""Escalation 2 belongs to the DCO: in the browser the DCO records a date agreed with the team before
escalation 2 falls due, and escalation 2 never goes out; the LA hears of it in the service. Time moves
on through the sweep's --now option."""

import datetime
import re

import pytest
from django.utils import timezone

from ehc.models import MessageKind, Notification, OutboundEmail, Service

from . import scenes
from .helpers import choose_radio, expect, press_enter_on, sign_in, skip_to_main, type_date, type_into, url_or_skip
from .test_escalation import late_request, timer_dates

pytestmark = pytest.mark.django_db(transaction=True)


def test_dco_agrees_a_date_before_escalation_2_and_escalation_2_never_goes(journey, ours, authenticator):
    from advice.models import Stage
    from escalation.models import Escalation, Escalation2Resolution, EscalationStage

    url_or_skip("escalation:resolutions_due")
    page = journey.page
    today = timezone.localdate()
    # Escalation 1 went a few days ago: escalation 2 falls due in about ten days.
    case, advice_request = late_request(ours, notified_days_ago=60, teams=(Service.SLT,))
    chase_on, escalation_1_on, escalation_2_on = timer_dates(ours, advice_request)
    scenes.sweep_at(chase_on)
    scenes.sweep_at(escalation_1_on)
    item = advice_request.items.get()
    assert item.stage == Stage.ESCALATION_1 and escalation_2_on > today

    authenticator(ours.dco)
    sign_in(journey, ours.dco)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Escalation 2 due").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Escalation 2 due")
    due = page.get_by_role("table", name=re.compile("Escalation 2 due"))
    expect(due.locator("tbody tr")).to_have_count(1)
    expect(due).to_contain_text(f"{escalation_2_on.day} {escalation_2_on:%b %Y}")
    journey.check("escalation 2 due")

    skip_to_main(page)
    press_enter_on(page, f"a[href$='/escalation-2/items/{item.pk}/resolve/']")
    expect(page.get_by_role("heading", level=1)).to_have_text("Resolve before escalation 2")
    journey.check("resolution form")

    press_enter_on(page, "button[type=submit]")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Select what the DCO/DMO office has agreed")
    expect(summary).to_contain_text("Enter reason, as given to the Assistant Director")
    journey.check("resolution form, nothing chosen")

    choose_radio(page, "kind", "A date agreed with the team")
    agreed = today + datetime.timedelta(days=21)
    type_date(page, "agreed_date", agreed)
    type_into(page, "#id_reason", "Agreed with the SLT lead: O'Neill clinic slots freed for the assessment.")
    press_enter_on(page, "button[type=submit]")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"Resolution recorded for {case.reference}: escalation 2 will not go"
    )
    expect(page.get_by_text("No advice in your area is waiting for escalation 2")).to_be_visible()
    journey.check("escalation 2 due, none left")

    resolution = Escalation2Resolution.objects.get(item=item)
    assert resolution.agreed_on == agreed and resolution.recorded_by == ours.dco
    item.refresh_from_db()
    assert item.promised_on == agreed and item.next_action_on is None

    # The day escalation 2 would have gone, and the days after: it never does.
    for days_after in (0, 1, 3):
        scenes.sweep_at(escalation_2_on + datetime.timedelta(days=days_after))
    item.refresh_from_db()
    assert item.stage == Stage.ESCALATION_1
    assert not Escalation.objects.filter(request=advice_request, stage=EscalationStage.ESCALATION_2).exists()
    assert not OutboundEmail.objects.filter(kind=MessageKind.ESCALATION_2).exists()

    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Overdue advice").click()
    outcomes = page.get_by_role("table", name=re.compile("Escalation 2 in the last four weeks"))
    expect(outcomes).to_contain_text(case.reference)
    expect(outcomes).to_contain_text(f"Resolved by the DCO: date agreed with the team, {agreed.day} {agreed:%b %Y}")
    journey.check("DCO dashboard, escalation 2 resolved")

    # The LA is told: the case officer's notifications, with the count in the header.
    assert Notification.objects.filter(user=ours.case_officer, kind=MessageKind.ESCALATION_2_RESOLVED).exists()
    page.context.clear_cookies()
    authenticator(ours.case_officer)
    sign_in(journey, ours.case_officer)
    header = page.locator(".app-header__notifications")
    expect(header).to_contain_text("1 unread")
    header.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Notifications")
    notices = page.get_by_role("table", name=re.compile("Your notifications"))
    expect(notices).to_contain_text("agreed a date for the advice: no escalation 2")
    journey.check("notifications, one unread")
    notices.get_by_role("link", name=re.compile(case.reference)).click()
    expect(page).to_have_url(re.compile(f"/cases/{case.pk}/$"))
    expect(page.locator(".app-header__notifications")).not_to_contain_text("unread")

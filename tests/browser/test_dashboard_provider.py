"""The DCO narrows the overdue dashboard to one health provider with the keyboard; a hand-edited
address naming a provider outside the area is an error summary over the whole area's figures."""

import datetime
import re
from types import SimpleNamespace

import pytest
from django.utils import timezone

from ehc.models import Service

from ..factories import ProviderFactory, TeamFactory
from ..reports.helpers import item
from .helpers import choose_option, expect, press_enter_on, sign_in_with_keyboard, start_from_home, url_or_skip

pytestmark = pytest.mark.django_db(transaction=True)
DAY = datetime.timedelta(days=1)


def test_dco_narrows_the_dashboard_to_one_provider_with_the_keyboard_only(journey, ours, theirs, authenticator):
    url_or_skip("reports:dashboard")
    page = journey.page
    today = timezone.localdate()
    provider = ProviderFactory(name="Harbourside Therapies", short_name="HT", spoc_email="spoc@ht.example")
    provider.served_las.add(ours.la)
    team = TeamFactory(provider=provider, name="Physiotherapy HT", service=Service.PHYSIOTHERAPY)
    second = SimpleNamespace(**{**vars(ours), "provider": provider, "slt": team})
    item(ours, notified_on=today - 50 * DAY)
    second_item = item(second, notified_on=today - 55 * DAY)
    outsider = item(theirs, notified_on=today - 50 * DAY)

    sign_in_with_keyboard(journey, ours.dco, authenticator(ours.dco))
    start_from_home(page, "Overdue advice dashboard", keyboard=True)
    expect(page.get_by_role("heading", level=1)).to_have_text("Overdue health advice")
    by_provider = page.get_by_role("table", name="By provider")
    expect(by_provider.locator("tbody tr")).to_have_count(2)
    journey.check("keyboard: DCO dashboard, every provider")

    choose_option(page, "#id_provider", "Harbourside Therapies")
    press_enter_on(page, text="Show")
    expect(page).to_have_url(re.compile(rf"provider={provider.pk}"))
    expect(by_provider.locator("tbody tr")).to_have_count(1)
    expect(by_provider).to_contain_text("Harbourside Therapies")
    expect(page.get_by_role("table", name="By team").locator("tbody tr")).to_have_count(1)
    expect(page.locator("main")).to_contain_text("1 item of health advice outstanding")
    journey.check("keyboard: DCO dashboard, one provider")

    press_enter_on(page, text="1 item of health advice outstanding")
    rows = page.get_by_role("table", name=re.compile("Outstanding health advice")).locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(second_item.case.reference)

    # A hand-edited address naming the other area's provider: an error, and the whole area shown.
    page.goto(f"/reports/dashboard/?provider={theirs.provider.pk}")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select a provider from the list")
    expect(by_provider.locator("tbody tr")).to_have_count(2)
    expect(page.locator("main")).not_to_contain_text(theirs.provider.name)
    expect(page.locator("main")).not_to_contain_text(outsider.case.reference)
    journey.check("DCO dashboard, a provider outside the area")
    page.locator(".govuk-error-summary a").click()
    expect(page.locator("#id_provider")).to_be_focused()

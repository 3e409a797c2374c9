"""The home page in a browser, as the demo makes its one user with two roles: a section for each."""

import pytest

from ehc.demo import DEMO_PASSWORD, seed_organisations, seed_users

from .helpers import expect, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_demos_two_role_user_sees_a_section_for_each_role(journey):
    icb, la, provider, teams = seed_organisations()
    lead = seed_users((icb, la, provider), teams)["physio.lead"]
    page = journey.page
    sign_in(journey, lead, password=DEMO_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your work today")
    expect(page.get_by_role("heading", level=2, name="As the health single point of contact")).to_be_visible()
    expect(page.get_by_role("heading", level=2, name="As a health practitioner")).to_be_visible()
    expect(page.get_by_role("heading", level=2, name="As a head of service")).to_have_count(0)
    expect(page.get_by_text("Nothing is waiting for you today.")).to_be_visible()
    journey.check("home page with two roles")
    page.get_by_role("link", name="Your team's advice").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My team's advice")
    page.go_back()
    page.get_by_role("link", name="Requests for health advice").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Requests for health advice")

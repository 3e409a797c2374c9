"""A provider's administrator adds a team and a head of service covering it; the SPOC can name the
new team when acknowledging a request for health advice."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from ehc.models import AuditEvent, Role, Service, Team

from ..factories import UserFactory
from . import scenes
from .helpers import expect, sign_in, start_from_home, url_or_skip

pytestmark = pytest.mark.django_db(transaction=True)


def test_provider_administrator_adds_a_team_and_its_head_and_the_spoc_can_name_it(journey, ours, authenticator):
    url_or_skip("administration:teams")
    page = journey.page
    admin = UserFactory(
        username="provider-admin-journey", organisation=ours.provider, roles=[Role.ADMINISTRATOR], email=""
    )
    sign_in(journey, admin, device=authenticator(admin))
    start_from_home(page, "Administration")
    expect(page.get_by_role("heading", level=1)).to_have_text("Administration")
    journey.check("provider administration index")

    page.get_by_role("navigation", name="Administration sections").get_by_role("link", name="Teams").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Teams")
    journey.check("teams")
    page.get_by_role("link", name="Add a team").click()
    # First without a service: the error summary, nothing added.
    page.get_by_label("Team name").fill("O'Neill Dietetics")
    page.get_by_role("button", name="Add the team").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select the team's service")
    journey.check("add a team, service missing")
    assert not Team.objects.filter(name="O'Neill Dietetics").exists()
    page.get_by_label("Service", exact=True).select_option(label="Other health service")
    page.get_by_label("Team mailbox").fill("dietetics@provider-ours.example")
    page.get_by_role("button", name="Add the team").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Added the team O'Neill Dietetics")
    expect(page.get_by_role("table", name="Teams")).to_contain_text("O'Neill Dietetics")
    journey.check("teams, one added")
    team = Team.objects.get(provider=ours.provider, name="O'Neill Dietetics")

    page.get_by_role("navigation", name="Administration sections").get_by_role("link", name="Heads of service").click()
    page.get_by_role("link", name="Add a head of service").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a head of service")
    journey.check("add a head of service")
    page.get_by_label("Name", exact=True).fill("Robin Ashdown")
    page.get_by_label("Job title").fill("Head of Allied Health Professions")
    page.get_by_label("Email", exact=True).fill("robin.ashdown@provider-ours.example")
    page.get_by_label("O'Neill Dietetics").check()
    page.get_by_role("button", name="Save the head of service").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Robin Ashdown")
    heads = page.get_by_role("table", name="Heads of service and the teams they cover")
    expect(heads.get_by_role("row", name=re.compile("Robin Ashdown"))).to_contain_text("O'Neill Dietetics")
    journey.check("heads of service, one added")
    team.refresh_from_db()
    assert team.head_of_service_email == "robin.ashdown@provider-ours.example"
    assert AuditEvent.objects.filter(settings_of=ours.provider).count() == 2

    # The settings history shows both, with their after values.
    page.get_by_role("navigation", name="Administration sections").get_by_role("link", name="Settings history").click()
    expect(page.locator("main")).to_contain_text("Added the team O'Neill Dietetics")
    expect(page.locator("main")).to_contain_text("Added the head of service Robin Ashdown")
    journey.check("settings history")

    # The SPOC acknowledging a request can name the new team.
    advice_request = scenes.advice_requested(
        ours, scenes.open_case(ours), services=[Service.SLT], on=timezone.localdate() - datetime.timedelta(days=1)
    )
    page.context.clear_cookies()
    sign_in(journey, ours.spoc, device=authenticator(ours.spoc))
    page.goto(reverse("advice:acknowledge", args=[advice_request.pk]))
    expect(page.get_by_role("heading", level=1)).to_have_text("Acknowledge the request for health advice")
    expect(page.locator(f"input[name=team_{team.pk}]").first).to_be_attached()
    expect(page.locator("main")).to_contain_text("O'Neill Dietetics")
    journey.check("acknowledgement offers the new team")

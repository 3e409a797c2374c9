"""An invited user's first sign-in (issue 16): an LA administrator invites them from the People page,
they open the emailed link, choose a password, enrol an authenticator before anything else, and land
on their home page."""

import base64
import re

import pytest
from django_otp.oath import totp

from ehc.models import MessageKind, OutboundEmail, Role, User
from tests.factories import UserFactory

from .helpers import expect, give_authenticator, sign_in, start_from_home

pytestmark = pytest.mark.django_db(transaction=True)

ADDRESS = "aoife.oneill@council-ours.example"
NEW_PASSWORD = "seven herons over the quay"


def test_an_invited_user_sets_a_password_and_enrols_two_factor_on_first_sign_in(journey, ours):
    page = journey.page
    admin = UserFactory(username="la-admin", organisation=ours.la, roles=[Role.ADMINISTRATOR])
    sign_in(journey, admin, device=give_authenticator(admin))
    start_from_home(page, "Administration")
    page.get_by_role("link", name="People").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("People")
    journey.check("people")

    page.get_by_role("link", name="Invite a user").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Invite a user")
    journey.check("invite form")
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the first name")
    journey.check("invite form with errors")

    page.get_by_label("First name").fill("Aoife")
    page.get_by_label("Last name").fill("O'Neill")
    page.get_by_label("Email address").fill(ADDRESS)
    page.get_by_label("SEND case officer").check()
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Aoife O'Neill is invited")
    expect(page.get_by_role("row", name=re.compile("Aoife O'Neill"))).to_contain_text("Invited")
    journey.check("people with the invited user")
    page.get_by_role("link", name="Sign out").click()
    page.get_by_role("button", name="Sign out").click()

    email = OutboundEmail.objects.get(kind=MessageKind.INVITATION, to=[ADDRESS])
    link = re.search(r"https?://\S+/account/invitation/\S+/", email.body_text).group(0)
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up your account")
    expect(page.get_by_text(ADDRESS)).to_be_visible()
    journey.check("set up your account")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirm the new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Save the password").click()

    # Nothing before the authenticator: the set-up page comes straight after the password.
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor authentication")
    journey.check("two-factor set-up after the invitation")
    page.goto("/cases/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor authentication")
    key = base64.b32decode(page.locator("code").inner_text().strip())
    page.get_by_label("Security code").fill(f"{totp(key):06d}")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Backup codes")
    page.get_by_role("link", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your work today")
    page.get_by_role("link", name="Your caseload").click()
    expect(page).to_have_url(re.compile(r"/cases/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Cases")
    journey.check("the invited user's home page")

    invited = User.objects.get(email=ADDRESS)
    assert invited.check_password(NEW_PASSWORD) and invited.last_login is not None
    # The link was used up: opening it again tells them so, and nothing more.
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("This link cannot be used")
    journey.check("a used invitation link")

"""Signing in as a person does: the real form, an authenticator app, and the pages anyone can reach."""

import base64
import re

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .helpers import OTP_THROTTLE_SECONDS, PASSWORD, expect, security_code, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_first_sign_in_sets_up_two_factor_then_lands_on_an_empty_caseload(journey, ours):
    page = journey.page
    page.goto("/cases/")
    expect(page).to_have_url(re.compile(r"/sign-in/\?next=/cases/"))
    expect(page.locator("link[href$='govuk-frontend.min.css']")).to_have_count(1)
    # Styled, not bare HTML: the GOV.UK stylesheet is served and applied.
    assert "arial" in page.locator("h1").evaluate("(h1) => getComputedStyle(h1).fontFamily").lower()
    journey.check("sign-in page")

    page.get_by_label("Username").fill(ours.case_officer.username)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a correct username and password")
    expect(page).to_have_title(re.compile(r"\(error\)"))
    journey.check("sign-in with a wrong password")

    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor authentication")
    expect(page.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    journey.check("two-factor set-up")

    page.get_by_label("Security code").fill("000000")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("The code is not right")
    journey.check("two-factor set-up with a wrong code")
    page.wait_for_timeout(OTP_THROTTLE_SECONDS * 1000)

    # The phone app is given the key shown on the page; the test computes what it would show.
    key = base64.b32decode(page.locator("code").inner_text().strip())
    page.get_by_label("Security code").fill(f"{totp(key):06d}")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Backup codes")
    codes = page.locator("main code").all_inner_texts()
    assert len(codes) == 10
    assert StaticToken.objects.filter(device__user=ours.case_officer).count() == 10
    journey.check("backup codes")

    page.get_by_role("link", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your work today")
    expect(page.get_by_text("Nothing is waiting for you today.")).to_be_visible()
    page.get_by_role("link", name="Your caseload").click()
    expect(page).to_have_url(re.compile(r"/cases/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Cases")
    expect(page.get_by_text("No cases match these filters")).to_be_visible()
    journey.check("empty caseload")
    assert TOTPDevice.objects.get(user=ours.case_officer).confirmed


def test_returning_user_enters_a_security_code(journey, ours, authenticator):
    page = journey.page
    device = authenticator(ours.case_officer)
    page.goto("/sign-in/")
    page.get_by_label("Username").fill(ours.case_officer.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your security code")
    # Nothing behind the sign-in is offered before the second step: the menu holds only "Sign out".
    expect(page.get_by_role("navigation", name="Menu").get_by_role("link")).to_have_text(["Sign out"])
    journey.check("security code page")

    page.get_by_label("Security code").fill("")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the security code")
    journey.check("security code left empty")

    page.get_by_label("Security code").fill("123456" if security_code(device) != "123456" else "654321")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("The security code is not right")
    journey.check("wrong security code")
    page.wait_for_timeout(OTP_THROTTLE_SECONDS * 1000)

    page.get_by_label("Security code").fill(security_code(device))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your work today")
    expect(page.get_by_role("navigation", name="Menu").get_by_role("link", name="Cases")).to_be_visible()

    page.get_by_role("link", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sign out")
    journey.check("sign-out confirmation")
    page.get_by_role("button", name="Sign out").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("You have signed out")
    journey.check("signed out")


def test_accessibility_statement_is_in_the_footer_for_everyone(journey, ours, authenticator):
    page = journey.page
    page.goto("/sign-in/")
    page.get_by_role("contentinfo").get_by_role("link", name="Accessibility statement").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Accessibility statement for EHC health advice")
    for heading in (
        "Using this service",
        "How accessible this service is",
        "Feedback and contact information",
        "Reporting accessibility problems with this service",
        "Enforcement procedure",
        "Technical information about this service's accessibility",
        "Compliance status",
        "Non-accessible content",
        "What we're doing to improve accessibility",
        "Preparation of this accessibility statement",
    ):
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
    journey.check("accessibility statement, signed out")

    authenticator(ours.spoc)
    sign_in(journey, ours.spoc)
    page.goto("/accessibility/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Accessibility statement for EHC health advice")
    journey.check("accessibility statement, signed in")


def test_a_missing_page_and_someone_elses_case_look_the_same(journey, ours, theirs, authenticator):
    from ..factories import CaseFactory

    their_case = CaseFactory(local_authority=theirs.la, last_name="Quennell-Ashdown")  # no user shares it
    page = journey.page
    response = page.goto("/no-such-page/")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    journey.check("404 signed out")

    authenticator(ours.case_officer)
    sign_in(journey, ours.case_officer)
    response = page.goto(f"/cases/{their_case.pk}/")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    expect(page.get_by_text(their_case.child.last_name)).to_have_count(0)
    journey.check("404 for another council's case")


def test_forgotten_password_is_reset_through_the_emailed_link(journey, ours, authenticator):
    from django.core import mail

    page = journey.page
    authenticator(ours.spoc)
    page.goto("/sign-in/")
    page.get_by_role("link", name="Forgotten your password?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reset your password")
    journey.check("password reset form")
    page.get_by_role("button", name="Send the link").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    journey.check("password reset form, nothing entered")

    page.get_by_label("Email").fill(ours.spoc.email)
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    journey.check("password reset link sent")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [ours.spoc.email]
    link = re.search(r"https?://\S+/account/password-reset/\S+/", mail.outbox[0].body).group(0)

    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    journey.check("choose a new password")
    new_password = "a brand new harbour lighthouse"
    page.get_by_label("New password", exact=True).fill(new_password)
    page.get_by_label("Confirm the new password").fill(new_password + " typo")
    page.get_by_role("button", name="Save the password").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    journey.check("choose a new password, the two do not match")
    page.get_by_label("New password", exact=True).fill(new_password)
    page.get_by_label("Confirm the new password").fill(new_password)
    page.get_by_role("button", name="Save the password").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    journey.check("password reset complete")

    page.goto("/sign-in/")
    page.get_by_label("Username").fill(ours.spoc.username)
    page.get_by_label("Password").fill(new_password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your security code")

"""Inviting someone whose organisation signs its people in with its own account (ehc.sso): the email
says to sign in with the work address and carries no link to set a password they could not use; the
people page shows them invited until they first sign in, then active; their first sign-in through
the organisation uses the invitation up. Signed in end to end against the same real OpenID Connect
provider as tests/ehc/test_sso.py."""

import datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from ehc.invitations import invitation_for_token, invitation_send, token_hash
from ehc.models import Invitation, MessageKind, OutboundEmail, Role, SingleSignOn, SingleSignOnDomain, User
from tests.ehc.test_sso import CLIENT_ID, _callback, _provider_signs_in, _set_claims, _site, _start, idp  # noqa: F401 - fixtures used by name

pytestmark = pytest.mark.django_db

DOMAIN = "council-ours-sso.example"
START = datetime.datetime(2026, 12, 7, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def ours_sign_on(ours, idp):  # noqa: F811 - the imported fixture
    config = SingleSignOn.objects.create(
        organisation=ours.la,
        issuer=idp,
        client_id=CLIENT_ID,
        client_secret_ref="env:OIDC_SECRET_SSO_TEST",
        mfa_amr_values="mfa",
    )
    SingleSignOnDomain.objects.create(sign_on=config, domain=DOMAIN)
    return config


def invite(admin, email):
    data = {
        "first_name": "Siobhan",
        "last_name": "O'Neill",
        "email": email,
        "job_title": "SEND case officer",
        "roles": [Role.CASE_OFFICER],
    }
    response = admin.post(reverse("administration:person_invite"), data)
    assert response.status_code == 302, response.content
    return User.objects.get(email=email)


def state_on_people_page(admin):
    page = admin.get(reverse("administration:people")).content.decode()
    row = page[page.index("Siobhan O&#x27;Neill") :]
    return row[: row.index("</tr>")]


def test_the_email_says_to_sign_in_with_the_organisation_and_has_no_password_link(
    ours, ours_sign_on, our_admins, login
):
    admin = login(our_admins.la)
    person = invite(admin, f"siobhan.oneill@{DOMAIN}")
    (row,) = OutboundEmail.objects.filter(kind=MessageKind.INVITATION, to=[person.email])
    for body in (row.body_text, row.body_html):
        assert "Sign in with your organisation" in body
        assert "/account/invitation/" not in body and "Choose your password" not in body
        assert reverse("login") in body
    assert "O'Neill" not in row.body_text + row.subject
    assert Invitation.objects.filter(user=person, used_at__isnull=True).count() == 1


def test_someone_outside_the_sign_on_domains_still_gets_the_password_link(ours, ours_sign_on, our_admins, login):
    admin = login(our_admins.la)
    person = invite(admin, "siobhan.oneill@council-ours.example")
    (row,) = OutboundEmail.objects.filter(kind=MessageKind.INVITATION, to=[person.email])
    assert "/account/invitation/" in row.body_text and "Sign in with your organisation" not in row.body_text


def test_an_invitation_link_cannot_set_a_password_for_a_sign_on_user(ours, ours_sign_on, our_admins):
    person = User.objects.create(
        username=f"niamh@{DOMAIN}", email=f"niamh@{DOMAIN}", organisation=ours.la, roles=[Role.CASE_OFFICER]
    )
    person.set_unusable_password()
    person.save()
    invitation = invitation_send(user=person, invited_by=our_admins.la)
    # Whatever the token was, a link made for this row is refused: give the row a known one.
    invitation.token_hash = token_hash("known-token")
    invitation.save()
    assert invitation_for_token("known-token") is None
    page = Client().get(reverse("invitation_accept", kwargs={"token": "known-token"}))
    assert "This link cannot be used" in page.content.decode()
    ours_sign_on.is_enabled = False
    ours_sign_on.save()
    # Without the organisation's sign-on the same link sets a password as for anybody.
    assert invitation_for_token("known-token") == invitation


def test_invited_until_the_first_sign_in_then_active_and_the_invitation_used(
    ours, ours_sign_on, our_admins, login, idp  # noqa: F811
):
    with time_machine.travel(START, tick=False):
        person = invite(login(our_admins.la), f"siobhan.oneill@{DOMAIN}")
    # Past the 72 hours a password link lasts: the sign-in link does not expire.
    with time_machine.travel(START + datetime.timedelta(days=5), tick=True):
        admin = login(our_admins.la)
        assert "Invited" in state_on_people_page(admin)
        page = admin.get(reverse("administration:person", args=[person.pk])).content.decode()
        assert "Send the invitation email again" in page and "72 hours" not in page
        browser = Client()
        _set_claims(idp, person.email, amr=["mfa"])
        response = _callback(browser, _provider_signs_in(_start(browser, person.email), person.email))
        assert response.status_code == 302
        assert browser.session["_auth_user_id"] == str(person.pk)
        assert browser.get(reverse("home")).status_code == 200  # signed in: their home page, not sign-in
        assert "Active" in state_on_people_page(admin)
        page = admin.get(reverse("administration:person", args=[person.pk])).content.decode()
        assert "Send the invitation email again" not in page and "Send a new invitation link" not in page
    assert Invitation.objects.get(user=person).used_at is not None
    person.refresh_from_db()
    assert not person.has_usable_password()

"""Invitations (issue 16, Users): an administrator invites by email; the link works for 72 hours, once;
the invitee sets a password and enrols an authenticator before anything else. A bad link, whatever
made it bad, gets one and the same page."""

import datetime
import re

import pytest
import time_machine
from django.core import mail
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from ehc.invitations import token_hash
from ehc.models import AuditEvent, Invitation, MessageKind, OutboundEmail, Role, User

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 12, 7, 9, 0, tzinfo=datetime.UTC)
PASSWORD = "a kettle of harbour lanterns 9"


def invite(client, **overrides):
    data = {
        "first_name": "Niamh",
        "last_name": "O'Neill",
        "email": "niamh.oneill@council-ours.example",
        "job_title": "SEND case officer",
        "roles": [Role.CASE_OFFICER],
        **overrides,
    }
    return client.post(reverse("administration:person_invite"), data)


def link_in(text):
    return re.search(r"https?://[^/\s]+(/account/invitation/[^/\s]+/)", text).group(1)


def emails_to(address):
    """The outbox rows for `address`, oldest first (queued in the transaction, sent after it)."""
    return list(OutboundEmail.objects.filter(to=[address]).order_by("pk"))


def last_link(address):
    return link_in(emails_to(address)[-1].body_text)


def bad_link_page(path):
    response = Client().get(path)
    assert response.status_code == 200
    body = response.content.decode()
    assert "This link cannot be used" in body
    return body


def test_an_la_administrator_invites_a_user_who_sets_a_password_and_must_enrol_two_factor(
    ours, our_admins, login, django_capture_on_commit_callbacks
):
    admin = login(our_admins.la)
    page = admin.get(reverse("administration:person_invite")).content.decode()
    assert "SEND case officer" in page and "Health single point of contact" not in page
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = invite(admin)
    assert response.status_code == 302 and response.headers["Location"] == reverse("administration:people")
    assert callbacks, "the email is sent after the commit"
    person = User.objects.get(email="niamh.oneill@council-ours.example")
    assert person.organisation == ours.la and person.roles == [Role.CASE_OFFICER]
    assert person.username == "niamh.oneill@council-ours.example" and not person.has_usable_password()
    assert not person.is_staff and not person.is_superuser and not person.user_permissions.exists()

    listing = admin.get(reverse("administration:people")).content.decode()
    assert "Niamh O&#x27;Neill" in listing and "Invited" in listing
    (row,) = OutboundEmail.objects.filter(kind=MessageKind.INVITATION)
    assert row.to == [person.email] and row.case_id is None
    (message,) = [m for m in mail.outbox if m.to == [person.email]]
    assert ours.la.name in message.subject and "72 hours" in message.body
    assert "O'Neill" not in message.body + message.subject and "Niamh" not in message.body
    link = link_in(message.body)
    invitation = Invitation.objects.get(user=person)
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert invitation.token_hash == token_hash(token) and token not in str(Invitation.objects.values().get())

    event = AuditEvent.objects.get(settings_of=ours.la)
    assert event.summary == "Invited Niamh O'Neill" and event.actor == our_admins.la
    assert event.changes["Email"] == [None, person.email] and event.changes["Roles"] == [None, "SEND case officer"]

    invitee = Client()
    form = invitee.get(link)
    assert form.status_code == 200 and person.username in form.content.decode()
    weak = invitee.post(link, {"new_password1": "password", "new_password2": "password"})
    assert 'class="govuk-error-summary"' in weak.content.decode() and "too common" in weak.content.decode()
    mismatch = invitee.post(link, {"new_password1": PASSWORD, "new_password2": PASSWORD + "x"})
    assert "The two passwords do not match" in mismatch.content.decode()
    person.refresh_from_db()
    assert not person.has_usable_password()

    done = invitee.post(link, {"new_password1": PASSWORD, "new_password2": PASSWORD})
    assert done.status_code == 302 and done.headers["Location"] == reverse("mfa_setup")
    person.refresh_from_db()
    assert person.check_password(PASSWORD)
    # Signed in, and nothing but two-factor set-up until an authenticator is enrolled.
    for path in (reverse("home"), reverse("assessments:caseload")):
        assert invitee.get(path).headers["Location"] == reverse("mfa_setup")
    assert "Set up two-factor authentication" in invitee.get(reverse("mfa_setup")).content.decode()
    # Once only.
    bad_link_page(link)
    assert Invitation.objects.get(user=person).used_at is not None
    assert "Active" in admin.get(reverse("administration:people")).content.decode()


def test_the_link_works_for_72_hours_and_an_expired_used_or_unknown_link_gets_the_same_page(our_admins, login):
    with time_machine.travel(START, tick=False) as clock:
        invite(login(our_admins.la))
        link = last_link("niamh.oneill@council-ours.example")
        clock.shift(datetime.timedelta(hours=72) - datetime.timedelta(seconds=1))
        assert "Set up your account" in Client().get(link).content.decode()
        clock.shift(datetime.timedelta(seconds=1))
        expired = bad_link_page(link)
        refused = Client().post(link, {"new_password1": PASSWORD, "new_password2": PASSWORD})
        assert "This link cannot be used" in refused.content.decode()
        assert not User.objects.get(email="niamh.oneill@council-ours.example").has_usable_password()
        page = login(our_admins.la).get(reverse("administration:people")).content.decode()
        assert "Invitation expired" in page

    unknown = bad_link_page(reverse("invitation_accept", kwargs={"token": "not-a-token-anyone-was-sent"}))
    invite(login(our_admins.la), email="jo@council-ours.example", first_name="Jo", last_name="Bloggs")
    used = last_link("jo@council-ours.example")
    Client().post(used, {"new_password1": PASSWORD, "new_password2": PASSWORD})
    assert bad_link_page(used) == expired == unknown


def test_inviting_again_replaces_the_link_and_a_double_click_sends_one(ours, our_admins, login):
    with time_machine.travel(START, tick=False) as clock:
        admin = login(our_admins.la)
        invite(admin)
        first = last_link("niamh.oneill@council-ours.example")
        person = User.objects.get(email="niamh.oneill@council-ours.example")
        again = reverse("administration:person_invite_again", args=[person.pk])
        assert (
            "Send a new invitation link"
            in admin.get(reverse("administration:person", args=[person.pk])).content.decode()
        )
        admin.post(again)  # a double click on the invitation: the link sent stands
        assert len(emails_to(person.email)) == 1
        clock.shift(datetime.timedelta(minutes=5))
        assert admin.post(again).status_code == 302
        second = last_link(person.email)
        assert second != first
        bad_link_page(first)
        clock.shift(datetime.timedelta(minutes=5))
        # Inviting the same address again from the invitation form: new details, a new link.
        invite(admin, email="Niamh.ONeill@council-ours.example", roles=[Role.BUSINESS_SUPPORT])
        third = last_link("niamh.oneill@council-ours.example")
        bad_link_page(second)
    assert Invitation.objects.filter(user=person).count() == 1
    person.refresh_from_db()
    assert (
        person.roles == [Role.BUSINESS_SUPPORT]
        and User.objects.filter(organisation=ours.la, email__iexact=person.email).count() == 1
    )
    assert Client().post(third, {"new_password1": PASSWORD, "new_password2": PASSWORD}).status_code == 302
    summaries = list(AuditEvent.objects.filter(settings_of=ours.la).order_by("id").values_list("summary", flat=True))
    assert summaries == [
        "Invited Niamh O'Neill",
        "Sent Niamh O'Neill a new invitation link",
        "Invited again Niamh O'Neill",
    ]
    # Now that the password is set, there is no new link to send: the sign-in page's reset is theirs.
    response = login(our_admins.la).post(reverse("administration:person_invite_again", args=[person.pk]), follow=True)
    assert "has set a password or signed in already" in response.content.decode()


def test_one_pending_invitation_per_address_per_organisation(ours, our_admins, login):
    invite(login(our_admins.la))
    invitation = Invitation.objects.get()
    duplicate = Invitation(
        user=invitation.user,
        organisation=ours.la,
        email=invitation.email.upper(),
        token_hash="0" * 64,
        sent_at=invitation.sent_at,
        expires_at=invitation.expires_at,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


def test_a_deactivated_invitee_cannot_use_the_link(our_admins, login):
    admin = login(our_admins.la)
    invite(admin)
    link = last_link("niamh.oneill@council-ours.example")
    person = User.objects.get(email="niamh.oneill@council-ours.example")
    assert admin.post(reverse("administration:person_deactivate", args=[person.pk])).status_code == 302
    bad_link_page(link)


def test_bad_invitations_show_the_error_summary_and_create_nothing(ours, theirs, our_admins, login):
    existing_elsewhere = theirs.case_officer.email
    cases = [
        ({"first_name": ""}, "Enter the first name"),
        ({"last_name": ""}, "Enter the last name"),
        ({"email": ""}, "Enter the email address"),
        ({"email": "not an address"}, "Enter an email address in the correct format"),
        ({"email": f"{'x' * 140}@council.example"}, "Email address must be 150 characters or fewer"),
        ({"roles": []}, "Select at least one role"),
        ({"roles": [Role.DCO]}, "Select roles from the list"),
        ({"email": existing_elsewhere.upper()}, "already has an account"),
        ({"email": ours.business_support.email}, "already has an account"),
    ]
    client = login(our_admins.la)
    for overrides, message in cases:
        response = invite(client, **overrides)
        body = response.content.decode()
        assert response.status_code == 200 and 'class="govuk-error-summary"' in body, overrides
        assert message in body and "(error)" in body.split("</title>")[0], message
    assert not Invitation.objects.exists() and not OutboundEmail.objects.filter(kind=MessageKind.INVITATION).exists()
    assert not User.objects.filter(email__startswith="niamh").exists()
    assert not AuditEvent.objects.filter(settings_of=ours.la).exists()


def test_a_provider_administrator_invites_a_practitioner_for_their_own_teams(ours, theirs, our_admins, login):
    client = login(our_admins.provider)
    address = "new.practitioner@provider-ours.example"
    data = {"email": address, "roles": [Role.PRACTITIONER]}
    assert "Select the teams" in invite(client, **data).content.decode()
    assert "Select teams from the list" in invite(client, **data, teams=[theirs.slt.pk]).content.decode()
    assert invite(client, **data, teams=[ours.slt.pk]).status_code == 302
    person = User.objects.get(email=address)
    assert person.organisation == ours.provider and list(person.teams.all()) == [ours.slt]
    (email,) = emails_to(address)
    assert ours.slt.name not in email.subject + email.body_text + email.body_html  # no team names by email


@pytest.mark.parametrize("kind", ["la", "provider", "icb"])
def test_only_an_administrator_of_our_own_invites_or_sends_our_links(ours, our_admins, their_admins, login, kind):
    admin = getattr(our_admins, kind)
    invite(login(admin), email=f"pending-{kind}@ours.example", roles=[Role.ADMINISTRATOR])
    person = User.objects.get(email=f"pending-{kind}@ours.example")
    again = reverse("administration:person_invite_again", args=[person.pk])
    for outsider in (*vars(their_admins).values(), ours.case_officer, ours.spoc, ours.dco):
        if outsider.organisation_id == admin.organisation_id:
            continue
        client = login(outsider)
        assert client.post(again).status_code == 404
        if not outsider.has_role(Role.ADMINISTRATOR):
            assert client.get(reverse("administration:person_invite")).status_code == 404
            assert invite(client, email="sneaky@ours.example").status_code == 404
    assert Invitation.objects.count() == 1 and OutboundEmail.objects.count() == 1
    assert not User.objects.filter(email="sneaky@ours.example").exists()

"""Letters-only accounts (escalation.recipients; decision 0016): a provider director with no account is
given one from the letter's page, sets a password from the emailed link, enrols two-factor, and sees
the letters sent to their address and nothing else."""

import datetime
import re

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse

from ehc.models import MessageKind, OutboundEmail, Role, User
from escalation.models import Letter
from tests.factories import CaseFactory, verified_login

from .conftest import make_request, sweep

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def letter(ours):
    request = make_request(ours, notified_on=D(2026, 11, 20), first_name="Tegan", last_name="O'Neill")
    sweep(D(2027, 1, 15))
    return Letter.objects.get(escalation__request=request)


def give_account(client, letter):
    return client.post(reverse("escalation:letter_account", args=[letter.pk]))


def test_business_support_gives_the_director_an_account_that_sets_its_password_and_enrols_two_factor(
    ours, letter, login, django_capture_on_commit_callbacks
):
    page = login(ours.business_support).get(reverse("escalation:letter_detail", args=[letter.pk]))
    assert "Give the director a letters-only account" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = give_account(login(ours.business_support), letter)
    assert response.status_code == 302
    account = User.objects.get(email=letter.addressed_to)
    assert account.roles == [Role.LETTERS_ONLY] and account.organisation == ours.provider
    assert not account.has_usable_password()

    (email,) = OutboundEmail.objects.filter(kind=MessageKind.LETTERS_ACCOUNT)
    assert email.to == [letter.addressed_to]
    (message,) = [m for m in mail.outbox if m.to == [letter.addressed_to]]
    assert letter.escalation.request.case.reference in message.subject
    assert "Tegan" not in message.body + message.subject and "O'Neill" not in message.body
    link = re.search(r"https?://[^/\s]+(/account/invitation/\S+/)", message.body).group(1)

    # The link (an invitation: 72 hours, once), then the new password: two-factor set-up comes next,
    # before anything else.
    anonymous = Client()
    form = anonymous.get(link)
    assert form.status_code == 200 and account.username in form.content.decode()
    password = "a long passphrase for letters 42"
    done = anonymous.post(link, {"new_password1": password, "new_password2": password})
    assert done.status_code == 302 and done.headers["Location"] == reverse("mfa_setup")
    account.refresh_from_db()
    assert account.has_usable_password()
    assert anonymous.get(reverse("escalation:my_letters"))["Location"].startswith(reverse("mfa_setup"))
    assert "This link cannot be used" in Client().get(link).content.decode()

    # A second click makes no second account.
    give_account(login(ours.business_support), letter)
    assert User.objects.filter(email__iexact=letter.addressed_to).count() == 1


def test_the_link_can_be_sent_again_until_the_password_is_set(ours, letter, login):
    start = datetime.datetime(2027, 1, 18, 10, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False):
        client = login(ours.ad)
        give_account(client, letter)
        give_account(client, letter)  # a double click: the same link, one email
        page = client.get(reverse("escalation:letter_detail", args=[letter.pk])).content.decode()
        assert "Send the link to set a password again" in page
    with time_machine.travel(start + datetime.timedelta(minutes=5), tick=False):
        give_account(client, letter)
    emails = OutboundEmail.objects.filter(kind=MessageKind.LETTERS_ACCOUNT).order_by("pk")
    assert emails.count() == 2 and emails[0].body_text != emails[1].body_text
    account = User.objects.get(email=letter.addressed_to)
    account.set_password("chosen by the director 7")
    account.save()
    page = client.get(reverse("escalation:letter_detail", args=[letter.pk])).content.decode()
    assert "Send the link" not in page and "has an account" in page


def test_only_business_support_and_the_ad_of_the_letters_la_give_accounts(ours, theirs, letter, login):
    for user in (ours.case_officer, ours.dco, ours.spoc, theirs.business_support, theirs.ad):
        assert give_account(login(user), letter).status_code == 404
    assert not User.objects.filter(roles__contains=[Role.LETTERS_ONLY]).exists()


def test_a_letters_only_account_sees_its_own_letters_and_nothing_else(ours, theirs, letter, login):
    director = User.objects.create(
        username="director-ours",
        email=letter.addressed_to.upper(),
        organisation=ours.provider,
        roles=[Role.LETTERS_ONLY],
    )
    client = verified_login(Client(), director)
    assert client.get(reverse("home"))["Location"] == reverse("escalation:my_letters")
    mine = client.get(reverse("escalation:my_letters")).content.decode()
    assert letter.escalation.request.case.reference in mine
    assert client.get(reverse("escalation:letter_detail", args=[letter.pk])).status_code == 200
    assert client.get(reverse("escalation:letter_download", args=[letter.pk])).status_code == 200

    # Another director's letter at the same provider (the post changed hands), and another provider's.
    ours.provider.director_email = "new.director@provider-ours.example"
    ours.provider.save(update_fields=["director_email"])
    try:
        later = make_request(ours, notified_on=D(2026, 11, 27))
        sweep(D(2027, 1, 22))
    finally:
        ours.provider.director_email = letter.addressed_to
        ours.provider.save(update_fields=["director_email"])
    elsewhere = make_request(theirs, notified_on=D(2026, 11, 20))
    sweep(D(2027, 1, 15), hour=9)
    for other in (Letter.objects.get(escalation__request=later), Letter.objects.get(escalation__request=elsewhere)):
        assert client.get(reverse("escalation:letter_detail", args=[other.pk])).status_code == 404
        assert client.get(reverse("escalation:letter_download", args=[other.pk])).status_code == 404
        assert (
            other.escalation.request.case.reference not in client.get(reverse("escalation:my_letters")).content.decode()
        )

    # No case, advice, report or queue, of its own provider or anyone's.
    case = letter.escalation.request.case
    other_case = CaseFactory(local_authority=ours.la)
    for path in (
        reverse("assessments:case_detail", args=[case.pk]),
        reverse("assessments:case_detail", args=[other_case.pk]),
        reverse("assessments:caseload"),
        reverse("advice:request_detail", args=[letter.escalation.request_id]),
        reverse("advice:spoc_queue"),
        reverse("escalation:hos_queue"),
        reverse("escalation:approvals"),
        reverse("reports:dashboard"),
        reverse("reports:index"),
        reverse("reports:items_csv"),
    ):
        assert client.get(path).status_code == 404, path
    # Giving accounts is the LA's: the director cannot.
    assert give_account(client, letter).status_code == 404

"""Password reset by email reveals nothing about which addresses have accounts (issue 16, Users): an
address with an account, one without, a deactivated account's and an invited account's (no password
yet) get the same status, the same redirect and the same page; only the account holder gets a link."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from ehc.models import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _answer(address, client_address):
    client = Client(REMOTE_ADDR=client_address)
    posted = client.post(reverse("password_reset"), {"email": address})
    followed = client.get(posted.headers["Location"])
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", followed.content.decode())
    return posted.status_code, posted.headers["Location"], sorted(posted.cookies), followed.status_code, body


def test_every_address_gets_the_same_answer_and_only_an_account_holder_a_link(ours):
    gone = UserFactory(username="gone", email="gone@council-ours.example", organisation=ours.la, is_active=False)
    invited = UserFactory(username="invited", email="invited@council-ours.example", organisation=ours.la)
    invited.set_unusable_password()
    invited.roles = [Role.CASE_OFFICER]
    invited.save()
    addresses = [ours.case_officer.email, "nobody@council-ours.example", gone.email, invited.email]
    answers = [_answer(address, f"192.0.2.{60 + index}") for index, address in enumerate(addresses)]
    assert answers[0][0] == 302 and answers[0][3] == 200
    assert all(answer == answers[0] for answer in answers[1:])
    assert [message.to for message in mail.outbox] == [[ours.case_officer.email]]

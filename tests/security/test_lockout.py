"""Login throttling with django-axes on its database handler."""

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from ehc.models import AuditAction, AuditEvent
from tests.factories import verified_login

from .conftest import PASSWORD, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_progressive_waits(settings):
    # These tests are about django-axes' lock; the waits before it are tested in test_abuse_limits.py.
    settings.SIGN_IN_USERNAME_FREE = 100


def _fail(user, times, address="192.0.2.10"):
    responses = []
    for _ in range(times):
        client = Client(REMOTE_ADDR=address)
        responses.append(sign_in(client, user, "not the password"))
    return responses


def test_the_axes_database_handler_is_in_use():
    assert settings.AXES_HANDLER == "axes.handlers.database.AxesDatabaseHandler"
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"


def test_the_account_locks_after_the_failure_limit_and_says_so_clearly(officer):
    limit = settings.AXES_FAILURE_LIMIT
    before = _fail(officer, limit - 1)
    assert all(response.status_code == 200 for response in before)  # the form, with its error
    assert "Enter a correct username and password" in before[-1].content.decode()

    locked = _fail(officer, 1)[0]
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "Your account is locked" in page
    assert "ask your administrator to unlock" in page
    assert 'class="govuk-heading-l"' in page  # the GOV.UK layout, not a bare message
    assert "registration/locked_out.html" in [t.name for t in locked.templates]
    assert "You can try again in 1 hour." in page

    # Now even the right password is refused, from any address.
    for address in ["192.0.2.10", "198.51.100.7"]:
        response = sign_in(Client(REMOTE_ADDR=address), officer, PASSWORD)
        assert response.status_code == 429
        assert "_auth_user_id" not in response.wsgi_request.session

    assert AuditEvent.objects.filter(
        action=AuditAction.LOGIN_FAILED, summary__startswith="Account locked", actor=officer
    ).exists()


def test_failures_spread_over_addresses_still_lock_the_account(officer):
    for index in range(settings.AXES_FAILURE_LIMIT):
        _fail(officer, 1, address=f"203.0.113.{index + 1}")
    assert sign_in(Client(REMOTE_ADDR="203.0.113.99"), officer, PASSWORD).status_code == 429


def test_other_accounts_are_not_locked(officer, ours):
    _fail(officer, settings.AXES_FAILURE_LIMIT)
    assert sign_in(Client(REMOTE_ADDR="192.0.2.10"), ours.business_support).status_code == 302


def test_an_administrator_unlocks_with_axes_reset_username(officer, capsys):
    _fail(officer, settings.AXES_FAILURE_LIMIT)
    assert sign_in(Client(), officer).status_code == 429
    call_command("axes_reset_username", officer.username)
    assert "removed" in capsys.readouterr().out
    assert sign_in(Client(), officer).status_code == 302


def test_an_administrator_unlocks_in_the_admin(officer, administrator):
    _fail(officer, settings.AXES_FAILURE_LIMIT)
    attempt = AccessAttempt.objects.get(username=officer.username)
    admin = verified_login(Client(), administrator)
    listing = admin.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200
    assert officer.username in listing.content.decode()
    response = admin.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username=officer.username).exists()
    assert sign_in(Client(), officer).status_code == 302


def test_a_successful_sign_in_resets_the_failures(officer):
    limit = settings.AXES_FAILURE_LIMIT
    _fail(officer, limit - 1)
    assert sign_in(Client(REMOTE_ADDR="192.0.2.10"), officer).status_code == 302
    assert not AccessAttempt.objects.filter(username=officer.username, failures_since_start__gt=0).exists()
    # As many failures again, short of the limit, do not lock: the count started over.
    responses = _fail(officer, limit - 1)
    assert all(response.status_code == 200 for response in responses)
    assert sign_in(Client(REMOTE_ADDR="192.0.2.10"), officer).status_code == 302

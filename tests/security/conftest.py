"""Helpers for the security suites. The figures each suite reports are printed by tests/summary.py,
counted from the test outcomes themselves (and, for the property-based suite, from the examples
hypothesis actually generated), so the summary cannot claim more than ran."""

import re

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import CaseFactory, UserFactory

PASSWORD = "correct horse battery staple"

def sign_in(client, user, password=PASSWORD):
    """Sign in through the real form (not force_login), as a person would."""
    return client.post(reverse("login"), {"username": user.username, "password": password})


def totp_code(device):
    """The code an authenticator app would show now for `device`."""
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):0{device.digits}d}"


@pytest.fixture
def officer(ours):
    return ours.case_officer


@pytest.fixture
def enrolled(officer):
    """The case officer with an authenticator app and backup codes, as after set-up."""
    device = TOTPDevice.objects.create(user=officer, name="Authenticator app", confirmed=True)
    static = StaticDevice.objects.create(user=officer, name="Backup codes", confirmed=True)
    codes = ["backup01", "backup02"]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=code) for code in codes])
    officer.totp = device
    officer.backup_codes = codes
    return officer


@pytest.fixture
def administrator(ours):
    return UserFactory(
        username="admin-ours",
        organisation=ours.la,
        roles=["administrator"],
        is_staff=True,
        is_superuser=True,
    )


@pytest.fixture
def own_case(ours):
    return CaseFactory(local_authority=ours.la)


@pytest.fixture
def their_case(theirs):
    # A surname no factory gives a user, so "not on the page" cannot fail because the signed-in
    # user (whose name the header shows) happens to share it.
    return CaseFactory(local_authority=theirs.la, last_name="Quennell-Ashdown")


def redirect_path(response):
    return re.sub(r"\?.*$", "", response.headers.get("Location", ""))

"""Helpers for the security suites, and the figures each suite reports.

The figures are counted from the test outcomes themselves (and, for the property-based
suite, from the examples hypothesis actually generated), so the summary cannot claim
more than ran.
"""

import re
from collections import Counter

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import CaseFactory, UserFactory

from . import figures

PASSWORD = "correct horse battery staple"

# Which suite each test file reports under.
SUITES = {
    "test_mfa.py": "MFA",
    "test_lockout.py": "login throttling",
    "test_abuse_limits.py": "abuse-limit",
    "test_sessions.py": "session",
    "test_headers.py": "header",
    "test_deploy_check.py": "deploy-setting",
    "test_audit.py": "audit",
    "test_dates_and_forms.py": "dates-and-forms",
    "test_access_matrix.py": "access matrix",
    "test_api_matrix.py": "API access matrix",
    "test_admin_scope.py": "admin scope",
    "test_need_to_know.py": "need-to-know",
    "test_sharing.py": "case sharing",
    "test_denied_cost.py": "denied-equals-missing",
    "test_hostile_uploads.py": "hostile uploads",
    "test_injection.py": "injection",
}

_outcomes = Counter()


def pytest_runtest_logreport(report):
    if report.when != "call" and not (report.when == "setup" and report.outcome != "passed"):
        return
    name = report.nodeid.split("::")[0].rsplit("/", 1)[-1]
    suite = SUITES.get(name)
    if suite is not None:
        _outcomes[(suite, report.outcome)] += 1


def pytest_terminal_summary(terminalreporter):
    if not _outcomes:
        return
    parts = []
    for suite in SUITES.values():
        passed, failed = _outcomes[(suite, "passed")], _outcomes[(suite, "failed")]
        if passed or failed:
            parts.append(f"{passed} {suite} checks passed" + (f" ({failed} failed)" if failed else ""))
    terminalreporter.write_line("security: " + ", ".join(parts))
    if figures.examples:
        detail = ", ".join(f"{count} {what}" for what, count in sorted(figures.examples.items()))
        terminalreporter.write_line(
            f"security: dates and forms: {sum(figures.examples.values())} generated examples "
            f"({detail}); {figures.server_errors} server errors; "
            f"{figures.rows_from_invalid_input} rows created from invalid input"
        )
    for line in figures.reports.values():
        terminalreporter.write_line(f"security: {line}")


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

"""Two-factor authentication: set-up, verification before any page, no replay, backup codes,
throttling, and no way round it through the admin or a password reset."""

import datetime
import re

import pytest
import time_machine
from django.conf import settings
from django.contrib.admin import site as admin_site
from django.core import mail
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from ehc.middleware import MFA_EXEMPT_URL_NAMES

from .conftest import PASSWORD, redirect_path, sign_in, totp_code

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 23, 10, 0, 5, tzinfo=datetime.UTC)


def test_user_without_a_device_is_sent_to_set_up(officer):
    client = Client()
    response = sign_in(client, officer)
    assert response.status_code == 302
    for path in ["/", reverse("assessments:caseload"), reverse("assessments:case_create")]:
        response = client.get(path)
        assert response.status_code == 302
        assert redirect_path(response) == reverse("mfa_setup")


def test_set_up_with_a_real_code_enrols_and_shows_ten_backup_codes_once(officer):
    client = Client()
    sign_in(client, officer)
    page = client.get(reverse("mfa_setup"))
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=officer, confirmed=False)
    # The key shown for typing in by hand is the device's key.
    assert re.search(r"Key: <code[^>]*>([A-Z2-7=]+)</code>", page.content.decode())

    response = client.post(reverse("mfa_setup"), {"code": totp_code(device)})
    assert redirect_path(response) == reverse("mfa_backup_codes")
    device.refresh_from_db()
    assert device.confirmed

    shown = client.get(reverse("mfa_backup_codes")).content.decode()
    codes = list(StaticToken.objects.filter(device__user=officer).values_list("token", flat=True))
    assert len(codes) == 10
    assert all(code in shown for code in codes)
    # Shown once: the next visit offers new codes but never shows the old ones.
    again = client.get(reverse("mfa_backup_codes")).content.decode()
    assert not any(code in again for code in codes)
    # Enrolment verified this session: case pages open.
    assert client.get(reverse("assessments:caseload")).status_code == 200


def test_set_up_refuses_a_wrong_code(officer):
    client = Client()
    sign_in(client, officer)
    client.get(reverse("mfa_setup"))
    device = TOTPDevice.objects.get(user=officer)
    wrong = f"{(int(totp_code(device)) + 1) % 1_000_000:06d}"
    response = client.post(reverse("mfa_setup"), {"code": wrong})
    assert response.status_code == 200
    assert "The code is not right" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert redirect_path(client.get(reverse("assessments:caseload"))) == reverse("mfa_setup")


def _all_url_paths(own_case_pk):
    """Every URL in the project, with a real case id where a URL takes one."""

    def walk(patterns, prefix=""):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                yield from walk(entry.url_patterns, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern):
                yield entry.name, prefix + str(entry.pattern)

    for name, route in walk(get_resolver().url_patterns):
        if route.startswith("^") or "(?P" in route:  # the admin's regex routes
            route = re.sub(r"\(\?P<[^>]+>[^)]*\)", "1", route).lstrip("^").rstrip("$").replace("\\", "")
        path = "/" + re.sub(r"<(?:int:)?pk>|<int:[^>]+>", str(own_case_pk), route)
        path = re.sub(r"<[^>]+>", "x", path)
        yield name, path


def test_every_page_but_sign_in_redirects_to_verification_until_verified(enrolled, own_case):
    client = Client()
    sign_in(client, enrolled)
    checked = 0
    for name, path in _all_url_paths(own_case.pk):
        if name in MFA_EXEMPT_URL_NAMES:
            continue
        response = client.get(path)
        assert response.status_code == 302, path
        assert redirect_path(response) == reverse("mfa_verify"), path
        checked += 1
    assert checked >= 20  # the case pages and the admin, at least
    assert redirect_path(client.get("/cases/no-such-page/")) == reverse("mfa_verify")


def test_a_staff_administrator_without_verification_gets_no_admin_page(administrator):
    TOTPDevice.objects.create(user=administrator, name="Authenticator app", confirmed=True)
    client = Client()
    sign_in(client, administrator)
    for path in ["/admin/", "/admin/ehc/user/", "/admin/ehc/auditevent/", "/admin/axes/accessattempt/"]:
        response = client.get(path)
        assert redirect_path(response) == reverse("mfa_verify"), path
    # The admin's own sign-in form is not a second way in: it is our sign-in page.
    assert redirect_path(client.get("/admin/login/?next=/admin/")) == reverse("mfa_verify")
    anonymous = Client().get("/admin/login/?next=/admin/")
    assert anonymous.headers["Location"] == reverse("login") + "?next=%2Fadmin%2F"
    assert redirect_path(Client().get("/admin/")) == "/admin/login/"


def test_the_admin_site_itself_refuses_an_unverified_administrator(administrator):
    """Second line of defence, should the middleware ever be removed."""
    request = RequestFactory().get("/admin/")
    request.user = administrator
    administrator.is_verified = lambda: False
    assert admin_site.has_permission(request) is False
    administrator.is_verified = lambda: True
    assert admin_site.has_permission(request) is True


def test_a_totp_code_cannot_be_replayed(enrolled):
    with time_machine.travel(NOW, tick=False):
        code = totp_code(enrolled.totp)
        first = Client()
        sign_in(first, enrolled)
        assert redirect_path(first.post(reverse("mfa_verify"), {"code": code})) == "/"
        assert first.get(reverse("assessments:caseload")).status_code == 200

        second = Client()
        sign_in(second, enrolled)
        response = second.post(reverse("mfa_verify"), {"code": code})
        assert response.status_code == 200
        assert "already used" in response.content.decode()
        assert redirect_path(second.get(reverse("assessments:caseload"))) == reverse("mfa_verify")

    # The next code from the app works.
    with time_machine.travel(NOW + datetime.timedelta(seconds=30), tick=False):
        assert redirect_path(second.post(reverse("mfa_verify"), {"code": totp_code(enrolled.totp)})) == "/"


def test_a_backup_code_works_once(enrolled):
    code = enrolled.backup_codes[0]
    with time_machine.travel(NOW, tick=False):
        first = Client()
        sign_in(first, enrolled)
        assert redirect_path(first.post(reverse("mfa_verify"), {"code": code})) == "/"
        assert not StaticToken.objects.filter(token=code).exists()

        second = Client()
        sign_in(second, enrolled)
        response = second.post(reverse("mfa_verify"), {"code": code})
        assert response.status_code == 200
        assert "not right, or was already used" in response.content.decode()
        assert redirect_path(second.get(reverse("assessments:caseload"))) == reverse("mfa_verify")
    # The other backup code still works (once the one-second wait after the wrong code is over).
    with time_machine.travel(NOW + datetime.timedelta(seconds=5), tick=False):
        assert redirect_path(second.post(reverse("mfa_verify"), {"code": enrolled.backup_codes[1]})) == "/"


def test_wrong_codes_are_throttled_and_the_wait_doubles(enrolled):
    client = Client()
    with time_machine.travel(NOW, tick=False) as clock:
        sign_in(client, enrolled)
        right = totp_code(enrolled.totp)
        wrong = f"{(int(right) + 500_000) % 1_000_000:06d}"
        for _ in range(3):
            client.post(reverse("mfa_verify"), {"code": wrong})
            clock.shift(datetime.timedelta(seconds=10))
        enrolled.totp.refresh_from_db()
        # Three wrong codes, each after the previous wait: the next wait is 2**2 seconds.
        assert enrolled.totp.throttling_failure_count == 3
        clock.shift(datetime.timedelta(seconds=-8))
        response = client.post(reverse("mfa_verify"), {"code": totp_code(enrolled.totp)})
        assert response.status_code == 200
        # Even the right code is refused while the device is throttled.
        assert "Too many wrong codes" in response.content.decode()
        assert redirect_path(client.get(reverse("assessments:caseload"))) == reverse("mfa_verify")
        clock.shift(datetime.timedelta(seconds=60))
        response = client.post(reverse("mfa_verify"), {"code": totp_code(enrolled.totp)})
        assert redirect_path(response) == "/"
        enrolled.totp.refresh_from_db()
        assert enrolled.totp.throttling_failure_count == 0


def test_verification_gives_the_session_a_new_key(enrolled):
    client = Client()
    sign_in(client, enrolled)
    before = client.cookies["sessionid"].value
    client.post(reverse("mfa_verify"), {"code": totp_code(enrolled.totp)})
    assert client.cookies["sessionid"].value != before
    assert client.get(reverse("assessments:caseload")).status_code == 200


def test_password_reset_does_not_skip_two_factor_authentication(enrolled):
    client = Client(HTTP_HOST="localhost")
    response = client.post(reverse("password_reset"), {"email": enrolled.email})
    assert redirect_path(response) == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    # The link comes from SITE_URL, whatever Host the request named, and the email does not
    # give away the username.
    link = re.search(re.escape(settings.SITE_URL) + r"(/account/password-reset/\S+/\S+/)", body).group(1)
    assert enrolled.username not in body
    assert "still need the security code" in body
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    new_password = "a brand new harbour lantern"
    response = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password}
    )
    assert redirect_path(response) == reverse("password_reset_complete")
    # Resetting the password signs nobody in...
    assert redirect_path(client.get(reverse("assessments:caseload"))) == reverse("login")
    # ...and signing in with the new password still needs the security code.
    assert sign_in(client, enrolled, new_password).status_code == 302
    assert redirect_path(client.get(reverse("assessments:caseload"))) == reverse("mfa_verify")
    assert sign_in(Client(), enrolled, PASSWORD).status_code == 200  # the old password is gone

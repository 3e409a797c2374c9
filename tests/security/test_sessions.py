"""Sessions: a new key at sign-in, idle and absolute limits, and deactivation ending every session."""

import datetime
import os
import subprocess
import sys

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from .conftest import redirect_path, sign_in, totp_code

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 11, 23, 8, 0, tzinfo=datetime.UTC)
MINUTE = datetime.timedelta(minutes=1)


def test_the_session_key_changes_at_sign_in(enrolled):
    client = Client()
    session = client.session  # an anonymous session, as a visitor gets before signing in
    session["seen"] = True
    session.save()
    before = client.cookies["sessionid"].value

    assert sign_in(client, enrolled).status_code == 302
    after_password = client.cookies["sessionid"].value
    assert after_password != before
    assert not Session.objects.filter(session_key=before).exists()

    client.post(reverse("mfa_verify"), {"code": totp_code(enrolled.totp)})
    assert client.cookies["sessionid"].value not in {before, after_password}


def test_the_default_limits_are_30_minutes_idle_and_12_hours_in_all():
    assert settings.SESSION_IDLE_TIMEOUT_SECONDS == 30 * 60
    assert settings.SESSION_ABSOLUTE_TIMEOUT_SECONDS == 12 * 3600
    assert settings.SESSION_COOKIE_AGE == settings.SESSION_ABSOLUTE_TIMEOUT_SECONDS


def test_the_session_cookie_is_http_only_and_ends_with_the_browser(officer):
    client = Client()
    sign_in(client, officer)
    cookie = client.cookies["sessionid"]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert not cookie["max-age"] and not cookie["expires"]  # a browser-session cookie


def test_30_minutes_idle_signs_the_user_out(officer, login):
    caseload = reverse("assessments:caseload")
    with time_machine.travel(START, tick=False) as clock:
        client = login(officer)
        clock.shift(29 * MINUTE)
        assert client.get(caseload).status_code == 200
        # Activity resets the idle clock: 29 minutes after the last request is still fine.
        clock.shift(29 * MINUTE)
        assert client.get(caseload).status_code == 200
        clock.shift(31 * MINUTE)
        response = client.get(caseload)
        assert redirect_path(response) == reverse("login")
        assert "_auth_user_id" not in client.session
        # The sign-in page says why.
        assert "You were signed out" in client.get(reverse("login")).content.decode()
        # And it stays signed out: the next request is anonymous.
        assert redirect_path(client.get(caseload)) == reverse("login")


def test_12_hours_after_sign_in_the_session_ends_however_busy(officer, login):
    caseload = reverse("assessments:caseload")
    with time_machine.travel(START, tick=False) as clock:
        client = login(officer)
        for _ in range(12 * 3 - 1):  # a request every 20 minutes for 11 hours 40 minutes
            clock.shift(20 * MINUTE)
            assert client.get(caseload).status_code == 200
        clock.shift(19 * MINUTE)
        assert client.get(caseload).status_code == 200  # 11:59
        clock.shift(2 * MINUTE)
        assert redirect_path(client.get(caseload)) == reverse("login")  # 12:01


def test_the_limits_follow_the_settings(officer, login, settings):
    settings.SESSION_IDLE_TIMEOUT_SECONDS = 5 * 60
    caseload = reverse("assessments:caseload")
    with time_machine.travel(START, tick=False) as clock:
        client = login(officer)
        clock.shift(4 * MINUTE)
        assert client.get(caseload).status_code == 200
        clock.shift(6 * MINUTE)
        assert redirect_path(client.get(caseload)) == reverse("login")


def _settings_in_subprocess(extra_env, expression):
    env = {**os.environ, **extra_env}
    code = f"import django; django.setup(); from django.conf import settings; print({expression})"
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**env, "DJANGO_SETTINGS_MODULE": "ehc.settings"},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_limits_are_configured_by_environment_variables():
    result = _settings_in_subprocess(
        {"SESSION_IDLE_TIMEOUT_MINUTES": "15", "SESSION_ABSOLUTE_TIMEOUT_HOURS": "8"},
        "settings.SESSION_IDLE_TIMEOUT_SECONDS, settings.SESSION_ABSOLUTE_TIMEOUT_SECONDS, "
        "settings.SESSION_COOKIE_AGE",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "900 28800 28800"


# Bad values (SESSION_IDLE_TIMEOUT_MINUTES=thirty, =0, SESSION_ABSOLUTE_TIMEOUT_HOURS=0) fail
# loudly: tests/security/test_deploy_check.py::test_bad_settings_fail_loudly_naming_the_variable.


def test_deactivating_a_user_ends_every_session_at_once(officer, ours, login):
    phone, laptop = login(officer), login(officer)
    colleague = login(ours.business_support)
    caseload = reverse("assessments:caseload")
    assert phone.get(caseload).status_code == 200
    assert Session.objects.count() == 3

    officer.is_active = False
    officer.save()

    assert Session.objects.count() == 1  # only the colleague's
    for client in (phone, laptop):
        response = client.get(caseload)
        assert redirect_path(response) == reverse("login")
        assert not response.wsgi_request.user.is_authenticated
    assert colleague.get(caseload).status_code == 200


def test_deactivating_in_the_admin_ends_the_users_sessions(officer, administrator, login):
    phone = login(officer)
    admin = login(administrator)
    url = f"/admin/ehc/user/{officer.pk}/change/"
    form = admin.get(url).context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        widget_data = field.widget.format_value(value) if hasattr(field.widget, "format_value") else value
        if value is None:
            continue
        if name in {"groups", "user_permissions", "teams"}:
            data[name] = [getattr(item, "pk", item) for item in value]
        elif name == "date_joined" or name == "last_login":
            data[f"{name}_0"], data[f"{name}_1"] = value.date().isoformat(), value.time().isoformat()
        elif name == "roles":
            data[name] = ",".join(value)
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        elif hasattr(value, "pk"):
            data[name] = value.pk
        else:
            data[name] = widget_data if isinstance(widget_data, str) else value
    data.pop("is_active", None)
    response = admin.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    officer.refresh_from_db()
    assert officer.is_active is False
    assert redirect_path(phone.get(reverse("assessments:caseload"))) == reverse("login")


def test_a_password_change_ends_the_users_other_sessions(officer, login):
    other = login(officer)
    officer.set_password("another long pass phrase")
    officer.save()
    assert redirect_path(other.get(reverse("assessments:caseload"))) == reverse("login")


def test_deactivation_also_removes_the_cached_copy_of_each_session(officer, login):
    from importlib import import_module

    from django.core.cache import cache

    client = login(officer)
    key = client.session.session_key
    store = import_module(settings.SESSION_ENGINE).SessionStore
    assert cache.get(store(session_key=key).cache_key) is not None

    officer.is_active = False
    officer.save()

    assert cache.get(store(session_key=key).cache_key) is None
    assert not Session.objects.filter(session_key=key).exists()


def test_a_session_outlives_the_loss_of_its_cached_copy(officer, login):
    from django.core.cache import cache

    client = login(officer)
    cache.clear()  # Redis restarted, or evicted the key
    response = client.get(reverse("assessments:caseload"))
    assert response.status_code == 200
    assert response.wsgi_request.user == officer


def test_a_signed_in_page_reads_the_session_from_the_cache_and_the_user_in_one_query(officer, login):
    """Before the view runs, a page costs two queries: the user with their organisation, and
    the two-factor device that verified this session. The session itself comes from Redis."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(officer)
    client.get(reverse("accessibility"))  # the once-a-minute session refresh happens here
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("accessibility"))
    assert response.status_code == 200
    tables = [q["sql"].split(" FROM ", 1)[1].split()[0] for q in queries.captured_queries]
    assert len(tables) == 2, [q["sql"][:120] for q in queries.captured_queries]
    assert tables[0] == '"ehc_user"' and "ehc_organisation" in queries.captured_queries[0]["sql"]
    assert "otp" in tables[1]

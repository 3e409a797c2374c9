"""`manage.py check --deploy` is clean with the production settings, and the settings refuse
bad values at start-up with a message naming the variable."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

PRODUCTION_ENV = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "k" * 20 + "a-production-secret-used-by-this-test-only" + "z" * 20,
    "DJANGO_ALLOWED_HOSTS": "ehc.council.example",
    "DJANGO_HTTPS": "1",
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "EMAIL_USE_TLS": "1",
}


def _run(args, **overrides):
    env = {**os.environ, **PRODUCTION_ENV, **overrides}
    env = {name: value for name, value in env.items() if value is not None}
    return subprocess.run(
        [sys.executable, *args],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"])
    assert result.returncode == 0, result.stdout + result.stderr
    # One check is silenced on purpose, with its reason beside it in ehc/settings.py.
    assert "System check identified no issues (1 silenced)" in result.stdout
    assert settings.SILENCED_SYSTEM_CHECKS == ["axes.W006"]


def test_check_deploy_fails_without_mfa_or_https():
    result = _run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], MFA_REQUIRED="0", DJANGO_HTTPS="0"
    )
    assert result.returncode != 0
    output = result.stderr + result.stdout
    assert "ehc.E001" in output  # MFA switched off
    assert "security.W004" in output  # no HSTS
    assert "security.W008" in output  # no redirect to HTTPS


def test_production_refuses_smtp_without_tls():
    # A plain `check` (what `migrate` runs before web, worker and beat start in docker-compose.yml).
    plain = _run(["manage.py", "check"], EMAIL_USE_TLS="0")
    assert plain.returncode != 0
    assert "ehc.E005" in plain.stderr + plain.stdout
    assert _run(["manage.py", "check"], EMAIL_USE_TLS="0", EMAIL_USE_SSL="1").returncode == 0
    # Another backend (a file, or a future Notify backend) is not SMTP.
    other = _run(
        ["manage.py", "check"], EMAIL_USE_TLS="0", EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend"
    )
    assert other.returncode == 0, other.stderr
    # The compose stack's mail catcher: allowed, with a warning that fails the deploy check.
    catcher = {"EMAIL_USE_TLS": "0", "EMAIL_ALLOW_PLAINTEXT_FOR_MAIL_CATCHER": "1", "EMAIL_HOST": "mailpit"}
    allowed = _run(["manage.py", "check"], **catcher)
    assert allowed.returncode == 0 and "ehc.W005" in allowed.stderr + allowed.stdout
    assert _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **catcher).returncode != 0
    # ...and only for a mail catcher: a real relay without TLS is refused even with the opt-out left on.
    relay = _run(["manage.py", "check"], **{**catcher, "EMAIL_HOST": "smtp.council.example"})
    assert relay.returncode != 0 and "ehc.E005" in relay.stderr + relay.stdout


@pytest.mark.parametrize(
    "overrides, named",
    [
        ({"DJANGO_DEBUG": "maybe"}, "DJANGO_DEBUG"),
        ({"DATABASE_URL": "sqlite:///x"}, "DATABASE_URL"),
        ({"DATABASE_URL": None}, "DATABASE_URL"),
        ({"REDIS_URL": "memcached://127.0.0.1"}, "REDIS_URL"),
        ({"DJANGO_SECRET_KEY": "short-secret"}, "DJANGO_SECRET_KEY"),
        ({"DJANGO_SECRET_KEY": None}, "DJANGO_SECRET_KEY"),
        ({"DJANGO_ALLOWED_HOSTS": None}, "DJANGO_ALLOWED_HOSTS"),
        ({"DJANGO_HTTPS": "sometimes"}, "DJANGO_HTTPS"),
        ({"EMAIL_USE_SSL": "1"}, "EMAIL_USE_SSL"),
        ({"REQUEST_BODY_MAX_BYTES": "0"}, "REQUEST_BODY_MAX_BYTES"),
        ({"AXES_FAILURE_LIMIT": "five"}, "AXES_FAILURE_LIMIT"),
        ({"SESSION_IDLE_TIMEOUT_MINUTES": "thirty"}, "SESSION_IDLE_TIMEOUT_MINUTES"),
        ({"SESSION_IDLE_TIMEOUT_MINUTES": "0"}, "SESSION_IDLE_TIMEOUT_MINUTES"),
        ({"SESSION_ABSOLUTE_TIMEOUT_HOURS": "0"}, "SESSION_ABSOLUTE_TIMEOUT_HOURS"),
    ],
    ids=lambda value: "-".join(f"{k}={v}" for k, v in value.items()) if isinstance(value, dict) else "",
)
def test_bad_settings_fail_loudly_naming_the_variable(overrides, named):
    # Importing the settings is what every process (web, worker, beat, manage.py) does first.
    result = _run(["-c", "import ehc.settings"], **overrides)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert named in result.stderr.strip().splitlines()[-1]


def test_the_security_settings_check_catches_a_weakened_policy(settings):
    from ehc.checks import security_settings

    assert security_settings(None) == []
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    settings.CONTENT_SECURITY_POLICY = {
        "DIRECTIVES": {**directives, "script-src": ["'self'", "'unsafe-inline'"]}
    }
    settings.AXES_HANDLER = "axes.handlers.cache.AxesCacheHandler"
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
    assert {error.id for error in security_settings(None)} == {"ehc.E002", "ehc.E003", "ehc.E004"}

"""Security headers on every response, and pages that a strict Content Security Policy does not
break (no inline script, no inline style)."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from .conftest import sign_in

pytestmark = pytest.mark.django_db

PRODUCTION_ENV = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "p" * 20 + "production-secret-for-the-test-only-" + "q" * 20,
    "DJANGO_ALLOWED_HOSTS": "ehc.council.example",
    "DJANGO_HTTPS": "1",
}

INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style\b|\sstyle\s*=", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=|javascript:", re.IGNORECASE)


def assert_security_headers(response, where):
    csp = response.headers.get("Content-Security-Policy", "")
    directives = {part.split()[0]: part.split()[1:] for part in (p.strip() for p in csp.split(";")) if part}
    assert directives.get("script-src") == ["'self'"], where
    assert directives.get("style-src") == ["'self'"], where
    assert directives.get("default-src") == ["'self'"], where
    assert directives.get("object-src") == ["'none'"], where
    assert directives.get("frame-ancestors") == ["'none'"], where
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, where
    assert response.headers.get("X-Content-Type-Options") == "nosniff", where
    assert response.headers.get("X-Frame-Options") == "DENY", where
    assert response.headers.get("Referrer-Policy") == "same-origin", where
    assert response.headers.get("Cross-Origin-Opener-Policy") == "same-origin", where
    cache_control = {part.strip() for part in response.headers.get("Cache-Control", "").split(",")}
    assert {"no-store", "private"} <= cache_control, where


def assert_no_inline_code(response, where):
    html = response.content.decode()
    assert not INLINE_SCRIPT.search(html), f"inline <script> on {where}"
    assert not INLINE_STYLE.search(html), f"inline style on {where}: {INLINE_STYLE.search(html)}"
    assert not INLINE_HANDLER.search(html), f"inline event handler on {where}"


def _pages(ours, own_case, login, administrator):
    """(description, client, path, method, data) for the main pages, signed out and in."""
    anonymous = Client()
    officer = login(ours.case_officer)
    admin = login(administrator)
    unverified = Client()
    sign_in(unverified, ours.business_support)
    pk = own_case.pk
    return [
        ("sign-in", anonymous, reverse("login"), "get", None),
        ("sign-in with errors", Client(), reverse("login"), "post", {"username": "x", "password": "y"}),
        ("password reset", anonymous, reverse("password_reset"), "get", None),
        ("password reset sent", anonymous, reverse("password_reset_done"), "get", None),
        ("accessibility", anonymous, reverse("accessibility"), "get", None),
        ("missing page", anonymous, "/no-such-page/", "get", None),
        ("healthz", anonymous, reverse("healthz"), "get", None),
        # The API's docs page (Swagger UI from the pinned sidecar package) and its start-up script.
        ("API docs", anonymous, reverse("api:docs"), "get", None),
        ("API docs script", anonymous, reverse("api:docs") + "?script=", "get", None),
        ("redirect to sign-in", anonymous, reverse("assessments:caseload"), "get", None),
        ("two-factor set-up", unverified, reverse("mfa_setup"), "get", None),
        ("backup codes", officer, reverse("mfa_backup_codes"), "get", None),
        ("caseload", officer, reverse("assessments:caseload"), "get", None),
        ("new case", officer, reverse("assessments:case_create"), "get", None),
        ("new case with errors", officer, reverse("assessments:case_create"), "post", {"first_name": ""}),
        ("case", officer, reverse("assessments:case_detail", args=[pk]), "get", None),
        ("change case", officer, reverse("assessments:case_edit", args=[pk]), "get", None),
        ("decision", officer, reverse("assessments:record_decision", args=[pk]), "get", None),
        ("exception", officer, reverse("escalation:exception_new", args=[pk]), "get", None),
        ("share", officer, reverse("assessments:share_case", args=[pk]), "get", None),
        ("sign out", officer, reverse("logout"), "get", None),
        ("admin", admin, "/admin/", "get", None),
        ("admin users", admin, "/admin/ehc/user/", "get", None),
        ("admin user", admin, f"/admin/ehc/user/{ours.case_officer.pk}/change/", "get", None),
        ("admin audit", admin, "/admin/ehc/auditevent/", "get", None),
        ("admin lockouts", admin, "/admin/axes/accessattempt/", "get", None),
    ]


def test_every_response_carries_the_security_headers(ours, own_case, login, administrator):
    pages = _pages(ours, own_case, login, administrator)
    for where, client, path, method, data in pages:
        response = getattr(client, method)(path, data) if data else getattr(client, method)(path)
        assert response.status_code < 500, where
        assert_security_headers(response, where)
    assert len(pages) >= 20


def test_no_page_has_inline_script_or_style(ours, own_case, login, administrator):
    checked = 0
    for where, client, path, method, data in _pages(ours, own_case, login, administrator):
        response = getattr(client, method)(path, data) if data else getattr(client, method)(path)
        if response.get("Content-Type", "").startswith("text/html") and response.status_code in (200, 404):
            assert_no_inline_code(response, where)
            checked += 1
    assert checked >= 20


def test_the_lockout_page_too_carries_the_headers(ours, settings):
    settings.AXES_FAILURE_LIMIT = 1
    response = sign_in(Client(), ours.case_officer, "wrong password")
    assert response.status_code == 429
    assert_security_headers(response, "locked out")
    assert_no_inline_code(response, "locked out")


def test_no_template_of_ours_has_inline_script_or_style():
    templates = sorted(Path(settings.BASE_DIR, "templates").rglob("*.html"))
    assert templates
    for template in templates:
        if "emails" in template.parts:
            continue  # HTML email is not served under the CSP; mail clients need inline styles
        if "pdf" in template.parts or "letters" in template.parts:
            continue  # rendered to PDF by WeasyPrint with a fetcher that loads nothing; never served as a page
        text = template.read_text()
        assert not INLINE_SCRIPT.search(text), template
        assert not INLINE_STYLE.search(text), template
        assert not INLINE_HANDLER.search(text), template


def test_the_only_script_is_a_module_from_our_own_static_files():
    base = Path(settings.BASE_DIR, "templates", "base.html").read_text()
    assert re.findall(r"<script\b[^>]*>", base) == [
        '<script type="module" src="{% static \'ehc/init.js\' %}">'
    ]


def test_hsts_is_on_with_the_production_settings(ours, login, settings):
    """HSTS only makes sense over HTTPS, so the development settings leave it off; the
    production settings switch it on (checked in a subprocess with the production environment)
    and, with those values in force, every HTTPS response carries it."""
    code = """
import django, json
django.setup()
from django.conf import settings
from django.http import HttpResponse
from django.middleware.security import SecurityMiddleware
from django.test import RequestFactory
middleware = SecurityMiddleware(lambda request: HttpResponse("ok"))
factory = RequestFactory(HTTP_HOST="ehc.council.example")
secure = middleware(factory.get("/", secure=True))
plain = middleware(factory.get("/cases/"))
print(json.dumps({
    "hsts": secure.headers.get("Strict-Transport-Security"),
    "plain_status": plain.status_code,
    "plain_location": plain.headers.get("Location"),
    "session_cookie_secure": settings.SESSION_COOKIE_SECURE,
    "csrf_cookie_secure": settings.CSRF_COOKIE_SECURE,
    "session_cookie_httponly": settings.SESSION_COOKIE_HTTPONLY,
    "seconds": settings.SECURE_HSTS_SECONDS,
}))
"""
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, **PRODUCTION_ENV, "DJANGO_SETTINGS_MODULE": "ehc.settings"},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    production = json.loads(result.stdout.strip().splitlines()[-1])
    assert production["hsts"] == "max-age=31536000; includeSubDomains; preload"
    assert production["plain_status"] == 301
    assert production["plain_location"] == "https://ehc.council.example/cases/"
    assert production["session_cookie_secure"] and production["csrf_cookie_secure"]
    assert production["session_cookie_httponly"]

    settings.SECURE_HSTS_SECONDS = production["seconds"]
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    client = login(ours.case_officer)
    for path in [reverse("assessments:caseload"), reverse("login"), "/no-such-page/"]:
        response = client.get(path, secure=True)
        assert response.headers["Strict-Transport-Security"] == production["hsts"], path

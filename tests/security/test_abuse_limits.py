"""Abuse limits (issue 13, finding 5): request bodies are capped before anything reads them, a long
username is a form error rather than a server error, and sign-in and password reset are throttled
per username or address and per client address."""

import datetime
import http.client
import socket
import subprocess
import sys
import time

import pytest
import time_machine
from axes.models import AccessAttempt
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse

from ehc.models import AuditAction, AuditEvent
from ehc.request_limits import body_limit_for

from . import figures
from .conftest import PASSWORD, sign_in

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 11, 23, 9, 0, tzinfo=datetime.UTC)


def _figure(name, value):
    figures.throttles[name] = value
    figures.reports["throttles"] = "abuse limits: " + ", ".join(f"{k} {v}" for k, v in figures.throttles.items())


class GeneratedBody:
    """A wsgi.input that makes `size` bytes on demand and counts how many were read."""

    def __init__(self, size):
        self.size = size
        self.read_bytes = 0

    def read(self, count=-1):
        left = self.size - self.read_bytes
        count = left if count is None or count < 0 else min(count, left)
        self.read_bytes += count
        return b"a" * count

    def readline(self, count=-1):
        return self.read(65536 if count is None or count < 0 else min(count, 65536))


def _post_declared(client, path, size, content_type="multipart/form-data; boundary=----x"):
    body = GeneratedBody(size)
    response = client.generic(
        "POST", path, b"", content_type=content_type, CONTENT_LENGTH=str(size), CONTENT_TYPE=content_type,
        **{"wsgi.input": body},
    )
    return response, body


# Request bodies ----------------------------------------------------------------------------------


def test_a_200_mb_anonymous_post_to_sign_in_is_refused_before_it_is_read():
    client = Client(raise_request_exception=False)
    response, body = _post_declared(client, reverse("login"), 200 * 1024 * 1024)
    assert response.status_code == 413
    assert body.read_bytes == 0
    page = response.content.decode()
    assert "What you sent is too large" in page
    assert 'class="govuk-heading-l"' in page
    # The page still carries the security headers every response has.
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    _figure("200 MB sign-in POST", f"{response.status_code} after reading {body.read_bytes} bytes")


@pytest.fixture
def gunicorn():
    """gunicorn serving the project as docker-compose.yml runs it, on a free loopback port. The
    refusal needs no database, so the test's own transaction does not matter."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "ehc.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        cwd=settings.BASE_DIR,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None:
                    pytest.fail("gunicorn exited: " + process.stderr.read()[-2000:])
                time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_gunicorn_answers_413_before_the_body_is_sent(gunicorn):
    # Through a socket and the production server: the answer comes after the first 64 KB of a
    # declared 200 MB, and no WSGI rule (such as the ban on hop-by-hop headers) is broken on the way.
    connection = http.client.HTTPConnection("127.0.0.1", gunicorn, timeout=20)
    connection.putrequest("POST", reverse("login"))
    connection.putheader("Content-Type", "multipart/form-data; boundary=----x")
    connection.putheader("Content-Length", str(200 * 1024 * 1024))
    connection.endheaders()
    connection.send(b"a" * 65536)
    response = connection.getresponse()
    assert response.status == 413
    assert "What you sent is too large" in response.read().decode()
    connection.close()


def test_only_the_upload_page_takes_a_document_sized_body(settings, ours):
    upload_path = reverse("advice:item_return", args=[1])
    assert body_limit_for(reverse("login")) == settings.REQUEST_BODY_MAX_BYTES
    assert body_limit_for(reverse("password_reset")) == settings.REQUEST_BODY_MAX_BYTES
    assert body_limit_for(upload_path) == settings.ADVICE_UPLOAD_MAX_BYTES + settings.REQUEST_BODY_MAX_BYTES
    client = Client(raise_request_exception=False)
    # Just over the cap of each page: refused unread. At the cap: passed on (and then refused by the
    # page itself for what it is, never with 413).
    for path, cap in [(reverse("login"), settings.REQUEST_BODY_MAX_BYTES), (upload_path, body_limit_for(upload_path))]:
        over, body = _post_declared(client, path, cap + 1)
        assert (over.status_code, body.read_bytes) == (413, 0), path
        at, _ = _post_declared(client, path, cap, content_type="application/x-www-form-urlencoded")
        assert at.status_code != 413, path


def test_a_body_without_a_length_is_refused():
    client = Client(raise_request_exception=False)
    response = client.generic("POST", reverse("login"), b"", HTTP_TRANSFER_ENCODING="chunked")
    assert response.status_code == 411
    assert "What you sent could not be read" in response.content.decode()


def test_the_client_address_comes_from_the_trusted_proxy_only(settings, officer):
    spoofed = {"HTTP_X_FORWARDED_FOR": "203.0.113.66, 198.51.100.20", "REMOTE_ADDR": "10.0.0.2"}
    settings.TRUSTED_PROXY_COUNT = 0
    sign_in(Client(**spoofed), officer, "not the password")
    settings.TRUSTED_PROXY_COUNT = 1
    sign_in(Client(**spoofed), officer, "not the password")
    addresses = list(
        AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED).order_by("id").values_list("ip_address", flat=True)
    )
    # Without a proxy the header is anyone's to write; behind one, the address the proxy appended.
    assert addresses == ["10.0.0.2", "198.51.100.20"]


# Usernames ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("length", [151, 256, 10_000])
def test_a_long_username_is_a_form_error_not_a_server_error(length):
    client = Client(raise_request_exception=False)
    response = client.post(reverse("login"), {"username": "O'Neill" + "a" * (length - 7), "password": "x"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "govuk-error-summary" in page
    assert "Username must be 150 characters or fewer" in page
    assert not AccessAttempt.objects.exists()
    _figure("long usernames", "refused with a form error")


def test_a_username_of_150_characters_is_still_tried():
    response = Client().post(reverse("login"), {"username": "a" * 150, "password": "x"})
    assert response.status_code == 200
    assert "Enter a correct username and password" in response.content.decode()


# Sign-in: progressive waits per username and per address ----------------------------------------


def test_failures_for_one_username_make_the_next_try_wait_longer_each_time(settings, officer):
    free = settings.SIGN_IN_USERNAME_FREE
    with time_machine.travel(START, tick=False) as clock:
        for _ in range(free):
            assert sign_in(Client(REMOTE_ADDR="192.0.2.1"), officer, "not the password").status_code == 200
        waits = []
        for _ in range(settings.AXES_FAILURE_LIMIT - free - 1):
            assert sign_in(Client(REMOTE_ADDR="192.0.2.1"), officer, "not the password").status_code == 200
            # Straight away, even with the right password and from another address: wait.
            refused = sign_in(Client(REMOTE_ADDR="198.51.100.5"), officer, PASSWORD)
            assert refused.status_code == 429
            assert "_auth_user_id" not in refused.wsgi_request.session
            page = refused.content.decode()
            assert "govuk-error-summary" in page
            wait = int(page.split("Too many failed sign-ins: wait ", 1)[1].split(" ", 1)[0])
            waits.append(wait)
            clock.shift(wait - 1)
            assert sign_in(Client(REMOTE_ADDR="192.0.2.1"), officer, PASSWORD).status_code == 429
            clock.shift(1)
        assert waits == [2, 4][: len(waits)] and waits == sorted(waits) and len(waits) >= 2
        # After the wait the right password works, and the refused tries were not counted as failures.
        assert sign_in(Client(REMOTE_ADDR="192.0.2.1"), officer, PASSWORD).status_code == 302
    assert AuditEvent.objects.filter(summary__contains="wait 2 seconds after failed sign-ins").exists()
    _figure("sign-in waits per username", "/".join(f"{w} s" for w in waits))


def test_many_failures_from_one_address_slow_that_address_only_after_its_allowance(settings, ours):
    settings.SIGN_IN_IP_FREE = 30
    with time_machine.travel(START, tick=False) as clock:
        shared = "192.0.2.77"  # a trust's NAT address: many people, each mistyping once
        for index in range(settings.SIGN_IN_IP_FREE):
            response = Client(REMOTE_ADDR=shared).post(
                reverse("login"), {"username": f"staff-{index}", "password": "typo"}
            )
            assert response.status_code == 200, index
        # Within the allowance nobody there waited; the next failure starts the waits for the address.
        assert sign_in(Client(REMOTE_ADDR=shared), ours.business_support).status_code == 302
        Client(REMOTE_ADDR=shared).post(reverse("login"), {"username": "staff-x", "password": "typo"})
        refused = sign_in(Client(REMOTE_ADDR=shared), ours.case_officer)
        assert refused.status_code == 429
        assert sign_in(Client(REMOTE_ADDR="198.51.100.8"), ours.case_officer).status_code == 302
        clock.shift(2)
        assert sign_in(Client(REMOTE_ADDR=shared), ours.case_officer).status_code == 302
    _figure("sign-in failures free per address per hour", settings.SIGN_IN_IP_FREE)


def test_the_waits_are_capped(settings, officer):
    settings.SIGN_IN_USERNAME_FREE = 1
    settings.SIGN_IN_MAX_DELAY_SECONDS = 8
    settings.AXES_FAILURE_LIMIT = 100
    with time_machine.travel(START, tick=False) as clock:
        waits = []
        sign_in(Client(), officer, "not the password")  # the free one
        for _ in range(6):
            sign_in(Client(), officer, "not the password")  # counted: sets the next wait
            page = sign_in(Client(), officer, "not the password").content.decode()  # refused during it
            waits.append(int(page.split("wait ", 1)[1].split(" ", 1)[0]))
            clock.shift(waits[-1])
    assert waits == [2, 4, 8, 8, 8, 8]


# Password reset ----------------------------------------------------------------------------------


def test_31_reset_requests_for_one_mailbox_send_three_emails(settings, officer):
    client = Client(REMOTE_ADDR="192.0.2.30")
    responses = [client.post(reverse("password_reset"), {"email": officer.email}) for _ in range(31)]
    sent_page = reverse("password_reset_done")
    # The same answer every time: nothing tells the sender that the limit was reached.
    assert {(r.status_code, r.headers["Location"]) for r in responses} == {(302, sent_page)}
    assert len(mail.outbox) == settings.PASSWORD_RESET_PER_ADDRESS == 3
    assert AuditEvent.objects.filter(summary__startswith="Password reset throttled").count() == 28
    _figure("reset emails for 31 requests to one mailbox", len(mail.outbox))


def test_reset_requests_are_limited_per_client_address_and_the_window_passes(settings, officer):
    with time_machine.travel(START, tick=False) as clock:
        crowd = Client(REMOTE_ADDR="192.0.2.31")
        for index in range(settings.PASSWORD_RESET_PER_IP):
            crowd.post(reverse("password_reset"), {"email": f"nobody{index}@council.example"})
        crowd.post(reverse("password_reset"), {"email": officer.email})
        assert len(mail.outbox) == 0
        Client(REMOTE_ADDR="198.51.100.31").post(reverse("password_reset"), {"email": officer.email})
        assert len(mail.outbox) == 1
        clock.shift(datetime.timedelta(hours=1))
        crowd.post(reverse("password_reset"), {"email": officer.email})
        assert len(mail.outbox) == 2
    _figure("reset requests per client address per hour", settings.PASSWORD_RESET_PER_IP)

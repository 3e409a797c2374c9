"""The load test cannot rot: the locustfile imports, its user classes carry the issue's shares, and each
role's journeys (bench.load.journeys, what Locust's users run) run once without an error against the
app on the tiny bench data set, through Django's test client with CSRF checks on, signing in with the
password and the authenticator code as the simulated users do. Nothing is timed here: `make load` is
the measurement."""

import random
from dataclasses import dataclass, field

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from bench import BENCH_NOW
from bench.load import journeys
from bench.load.accounts import PASSWORD, WEIGHTS, accounts_needed, totp_code, username
from bench.load.users import make_accounts

pytestmark = pytest.mark.django_db


class Response:
    """Django's response with the parts of Locust's (requests') response the journeys read."""

    def __init__(self, session, name, response):
        self.session, self.name, self.raw = session, name, response
        self.status_code = response.status_code
        self.content = b"".join(response.streaming_content) if response.streaming else response.content
        self.text = self.content.decode(errors="replace")
        self.headers = response.headers
        self.judged = False

    def success(self):
        self.judged = True

    def failure(self, message):
        self.judged = True
        self.session.failures.append(f"{self.name}: {message}")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if not self.judged:
            self.session.judge(self)


@dataclass
class Session:
    """Locust's HttpSession interface (get/post with name=, catch_response=, allow_redirects=) over
    Django's test client; what Locust would count as a failure (an HTTP error) is kept in `failures`."""

    client: Client
    failures: list = field(default_factory=list)
    names: list = field(default_factory=list)

    def judge(self, response):
        if response.status_code >= 400:
            response.failure(f"HTTP {response.status_code}")

    def _send(self, method, url, *, name, catch_response, allow_redirects, **kwargs):
        self.names.append(name)
        raw = getattr(self.client, method)(url, follow=allow_redirects, **kwargs)
        response = Response(self, name, raw)
        if not catch_response:
            self.judge(response)
        return response

    def get(self, url, *, name=None, catch_response=False, allow_redirects=True):
        return self._send("get", url, name=name, catch_response=catch_response, allow_redirects=allow_redirects)

    def post(self, url, data=None, files=None, *, name=None, catch_response=False, allow_redirects=True):
        data = dict(data or {})
        for key, (filename, content, content_type) in (files or {}).items():
            data[key] = SimpleUploadedFile(filename, content, content_type=content_type)
        return self._send(
            "post", url, name=name, catch_response=catch_response, allow_redirects=allow_redirects, data=data
        )


@pytest.fixture
def accounts(tiny):
    with time_machine.travel(BENCH_NOW, tick=True):
        make_accounts(10)
        yield


def signed_in(kind):
    session = Session(Client(enforce_csrf_checks=True))
    journeys.sign_in(session, username(kind, 1), PASSWORD)
    journeys.home(session)
    return session


def test_the_locustfile_imports_and_its_shares_are_the_issues(monkeypatch):
    monkeypatch.setenv("LOCUST_SKIP_MONKEY_PATCH", "1")  # gevent must not patch the test process
    from bench.load import locustfile

    weights = {cls.kind: cls.weight for cls in locustfile.USER_CLASSES}
    assert weights == WEIGHTS
    total = sum(weights.values())
    assert weights["officer"] / total == 0.50
    assert (weights["spoc"] + weights["practitioner"]) / total == 0.35
    assert weights["dco"] / total == 0.05
    assert (weights["la_admin"] + weights["head"] + weights["ad"]) / total == 0.10
    assert all(cls.tasks for cls in locustfile.USER_CLASSES)
    # 200 users get an account each.
    assert all(count * total >= 200 * weights[kind] for kind, count in accounts_needed(200).items())


def test_codes_are_the_authenticators(accounts):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    with time_machine.travel(BENCH_NOW, tick=False):
        device = TOTPDevice.objects.get(user__username=username("dco", 1))
        assert device.verify_token(totp_code(username("dco", 1)))


def test_a_case_officer_reads_the_caseload_and_records_a_request(accounts):
    from advice.models import AdviceRequest

    with time_machine.travel(BENCH_NOW, tick=True):
        session = signed_in("officer")
        assert journeys.caseload(session, random.Random(1)) is not None
        case = journeys.create_request(session, random.Random(2))
    assert session.failures == []
    assert AdviceRequest.objects.filter(case_id=case).exists()
    assert {"caseload", "case page", "request page (outstanding advice)", "request health advice form"} <= set(
        session.names
    )


def test_a_spoc_acknowledges_a_request(accounts):
    from advice.models import AdviceRequest

    with time_machine.travel(BENCH_NOW, tick=True):
        # The request a case officer has just made is the SPOC's to acknowledge.
        officer = signed_in("officer")
        case = journeys.create_request(officer, random.Random(3))
        spoc = signed_in("spoc")
        acknowledged = None
        for seed in range(20):
            acknowledged = journeys.spoc_queue(spoc, random.Random(seed))
            if acknowledged:
                break
    assert officer.failures == spoc.failures == []
    assert acknowledged is not None, "the SPOC's queue held nothing to acknowledge"
    assert AdviceRequest.objects.get(pk=acknowledged).is_acknowledged
    assert AdviceRequest.objects.filter(case_id=case).exists()


def test_a_practitioner_returns_advice_with_a_document(accounts):
    from advice.models import AdviceItem, ItemStatus

    with time_machine.travel(BENCH_NOW, tick=True):
        session = signed_in("practitioner")
        journeys.team_queue(session, random.Random(4), return_advice=False)
        returned = journeys.team_queue(session, random.Random(5))
    assert session.failures == []
    assert returned is not None, "the team's queue held nothing to return"
    assert AdviceItem.objects.get(pk=returned).status == ItemStatus.RETURNED


def test_the_dco_reads_the_dashboard_and_downloads_a_letter(accounts):
    with time_machine.travel(BENCH_NOW, tick=True):
        session = signed_in("dco")
        journeys.dco_dashboard(session)
        letter = journeys.responses_owed(session, random.Random(6))
    assert session.failures == []
    assert letter is not None, "no escalation 1 letter among the responses owed"
    assert "letter PDF" in session.names


@pytest.mark.parametrize(
    "kind, journey",
    [("la_admin", journeys.administration), ("head", journeys.heads_of_service), ("ad", journeys.ad_education)],
)
def test_the_others_read_their_pages(accounts, kind, journey):
    with time_machine.travel(BENCH_NOW, tick=True):
        session = signed_in(kind)
        journey(session)
    assert session.failures == []

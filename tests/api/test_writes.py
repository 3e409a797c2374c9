"""The API's writes: the pages' forms check the input (the upload checks among them) and the pages'
services do the work. A refusal changes nothing."""

import datetime
import socket

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from advice.models import AdviceItem, AdviceReturn, ItemStatus, ScanStatus
from advice.services import advice_request_send
from assessments.models import CaseStatus
from ehc.models import OutboundEmail, Role, Service
from escalation.models import Escalation, EscalationStage
from tests.advice.files import docx_with_macros, pdf_bytes
from tests.escalation.conftest import make_request, sweep
from tests.factories import CaseFactory

from .clients import api_client_for, calling_with

D = datetime.date


@pytest.fixture
def open_items(ours):
    case = CaseFactory(local_authority=ours.la, status=CaseStatus.ASSESSING, decided_to_assess=True)
    request = advice_request_send(
        case=case, provider=ours.provider, services_named=[Service.SLT, Service.OT], user=ours.case_officer
    )
    return {item.team_id: item for item in request.items.all()}


def _return_url(item):
    return reverse("api:advice-item-return", args=[item.pk])


def _state():
    return repr(list(AdviceItem.objects.order_by("pk").values())) + repr(list(AdviceReturn.objects.values()))


@pytest.mark.django_db
def test_a_spoc_client_returns_the_appendix_c_as_json(ours, open_items):
    item = open_items[ours.slt.pk]
    key = api_client_for(ours.provider, Role.SPOC)[1]
    today = timezone.localdate()
    body = {
        "returned_on": today.isoformat(),
        "description_of_needs": "Needs",
        "provision_required": "Provision",
        "outcomes": "Outcomes",
    }
    response = calling_with(key).post(_return_url(item), body, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == ItemStatus.RETURNED
    item.refresh_from_db()
    assert item.status == ItemStatus.RETURNED and item.returned_on == today
    assert item.advice_return.description_of_needs == "Needs"
    assert item.advice_return.returned_by.api_client.role == Role.SPOC
    # Once: a second return is a conflict, and changes nothing.
    before = _state()
    again = calling_with(key).post(_return_url(item), body, format="json")
    assert again.status_code == 409 and _state() == before


@pytest.mark.django_db
def test_a_document_goes_through_the_pages_upload_checks_and_the_scanner(ours, open_items, settings):
    # A scanner configured but down: the document waits for it, withheld, as one uploaded on the page.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        settings.CLAMD_HOST, settings.CLAMD_PORT = "127.0.0.1", probe.getsockname()[1]
    item = open_items[ours.ot.pk]
    key = api_client_for(ours.provider, Role.SPOC)[1]
    document = SimpleUploadedFile("advice.pdf", pdf_bytes(), content_type="application/pdf")
    response = calling_with(key).post(
        _return_url(item), {"returned_on": timezone.localdate().isoformat(), "document": document}, format="multipart"
    )
    assert response.status_code == 200, response.content
    advice_return = AdviceReturn.objects.get(item=item)
    assert advice_return.document_type == "pdf" and advice_return.scan_status == ScanStatus.PENDING
    shown = response.json()["advice_return"]
    assert shown["document_type"] == "pdf" and shown["scan_status"] == "pending" and not shown["document_available"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name, content, message",
    [
        ("advice.pdf", b"<html><script>alert(1)</script></html>", "must be a pdf or a word document"),
        ("advice.docx", docx_with_macros(), "macro"),
        ("advice.pdf", b"", "empty"),
    ],
)
def test_an_upload_the_page_refuses_the_api_refuses_with_its_words(ours, open_items, name, content, message):
    item = open_items[ours.ot.pk]
    key = api_client_for(ours.provider, Role.SPOC)[1]
    before, emails = _state(), OutboundEmail.objects.count()
    document = SimpleUploadedFile(name, content, content_type="application/pdf")
    response = calling_with(key).post(
        _return_url(item), {"returned_on": timezone.localdate().isoformat(), "document": document}, format="multipart"
    )
    assert response.status_code == 400
    assert message in " ".join(response.json()["errors"]["document"]).lower()
    assert _state() == before and OutboundEmail.objects.count() == emails


@pytest.mark.django_db
def test_bad_input_is_a_400_naming_the_field(ours, open_items):
    item = open_items[ours.slt.pk]
    key = api_client_for(ours.provider, Role.SPOC)[1]
    before = _state()
    api = calling_with(key)
    cases = [
        ({}, "returned_on"),
        ({"returned_on": "7 December"}, "returned_on"),
        ({"returned_on": "2026-02-30"}, "returned_on"),
        ({"returned_on": (timezone.localdate() + datetime.timedelta(days=3)).isoformat()}, "returned_on"),
        ({"returned_on": timezone.localdate().isoformat()}, "non_field_errors"),
        ({"returned_on": timezone.localdate().isoformat(), "outcomes": 3}, "outcomes"),
        ({"returned_on": timezone.localdate().isoformat(), "document": "not a file"}, "document"),
    ]
    for body, field in cases:
        response = api.post(_return_url(item), body, format="json")
        assert response.status_code == 400 and field in response.json()["errors"], (body, response.content)
    assert _state() == before


@pytest.mark.django_db
def test_the_la_records_advice_not_provided(ours, open_items):
    item = open_items[ours.slt.pk]
    key = api_client_for(ours.la, Role.CASE_OFFICER)[1]
    body = {
        "reason": "capacity",
        "detail": "Not enough staff",
        "decided_by": "Head of SLT",
        "decided_on": timezone.localdate().isoformat(),
    }
    response = calling_with(key).post(reverse("api:advice-item-not-provided", args=[item.pk]), body, format="json")
    assert response.status_code == 200, response.content
    item.refresh_from_db()
    assert item.status == ItemStatus.NOT_PROVIDED and item.not_provided_detail == "Not enough staff"
    # The LA's other roles read, but cannot record it (as on the page).
    ad_key = api_client_for(ours.la, Role.AD_EDUCATION)[1]
    other = open_items[ours.ot.pk]
    refused = calling_with(ad_key).post(reverse("api:advice-item-not-provided", args=[other.pk]), body, format="json")
    assert refused.status_code == 404


@pytest.mark.django_db
def test_the_dco_responds_to_escalation_1(ours, theirs):
    make_request(ours, notified_on=D(2026, 11, 20))
    sweep(D(2027, 1, 4))
    sweep(D(2027, 1, 15))
    escalation = Escalation.objects.get(stage=EscalationStage.ESCALATION_1, local_authority=ours.la)
    url = reverse("api:escalation-response", args=[escalation.pk])
    their_dco = api_client_for(theirs.icb, Role.DCO)[1]
    assert calling_with(their_dco).post(url, {"response": "x"}, format="json").status_code == 404
    key = api_client_for(ours.icb, Role.DCO)[1]
    assert calling_with(key).post(url, {}, format="json").status_code == 400
    response = calling_with(key).post(url, {"response": "Met the team; advice by Friday"}, format="json")
    assert response.status_code == 200, response.content
    escalation.refresh_from_db()
    assert escalation.response == "Met the team; advice by Friday" and escalation.responded_at is not None
    assert response.json()["response"] == escalation.response
    assert calling_with(key).post(url, {"response": "again"}, format="json").status_code == 409

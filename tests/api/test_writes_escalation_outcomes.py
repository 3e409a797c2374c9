"""The outcomes of escalation through the API, as on their pages: a head of service's answer to
escalation 2 (a SPOC client) and the DCO/DMO office's resolution before it (a DCO client). The page's
form checks the input, the page's service records it, a refusal changes nothing."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from advice.models import AdviceItem, ItemStatus, Stage
from ehc.models import MessageKind, OutboundEmail, Role
from escalation.models import Escalation2Resolution
from tests.escalation.conftest import make_request, sweep

from .clients import api_client_for, calling_with

pytestmark = pytest.mark.django_db

D = datetime.date
DELAY = {"delay_reason": "capacity", "delay_detail": "x"}


@pytest.fixture
def at_escalation_2(ours):
    request = make_request(ours, notified_on=D(2026, 11, 20), teams=[ours.slt, ours.ot])
    sweep(D(2027, 1, 22))
    sweep(D(2027, 2, 5))
    items = {item.team_id: item for item in AdviceItem.objects.filter(request=request)}
    assert all(item.stage == Stage.ESCALATION_2 for item in items.values())
    return items


def url(item):
    return reverse("api:advice-item-head-of-service-outcome", args=[item.pk])


def state():
    return repr(list(AdviceItem.objects.order_by("pk").values())) + repr(OutboundEmail.objects.count())


def test_a_spoc_client_records_a_promised_date(ours, at_escalation_2):
    item = at_escalation_2[ours.slt.pk]
    key = api_client_for(ours.provider, Role.SPOC)[1]
    promised = timezone.localdate() + datetime.timedelta(days=14)
    body = {
        "outcome": "promised",
        "promised_on": promised.isoformat(),
        "delay_reason": "capacity",
        "delay_detail": "Two therapists on leave; O'Neill's clinic is booked",
    }
    response = calling_with(key).post(url(item), body, format="json")
    assert response.status_code == 200, response.content
    item.refresh_from_db()
    assert item.promised_on == promised and item.head_of_service_responded_at is not None
    assert item.delay_detail == body["delay_detail"]
    assert OutboundEmail.objects.filter(kind=MessageKind.HEAD_OF_SERVICE_OUTCOME, case=item.case).count() == 1
    # As on the page, a head of service may revise the promise while the advice is still awaited; the
    # LA was told once (the email's event key).
    later = promised + datetime.timedelta(days=7)
    again = calling_with(key).post(url(item), {**body, "promised_on": later.isoformat()}, format="json")
    assert again.status_code == 200
    item.refresh_from_db()
    assert item.promised_on == later
    assert OutboundEmail.objects.filter(kind=MessageKind.HEAD_OF_SERVICE_OUTCOME, case=item.case).count() == 1


def test_a_spoc_client_records_that_the_advice_will_not_be_provided(ours, at_escalation_2):
    item = at_escalation_2[ours.ot.pk]
    key = api_client_for(ours.provider, Role.SPOC)[1]
    body = {"outcome": "not_provided", "not_provided_reason": "dna", "not_provided_detail": "Three missed visits"}
    response = calling_with(key).post(url(item), body, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == ItemStatus.NOT_PROVIDED


@pytest.mark.parametrize(
    "body, field",
    [
        ({}, "outcome"),
        ({"outcome": "promised", "delay_reason": "capacity", "delay_detail": "x"}, "promised_on"),
        ({"outcome": "promised", "promised_on": "2020-01-01", **DELAY}, "promised_on"),
        ({"outcome": "promised", "promised_on": "7 Dec", **DELAY}, "promised_on"),
        ({"outcome": "not_provided", "not_provided_reason": "dna"}, "not_provided_detail"),
    ],
)
def test_bad_input_is_refused_by_the_pages_form_and_changes_nothing(ours, at_escalation_2, body, field):
    item = at_escalation_2[ours.slt.pk]
    key = api_client_for(ours.provider, Role.SPOC)[1]
    before = state()
    response = calling_with(key).post(url(item), body, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert state() == before


def test_others_cannot_answer(ours, theirs, at_escalation_2):
    item = at_escalation_2[ours.slt.pk]
    body = {"outcome": "not_provided", "not_provided_reason": "dna", "not_provided_detail": "x"}
    before = state()
    for organisation, role in [(ours.la, Role.CASE_OFFICER), (ours.icb, Role.DCO), (theirs.provider, Role.SPOC)]:
        key = api_client_for(organisation, role)[1]
        assert calling_with(key).post(url(item), body, format="json").status_code == 404
    assert state() == before


def test_an_item_not_at_escalation_2_is_a_conflict(ours):
    request = make_request(ours, notified_on=D(2026, 11, 20))
    item = request.items.get()
    key = api_client_for(ours.provider, Role.SPOC)[1]
    body = {"outcome": "not_provided", "not_provided_reason": "dna", "not_provided_detail": "x"}
    response = calling_with(key).post(url(item), body, format="json")
    assert response.status_code == 409
    item.refresh_from_db()
    assert item.status == ItemStatus.OUTSTANDING


@pytest.fixture
def at_escalation_1(ours):
    request = make_request(ours, notified_on=D(2026, 11, 20), teams=[ours.slt])
    sweep(D(2027, 1, 4))
    sweep(D(2027, 1, 15))
    item = request.items.get()
    assert item.stage == Stage.ESCALATION_1
    return item


def resolution_url(item):
    return reverse("api:advice-item-escalation-2-resolution", args=[item.pk])


def test_the_dco_client_records_a_date_agreed_before_escalation_2(ours, theirs, at_escalation_1):
    item = at_escalation_1
    agreed = timezone.localdate() + datetime.timedelta(days=10)
    body = {"kind": "agreed_date", "agreed_date": agreed.isoformat(), "reason": "Clinic booked with the team lead"}
    before = state()
    for organisation, role in [(theirs.icb, Role.DCO), (ours.provider, Role.SPOC), (ours.la, Role.CASE_OFFICER)]:
        key = api_client_for(organisation, role)[1]
        assert calling_with(key).post(resolution_url(item), body, format="json").status_code == 404
    assert state() == before
    key = api_client_for(ours.icb, Role.DCO)[1]
    missing_date = calling_with(key).post(resolution_url(item), {"kind": "agreed_date", "reason": "x"}, format="json")
    assert missing_date.status_code == 400 and "agreed_date" in missing_date.json()["errors"]
    assert state() == before
    response = calling_with(key).post(resolution_url(item), body, format="json")
    assert response.status_code == 200, response.content
    item.refresh_from_db()
    assert item.promised_on == agreed and item.next_action_on is None
    assert Escalation2Resolution.objects.get(item=item).reason == body["reason"]
    assert OutboundEmail.objects.filter(kind=MessageKind.ESCALATION_2_RESOLVED, case=item.case).count() == 1
    # Once resolved, a second resolution is a conflict.
    again = calling_with(key).post(resolution_url(item), {"kind": "not_needed", "reason": "x"}, format="json")
    assert again.status_code == 409


def test_a_resolution_after_escalation_2_is_a_conflict(ours, at_escalation_2):
    item = at_escalation_2[ours.slt.pk]
    key = api_client_for(ours.icb, Role.DCO)[1]
    before = state()
    response = calling_with(key).post(resolution_url(item), {"kind": "not_needed", "reason": "x"}, format="json")
    assert response.status_code == 409 and state() == before

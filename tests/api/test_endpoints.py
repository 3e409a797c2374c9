"""The API's reads: lists through the pages' selectors, filters, cursor pages, polling by
`updated_since`, one audit row per call, the throttle, and the schema and docs page."""

import datetime

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from rest_framework.settings import api_settings

from advice.services import advice_request_send
from assessments.models import Case, CaseStatus
from ehc.models import AuditAction, AuditEvent, Role, Service
from tests.factories import CaseFactory, verified_login

from .clients import api_client_for, calling_with

D = datetime.date


@pytest.fixture
def la_key(ours):
    return api_client_for(ours.la, Role.BUSINESS_SUPPORT)[1]


def _ids(response):
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


@pytest.mark.django_db
def test_a_client_lists_its_organisations_cases_only(ours, theirs, la_key):
    own = CaseFactory(local_authority=ours.la, last_name="O'Neill", nhs_number="9434765919", upn="B801200005001")
    CaseFactory(local_authority=theirs.la)
    response = calling_with(la_key).get(reverse("api:case-list"))
    assert _ids(response) == [own.pk]
    child = response.json()["results"][0]["child"]
    assert child["id"] == own.child_id and child["last_name"] == "O'Neill"
    assert child["nhs_number"] == "9434765919" and child["upn"] == "B801200005001"


@pytest.mark.django_db
def test_filters_by_status_and_dates_and_refuses_bad_values(ours, la_key):
    early = CaseFactory(local_authority=ours.la, received_on=D(2026, 9, 1), status=CaseStatus.ASSESSING)
    late = CaseFactory(local_authority=ours.la, received_on=D(2026, 10, 1), status=CaseStatus.AWAITING_DECISION)
    api = calling_with(la_key)
    url = reverse("api:case-list")
    assert _ids(api.get(url, {"status": "assessing"})) == [early.pk]
    assert sorted(_ids(api.get(url, {"status": "assessing,awaiting_decision"}))) == sorted([early.pk, late.pk])
    assert _ids(api.get(url, {"received_from": "2026-09-15"})) == [late.pk]
    assert _ids(api.get(url, {"received_to": "2026-09-01"})) == [early.pk]
    for params, name in (
        ({"status": "lost"}, "status"),
        ({"received_from": "1 Sept"}, "received_from"),
        ({"updated_since": "yesterday"}, "updated_since"),
    ):
        refused = api.get(url, params)
        assert refused.status_code == 400 and name in refused.json()


@pytest.mark.django_db
def test_an_id_that_is_no_number_is_a_404_not_an_error(la_key):
    api = calling_with(la_key)
    for pk in ("abc", "1.5", "9" * 30, "-1"):
        assert api.get(f"/api/v1/cases/{pk}/").status_code == 404, pk


@pytest.mark.django_db
def test_polling_with_updated_since_sees_only_what_changed(ours, la_key):
    first, second = CaseFactory(local_authority=ours.la), CaseFactory(local_authority=ours.la)
    api = calling_with(la_key)
    since = timezone.now()
    assert _ids(api.get(reverse("api:case-list"), {"updated_since": since.isoformat()})) == []
    Case.objects.filter(pk=second.pk).update(updated_at=since + datetime.timedelta(seconds=5))
    assert _ids(api.get(reverse("api:case-list"), {"updated_since": since.isoformat()})) == [second.pk]
    assert first.pk in _ids(api.get(reverse("api:case-list")))


@pytest.mark.django_db
def test_cursor_pages_cover_every_row_once(ours, la_key):
    cases = [CaseFactory(local_authority=ours.la) for _ in range(5)]
    api = calling_with(la_key)
    seen, url = [], reverse("api:case-list") + "?page_size=2"
    while url:
        body = api.get(url).json()
        assert len(body["results"]) <= 2
        seen += [row["id"] for row in body["results"]]
        url = body["next"]
    assert sorted(seen) == sorted(case.pk for case in cases) and len(seen) == len(set(seen))


@pytest.mark.django_db
def test_every_call_leaves_one_audit_row(ours, theirs, la_key):
    own = CaseFactory(local_authority=ours.la)
    other = CaseFactory(local_authority=theirs.la)
    api = calling_with(la_key)
    before = AuditEvent.objects.count()
    api.get(reverse("api:case-list"))
    row = AuditEvent.objects.order_by("-pk").first()
    assert AuditEvent.objects.count() == before + 1
    assert row.action == AuditAction.VIEW and "GET /api/v1/cases/ answered 200" in row.summary
    assert row.actor.api_client.name == "System business_support"
    api.get(reverse("api:case-detail", args=[own.pk]))
    row = AuditEvent.objects.order_by("-pk").first()
    assert row.case == own and row.organisation_id == ours.la.pk
    # Another council's case: the page's own denied row, and the call's.
    before = AuditEvent.objects.count()
    assert api.get(reverse("api:case-detail", args=[other.pk])).status_code == 404
    actions = list(AuditEvent.objects.order_by("-pk").values_list("action", flat=True)[:2])
    assert AuditEvent.objects.count() == before + 2 and set(actions) == {AuditAction.DENIED, AuditAction.NOT_FOUND}
    # Without a key: refused, and recorded with no actor.
    before = AuditEvent.objects.count()
    assert calling_with("ehc_000000000000_" + "x" * 43).get(reverse("api:case-list")).status_code == 401
    row = AuditEvent.objects.order_by("-pk").first()
    assert AuditEvent.objects.count() == before + 1 and row.actor is None and row.action == AuditAction.DENIED


@pytest.mark.django_db
def test_the_throttle_refuses_past_the_rate(ours, la_key):
    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "api_client": "3/minute"}
    with override_settings(REST_FRAMEWORK={**api_settings.user_settings, "DEFAULT_THROTTLE_RATES": rates}):
        api = calling_with(la_key)
        codes = [api.get(reverse("api:case-list")).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        # Another client of the same council has its own allowance.
        other_key = api_client_for(ours.la, Role.CASE_OFFICER)[1]
        assert calling_with(other_key).get(reverse("api:case-list")).status_code == 200


@pytest.mark.django_db
def test_calls_without_a_valid_key_are_throttled_per_address(ours, la_key):
    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "api_address": "2/minute"}
    with override_settings(REST_FRAMEWORK={**api_settings.user_settings, "DEFAULT_THROTTLE_RATES": rates}):
        codes = [
            calling_with(key).get(reverse("api:case-list")).status_code
            for key in (None, "ehc_0123456789ab_" + "A" * 43, None)
        ]
        assert codes == [401, 401, 429]
        assert AuditEvent.objects.order_by("-pk").first().action == AuditAction.DENIED
        # A valid key is counted per client, not by the address.
        assert calling_with(la_key).get(reverse("api:case-list")).status_code == 200


@pytest.mark.django_db
def test_no_session_reaches_the_api(client, ours):
    verified_login(client, ours.case_officer)
    assert client.get(reverse("api:case-list")).status_code == 401
    assert calling_with(None).get(reverse("api:case-list")).status_code == 401


@pytest.mark.django_db
def test_lists_of_requests_items_and_escalations_follow_the_pages(ours, theirs):
    case = CaseFactory(local_authority=ours.la, status=CaseStatus.ASSESSING, decided_to_assess=True)
    request = advice_request_send(
        case=case, provider=ours.provider, services_named=[Service.SLT, Service.OT], user=ours.case_officer
    )
    spoc_key = api_client_for(ours.provider, Role.SPOC)[1]
    their_spoc_key = api_client_for(theirs.provider, Role.SPOC)[1]
    assert _ids(calling_with(spoc_key).get(reverse("api:advice-request-list"))) == [request.pk]
    assert _ids(calling_with(their_spoc_key).get(reverse("api:advice-request-list"))) == []
    items = sorted(request.items.values_list("pk", flat=True))
    assert sorted(_ids(calling_with(spoc_key).get(reverse("api:advice-item-list")))) == items
    assert _ids(calling_with(spoc_key).get(reverse("api:advice-item-list"), {"status": "returned"})) == []
    assert _ids(calling_with(their_spoc_key).get(reverse("api:advice-item-list"))) == []
    assert _ids(calling_with(spoc_key).get(reverse("api:escalation-list"))) == []


@pytest.mark.django_db
def test_the_schema_and_the_docs_page_are_served_without_a_cdn(client):
    schema = client.get(reverse("api:schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert {"/api/v1/cases/", "/api/v1/advice-items/{id}/return/", "/api/v1/escalations/{id}/response/"} <= set(paths)
    docs = client.get(reverse("api:docs"))
    page = docs.content.decode()
    assert docs.status_code == 200 and "/static/drf_spectacular_sidecar/swagger-ui-dist/" in page
    assert "https://" not in page and "<style>" not in page
    script = client.get(reverse("api:docs") + "?script=")
    assert script.status_code == 200 and reverse("api:schema") in script.content.decode()

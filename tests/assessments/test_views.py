import datetime
from html import escape

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.models import Case, CaseStatus, TimelineException
from ehc.models import AuditAction, AuditEvent, LocalAuthoritySettings

from ..factories import AdviceItemFactory, AdviceRequestFactory, CaseFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 23, 10, 0, tzinfo=datetime.UTC)

VALID = {
    "first_name": "Ada",
    "last_name": "Brook",
    "date_of_birth_0": "3",
    "date_of_birth_1": "4",
    "date_of_birth_2": "2017",
    "requested_by": "parent",
    "received_on_0": "1",
    "received_on_1": "9",
    "received_on_2": "2026",
    "nhs_number": "943 476 5919",
}

# Every case-level URL, with a valid POST body where it takes one.
CASE_URLS = [
    ("get", "/cases/{pk}/", None),
    ("get", "/cases/{pk}/change/", None),
    ("get", "/cases/{pk}/decision/", None),
    ("get", "/cases/{pk}/not-issuing/", None),
    ("get", "/cases/{pk}/final-plan/", None),
    ("get", "/cases/{pk}/end/", None),
    ("get", "/escalation/cases/{pk}/exceptions/new/", None),
    ("get", "/cases/{pk}/share/", None),
    ("post", "/cases/{pk}/case-officer/", {"case_officer": ""}),
    (
        "post",
        "/cases/{pk}/decision/",
        {"decided_to_assess": "yes", "decision_on_0": "1", "decision_on_1": "10", "decision_on_2": "2026"},
    ),
]


@pytest.fixture
def case(ours):
    return CaseFactory(local_authority=ours.la, case_officer=ours.case_officer)


def test_case_officer_records_a_request(ours, login):
    client = login(ours.case_officer)
    with time_machine.travel(NOW, tick=False):
        response = client.post("/cases/new/", VALID)
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    assert case.reference == f"EHC-2026-{case.pk:05d}"
    assert case.case_officer == ours.case_officer
    assert case.child.nhs_number == "9434765919"
    assert case.next_statutory_date == datetime.date(2026, 10, 13)
    event = AuditEvent.objects.get(case=case, action=AuditAction.CREATE)
    assert event.actor == ours.case_officer and event.organisation == ours.la


@pytest.mark.parametrize(
    "change, message",
    [
        ({"first_name": ""}, "Enter the child&#x27;s first name"),
        ({"received_on_0": "31", "received_on_1": "2"}, "Date the request was received must be a real date"),
        ({"received_on_2": "2099"}, "Date the request was received must be today or in the past"),
        ({"date_of_birth_2": "2027"}, "Date of birth must be today or in the past"),
        ({"nhs_number": "943 476 5918"}, "check digit does not match"),
        ({"upn": "A12345678901Z"}, "unique pupil number"),
        ({"family_views": "x" * 5001}, "must be 5,000 characters or fewer"),
        ({"requested_by": "someone"}, "Select one of the options shown"),
    ],
)
def test_bad_input_gives_a_clear_error_and_keeps_what_was_typed(ours, login, change, message):
    client = login(ours.case_officer)
    with time_machine.travel(NOW, tick=False):
        response = client.post("/cases/new/", {**VALID, "last_name": "Kept-Surname", **change})
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body and message in body
    assert "Kept-Surname" in body
    assert Case.objects.count() == 0


def test_case_detail_is_audited_as_a_view(ours, case, login):
    login(ours.case_officer).get(f"/cases/{case.pk}/")
    assert AuditEvent.objects.filter(case=case, action=AuditAction.VIEW, actor=ours.case_officer).count() == 1


@pytest.mark.parametrize("method, url, data", CASE_URLS)
def test_another_la_gets_the_same_404_as_a_missing_case(ours, theirs, case, login, method, url, data):
    outsider = login(theirs.case_officer)
    other = getattr(outsider, method)(url.format(pk=case.pk), data)
    missing = getattr(outsider, method)(url.format(pk=case.pk + 10_000), data)
    assert other.status_code == missing.status_code == 404
    assert other.content == missing.content
    case.refresh_from_db()
    assert case.status == CaseStatus.AWAITING_DECISION


@pytest.mark.parametrize("method, url, data", CASE_URLS)
def test_own_case_officer_reaches_every_case_page(ours, case, login, method, url, data):
    response = getattr(login(ours.case_officer), method)(url.format(pk=case.pk), data)
    assert response.status_code in (200, 302)


@pytest.mark.parametrize("url", ["/cases/", "/cases/new/"])
def test_list_and_create_are_for_la_staff_only(ours, theirs, login, url):
    assert login(ours.case_officer).get(url).status_code == 200
    for outsider in (ours.spoc, ours.slt_practitioner, ours.dco, ours.head_of_service):
        assert login(outsider).get(url).status_code == 404


def test_anonymous_is_sent_to_sign_in(case, client):
    for url in ["/cases/", "/cases/new/", f"/cases/{case.pk}/"]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/sign-in/")


def test_provider_sees_a_case_only_once_asked_for_advice(ours, theirs, case, login):
    assert login(ours.spoc).get(f"/cases/{case.pk}/").status_code == 404
    request = AdviceRequestFactory(case=case, provider=ours.provider)
    AdviceItemFactory(request=request, team=ours.slt)
    assert login(ours.spoc).get(f"/cases/{case.pk}/").status_code == 200
    # A practitioner sees it through their own team's item only.
    assert login(ours.slt_practitioner).get(f"/cases/{case.pk}/").status_code == 200
    assert login(ours.ot_practitioner).get(f"/cases/{case.pk}/").status_code == 404
    assert login(theirs.spoc).get(f"/cases/{case.pk}/").status_code == 404


def test_dco_sees_cases_of_their_area_only(ours, theirs, case, login):
    assert login(ours.dco).get(f"/cases/{case.pk}/").status_code == 200
    assert login(theirs.dco).get(f"/cases/{case.pk}/").status_code == 404


def test_denied_access_is_audited(ours, theirs, case, login):
    login(theirs.case_officer).get(f"/cases/{case.pk}/")
    denied = AuditEvent.objects.get(action=AuditAction.DENIED)
    assert denied.actor == theirs.case_officer


def test_sharing_a_case_grants_one_person_access(ours, theirs, case, login):
    assert login(theirs.dco).get(f"/cases/{case.pk}/").status_code == 404
    response = login(ours.case_officer).post(f"/cases/{case.pk}/share/", {"email": theirs.dco.email})
    assert response.status_code == 302
    # Their ICB is neither party to the case nor a partner of ours: nothing is shared.
    assert login(theirs.dco).get(f"/cases/{case.pk}/").status_code == 404
    LocalAuthoritySettings.for_la(ours.la).partners.add(theirs.icb)
    response = login(ours.case_officer).post(f"/cases/{case.pk}/share/", {"email": theirs.dco.email})
    assert response.status_code == 302
    assert login(theirs.dco).get(f"/cases/{case.pk}/").status_code == 200
    assert login(theirs.case_officer).get(f"/cases/{case.pk}/").status_code == 404


def test_recording_steps_moves_the_case_along(ours, case, login):
    client = login(ours.case_officer)
    with time_machine.travel(NOW, tick=False):
        client.post(
            f"/cases/{case.pk}/decision/",
            {
                "decided_to_assess": "yes",
                "decision_on_0": "1",
                "decision_on_1": "10",
                "decision_on_2": "2026",
            },
        )
        case.refresh_from_db()
        assert case.status == CaseStatus.ASSESSING and case.decision_on == datetime.date(2026, 10, 1)
        response = client.post(
            f"/escalation/cases/{case.pk}/exceptions/new/",
            {
                "covers": "all",
                "reason": "away",
                "detail": "Away 5 weeks",
                "agreed_by": "Head of SEND",
                "starts_on_0": "5",
                "starts_on_1": "10",
                "starts_on_2": "2026",
            },
        )
        assert response.status_code == 302
        assert TimelineException.objects.filter(case=case).count() == 1
        client.post(
            f"/cases/{case.pk}/end/",
            {
                "status": "withdrawn",
                "closed_on_0": "2",
                "closed_on_1": "11",
                "closed_on_2": "2026",
                "reason": "Family withdrew",
            },
        )
    case.refresh_from_db()
    assert case.status == CaseStatus.WITHDRAWN and case.next_statutory_date is None
    assert AuditEvent.objects.filter(case=case, action=AuditAction.CHANGE).count() == 2


def test_a_step_dated_before_the_request_is_refused(ours, case, login):
    with time_machine.travel(NOW, tick=False):
        response = login(ours.case_officer).post(
            f"/cases/{case.pk}/decision/",
            {"decided_to_assess": "yes", "decision_on_0": "1", "decision_on_1": "1", "decision_on_2": "2026"},
        )
    assert response.status_code == 200
    assert "must be on or after the date the request was received" in response.content.decode()
    case.refresh_from_db()
    assert case.decision_on is None


def test_withdrawing_a_case_stops_its_advice_timers(ours, case, login):
    item = AdviceItemFactory(request=AdviceRequestFactory(case=case, provider=ours.provider), team=ours.slt)
    with time_machine.travel(NOW, tick=False):
        login(ours.case_officer).post(
            f"/cases/{case.pk}/end/",
            {
                "status": "moved_away",
                "closed_on_0": "2",
                "closed_on_1": "11",
                "closed_on_2": "2026",
                "reason": "Moved to another county",
            },
        )
    item.refresh_from_db()
    assert item.status == "cancelled" and item.next_action_on is None


def _caseload_queries(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/cases/")
    assert response.status_code == 200
    return len(queries)


def test_caseload_query_count_does_not_grow_with_rows(ours, login):
    client = login(ours.case_officer)
    CaseFactory.create_batch(3, local_authority=ours.la, case_officer=ours.case_officer)
    few = _caseload_queries(client)
    for case in CaseFactory.create_batch(60, local_authority=ours.la, case_officer=ours.case_officer):
        AdviceItemFactory(request=AdviceRequestFactory(case=case, provider=ours.provider), team=ours.slt)
    many = _caseload_queries(client)
    assert few == many


def test_caseload_pages_with_a_keyset_cursor(ours, login):
    client = login(ours.case_officer)
    cases = [
        CaseFactory(
            local_authority=ours.la, received_on=datetime.date(2026, 9, 1) + datetime.timedelta(days=i % 7)
        )
        for i in range(55)
    ]
    first = client.get("/cases/")
    page_one = first.context["page"]
    assert len(page_one.rows) == 50 and page_one.next_cursor
    second = client.get(f"/cases/?after={page_one.next_cursor}").context["page"]
    seen = [c.pk for c in page_one.rows] + [c.pk for c in second.rows]
    assert sorted(seen) == sorted(c.pk for c in cases) and len(set(seen)) == 55
    assert second.next_cursor is None
    # A forged cursor starts from the top instead of failing.
    assert client.get("/cases/?after=not-a-cursor").status_code == 200


def test_caseload_lists_only_own_la(ours, theirs, login):
    mine = CaseFactory(local_authority=ours.la)
    CaseFactory(local_authority=theirs.la)
    rows = login(ours.case_officer).get("/cases/").context["page"].rows
    assert [c.pk for c in rows] == [mine.pk]


def test_health_staff_see_only_their_own_organisations_audit_events(ours, theirs, case, login):
    for provider_world in (ours, theirs):
        request = AdviceRequestFactory(case=case, provider=provider_world.provider)
        AdviceItemFactory(request=request, team=provider_world.slt)
    login(theirs.spoc).get(f"/cases/{case.pk}/")
    page = login(ours.spoc).get(f"/cases/{case.pk}/")
    shown = page.context["audit_events"]
    assert shown and {event.organisation_id for event in shown} == {ours.provider.pk}
    la_view = login(ours.case_officer).get(f"/cases/{case.pk}/").context["audit_events"]
    assert {ours.provider.pk, theirs.provider.pk} <= {event.organisation_id for event in la_view}


def test_caseload_rows_read_only_what_the_list_shows(ours, login):
    """The caseload reads a few columns of each case (B8a): the page shows every one of them and
    reading the list makes no query per row."""
    case = CaseFactory(local_authority=ours.la, case_officer=ours.case_officer, reference="EHC-2026-00042")
    request = AdviceRequestFactory(case=case, provider=ours.provider, notified_on=datetime.date(2026, 9, 7))
    AdviceItemFactory(request=request, team=ours.slt)
    AdviceItemFactory(request=request, team=ours.ot)
    TimelineException.objects.create(
        case=case,
        reason="personal",
        detail="Away",
        agreed_by="Head of SEND",
        starts_on=case.received_on,
        recorded_by=ours.case_officer,
    )
    client = login(ours.case_officer)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/cases/")
    html = response.content.decode()
    # Escaped as the page writes them: the factories' names include the likes of O'Sullivan.
    for shown in ("EHC-2026-00042", case.child_name, str(ours.case_officer), "1 Sep 2026", "Exception"):
        assert escape(shown) in html
    assert "2, <strong>2 overdue</strong>" in html
    assert sum('FROM "assessments_case"' in q["sql"] for q in queries) == 1
    assert len(queries) == _caseload_queries(client)

"""The commissioning report (issue 20): provision asked for and whether it is available, counted for
the DCO of the area and for commissioners, with anonymised rows; a commissioner sees nothing else and
never a child's details (pages, CSV, API)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from advice.models import AdviceItem
from advice.provision import DEFAULT_PROVISION_TYPES, Availability, ProvisionType, provision_types_seed
from assessments.models import CaseStatus
from ehc.models import Role
from tests.advice.conftest import NOTIFIED, request_advice, return_advice
from tests.factories import CaseFactory, UserFactory

CHILD = {"first_name": "Niamh", "last_name": "O'Donnell-Vasquez", "nhs_number": "9434765919"}
DOB = datetime.date(2017, 11, 23)


def _rows(la):
    provision_types_seed(la)
    types = {row.name: row.pk for row in ProvisionType.objects.filter(local_authority=la)}
    base = {"quantity": 6, "unit": "sessions", "session_minutes": 45, "frequency": "half_term", "profession": "slt"}
    return [
        {
            **base,
            "need": f"{CHILD['first_name']}'s expressive language",
            "provision_type_id": types[DEFAULT_PROVISION_TYPES[0]],
            "availability": Availability.WAITING_LIST,
            "wait_weeks": 21,
        },
        {
            **base,
            "need": "Social communication",
            "provision_type_id": types[DEFAULT_PROVISION_TYPES[1]],
            "availability": Availability.NOT_COMMISSIONED,
        },
    ]


@pytest.fixture
def returned(ours, travel):
    """An SLT return for a named child with two provision rows: one waiting list, one not commissioned."""
    travel(NOTIFIED)
    case = CaseFactory(
        local_authority=ours.la,
        case_officer=ours.case_officer,
        status=CaseStatus.ASSESSING,
        decided_to_assess=True,
        received_on=datetime.date(2026, 9, 1),
        decision_on=datetime.date(2026, 9, 10),
        date_of_birth=DOB,
        family_views="Wants to talk with friends.",
        **CHILD,
    )
    advice_request = request_advice(case, ours)
    item = AdviceItem.objects.get(request=advice_request, team=ours.slt)
    travel(NOTIFIED + datetime.timedelta(days=10))
    return_advice(
        item, ours.slt_practitioner, provision_rows=_rows(ours.la), outcome_rows=[{"domain": "health", "what": "x"}]
    )
    return case


@pytest.fixture
def travel():
    import time_machine

    travellers = []

    def _travel(day):
        if travellers:
            travellers.pop().stop()
        traveller = time_machine.travel(datetime.datetime(day.year, day.month, day.day, 10), tick=False)
        traveller.start()
        travellers.append(traveller)

    yield _travel
    for traveller in travellers:
        traveller.stop()


@pytest.fixture
def commissioner(ours):
    return UserFactory(username="commissioner-ours", organisation=ours.icb, roles=[Role.COMMISSIONER])


@pytest.fixture
def la_commissioner(ours):
    return UserFactory(username="la-commissioner-ours", organisation=ours.la, roles=[Role.COMMISSIONER])


def identifying(case):
    child = case.child
    return [
        child.first_name,
        child.last_name,
        "O&#x27;Donnell",
        child.nhs_number,
        "943 476 5919",
        case.reference,
        DOB.isoformat(),
        "23 November 2017",
        "23/11/2017",
        str(case.pk) + "/",
    ]


def test_the_return_with_a_row_not_commissioned_is_counted(returned, ours, commissioner, login, travel):
    travel(NOTIFIED + datetime.timedelta(days=20))
    client = login(commissioner)
    page = client.get(reverse("reports:commissioning")).content.decode()
    figures = client.get(reverse("reports:commissioning"))
    totals = figures.context["figures"].totals
    assert (totals["children"], totals["rows"], totals["waiting"], totals["not_commissioned"]) == (1, 2, 1, 1)
    assert totals["children_not_commissioned"] == 1
    by_type = {row["provision_type__name"]: row for row in figures.context["figures"].by_type}
    assert by_type[DEFAULT_PROVISION_TYPES[1]]["not_commissioned"] == 1
    assert [w["wait_weeks"] for w in figures.context["figures"].longest_waits] == [21]
    assert "Not commissioned" in page
    rows = client.get(reverse("reports:commissioning_rows"), {"availability": "not_commissioned"})
    assert [row["number"] for row in rows.context["rows"]] == [1]
    assert rows.context["rows"][0]["provision_type__name"] == DEFAULT_PROVISION_TYPES[1]


def test_an_amended_version_replaces_the_counted_rows(returned, ours, commissioner, login, travel):
    from advice.services import advice_return_amend

    travel(NOTIFIED + datetime.timedelta(days=15))
    item = AdviceItem.objects.get(case=returned, team=ours.slt)
    rows = _rows(ours.la)[:1]
    advice_return_amend(
        item=item,
        user=ours.slt_practitioner,
        reason="One row",
        content={"description_of_needs": "N", "provision_required": "P", "outcomes": "O", "provision_rows": rows},
    )
    figures = login(commissioner).get(reverse("reports:commissioning")).context["figures"]
    assert (figures.totals["rows"], figures.totals["not_commissioned"]) == (1, 0)


def test_the_commissioner_sees_no_identifying_data_anywhere(
    returned, ours, commissioner, la_commissioner, login, travel
):
    travel(NOTIFIED + datetime.timedelta(days=20))
    for user in (commissioner, la_commissioner):
        client = login(user)
        responses = [client.get(reverse("reports:commissioning"))]
        responses += [
            client.get(reverse("reports:commissioning"), {"format": "csv", "table": table})
            for table in ("type", "provider", "availability", "quarter")
        ]
        responses += [
            client.get(reverse("reports:commissioning_rows")),
            client.get(reverse("reports:commissioning_rows"), {"format": "csv"}),
            client.get(reverse("home"), follow=True),
            client.get("/api/v1/cases/"),
            client.get("/api/v1/advice-items/"),
            client.get(f"/api/v1/cases/{returned.pk}/"),
            client.get(reverse("assessments:search"), {"q": CHILD["last_name"]}),
        ]
        for response in responses:
            body = b"".join(response.streaming_content) if response.streaming else response.content
            text = body.decode()
            for value in identifying(returned):
                assert value not in text, (response.request, value)
        # The rows are there, anonymised.
        csv = b"".join(client.get(reverse("reports:commissioning_rows"), {"format": "csv"}).streaming_content).decode()
        assert "Not commissioned in this area" in csv and "expressive language" not in csv


@pytest.mark.parametrize(
    "name",
    [
        "assessments:caseload",
        "assessments:search",
        "reports:index",
        "reports:dashboard",
        "reports:audit",
        "reports:items_csv",
        "advice:team_queue",
        "administration:index",
    ],
)
def test_the_commissioner_is_refused_every_other_page(name, commissioner, login):
    assert login(commissioner).get(reverse(name)).status_code == 404


def test_no_api_client_is_given_the_commissioner_role():
    from api.models import CLIENT_ROLES

    assert all(Role.COMMISSIONER not in roles for roles in CLIENT_ROLES.values())


def test_the_commissioner_is_refused_the_case_and_its_advice(returned, ours, commissioner, la_commissioner, login):
    item = AdviceItem.objects.get(case=returned, team=ours.slt)
    for user in (commissioner, la_commissioner):
        client = login(user)
        assert client.get(reverse("assessments:case_detail", args=[returned.pk])).status_code == 404
        assert client.get(reverse("advice:item_detail", args=[item.pk])).status_code == 404


def test_home_takes_the_commissioner_to_the_report(commissioner, login):
    response = login(commissioner).get(reverse("home"))
    assert response.status_code == 302 and response.url == reverse("reports:commissioning")


@pytest.mark.parametrize(
    "who, status",
    [("dco", 200), ("case_officer", 404), ("send_manager", 404), ("spoc", 404), ("slt_practitioner", 404)],
)
def test_who_may_see_the_report(ours, login, who, status):
    user = getattr(ours, who, None) or UserFactory(username=f"{who}-x", organisation=ours.la, roles=[Role.SEND_MANAGER])
    client = login(user)
    assert client.get(reverse("reports:commissioning")).status_code == status
    assert client.get(reverse("reports:commissioning_rows")).status_code == status


def test_the_dco_of_another_area_counts_none_of_ours(returned, theirs, login, travel):
    travel(NOTIFIED + datetime.timedelta(days=20))
    figures = login(theirs.dco).get(reverse("reports:commissioning")).context["figures"]
    assert figures.totals["rows"] == 0


def test_a_bad_choice_is_the_forms_error(commissioner, login):
    response = login(commissioner).get(reverse("reports:commissioning"), {"period": "99", "la": "x"})
    assert response.status_code == 200 and "There is a problem" in response.content.decode()
    assert response.context["figures"] is None


def test_query_counts_are_fixed(ours, commissioner, login, travel):
    from tests.advice.conftest import request_advice as send

    client = None

    def count(url, params=None):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, params or {})
            if response.streaming:
                b"".join(response.streaming_content)
        return len(queries)

    def add_returns(n):
        for _ in range(n):
            travel(NOTIFIED)
            case = CaseFactory(
                local_authority=ours.la,
                case_officer=ours.case_officer,
                status=CaseStatus.ASSESSING,
                decided_to_assess=True,
                received_on=datetime.date(2026, 9, 1),
                family_views="v",
            )
            item = AdviceItem.objects.get(request=send(case, ours), team=ours.slt)
            travel(NOTIFIED + datetime.timedelta(days=10))
            return_advice(item, ours.slt_practitioner, provision_rows=_rows(ours.la))
        travel(NOTIFIED + datetime.timedelta(days=20))

    add_returns(1)
    urls = [
        (reverse("reports:commissioning"), None),
        (reverse("reports:commissioning_rows"), None),
        (reverse("reports:commissioning_rows"), {"format": "csv"}),
        (reverse("reports:commissioning"), {"format": "csv"}),
    ]
    # Signed in after the clock moves (a session idle for weeks ends); one page first, for the session.
    client = login(commissioner)
    client.get(reverse("reports:commissioning"))
    before = [count(url, params) for url, params in urls]
    add_returns(3)
    client = login(commissioner)
    client.get(reverse("reports:commissioning"))
    assert [count(url, params) for url, params in urls] == before
    assert before[0] <= 12


def test_the_quarters_are_drawn_beside_their_table(returned, commissioner, login, travel):
    travel(NOTIFIED + datetime.timedelta(days=20))
    html = login(commissioner).get(reverse("reports:commissioning")).content.decode()
    chart = html.split('id="chart-quarters"', 1)[1].split("</svg>", 1)[0]
    assert "Not commissioned" in chart and "Available now" in chart
    assert 'id="by-quarter"' in html

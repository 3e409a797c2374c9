"""The SEN2 page and its XML through the browser's door: who may open them, that a council sees
only its own children, what the page lists, and what the download is."""


import pytest
from django.urls import reverse
from lxml import etree

from assessments.models import CaseStatus, TimelineException
from ehc.models import AuditEvent, Role

from ...factories import CaseFactory, UserFactory
from .data import D, upn

PAGE, XML = reverse("reports:sen2"), reverse("reports:sen2_xml")


@pytest.fixture
def manager(ours):
    return UserFactory(organisation=ours.la, roles=[Role.SEND_MANAGER])


def _case(la, **fields):
    values = dict(local_authority=la, received_on=D(2025, 3, 3), date_of_birth=D(2016, 1, 9), postcode="tq1 1aa")
    values.update(fields)
    return CaseFactory(**values)


@pytest.mark.parametrize("who", ["business_support", "manager"])
def test_the_send_manager_and_business_support_open_the_page_and_the_xml(ours, login, manager, who):
    user = manager if who == "manager" else getattr(ours, who)
    client = login(user)
    assert client.get(PAGE).status_code == 200
    assert client.get(XML).status_code == 200


@pytest.mark.parametrize("who", ["case_officer", "ad", "dco", "spoc", "head_of_service"])
def test_everyone_else_gets_404(ours, login, who):
    client = login(getattr(ours, who))
    assert client.get(PAGE).status_code == 404
    assert client.get(XML).status_code == 404


def test_an_la_administrator_gets_404(ours, login):
    admin = UserFactory(organisation=ours.la, roles=[Role.ADMINISTRATOR])
    assert login(admin).get(PAGE).status_code == 404


def test_signed_out_is_sent_to_sign_in(client):
    response = client.get(PAGE)
    assert response.status_code == 302 and response["Location"].startswith("/sign-in/")


def test_only_the_councils_own_children(ours, theirs, login, manager):
    mine = _case(ours.la, last_name="Ourchild", upn="")
    _case(theirs.la, last_name="Theirchild", upn="")
    body = login(manager).get(PAGE).content.decode()
    assert "Ourchild" in body and "Theirchild" not in body
    assert reverse("assessments:case_detail", args=[mine.pk]) in body
    document = login(manager).get(XML).content
    surnames = etree.fromstring(document).xpath("//Person/Surname/text()")
    assert "Ourchild" in surnames and "Theirchild" not in surnames


def test_the_page_lists_what_to_put_right_on_each_childs_case(ours, login, manager):
    _case(ours.la, last_name="O'Neill", upn="", postcode="")
    complete = _case(ours.la, last_name="Complete", upn=upn(3))
    body = login(manager).get(PAGE).content.decode()
    row = body.split('id="sen2-to-fix"')[1]
    assert "O&#x27;Neill" in row
    assert "Postcode: missing" in row and "(P01)" in row
    assert "Complete" not in row
    assert reverse("assessments:case_detail", args=[complete.pk]) not in row
    # What the product does not record is said once, with the number of children.
    not_held = body.split('id="sen2-not-held"')[1].split("</table>")[0]
    assert "Sex: not recorded in this product" in not_held and "Ethnicity" in not_held
    assert 'id="sen2-not-valid"' in body


def test_cases_ended_before_the_period_and_received_after_the_reference_date_are_left_out(ours, login, manager):
    _case(
        ours.la,
        last_name="Endedearly",
        received_on=D(2024, 3, 1),
        closed_on=D(2024, 12, 20),
        status=CaseStatus.WITHDRAWN,
    )
    _case(ours.la, last_name="Toolate", received_on=D(2026, 2, 1))
    _case(ours.la, last_name="Counted", received_on=D(2024, 11, 1))
    surnames = etree.fromstring(login(manager).get(XML).content).xpath("//Person/Surname/text()")
    assert "Counted" in surnames and "Endedearly" not in surnames and "Toolate" not in surnames


def test_two_requests_for_one_child_are_one_person(ours, login, manager):
    child = upn(41)
    _case(
        ours.la,
        last_name="Twice",
        upn=child,
        received_on=D(2024, 6, 3),
        decision_on=D(2024, 7, 1),
        decided_to_assess=False,
        closed_on=D(2024, 7, 1),
        status=CaseStatus.NOT_ASSESSING,
    )
    _case(ours.la, last_name="Twice", upn=child, received_on=D(2025, 5, 5))
    root = etree.fromstring(login(manager).get(XML).content)
    (person,) = root.xpath("//Person[Surname='Twice']")
    # The refusal of 2024 ended before 2025: only the new request is in the 2026 return.
    assert len(person.findall("Requests")) == 1
    _case(ours.la, last_name="Twice", upn=child, received_on=D(2025, 9, 1))
    (person,) = etree.fromstring(login(manager).get(XML).content).xpath("//Person[Surname='Twice']")
    assert len(person.findall("Requests")) == 2


def test_the_plan_and_the_20_week_exception_from_the_case(ours, login, manager):
    case = _case(
        ours.la,
        last_name="Planned",
        decision_on=D(2025, 4, 1),
        decided_to_assess=True,
        draft_plan_sent_on=D(2025, 6, 2),
        final_plan_issued_on=D(2025, 7, 1),
        closed_on=D(2025, 7, 1),
        status=CaseStatus.PLAN_ISSUED,
    )
    TimelineException.objects.create(
        case=case, reason="personal", detail="x", agreed_by="y", starts_on=D(2025, 5, 1), recorded_by=ours.case_officer
    )
    (person,) = etree.fromstring(login(manager).get(XML).content).xpath("//Person[Surname='Planned']")
    assert person.findtext("Requests/RequestOutcome") == "Y"
    assert person.findtext("Requests/RequestOutcomeDate") == "2025-04-01"
    assert person.findtext("Requests/Assessment/AssessmentOutcome") == "Y"
    assert person.findtext("Requests/Assessment/AssessmentOutcomeDate") == "2025-06-02"
    assert person.findtext("Requests/Assessment/Week20") == "1"
    assert person.findtext("Requests/Assessment/NamedPlan/StartDate") == "2025-07-01"
    # Nothing invented: no sex, ethnicity or placement.
    assert person.find("Sex") is None and person.find("Requests/Assessment/NamedPlan/PlanDetail") is None


def test_the_download_is_marked_not_valid_and_audited(ours, login, manager):
    _case(ours.la, last_name="Somebody")
    response = login(manager).get(XML, {"lea": "880", "dmo": "Y", "dco": "Y"})
    assert response["Content-Disposition"] == 'attachment; filename="sen2-2026-2026-01-15-NOT-VALID.xml"'
    assert response["Cache-Control"] == "no-store"
    assert b"<!-- NOT VALID:" in response.content
    root = etree.fromstring(response.content)
    assert root.findtext("Header/Source/LEA") == "880"
    event = AuditEvent.objects.filter(actor=manager).latest("pk")
    assert "SEN2 2026" in event.summary and "NOT valid" in event.summary


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"lea": "12x"}, "Enter the DfE local authority number as 3 digits"),
        ({"year": "1999"}, "Select a collection year from the list"),
        ({"reference_date_0": "15", "reference_date_1": "1", "reference_date_2": "2027"}, "must be in 2026"),
        ({"reference_date_0": "31", "reference_date_1": "2", "reference_date_2": "2026"}, "must be a real date"),
        ({"dmo": "R2"}, "Select one of the options shown"),
    ],
)
def test_bad_input_gets_the_error_summary_and_nothing_else(ours, login, manager, query, message):
    client = login(manager)
    response = client.get(PAGE, query)
    assert response.status_code == 200
    body = response.content.decode()
    assert "govuk-error-summary" in body and message in body
    assert 'id="count-children"' not in body
    assert client.get(XML, query).status_code == 404


def test_the_reports_index_links_the_page_for_those_who_may_open_it(ours, login, manager):
    assert PAGE in login(manager).get(reverse("reports:index")).content.decode()
    assert PAGE not in login(ours.case_officer).get(reverse("reports:index")).content.decode()


def _queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_page_and_the_xml_run_the_same_queries_for_3_cases_as_for_60(ours, login, manager):
    client = login(manager)
    for n in range(3):
        _case(ours.la, last_name=f"Small{n}", decision_on=D(2025, 4, 1), decided_to_assess=True)
    client.get(PAGE)  # warm: the session and permission reads of a first request are not data
    small = (_queries(client, PAGE), _queries(client, XML))
    for n in range(57):
        case = _case(ours.la, last_name=f"Large{n}", decision_on=D(2025, 4, 1), decided_to_assess=True)
        if n % 5 == 0:
            TimelineException.objects.create(
                case=case, reason="away", detail="Away", agreed_by="Head of SEND", starts_on=D(2025, 5, 1),
                recorded_by=ours.case_officer,
            )  # fmt: skip
    assert (_queries(client, PAGE), _queries(client, XML)) == small

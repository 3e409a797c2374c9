"""An NHS number is stored as its 10 digits and shown everywhere as 3-3-4, as the NHS prints it."""

import pytest

from advice.services import advice_request_send
from assessments.identifiers import nhs_number_display
from ehc.models import Service
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("stored", "shown"),
    [("9434765919", "943 476 5919"), ("", ""), (None, ""), ("94347659", "94347659"), ("943476591x", "943476591x")],
)
def test_ten_digits_are_grouped_and_anything_else_is_shown_as_it_is(stored, shown):
    assert nhs_number_display(stored) == shown


def test_the_case_page_the_request_page_and_the_edit_form_show_3_3_4(ours, login):
    case = CaseFactory(local_authority=ours.la, case_officer=ours.case_officer, nhs_number="9434765919")
    request = advice_request_send(
        case=case, provider=ours.provider, services_named=[Service.SLT], user=ours.case_officer
    )
    officer = login(ours.case_officer)
    for path in (f"/cases/{case.pk}/", f"/cases/{case.pk}/change/"):
        body = officer.get(path).content.decode()
        assert "943 476 5919" in body and "9434765919" not in body, path
    body = login(ours.spoc).get(f"/advice/requests/{request.pk}/").content.decode()
    assert "943 476 5919" in body and "9434765919" not in body


def test_a_search_by_nhs_number_says_it_as_3_3_4(ours, login):
    CaseFactory(local_authority=ours.la, case_officer=ours.case_officer, nhs_number="9434765919")
    body = login(ours.case_officer).get("/cases/search/", {"q": "9434765919"}).content.decode()
    assert "NHS number 943 476 5919" in body

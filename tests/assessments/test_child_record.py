"""The child's record: one per child in an LA, shared by their requests over time; its details have
one source of truth, and the case page lists the child's other requests the viewer may see."""

import datetime
from html import escape

import pytest
import time_machine

from assessments.models import Case, Child
from ehc.models import AuditEvent

from ..escalation.conftest import make_request
from ..factories import CaseFactory, ChildFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 23, 10, 0, tzinfo=datetime.UTC)

NEW_REQUEST = {
    "first_name": "Siobhán",
    "last_name": "O'Neill",
    "date_of_birth_0": "3",
    "date_of_birth_1": "4",
    "date_of_birth_2": "2017",
    "requested_by": "parent",
    "received_on_0": "2",
    "received_on_1": "11",
    "received_on_2": "2026",
    "nhs_number": "943 476 5919",
}


def _post(client, url, data):
    with time_machine.travel(NOW, tick=False):
        return client.post(url, data)


def test_a_second_request_with_the_same_nhs_number_is_the_same_child(ours, theirs, login):
    earlier = CaseFactory(
        local_authority=ours.la, first_name="Siobhan", last_name="O'Neill", nhs_number="9434765919",
        reference="EHC-2025-00007", received_on=datetime.date(2025, 3, 1),
    )
    elsewhere = CaseFactory(local_authority=theirs.la, nhs_number="9434765919")
    client = login(ours.case_officer)

    warned = _post(client, "/cases/new/", NEW_REQUEST)
    assert warned.status_code == 200 and "(the same NHS number)" in warned.content.decode()
    response = _post(client, "/cases/new/", {**NEW_REQUEST, "same_child": str(earlier.child_id)})

    case = Case.objects.exclude(pk__in=[earlier.pk, elsewhere.pk]).get()
    assert response.status_code == 302
    assert case.child_id == earlier.child_id != elsewhere.child_id
    # The details typed on the new request are the child's now, on every request.
    earlier.child.refresh_from_db()
    assert earlier.child.first_name == "Siobhán"
    assert AuditEvent.objects.filter(case=case, summary__contains="for the child of EHC-2025-00007").exists()
    assert AuditEvent.objects.filter(case=case, summary="Changed the child's first name, date of birth").exists()
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert f'href="/cases/{earlier.pk}/">EHC-2025-00007</a>' in page
    assert escape("Siobhán O'Neill") in page


def test_a_new_nhs_number_is_a_new_child(ours, login):
    client = login(ours.case_officer)
    _post(client, "/cases/new/", NEW_REQUEST)
    # Born the same day with the same name: asked first, then said to be a different child.
    second = {**NEW_REQUEST, "nhs_number": "", "upn": "b801200005001", "uln": "9276308686"}
    assert _post(client, "/cases/new/", second).status_code == 200
    assert _post(client, "/cases/new/", {**second, "same_child": "new"}).status_code == 302
    first, second = Case.objects.order_by("id")
    assert first.child_id != second.child_id
    assert (second.child.upn, second.child.uln) == ("B801200005001", "9276308686")
    assert Child.objects.count() == 2


def test_changing_the_name_on_one_request_changes_it_on_all(ours, login):
    child = ChildFactory(local_authority=ours.la, first_name="Rowan", last_name="Ashdown")
    first = CaseFactory(local_authority=ours.la, child=child, case_officer=ours.case_officer)
    second = CaseFactory(local_authority=ours.la, child=child, case_officer=ours.case_officer)
    client = login(ours.case_officer)
    form = client.get(f"/cases/{first.pk}/change/").content.decode()
    assert "they show on every request for this child" in form and second.reference in form

    data = {**NEW_REQUEST, "first_name": "Robyn", "last_name": "Ashdown", "nhs_number": ""}
    response = _post(client, f"/cases/{first.pk}/change/", data)

    assert response.status_code == 302
    assert "Robyn Ashdown" in client.get(f"/cases/{second.pk}/").content.decode()
    assert AuditEvent.objects.filter(
        case=first, summary="Changed the child's first name, date of birth"
    ).exists()


def test_another_childs_nhs_number_is_refused_with_a_message(ours, login):
    CaseFactory(local_authority=ours.la, nhs_number="9434765919", last_name="Ashdown")
    case = CaseFactory(local_authority=ours.la, case_officer=ours.case_officer, last_name="Barrowby")
    client = login(ours.case_officer)

    response = _post(client, f"/cases/{case.pk}/change/", {**NEW_REQUEST, "last_name": "Barrowby"})

    assert response.status_code == 200
    assert "Another child of this council already has this NHS number" in response.content.decode()
    case.child.refresh_from_db()
    assert (case.child.first_name, case.child.nhs_number) != ("Siobhán", "9434765919")


def test_the_case_page_lists_only_the_other_requests_the_viewer_may_see(ours, login):
    """The SPOC sees the request their provider was asked about, not the child's refused request
    that never reached them; the case officer sees both."""
    asked = make_request(ours, notified_on=datetime.date(2026, 11, 2), last_name="Calder")
    refused = CaseFactory(
        local_authority=ours.la, child=asked.case.child, reference="EHC-2025-00001",
        received_on=datetime.date(2025, 1, 6), status="not_assessing",
    )
    officer_page = login(ours.case_officer).get(f"/cases/{asked.case.pk}/").content.decode()
    assert "The child's other requests" in officer_page
    assert f'href="/cases/{refused.pk}/">EHC-2025-00001</a>' in officer_page
    assert "received 6 Jan 2025, decision not to assess" in officer_page

    spoc_page = login(ours.spoc).get(f"/cases/{asked.case.pk}/").content.decode()
    assert "Calder" in spoc_page
    assert "EHC-2025-00001" not in spoc_page
    assert "other requests" not in spoc_page
    assert login(ours.spoc).get(f"/cases/{refused.pk}/").status_code == 404


# The duplicate warning ---------------------------------------------------------------------------


def test_similar_names_as_pg_trgm_scores_them():
    from assessments.duplicates import similarity

    assert similarity("Siobhán O'Neill", "siobhan oneill") == 1.0
    assert similarity("Siobhan O'Neill", "Shiobhan O'Neil") >= 0.3
    assert similarity("Siobhan O'Neill", "Rowan Ashdown") < 0.3


def test_a_similar_child_born_the_same_day_is_shown_before_anything_is_saved(ours, login):
    existing = CaseFactory(
        local_authority=ours.la, first_name="Shiobhan", last_name="O'Neil", date_of_birth=datetime.date(2017, 4, 3)
    )
    CaseFactory(
        local_authority=ours.la, first_name="Rowan", last_name="Ashdown", date_of_birth=datetime.date(2017, 4, 3)
    )
    client = login(ours.case_officer)
    data = {**NEW_REQUEST, "nhs_number": ""}

    page = _post(client, "/cases/new/", data).content.decode()

    assert Case.objects.count() == 2
    assert "Is this request for a child already recorded?" in page
    assert escape("This is Shiobhan O'Neil, born 3 April 2017") in page
    assert "Rowan Ashdown" not in page  # born that day, but not a similar name
    assert f'value="{existing.child_id}"' in page

    # Said to be the same child: the request joins their record.
    response = _post(client, "/cases/new/", {**data, "same_child": str(existing.child_id)})
    assert response.status_code == 302
    assert Case.objects.latest("id").child_id == existing.child_id


def test_a_different_child_of_a_similar_name_gets_their_own_record(ours, login):
    existing = CaseFactory(local_authority=ours.la, first_name="Siobhan", last_name="O'Neill",
                           date_of_birth=datetime.date(2017, 4, 3))
    client = login(ours.case_officer)
    response = _post(client, "/cases/new/", {**NEW_REQUEST, "nhs_number": "", "same_child": "new"})
    assert response.status_code == 302
    assert Case.objects.latest("id").child_id != existing.child_id


def test_the_same_nhs_number_cannot_be_a_different_child(ours, login):
    existing = CaseFactory(local_authority=ours.la, nhs_number="9434765919", last_name="Ashdown")
    client = login(ours.case_officer)

    page = _post(client, "/cases/new/", NEW_REQUEST).content.decode()
    assert "(the same NHS number)" in page and Case.objects.count() == 1

    page = _post(client, "/cases/new/", {**NEW_REQUEST, "same_child": "new"}).content.decode()
    assert "There is a problem" in page and "A different child cannot have the NHS number" in page
    assert Case.objects.count() == 1

    page = _post(client, "/cases/new/", {**NEW_REQUEST, "same_child": "999999"}).content.decode()
    assert "Select whether the request is for one of these children" in page and Case.objects.count() == 1

    assert _post(client, "/cases/new/", {**NEW_REQUEST, "same_child": str(existing.child_id)}).status_code == 302
    assert Case.objects.latest("id").child_id == existing.child_id

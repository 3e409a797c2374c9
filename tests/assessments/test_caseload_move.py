"""A leaver's open cases move to another case officer at once: chosen, confirmed, each case audited;
closed cases stay; nobody outside the council's administrator and SEND manager reaches the page."""

import pytest

from assessments.caseloads import CaseloadError, caseload_reassign
from assessments.models import Case, CaseStatus
from ehc.models import AuditEvent, Role
from tests.factories import CaseFactory, UserFactory

pytestmark = pytest.mark.django_db
URL = "/cases/move-caseload/"


@pytest.fixture
def leaver_and_colleague(ours):
    leaver = UserFactory(username="leaver", organisation=ours.la, roles=[Role.CASE_OFFICER])
    colleague = UserFactory(username="colleague", organisation=ours.la, roles=[Role.CASE_OFFICER])
    open_cases = [CaseFactory(local_authority=ours.la, case_officer=leaver) for _ in range(3)]
    closed = CaseFactory(local_authority=ours.la, case_officer=leaver, status=CaseStatus.WITHDRAWN)
    return leaver, colleague, open_cases, closed


@pytest.mark.parametrize("role", [Role.ADMINISTRATOR, Role.SEND_MANAGER])
def test_choose_confirm_and_move_the_open_cases(ours, login, leaver_and_colleague, role):
    leaver, colleague, open_cases, closed = leaver_and_colleague
    mover = UserFactory(username=f"mover-{role}", organisation=ours.la, roles=[role])
    client = login(mover)
    page = client.get(URL).content.decode()
    assert f"{leaver.get_full_name()} (3 open cases)" in page
    # Nothing moves before the confirmation; the check page names no child or case.
    check = client.post(URL, {"from_officer": leaver.pk, "to_officer": colleague.pk})
    body = check.content.decode()
    assert check.status_code == 200 and "Check before moving the caseload" in body and "Move 3 cases" in body
    assert not any(case.reference in body or case.child_name in body for case in open_cases)
    assert Case.objects.filter(case_officer=colleague).count() == 0

    done = client.post(URL, {"from_officer": leaver.pk, "to_officer": colleague.pk, "confirmed": "yes"})
    assert done.status_code == 302
    assert set(Case.objects.filter(case_officer=colleague)) == set(open_cases)
    assert Case.objects.get(pk=closed.pk).case_officer == leaver
    events = AuditEvent.objects.filter(case__in=open_cases, summary__contains="moved together")
    assert events.count() == 3 and {event.actor_id for event in events} == {mover.pk}


def test_a_deactivated_leaver_can_still_be_chosen_and_bad_choices_are_refused_in_words(
    ours, theirs, login, leaver_and_colleague
):
    leaver, colleague, _, _ = leaver_and_colleague
    leaver.is_active = False
    leaver.save()
    manager = UserFactory(username="manager", organisation=ours.la, roles=[Role.SEND_MANAGER])
    client = login(manager)
    assert "(3 open cases, deactivated)" in client.get(URL).content.decode()
    for data, message in [
        ({}, "Select the case officer whose cases are to move"),
        ({"from_officer": leaver.pk, "to_officer": leaver.pk}, "Select an active case officer from the list"),
        ({"from_officer": colleague.pk, "to_officer": colleague.pk}, "that one holds no open cases now"),
        ({"from_officer": leaver.pk, "to_officer": theirs.case_officer.pk}, "Select an active case officer"),
        ({"from_officer": "x", "to_officer": "1e9"}, "Select a case officer from the list"),
    ]:
        response = client.post(URL, {**data, "confirmed": "yes"})
        assert response.status_code == 200 and message in response.content.decode(), data
    assert Case.objects.filter(case_officer=leaver).count() == 4


def test_the_service_refuses_a_move_to_the_same_officer_or_outside_the_council(ours, theirs, leaver_and_colleague):
    leaver, _, _, _ = leaver_and_colleague
    with pytest.raises(CaseloadError):
        caseload_reassign(local_authority=ours.la, from_officer=leaver, to_officer=leaver, user=leaver)
    with pytest.raises(CaseloadError):
        caseload_reassign(
            local_authority=ours.la, from_officer=leaver, to_officer=theirs.case_officer, user=leaver
        )
    assert Case.objects.filter(case_officer=leaver).count() == 4


@pytest.mark.parametrize("who", ["case_officer", "business_support", "ad", "spoc", "dco"])
def test_other_roles_get_the_404_a_missing_page_gets(ours, theirs, login, leaver_and_colleague, who):
    leaver, colleague, _, _ = leaver_and_colleague
    client = login(getattr(ours, who))
    assert client.get(URL).status_code == 404
    move = {"from_officer": leaver.pk, "to_officer": colleague.pk, "confirmed": "yes"}
    assert client.post(URL, move).status_code == 404
    assert Case.objects.filter(case_officer=leaver).count() == 4
    # Another council's administrator does not see our officers, and cannot move them.
    admin = UserFactory(username="their-admin", organisation=theirs.la, roles=[Role.ADMINISTRATOR])
    theirs_client = login(admin)
    assert leaver.get_full_name() not in theirs_client.get(URL).content.decode()
    response = theirs_client.post(URL, {"from_officer": leaver.pk, "to_officer": colleague.pk, "confirmed": "yes"})
    assert response.status_code == 200 and Case.objects.filter(case_officer=leaver).count() == 4

"""Issue 13, finding 2: need to know inside a council.

Child data (the case page, advice documents, letters, the caseload, reports) needs a case-work
role (case officer, business support, AD Education, SEND manager). An administrator, or an account
with no role, gets the same 404 as for a missing object, on the LA side as on the others. Where an
LA restricts case access (`case_access_restricted_to_team`), a case officer sees their own and
unassigned cases only (docs/decisions/0014-need-to-know-in-a-council.md).
"""

import pytest
from django.urls import reverse

from advice.access import visible_advice_items
from assessments.access import visible_cases
from assessments.sharing import case_share
from ehc.models import LocalAuthoritySettings, Role
from tests.factories import CaseFactory, UserFactory

from .test_access_matrix import MISSING, objects_for

pytestmark = pytest.mark.django_db


def _child_urls(found, missing=False):
    def pk(name):
        return MISSING if missing else found[name].pk

    return [
        reverse("assessments:case_detail", args=[pk("case")]),
        reverse("advice:document_download", args=[pk("returned_item")]),
        reverse("escalation:letter_download", args=[pk("letter")]),
        reverse("advice:request_detail", args=[pk("request")]),
    ]


LISTS = ["assessments:caseload", "reports:dashboard", "reports:items_csv", "reports:audit"]


@pytest.fixture
def child_data(ours, theirs):
    return objects_for({"ours": ours})["ours"]


@pytest.mark.parametrize(
    "side,roles",
    [
        ("la", [Role.ADMINISTRATOR]),
        ("la", []),
        ("icb", [Role.ADMINISTRATOR]),
        ("icb", []),
        ("provider", [Role.ADMINISTRATOR]),
        ("provider", []),
    ],
)
def test_no_case_work_role_no_child_data(ours, child_data, login, side, roles):
    organisation = {"la": ours.la, "icb": ours.icb, "provider": ours.provider}[side]
    user = UserFactory(username=f"{side}-{'admin' if roles else 'norole'}", organisation=organisation, roles=roles)
    client = login(user)
    for url, missing in zip(_child_urls(child_data), _child_urls(child_data, missing=True), strict=True):
        denied, absent = client.get(url), client.get(missing)
        assert denied.status_code == absent.status_code == 404, url
        assert denied.content.replace(url.encode(), b"") == absent.content.replace(missing.encode(), b"")
    for name in LISTS:
        assert client.get(reverse(name)).status_code == 404, name
    assert not visible_cases(user).exists() and not visible_advice_items(user).exists()


@pytest.mark.parametrize("roles", [[Role.SEND_MANAGER], [Role.ADMINISTRATOR, Role.SEND_MANAGER]])
def test_a_send_manager_sees_the_councils_child_data(ours, child_data, login, roles):
    manager = UserFactory(username="manager-ours", organisation=ours.la, roles=roles)
    client = login(manager)
    for url in _child_urls(child_data):
        assert client.get(url).status_code == 200, url
    for name in LISTS:
        assert client.get(reverse(name)).status_code == 200, name


def test_a_restricted_council_limits_case_officers_to_their_own_cases(ours, login):
    colleague = UserFactory(username="officer2-ours", organisation=ours.la, roles=[Role.CASE_OFFICER])
    mine = CaseFactory(local_authority=ours.la, case_officer=ours.case_officer, last_name="O'Neill")
    theirs_ = CaseFactory(local_authority=ours.la, case_officer=colleague, last_name="Ashdown")
    unassigned = CaseFactory(local_authority=ours.la, case_officer=None, last_name="Barrowby")
    officer = login(ours.case_officer)

    def status(client, case):
        return client.get(reverse("assessments:case_detail", args=[case.pk])).status_code

    # Off by default: the whole council's caseload.
    assert [status(officer, case) for case in (mine, theirs_, unassigned)] == [200, 200, 200]
    settings_row = LocalAuthoritySettings.for_la(ours.la)
    settings_row.case_access_restricted_to_team = True
    settings_row.save()
    assert [status(officer, case) for case in (mine, theirs_, unassigned)] == [200, 404, 200]
    caseload = officer.get(reverse("assessments:caseload")).content.decode()
    assert "O&#x27;Neill" in caseload and "Barrowby" in caseload and "Ashdown" not in caseload
    # Business support, the AD and a SEND manager keep the whole caseload.
    for user in (ours.business_support, ours.ad):
        assert status(login(user), theirs_) == 200
    # A share opens the one case, the same as for anyone else.
    case_share(case=theirs_, user=colleague, with_user=ours.case_officer)
    assert status(officer, theirs_) == 200

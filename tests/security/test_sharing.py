"""Issue 13, finding 3: a case is shared only with people of organisations party to it or partners of
the LA, for 90 days unless revoked, audited both ways, and the form answers the same whether or not
an address has an account."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from assessments.models import CaseShare, CaseStatus
from ehc.models import AuditAction, AuditEvent, LocalAuthoritySettings, Role
from tests.factories import CaseFactory, UserFactory
from tests.security.conftest import redirect_path

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(ours):
    return CaseFactory(
        local_authority=ours.la,
        case_officer=ours.case_officer,
        last_name="O'Neill",
        status=CaseStatus.ASSESSING,
        decided_to_assess=True,
        received_on=datetime.date(2026, 9, 1),
        decision_on=datetime.date(2026, 9, 10),
    )


def _share(client, case, email):
    return client.post(reverse("assessments:share_case", args=[case.pk]), {"email": email}, follow=True)


def _page(client, case):
    return client.get(reverse("assessments:case_detail", args=[case.pk]))


def _answer(response):
    """What the person sharing is told: status, where they land and the message, nothing else."""
    return (
        response.status_code,
        [path for path, _ in response.redirect_chain],
        [str(message) for message in response.context["messages"]],
    )


def test_the_form_answers_the_same_whatever_the_address(ours, theirs, case, login):
    officer = login(ours.case_officer)
    inactive = UserFactory(username="gone-theirs", organisation=theirs.la, roles=[Role.CASE_OFFICER], is_active=False)
    answers = {
        email: _answer(_share(officer, case, email))
        for email in (
            ours.business_support.email,  # a colleague: shared
            theirs.case_officer.email,  # another council, not a partner: not shared
            inactive.email,
            "nobody@nowhere.example",
            ours.case_officer.email.upper(),  # oneself
        )
    }
    assert len(set(map(repr, answers.values()))) == 1, answers
    assert list(CaseShare.objects.values_list("user__username", flat=True)) == [ours.business_support.username]


def test_who_may_receive_a_share(ours, theirs, case, login):
    from advice.services import advice_request_send
    from ehc.models import Service

    officer = login(ours.case_officer)
    la_admin = UserFactory(username="la-admin-ours", organisation=ours.la, roles=[Role.ADMINISTRATOR])
    for user in (theirs.spoc, theirs.dco, la_admin, ours.spoc):
        _share(officer, case, user.email)
    # Nobody yet: their provider and ICB are not party; an administrator does no case work; our
    # provider has not been asked for advice on this case.
    assert not CaseShare.objects.exists()
    theirs.provider.served_las.add(ours.la)  # a provider serving both councils
    advice_request_send(case=case, provider=theirs.provider, services_named=[Service.SLT], user=ours.case_officer)
    _share(officer, case, theirs.spoc.email)  # now a provider asked for advice on the case
    LocalAuthoritySettings.for_la(ours.la).partners.add(theirs.icb)
    _share(officer, case, theirs.dco.email)  # a partner of the council
    assert set(CaseShare.objects.values_list("user__username", flat=True)) == {
        theirs.spoc.username,
        theirs.dco.username,
    }
    assert _page(login(theirs.dco), case).status_code == 200


def test_a_share_expires_after_90_days(ours, theirs, case, login):
    LocalAuthoritySettings.for_la(ours.la).partners.add(theirs.la)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        _share(login(ours.case_officer), case, theirs.case_officer.email)
    share = CaseShare.objects.get()
    assert share.expires_at == start + datetime.timedelta(days=90)
    event = AuditEvent.objects.filter(case=case, action=AuditAction.CHANGE).latest("id")
    assert event.actor == ours.case_officer and "Shared the case with" in event.summary
    with time_machine.travel(start + datetime.timedelta(days=89), tick=False):
        assert _page(login(theirs.case_officer), case).status_code == 200
    with time_machine.travel(start + datetime.timedelta(days=90, seconds=1), tick=False):
        assert _page(login(theirs.case_officer), case).status_code == 404


def test_a_share_is_listed_on_the_case_page_and_revoked_there(ours, theirs, case, login):
    LocalAuthoritySettings.for_la(ours.la).partners.add(theirs.la)
    officer = login(ours.case_officer)
    _share(officer, case, theirs.case_officer.email)
    share = CaseShare.objects.get()
    page = _page(officer, case).content.decode()
    revoke = reverse("assessments:revoke_share", args=[case.pk, share.pk])
    assert revoke in page and escape(theirs.case_officer.get_full_name()) in page
    # Only by POST, and only by an LA editor of the case's LA.
    assert officer.get(revoke).status_code == 405
    for outsider in (theirs.case_officer, ours.ad, ours.spoc, theirs.business_support):
        assert login(outsider).post(revoke).status_code == 404
    assert CaseShare.objects.current().count() == 1
    response = officer.post(revoke)
    assert response.status_code == 302 and redirect_path(response) == reverse("assessments:case_detail", args=[case.pk])
    share.refresh_from_db()
    assert share.revoked_at is not None and share.revoked_by == ours.case_officer
    assert AuditEvent.objects.filter(case=case, summary__startswith="Revoked the share").count() == 1
    assert _page(login(theirs.case_officer), case).status_code == 404
    assert revoke not in _page(officer, case).content.decode()
    # A second revoke changes nothing and audits nothing.
    officer.post(revoke)
    assert AuditEvent.objects.filter(case=case, summary__startswith="Revoked the share").count() == 1


def test_an_old_permission_grant_gives_no_access(ours, theirs, case, login):
    """Shares made before this change were guardian grants; access now reads only share rows."""
    from guardian.shortcuts import assign_perm

    assign_perm("assessments.view_case", theirs.case_officer, case)
    assert _page(login(theirs.case_officer), case).status_code == 404

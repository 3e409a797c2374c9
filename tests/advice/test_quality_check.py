"""The LA's quality check of returned advice (issue 20): accepted, or sent back with reasons to the team,
due again on the LA's working days, chased by the real sweep, returned again; the 6-week figure keeps
the first return; the drafting gate is closed while the advice is sent back."""

import datetime

import pytest
from django.urls import reverse

from advice.gate import draft_gate_outstanding
from advice.models import AdviceItem, AdviceReturn, ItemStatus, QualityCheck, QualityDecision, Stage
from advice.quality.services import advice_accept, advice_send_back
from advice.services import AdviceError
from ehc.models import MessageKind, OutboundEmail
from escalation.sweep import sweep_run
from reports.selectors.audit import non_return_audit
from reports.selectors.monthly import monthly_figures
from reports.selectors.outcomes import LATE, WITHIN, period_items
from tests.factories import CaseFactory

from .conftest import at, request_advice, return_advice

D = datetime.date
# A Monday. Due 6 weeks later, Monday 4 January 2027; returned on day 30, Wednesday 23 December 2026.
NOTIFIED = D(2026, 11, 23)
DAY_30 = NOTIFIED + datetime.timedelta(days=30)
# 10 working days after 23 December: Christmas Day, the substitute Boxing Day (28th) and New Year's Day
# are not working days, so the advice is due again on Monday 11 January 2027, not Wednesday 6 January.
DUE_AGAIN = D(2027, 1, 11)


@pytest.fixture
def returned(ours, case, travel):
    travel(NOTIFIED)
    advice_request = request_advice(case, ours, services=["slt"])
    item = AdviceItem.objects.get(request=advice_request, team=ours.slt)
    travel(DAY_30)
    return_advice(item, ours.slt_practitioner, on=DAY_30, description_of_needs="Needs of O'Neill's class.")
    item.refresh_from_db()
    return item


def _quality(client, item, **data):
    return client.post(reverse("advice:item_quality", args=[item.pk]), data)


def test_sent_back_chased_returned_again_accepted_and_counted(ours, case, returned, login, travel):
    officer = login(ours.case_officer)
    page = officer.get(reverse("advice:item_quality", args=[returned.pk]))
    assert page.status_code == 200 and "Needs of O&#x27;Neill&#x27;s class." in page.content.decode()
    response = _quality(
        officer, returned, action="send_back", reasons=["provision", "other"], note="Say how often, O'Neill."
    )
    assert response.status_code == 302, response.content.decode()

    returned.refresh_from_db()
    assert returned.status == ItemStatus.OUTSTANDING
    assert (returned.due_on, returned.first_due_on, returned.returned_on) == (DUE_AGAIN, D(2027, 1, 4), DAY_30)
    assert (returned.stage, returned.next_action_on) == (Stage.REQUESTED, DUE_AGAIN)
    check = QualityCheck.objects.get(item=returned)
    assert check.reasons == ["provision", "other"] and check.note == "Say how often, O'Neill."
    first = AdviceReturn.objects.get(superseded_item=returned)
    assert first.version == 1 and first.quality_check == check
    # The gate is closed while the advice is sent back.
    assert draft_gate_outstanding(case=case) == [returned]

    # The team hears by email: the reference and a link, no name.
    email = OutboundEmail.objects.get(kind=MessageKind.ADVICE_SENT_BACK)
    assert email.to == [ours.slt.email]
    text = email.subject + email.body_text + email.body_html
    assert case.reference in text and reverse("advice:item_detail", args=[returned.pk]) in text
    for private in ("Robin", "Quillfeather", "O'Neill", "O&#x27;Neill", ours.case_officer.last_name):
        assert private not in text

    # The practitioner sees the reasons and the note on the item page, and cannot check.
    practitioner = login(ours.slt_practitioner)
    detail = practitioner.get(reverse("advice:item_detail", args=[returned.pk])).content.decode()
    assert "Provision not specified or quantified" in detail and "Say how often, O&#x27;Neill." in detail
    assert practitioner.get(reverse("advice:item_quality", args=[returned.pk])).status_code in (403, 404)

    # The real sweep: nothing after the first due date, nothing on the new one, one chase the day after.
    for day in (D(2027, 1, 5), DUE_AGAIN):
        sweep_run(now=at(day, 9))
    assert not OutboundEmail.objects.filter(kind=MessageKind.CHASE).exists()
    sweep_run(now=at(D(2027, 1, 12), 9))
    sweep_run(now=at(D(2027, 1, 13), 9))
    returned.refresh_from_db()
    assert returned.stage == Stage.CHASED and returned.chased_on == D(2027, 1, 12)
    assert OutboundEmail.objects.filter(kind=MessageKind.CHASE).count() == 1

    # Late in the lists until it is back.
    travel(D(2027, 1, 13))
    assert returned.is_overdue(D(2027, 1, 13)) and returned.days_overdue(D(2027, 1, 13)) == 2
    return_advice(returned, ours.slt_practitioner, on=D(2027, 1, 13), provision_required="6 sessions a half term.")
    returned.refresh_from_db()
    assert returned.status == ItemStatus.RETURNED and returned.returned_on == DAY_30
    assert returned.advice_return.version == 2
    check.refresh_from_db()
    assert check.back_on == D(2027, 1, 13) and check.is_late(D(2027, 1, 13))
    assert draft_gate_outstanding(case=case) == []

    officer = login(ours.case_officer)  # a new session: the first ran out over the weeks travelled
    assert _quality(officer, returned, action="accept").status_code == 302
    accepted = QualityCheck.objects.get(advice_return=returned.advice_return)
    assert accepted.decision == QualityDecision.ACCEPTED and accepted.decided_by == ours.case_officer
    detail = officer.get(reverse("advice:item_detail", args=[returned.pk])).content.decode()
    assert "Accepted" in detail and "Sent back" in detail

    # The 6-week figure measures the first return: within; the send-back is counted apart, late.
    items = period_items(user=ours.dco, start=NOTIFIED, end=NOTIFIED)
    assert items.filter(WITHIN, pk=returned.pk).exists() and not items.filter(LATE, pk=returned.pk).exists()
    monthly = monthly_figures(user=ours.case_officer, today=D(2027, 1, 13), start=NOTIFIED, end=D(2026, 11, 30))
    assert (monthly.totals["within"], monthly.totals["sent_back"], monthly.totals["sent_back_late"]) == (1, 1, 1)
    audit = non_return_audit(user=ours.case_officer, start=NOTIFIED, end=D(2026, 11, 30), today=D(2027, 1, 13))
    assert (audit.totals["within"], audit.totals["sent_back"]) == (1, 1)
    reasons = dict(audit.send_back_reasons)
    assert reasons["Provision not specified or quantified"] == 1 and reasons["Other"] == 1
    assert reasons["Wrong child"] == 0


def test_bad_input_changes_nothing_and_keeps_the_note(ours, returned, login):
    officer = login(ours.case_officer)
    long_note = "x" * 5001
    for data, error in (
        ({"note": "Only a note."}, "Select why the advice is being sent back"),
        ({"reasons": ["other"]}, "Enter a note saying what else is wrong with the advice"),
        ({"reasons": ["nonsense"], "note": "Kept"}, "Select the reasons from the list"),
        ({"reasons": ["outcomes"], "note": long_note}, "Note for the team must be 5,000 characters or fewer"),
    ):
        response = _quality(officer, returned, action="send_back", **data)
        html = response.content.decode()
        assert response.status_code == 200 and "govuk-error-summary" in html and error in html
        if data.get("note"):
            assert data["note"] in html  # never cut short, nothing the officer typed lost
    returned.refresh_from_db()
    assert returned.status == ItemStatus.RETURNED and not QualityCheck.objects.exists()
    assert not OutboundEmail.objects.filter(kind=MessageKind.ADVICE_SENT_BACK).exists()


def test_a_version_is_checked_once(ours, returned):
    advice_accept(item=returned, user=ours.case_officer)
    with pytest.raises(AdviceError):
        advice_send_back(item=returned, user=ours.case_officer, reasons=["outcomes"], note="")
    with pytest.raises(AdviceError):
        advice_accept(item=returned, user=ours.case_officer)


def test_the_return_again_cannot_be_dated_before_the_send_back(ours, returned, travel):
    advice_send_back(item=returned, user=ours.case_officer, reasons=["wrong_child"], note="")
    with pytest.raises(AdviceError, match="on or after the day it was sent back"):
        return_advice(returned, ours.slt_practitioner, on=DAY_30 - datetime.timedelta(days=1))


def test_who_may_check(ours, theirs, returned, login, case):
    url = reverse("advice:item_quality", args=[returned.pk])
    assert login(ours.case_officer).get(url).status_code == 200
    assert login(ours.business_support).get(url).status_code == 200
    for user in (ours.spoc, ours.slt_practitioner, ours.dco, theirs.case_officer):
        assert login(user).get(url).status_code in (403, 404), user
        assert login(user).post(url, {"action": "accept"}).status_code in (403, 404), user
    assert not QualityCheck.objects.exists()
    # Another LA's case officer cannot reach the item at all.
    other = CaseFactory(local_authority=theirs.la)
    assert other.pk != case.pk
    # Only the LA's editors are offered the check.
    assert (
        "Accept or send back"
        in login(ours.case_officer).get(reverse("advice:item_detail", args=[returned.pk])).content.decode()
    )
    assert (
        "Accept or send back"
        not in login(ours.spoc).get(reverse("advice:item_detail", args=[returned.pk])).content.decode()
    )


def test_the_case_page_and_the_api_show_each_versions_check(ours, case, returned, login):
    from ehc.models import Role
    from tests.api.clients import api_client_for, calling_with

    officer = login(ours.case_officer)
    page = officer.get(reverse("assessments:case_detail", args=[case.pk])).content.decode()
    assert "Not yet checked by the local authority" in page
    advice_send_back(item=returned, user=ours.case_officer, reasons=["outcomes", "child_not_seen"], note="")
    page = officer.get(reverse("assessments:case_detail", args=[case.pk])).content.decode()
    assert "Sent back" in page and "Outcomes not specific; Child not seen or not known adequately" in page
    assert f"due again {DUE_AGAIN:%-d %b %Y}" in page

    api = calling_with(api_client_for(ours.la, Role.CASE_OFFICER)[1])
    body = api.get(f"/api/v1/advice-items/{returned.pk}/").json()
    assert body["first_due_on"] == "2027-01-04" and body["due_on"] == DUE_AGAIN.isoformat()
    [check] = body["quality_checks"]
    assert (check["version"], check["decision"], check["reasons"]) == (1, "sent_back", ["outcomes", "child_not_seen"])


def test_rescheduling_keeps_the_send_backs_due_date(ours, case, returned):
    """A change of the LA's timings or closure days, or of an exception, re-derives the open items' dates
    (escalation.exceptions.items_reschedule): advice sent back keeps its new due date, not the first."""
    from administration.reschedule import open_items_reschedule
    from escalation.exceptions import items_reschedule

    advice_send_back(item=returned, user=ours.case_officer, reasons=["provision"], note="")
    items_reschedule(case=case, today=DAY_30)
    open_items_reschedule(la=ours.la, today=DAY_30)
    returned.refresh_from_db()
    # Re-derived, the next action is the chase: the first working day after the new due date.
    assert (returned.due_on, returned.first_due_on) == (DUE_AGAIN, D(2027, 1, 4))
    assert returned.next_action_on == D(2027, 1, 12)

"""The case officer's "awaiting a decision to assess" and "ready to draft", and the practitioner's
"drafts you started" (issue 23, decision 0037): each count is its list's own queryset, the list is
a filter kept in the URL, and "ready to draft" is the drafting gate the draft plan's service checks
(advice.gate), never a second definition."""

import datetime

import pytest
from django.urls import reverse

from advice.gate import draft_gate_outstanding
from advice.models import AdviceItem
from advice.services import return_draft_save
from advice.work import drafts_started_items
from assessments.models import CaseStatus
from assessments.selectors import caseload_cases
from ehc.models import Role
from tests.advice.conftest import decline, request_advice, return_advice
from tests.factories import CaseFactory, UserFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 23)
CASELOAD = reverse("assessments:caseload")
TEAM_QUEUE = reverse("advice:team_queue")


def _case(world, status=CaseStatus.ASSESSING, officer=None, last_name="Quillfeather"):
    return CaseFactory(
        local_authority=world.la,
        case_officer=officer or world.case_officer,
        status=status,
        received_on=datetime.date(2026, 9, 1),
        last_name=last_name,
    )


def _references(client, url):
    body = client.get(url).content.decode()
    return body


def test_ready_to_draft_is_the_drafting_gate_open_on_a_case_being_assessed(ours, login):
    all_in = _case(ours, last_name="Allin")
    items = AdviceItem.objects.filter(request=request_advice(all_in, ours))
    return_advice(items.get(team=ours.slt), ours.slt_practitioner)
    decline(items.get(team=ours.ot), ours.spoc)
    waiting = _case(ours, last_name="Waiting")
    request_advice(waiting, ours)
    nothing_asked = _case(ours, last_name="Nothingasked")
    deciding = _case(ours, status=CaseStatus.AWAITING_DECISION, last_name="Deciding")
    drafted = _case(ours, status=CaseStatus.DRAFT_PLAN, last_name="Drafted")
    someone_elses = _case(ours, officer=UserFactory(organisation=ours.la, roles=[Role.CASE_OFFICER]), last_name="Other")

    ready = caseload_cases(user=ours.case_officer, today=TODAY, mine=True, stage="ready_to_draft")
    assert set(ready) == {all_in, nothing_asked}
    # The draft plan's own gate agrees case by case.
    for case in (all_in, waiting, nothing_asked, deciding, drafted, someone_elses):
        open_now = not draft_gate_outstanding(case=case) and case.status == CaseStatus.ASSESSING
        assert (case in set(ready)) == (open_now and case.case_officer == ours.case_officer), case
    awaiting = caseload_cases(user=ours.case_officer, today=TODAY, mine=True, stage="awaiting_decision")
    assert list(awaiting) == [deciding]

    client = login(ours.case_officer)
    page = _references(client, f"{CASELOAD}?mine=on&stage=ready_to_draft")
    assert all_in.reference in page and nothing_asked.reference in page
    assert waiting.reference not in page and deciding.reference not in page and someone_elses.reference not in page
    assert '<option value="ready_to_draft" selected>' in page
    page = _references(client, f"{CASELOAD}?mine=on&stage=awaiting_decision")
    assert deciding.reference in page and all_in.reference not in page
    # An unknown stage is the list unfiltered's error-free page, never a 500.
    assert client.get(f"{CASELOAD}?stage=sideways").status_code == 200

    home = client.get(reverse("home")).content.decode()
    assert "1 of your cases is awaiting a decision to assess" in home
    assert "2 of your cases are ready to draft: all their health advice is in" in home
    assert 'href="/cases/?mine=on&amp;stage=ready_to_draft" data-count="2"' in home.replace(CASELOAD, "/cases/")


def test_drafts_you_started_are_yours_not_returned_and_the_queue_filters_to_them(ours, login):
    case = _case(ours)
    items = AdviceItem.objects.filter(request=request_advice(case, ours))
    slt = items.get(team=ours.slt)
    colleague = UserFactory(organisation=ours.provider, roles=[Role.PRACTITIONER], teams=[ours.slt])
    return_draft_save(item=slt, user=ours.slt_practitioner, content={"outcomes": "First thoughts"})
    # A colleague saving it again does not make it theirs: started is who saved it first.
    return_draft_save(item=slt, user=colleague, content={"outcomes": "More"}, revision=1)
    assert list(drafts_started_items(user=ours.slt_practitioner)) == [slt]
    assert list(drafts_started_items(user=colleague)) == []

    client = login(ours.slt_practitioner)
    page = client.get(TEAM_QUEUE, {"drafts": "mine"}).content.decode()
    assert "Drafts you started, by due date" in page and f"/advice/items/{slt.pk}/" in page
    assert 'id="id_drafts" name="drafts" type="checkbox" value="mine" checked' in page
    home = client.get(reverse("home")).content.decode()
    assert "1 draft you started, not yet returned" in home

    # Returned: no longer a draft of anyone's.
    return_advice(slt, colleague)
    assert list(drafts_started_items(user=ours.slt_practitioner)) == []
    page = client.get(TEAM_QUEUE, {"drafts": "mine"}).content.decode()
    assert "You have no drafts waiting to be returned." in page


@pytest.mark.parametrize("who", ["spoc", "case_officer", "head_of_service", "dco"])
def test_the_drafts_filter_opens_nothing_to_those_the_team_queue_is_not_for(ours, login, who):
    case = _case(ours)
    slt = AdviceItem.objects.get(request=request_advice(case, ours), team=ours.slt)
    return_draft_save(item=slt, user=ours.slt_practitioner, content={"outcomes": "First thoughts"})
    assert login(getattr(ours, who)).get(TEAM_QUEUE, {"drafts": "mine"}).status_code == 404


def test_another_providers_practitioner_sees_none_of_our_drafts(ours, theirs, login):
    case = _case(ours)
    slt = AdviceItem.objects.get(request=request_advice(case, ours), team=ours.slt)
    return_draft_save(item=slt, user=ours.slt_practitioner, content={"outcomes": "First thoughts"})
    page = login(theirs.slt_practitioner).get(TEAM_QUEUE, {"drafts": "mine"}).content.decode()
    assert f"/advice/items/{slt.pk}/" not in page and case.reference not in page


@pytest.mark.parametrize("who", ["spoc", "slt_practitioner", "dco"])
def test_the_stage_filter_opens_no_caseload_to_those_outside_the_council(ours, login, who):
    case = _case(ours, status=CaseStatus.AWAITING_DECISION)
    response = login(getattr(ours, who)).get(CASELOAD, {"stage": "awaiting_decision"})
    assert case.reference not in response.content.decode()
    assert response.status_code in (403, 404)


def test_another_councils_officer_sees_none_of_ours_at_either_stage(ours, theirs, login):
    deciding = _case(ours, status=CaseStatus.AWAITING_DECISION)
    nothing_asked = _case(ours, last_name="Nothingasked")
    client = login(theirs.case_officer)
    for stage in ("awaiting_decision", "ready_to_draft"):
        page = client.get(CASELOAD, {"stage": stage}).content.decode()
        assert deciding.reference not in page and nothing_asked.reference not in page

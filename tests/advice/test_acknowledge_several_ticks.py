"""The queue's ticks before several requests are acknowledged, and the confirmation after (issue 23):
none or too many ticked is the queue again with a GOV.UK error summary and the error on the
checkboxes, nothing changed and the same boxes ticked; done, a confirmation page lists each request
by its reference, read from the user's session through what the user may see, never from the URL."""

import re

import pytest
from django.urls import reverse

from advice.models import AdviceRequest
from advice.services import advice_acknowledge, advice_request_send
from advice.services.acknowledgement import TeamAnswer
from advice.views.acknowledge_several import DONE_KEY
from assessments.models import CaseStatus
from ehc.demo import seed_organisations, seed_users
from ehc.models import Role, Service
from tests.factories import CaseFactory

from .test_acknowledge_several import URL, post, request_for

pytestmark = pytest.mark.django_db
QUEUE = reverse("advice:spoc_queue")
DONE = reverse("advice:acknowledged_several")


def ticked_boxes(body):
    return sorted(
        int(re.search(r'value="(\d+)"', tag).group(1))
        for tag in re.findall(r'<input[^>]*name="request" type="checkbox"[^>]*>', body)
        if " checked" in tag
    )


def test_none_ticked_is_the_queue_with_the_error_summary_and_the_error_on_the_checkboxes(ours, login):
    first = request_for(ours)
    response = login(ours.spoc).get(QUEUE, {"acknowledge": "yes", "sort": "-notified"})
    body = response.content.decode()
    assert response.status_code == 200
    summary = body.split('class="govuk-error-summary"', 1)[1].split("</div>\n</div>", 1)[0]
    assert 'role="alert"' in summary and f'href="#select-{first.pk}"' in summary
    assert "Select the requests to acknowledge" in summary
    assert 'class="govuk-form-group govuk-form-group--error" id="select-requests"' in body
    assert '<p class="govuk-error-message" id="select-requests-error">' in body
    assert 'aria-describedby="select-requests-error"' in body
    assert "<title>Requests for health advice (error)" in body
    # The order the page had is kept, and no link of the page carries the refused submission again.
    assert '<input type="hidden" name="sort" value="-notified">' in body
    assert "acknowledge=yes" not in body


def test_twenty_one_ticked_is_refused_with_every_tick_kept_and_nothing_acknowledged(ours, login):
    requests = [request_for(ours, f"O'Neill {n}") for n in range(21)]
    ids = [each.pk for each in requests]
    response = login(ours.spoc).get(QUEUE, {"acknowledge": "yes", "request": ids})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Select 20 requests or fewer to acknowledge at once: you selected 21" in body
    assert ticked_boxes(body) == sorted(ids)
    assert not AdviceRequest.objects.filter(pk__in=ids, acknowledged_at__isnull=False).exists()


def test_a_good_choice_goes_on_to_the_page_of_their_questions(ours, login):
    first, second = request_for(ours), request_for(ours, "Ashdown")
    response = login(ours.spoc).get(QUEUE, {"acknowledge": "yes", "request": [second.pk, first.pk, "x"]})
    assert response.status_code == 302
    assert response.headers["Location"] == f"{URL}?request={second.pk}&request={first.pk}"


def test_the_confirmation_reads_the_session_not_the_address(ours, login):
    first, second = request_for(ours), request_for(ours, "Ashdown")
    client = login(ours.spoc)
    assert post(client, ours, [first, second]).headers["Location"] == DONE
    body = client.get(DONE, {"request": [9999999], "ids": "garbage"}).content.decode()
    assert body.count('<a class="govuk-link" href="/advice/requests/') == 2
    assert first.case.reference in body and second.case.reference in body


@pytest.mark.parametrize("stored", [None, "garbage", [None], ["1"], [-5, 10**12]])
def test_nothing_or_garbage_in_the_session_is_the_queue_not_an_error(ours, login, stored):
    client = login(ours.spoc)
    if stored is not None:
        session = client.session
        session[DONE_KEY] = stored
        session.save()
    response = client.get(DONE)
    assert response.status_code == 302 and response.headers["Location"] == QUEUE


def _acknowledged(world):
    advice_request = request_for(world)
    advice_acknowledge(advice_request=advice_request, user=world.spoc, answers=[TeamAnswer(world.slt, "known_open")])
    return advice_request


def test_another_providers_requests_in_the_session_are_not_shown(ours, theirs, login):
    mine, other = _acknowledged(ours), _acknowledged(theirs)
    client = login(ours.spoc)
    session = client.session
    session[DONE_KEY] = [other.pk, mine.pk]
    session.save()
    body = client.get(DONE).content.decode()
    assert "1 request acknowledged" in body
    assert mine.case.reference in body and other.case.reference not in body
    # Only theirs: nothing to confirm.
    session[DONE_KEY] = [other.pk]
    session.save()
    assert client.get(DONE).headers["Location"] == QUEUE


@pytest.mark.parametrize("who", ["case_officer", "slt_practitioner", "head_of_service", "dco", "business_support"])
def test_only_a_spoc_may_open_the_confirmation(ours, login, who):
    advice_request = _acknowledged(ours)
    client = login(getattr(ours, who))
    session = client.session
    session[DONE_KEY] = [advice_request.pk]
    session.save()
    response = client.get(DONE)
    assert response.status_code == 404
    assert advice_request.case.reference not in response.content.decode()


def test_as_the_demo_makes_its_users_the_deputy_spoc_sees_the_confirmation_and_a_practitioner_does_not(login):
    """physio.lead is the provider's deputy SPOC and a practitioner; ot.practitioner only a practitioner."""
    icb, la, provider, teams = seed_organisations()
    users = seed_users((icb, la, provider), teams)
    deputy, practitioner, officer = users["physio.lead"], users["ot.practitioner"], users["case.officer"]
    assert deputy.has_role(Role.SPOC) and deputy.has_role(Role.PRACTITIONER)
    case = CaseFactory(local_authority=la, case_officer=officer, status=CaseStatus.ASSESSING)
    advice_request = advice_request_send(case=case, provider=provider, services_named=[Service.OT], user=officer)
    ot = teams["Occupational therapy"]
    advice_acknowledge(advice_request=advice_request, user=deputy, answers=[TeamAnswer(ot, "known_open")])
    for user, status in ((deputy, 200), (practitioner, 404)):
        client = login(user)
        session = client.session
        session[DONE_KEY] = [advice_request.pk]
        session.save()
        response = client.get(DONE)
        assert response.status_code == status, user.username
        assert (case.reference in response.content.decode()) == (status == 200)

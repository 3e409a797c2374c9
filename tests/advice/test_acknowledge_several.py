"""Acknowledging several requests on one page (decision 0035): each request's own questions with
prefixed ids, one submit, all or nothing, each acknowledgement made (audit, emails) exactly as alone;
only the provider's own SPOC, only its own requests."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from advice.models import AdviceRequest
from advice.services import advice_acknowledge, advice_request_send
from advice.services.acknowledgement import TeamAnswer
from assessments.models import CaseStatus
from ehc.models import OutboundEmail, Service
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db
URL = reverse("advice:acknowledge_several")
QUEUE = reverse("advice:spoc_queue")
DONE = reverse("advice:acknowledged_several")


def request_for(world, last_name="O'Neill", services=(Service.SLT, Service.OT)):
    case = CaseFactory(
        local_authority=world.la, case_officer=world.case_officer, status=CaseStatus.ASSESSING, last_name=last_name
    )
    return advice_request_send(
        case=case, provider=world.provider, services_named=list(services), user=world.case_officer
    )


def answers_for(world, advice_request, *, note="", slt="known_open", ot="not_known"):
    """Every team of the provider answered, as the page posts them, under the request's prefix."""
    prefix = f"request-{advice_request.pk}-"
    data = {f"{prefix}team_{team.pk}": "not_involved" for team in world.provider.teams.all()}
    data[f"{prefix}team_{world.slt.pk}"] = slt
    data[f"{prefix}team_{world.ot.pk}"] = ot
    data[f"{prefix}note"] = note
    return data


def post(client, world, requests, **overrides):
    data = {"request": [str(advice_request.pk) for advice_request in requests]}
    for advice_request in requests:
        data.update(answers_for(world, advice_request))
    data.update(overrides)
    return client.post(URL, data)


def emails_of(advice_request):
    return sorted(
        (kind, key.replace(str(advice_request.pk), "R").split(":")[0])
        for kind, key in OutboundEmail.objects.filter(advice_request=advice_request).values_list("kind", "dedupe_key")
    )


def test_the_page_shows_each_requests_own_questions_with_prefixed_ids(ours, login):
    first, second = request_for(ours), request_for(ours, "Ashdown", services=(Service.COMMUNITY_PAEDIATRICS,))
    response = login(ours.spoc).get(URL, {"request": [first.pk, second.pk]})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Acknowledge 2 requests for health advice" in body
    for advice_request in (first, second):
        assert f'id="request-{advice_request.pk}"' in body
        assert f'name="request-{advice_request.pk}-team_{ours.slt.pk}"' in body
        assert f'id="id_request-{advice_request.pk}-team_{ours.slt.pk}_1"' in body
        assert advice_request.case.reference in body
    # The family's named teams first, for each request.
    second_part = body.split(f'id="request-{second.pk}"', 1)[1]
    assert second_part.index("Paediatrics Ours") < second_part.index("OT Ours")
    assert "O&#x27;Neill" in body


def test_all_are_acknowledged_each_with_the_emails_one_acknowledgement_makes(ours, login):
    first, second, alone = request_for(ours), request_for(ours, "Ashdown"), request_for(ours, "Okafor")
    advice_acknowledge(
        advice_request=alone,
        user=ours.spoc,
        answers=[TeamAnswer(ours.slt, "known_open"), TeamAnswer(ours.ot, "not_known")],
    )
    client = login(ours.spoc)
    response = post(client, ours, [first, second])
    assert response.status_code == 302 and response.headers["Location"] == DONE
    for advice_request in (first, second):
        advice_request.refresh_from_db()
        assert advice_request.is_acknowledged and advice_request.acknowledged_by == ours.spoc
        assert emails_of(advice_request) == emails_of(alone)
        known = dict(advice_request.items.values_list("team_id", "known_status"))
        assert known == {ours.slt.pk: "known_open", ours.ot.pk: "not_known"}
    done = client.get(DONE).content.decode()
    assert "2 requests acknowledged" in done and "govuk-panel--confirmation" in done
    for advice_request in (first, second):
        link = f'<a class="govuk-link" href="{reverse("advice:request_detail", args=[advice_request.pk])}">'
        assert f"{link}{advice_request.case.reference}</a>" in done


def test_one_error_saves_nothing_lists_each_error_by_its_prefixed_id_and_keeps_what_was_typed(ours, login):
    first, second = request_for(ours), request_for(ours, "Ashdown")
    before = OutboundEmail.objects.count()
    prefix = f"request-{second.pk}-"
    response = post(
        login(ours.spoc),
        ours,
        [first, second],
        **{
            f"request-{first.pk}-note": "Seen by O'Neill's team",
            f"{prefix}team_{ours.ot.pk}": "not_involved",  # removing a named team needs a reason
            f"{prefix}team_{ours.slt.pk}": "",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200 and "There is a problem: nothing has been saved" in body
    assert f'href="#id_{prefix}reason_{ours.ot.pk}"' in body and f'id="id_{prefix}reason_{ours.ot.pk}"' in body
    assert f'href="#id_{prefix}team_{ours.slt.pk}_1"' in body
    assert f"{second.case.reference}: Enter why OT Ours is not involved" in body
    # What was typed is still there.
    assert "Seen by O&#x27;Neill&#x27;s team</textarea>" in body
    ot_radios = [tag for tag in re.findall(r"<input[^>]*>", body) if f'name="{prefix}team_{ours.ot.pk}"' in tag]
    assert [tag for tag in ot_radios if "checked" in tag and 'value="not_involved"' in tag], ot_radios
    assert not AdviceRequest.objects.filter(pk__in=[first.pk, second.pk], acknowledged_at__isnull=False).exists()
    assert OutboundEmail.objects.count() == before


def test_a_request_acknowledged_by_someone_else_meanwhile_is_an_error_and_nothing_is_saved(ours, login):
    first, second = request_for(ours), request_for(ours, "Ashdown")
    client = login(ours.spoc)
    assert client.get(URL, {"request": [first.pk, second.pk]}).status_code == 200
    advice_acknowledge(advice_request=second, user=ours.spoc, answers=[TeamAnswer(ours.slt, "known_open")])
    response = post(client, ours, [first, second])
    body = response.content.decode()
    assert response.status_code == 200
    assert f'href="#request-{second.pk}"' in body
    assert f"{second.case.reference}: Someone else acknowledged this request meanwhile" in body
    first.refresh_from_db()
    assert not first.is_acknowledged


def test_a_case_ended_meanwhile_is_refused_by_the_service_and_nothing_is_saved(ours, login):
    first, second = request_for(ours), request_for(ours, "Ashdown")
    client = login(ours.spoc)
    form = {**answers_for(ours, first), **answers_for(ours, second), "request": [first.pk, second.pk]}
    # Ended after the page was shown, its items left outstanding: the service refuses under its lock.
    second.case.status = CaseStatus.WITHDRAWN
    second.case.save(update_fields=["status"])
    body = client.post(URL, form).content.decode()
    assert f"{second.case.reference}: The case is no longer being assessed" in body
    assert not AdviceRequest.objects.filter(pk__in=[first.pk, second.pk], acknowledged_at__isnull=False).exists()


def test_another_providers_request_is_a_404_and_nothing_is_saved(ours, theirs, login):
    mine, other = request_for(ours), request_for(theirs)
    client = login(ours.spoc)
    assert client.get(URL, {"request": [mine.pk, other.pk]}).status_code == 404
    response = client.post(URL, {**answers_for(ours, mine), "request": [mine.pk, other.pk]})
    assert response.status_code == 404
    assert client.get(URL, {"request": ["not-an-id"]}).status_code == 404
    assert not AdviceRequest.objects.filter(acknowledged_at__isnull=False, pk__in=[mine.pk, other.pk]).exists()


@pytest.mark.parametrize("who", ["case_officer", "slt_practitioner", "head_of_service", "dco"])
def test_only_a_spoc_may_use_it(ours, login, who):
    advice_request = request_for(ours)
    client = login(getattr(ours, who))
    assert client.get(URL, {"request": [advice_request.pk]}).status_code == 404
    assert client.post(URL, {**answers_for(ours, advice_request), "request": [advice_request.pk]}).status_code == 404
    advice_request.refresh_from_db()
    assert not advice_request.is_acknowledged


def test_signed_out_visitors_are_sent_to_sign_in(ours):
    response = Client().get(URL, {"request": [request_for(ours).pk]})
    assert response.status_code == 302 and response.headers["Location"].startswith(reverse("login"))


def test_none_selected_or_too_many_typed_into_the_address_is_the_queues_error(ours, login):
    client = login(ours.spoc)
    response = client.get(URL)
    assert response.status_code == 302 and response.headers["Location"] == f"{QUEUE}?acknowledge=yes"
    assert "Select the requests to acknowledge</a>" in client.get(URL, follow=True).content.decode()
    response = client.get(URL, {"request": list(range(1, 22))}, follow=True)
    assert "Select 20 requests or fewer to acknowledge at once: you selected 21" in response.content.decode()


def test_an_acknowledged_request_ticked_on_a_stale_queue_is_said_on_the_queue(ours, login):
    advice_request = request_for(ours)
    advice_acknowledge(advice_request=advice_request, user=ours.spoc, answers=[TeamAnswer(ours.slt, "known_open")])
    response = login(ours.spoc).get(URL, {"request": [advice_request.pk]}, follow=True)
    assert f"Already acknowledged: {advice_request.case.reference}" in response.content.decode()


def test_the_queue_offers_a_checkbox_per_request_and_the_button(ours, login):
    advice_request = request_for(ours)
    body = login(ours.spoc).get(reverse("advice:spoc_queue")).content.decode()
    assert f'name="request" type="checkbox" value="{advice_request.pk}"' in body
    assert "Acknowledge selected requests" in body
    assert f'action="{QUEUE}"' in body and 'name="acknowledge"' in body


def test_the_page_reads_the_same_number_of_queries_for_two_requests_or_six(ours, login):
    requests = [request_for(ours, f"O'Neill {n}") for n in range(6)]
    client = login(ours.spoc)
    client.get(URL, {"request": [requests[0].pk]})

    def queries(chosen):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL, {"request": [each.pk for each in chosen]}).status_code == 200
        return len(captured.captured_queries)

    two, six = queries(requests[:2]), queries(requests)
    assert two == six and six <= 12, (two, six)
    with CaptureQueriesContext(connection) as captured:
        assert post(client, ours, requests).status_code == 302
    # Each acknowledgement's own work (locks, items, audit, emails) and nothing per team read twice.
    assert len(captured.captured_queries) <= 12 + 6 * 30, len(captured.captured_queries)
    acknowledged = AdviceRequest.objects.filter(pk__in=[each.pk for each in requests], acknowledged_at__isnull=False)
    assert acknowledged.count() == 6

"""A provider with 9 or more teams acknowledges in one grid (team x answer), the teams the family
named first; fewer teams keep a question per team. Either way the same answers are saved."""

import re

import pytest

from advice.forms import GRID_FROM_TEAMS
from advice.models import AdviceRequest
from advice.services import advice_request_send
from ehc.models import Service
from tests.factories import CaseFactory, TeamFactory

pytestmark = pytest.mark.django_db
MORE = [Service.PHYSIOTHERAPY, Service.CAMHS, Service.SPECIALIST_NURSING, Service.PUBLIC_HEALTH_NURSING,
        Service.ORTHOPTICS, Service.CONTINUING_CARE]


def nine_teams(world):
    for service in MORE:
        TeamFactory(provider=world.provider, service=service, name=f"{Service(service).label} {world.la.short_name}")
    assert world.provider.teams.count() == GRID_FROM_TEAMS


def request_for(world, services):
    case = CaseFactory(local_authority=world.la, case_officer=world.case_officer)
    return advice_request_send(case=case, provider=world.provider, services_named=services, user=world.case_officer)


def _rows(body):
    return re.findall(r'<th scope="row" class="govuk-table__header"[^>]*>([^<]+?)\s*<span', body)


def test_nine_teams_answer_in_one_grid_with_the_named_teams_first(ours, login):
    nine_teams(ours)
    advice_request = request_for(ours, [Service.OT, Service.COMMUNITY_PAEDIATRICS])
    body = login(ours.spoc).get(f"/advice/requests/{advice_request.pk}/acknowledge/").content.decode()
    assert 'class="app-table-region app-ack-grid" role="region"' in body
    rows = _rows(body)
    assert len(rows) == 9
    assert rows[:2] == ["OT Ours", "Paediatrics Ours"], rows
    assert rows[2:] == sorted(rows[2:])
    # Every radio says its team and answer; a row's radios are one group (one name).
    assert 'Paediatrics Ours: Will respond: on the team&#x27;s waiting list</span>' in body
    assert len(re.findall(r'type="radio"', body)) == 45
    assert "Named by the family" in body


def test_the_grid_saves_the_answers_and_refuses_a_missing_reason_with_the_summary_linking_to_the_row(ours, login):
    nine_teams(ours)
    advice_request = request_for(ours, [Service.OT, Service.COMMUNITY_PAEDIATRICS])
    items = {item.team.name: item for item in advice_request.items.select_related("team")}
    spoc = login(ours.spoc)
    url = f"/advice/requests/{advice_request.pk}/acknowledge/"
    answers = {f"team_{team.pk}": "not_involved" for team in ours.provider.teams.all()}
    answers[f"team_{items['OT Ours'].team_id}"] = "not_known"
    answers[f"team_{ours.slt.pk}"] = "known_open"
    answers[f"team_{items['Paediatrics Ours'].team_id}"] = "not_involved"
    response = spoc.post(url, answers)
    body = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in body
    assert "Enter why Paediatrics Ours is not involved" in body
    assert not AdviceRequest.objects.get(pk=advice_request.pk).is_acknowledged

    answers[f"reason_{items['Paediatrics Ours'].team_id}"] = "Discharged last year"
    response = spoc.post(url, answers)
    assert response.status_code == 302
    saved = {item.team.name: (item.known_status, item.status) for item in advice_request.items.select_related("team")}
    assert saved["OT Ours"][0] == "not_known" and saved["SLT Ours"][0] == "known_open"
    assert saved["Paediatrics Ours"][1] == "removed"


def test_a_grid_with_no_answer_for_a_team_links_the_summary_to_its_first_radio(ours, login):
    nine_teams(ours)
    advice_request = request_for(ours, [Service.OT])
    ot = advice_request.items.get().team_id
    body = login(ours.spoc).post(f"/advice/requests/{advice_request.pk}/acknowledge/", {"note": ""}).content.decode()
    assert f'href="#id_team_{ot}_1"' in body and f'id="id_team_{ot}_1"' in body
    assert f'aria-describedby="id_team_{ot}-error"' in body


def test_fewer_teams_keep_a_question_per_team(ours, login):
    advice_request = request_for(ours, [Service.OT])
    body = login(ours.spoc).get(f"/advice/requests/{advice_request.pk}/acknowledge/").content.decode()
    assert "app-ack-grid" not in body
    assert body.index("OT Ours") < body.index("Paediatrics Ours") < body.index("SLT Ours")

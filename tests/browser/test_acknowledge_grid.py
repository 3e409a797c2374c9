"""The SPOC of a provider with nine teams acknowledges in one grid, with the keyboard only: Tab moves
from team to team (each row is one radio group), the arrow keys choose the answer, every radio is
named by its team and answer, and the page passes axe with and without errors."""

import pytest

from advice.models import AdviceRequest
from ehc.models import Service
from tests.advice.test_acknowledge_grid import nine_teams, request_for

from .helpers import expect, focused, press_enter_on, sign_in_with_keyboard, tab_to

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_spoc_acknowledges_nine_teams_in_the_grid_with_the_keyboard(journey, ours, authenticator):
    nine_teams(ours)
    advice_request = request_for(ours, [Service.OT, Service.COMMUNITY_PAEDIATRICS])
    items = {item.team.name: item for item in advice_request.items.select_related("team")}
    ot, paeds = items["OT Ours"].team_id, items["Paediatrics Ours"].team_id
    page = journey.page
    sign_in_with_keyboard(journey, ours.spoc, authenticator(ours.spoc))
    page.goto(f"/advice/requests/{advice_request.pk}/acknowledge/")
    grid = page.get_by_role("region", name="Will each team respond, and is the child known to it?")
    expect(grid).to_be_visible()
    journey.check("the acknowledgement grid, nine teams")
    # The family's two teams come first.
    headers = grid.locator("tbody th[scope=row]").all_inner_texts()
    assert headers[0].startswith("OT Ours") and headers[1].startswith("Paediatrics Ours"), headers[:2]
    assert "Named by the family" in headers[0] and "Named by the family" not in headers[2]

    # Sent with the family's teams unanswered: the summary names them and the page says so.
    press_enter_on(page, text="Acknowledge")
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    journey.check("the acknowledgement grid with errors")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select whether OT Ours will respond")

    # Into OT's row: the first radio of its group, named with the team; arrows choose.
    tab_to(page, f"#id_team_{ot}_1")
    assert focused(page)["label"] == "OT Ours: Will respond: known, open to the team now"
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert focused(page)["label"] == "OT Ours: Will respond: not known to the team"
    # One Tab leaves OT's group for Paediatrics': each row is one stop.
    page.keyboard.press("Tab")
    assert focused(page)["name"] == f"team_{paeds}"
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    assert focused(page)["label"] == "Paediatrics Ours: Will respond: on the team's waiting list"
    page.keyboard.press("Tab")
    # The next row, a team not on the request, already says "Not involved".
    assert focused(page)["label"].endswith(": Not involved")
    press_enter_on(page, text="Acknowledge")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Request acknowledged")
    assert AdviceRequest.objects.get(pk=advice_request.pk).is_acknowledged
    saved = {item.team.name: item.known_status for item in advice_request.items.select_related("team")}
    assert saved == {"OT Ours": "not_known", "Paediatrics Ours": "waiting_list"}

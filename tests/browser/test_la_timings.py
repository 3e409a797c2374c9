"""An LA administrator moves escalation 1 later in the browser: a bad value first (the error summary),
then the preview listing the items whose escalation 1 moves, the confirmation; the sweep then issues
the letters on the new date and the case officer's case page shows it (axe-checked at each step)."""

import datetime
import re

import pytest
import time_machine

from ehc.models import Role
from escalation.sweep import sweep_run

from ..escalation.conftest import make_request
from ..factories import UserFactory
from .helpers import expect, sign_in
from .scenes import at_nine

pytestmark = pytest.mark.django_db(transaction=True)

D = datetime.date
TODAY = D(2027, 3, 1)  # a Monday


def test_la_administrator_moves_escalation_1_and_the_case_shows_the_new_date(journey, ours, authenticator):
    page = journey.page
    with time_machine.travel(at_nine(D(2027, 2, 22)), tick=True) as traveller:
        # Two children's advice due on 22 February, chased on the 23rd: escalation 1 on Monday 8 March.
        requests = [
            make_request(ours, notified_on=D(2027, 1, 11), case_officer=ours.case_officer, last_name=name)
            for name in ("O'Neill", "Okafor")
        ]
        sweep_run(now=at_nine(D(2027, 2, 23)))
        traveller.move_to(at_nine(TODAY))
        admin = UserFactory(username="la-admin-journey", organisation=ours.la, roles=[Role.ADMINISTRATOR])
        authenticator(admin)
        sign_in(journey, admin)
        page.goto("/administration/")
        page.get_by_role("link", name="Timings").first.click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Timings")
        field = page.get_by_label("Escalation 1 (days after the due date)", exact=True)
        expect(field).to_have_value("14")
        journey.check("timings form")

        field.fill("60")
        page.get_by_role("button", name="Continue").click()
        expect(page.locator(".govuk-error-summary")).to_contain_text(
            "Escalation 1 must be from 1 to 56 days after the due date"
        )
        journey.check("timings form with an escalation 1 offset out of bounds")

        page.get_by_label("Escalation 1 (days after the due date)", exact=True).fill("21")
        page.get_by_role("button", name="Continue").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Check the change to the timings")
        expect(page.get_by_role("heading", name="2 items move their escalation 1 date")).to_be_visible()
        moves = page.get_by_role("table", name="Items whose escalation 1 date moves").locator("tbody tr")
        expect(moves).to_have_count(2)
        for request in requests:
            row = moves.filter(has_text=request.case.reference)
            expect(row).to_contain_text("Escalation 1 on Mon 8 Mar 2027")
            expect(row).to_contain_text("Escalation 1 on Mon 15 Mar 2027")
        journey.check("timings preview")

        page.get_by_role("button", name="Confirm and save the timings").click()
        expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
            "Timings saved. 2 open items moved their next action"
        )
        journey.check("timings saved")

        # The old date passes with no letter; the new one brings it.
        sweep_run(now=at_nine(D(2027, 3, 8)))
        sweep_run(now=at_nine(D(2027, 3, 15)))
        traveller.move_to(at_nine(D(2027, 3, 15)))
        page.context.clear_cookies()
        authenticator(ours.case_officer)
        sign_in(journey, ours.case_officer)
        page.goto(f"/cases/{requests[0].case.pk}/")
        escalations = page.get_by_role("table", name="Chases and escalations by provider")
        expect(escalations.locator("tbody tr").filter(has_text="Escalation 1")).to_contain_text("15 Mar 2027")
        # "18 Mar 2027", the response date, is no "8 Mar 2027".
        expect(escalations).not_to_contain_text(re.compile(r"\b8 Mar 2027"))
        journey.check("case page with escalation 1 on the new date")

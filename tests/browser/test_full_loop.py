"""One child's request for health advice through the whole Torbay loop, in the browser, as the people
who do each step, on the day they do it.

The case officer asks; the SPOC acknowledges naming three teams (one knows the child, one does not,
one has the child on its waiting list); one team returns in time; the others are chased, escalated to
the provider's director (escalation 1, the letter sent at once or first approved by the AD Education),
answered by the DCO, escalated inside health with no resolution from the DCO (escalation 2), promised
by a head of service (outcome A), late again when the promised date passes (flagged), and returned at
last: then every timer has stopped, however far time runs on. After each step `told.Told` checks who
was told, in the service and by email, and that no email carries a health detail.

The people, organisations and teams are made as the demo makes them (ehc.demo), with the demo's
password and authenticators: nobody is a superuser. The steps are in loop.py.
"""

import datetime
import re

import pytest
import time_machine
from django.utils import timezone

from .helpers import expect, url_or_skip
from .loop import Loop, at

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(params=[False, True], ids=["letters sent at once", "letters approved by the AD"])
def loop(journey, request):
    url_or_skip("escalation:approvals")
    with time_machine.travel(at(timezone.localdate()), tick=True) as traveller:
        yield Loop(journey, traveller, ad_approval=request.param)


def test_one_childs_health_advice_through_the_whole_torbay_loop(loop):
    calendar = loop.calendar
    received = calendar.on_or_after(timezone.localdate() + datetime.timedelta(days=1))
    notified = calendar.on_or_after(received + datetime.timedelta(days=7))
    loop.case_recorded(received)
    loop.notification(notified)
    loop.acknowledgement(calendar.on_or_after(notified + datetime.timedelta(days=2)))
    loop.returned_in_time(calendar.on_or_after(notified + datetime.timedelta(days=20)))
    loop.chase()
    loop.escalation_1()
    loop.dco_response(calendar.after(loop.escalation.issued_on))
    loop.escalation_2()
    answered_on = calendar.on_or_after(loop.rules.escalation_2_on(loop.escalation.issued_on) + datetime.timedelta(3))
    promised = answered_on + datetime.timedelta(days=14)
    loop.outcome_a(answered_on, promised)
    loop.promise_passes(promised)
    last_return = calendar.after(calendar.after(calendar.after(promised)))
    loop.returned_at_last(last_return)
    loop.time_runs_on(last_return)

    loop.as_user("case.officer")
    header = loop.header()
    expect(header).to_contain_text("8 unread")
    header.click()
    notices = loop.page.get_by_role("table", name=re.compile("Your notifications")).locator("tbody tr")
    expect(notices).to_have_count(8)
    expect(notices.first).to_contain_text("Health advice returned after a chase or escalation")
    loop.journey.check("case officer: every answer in the notifications")
    notices.first.get_by_role("link").click()
    expect(loop.page).to_have_url(re.compile(f"/cases/{loop.case.pk}/$"))
    expect(header).to_contain_text("7 unread")

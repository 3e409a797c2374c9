"""One child's request for health advice through the whole Torbay loop, in the browser, as the people
who do each step, on the day they do it.

The case officer asks; the SPOC acknowledges naming three teams (one knows the child, one does not,
one has the child on its waiting list); one team returns in time; the others are chased, escalated to
the provider's director (escalation 1), answered by the DCO, escalated inside health with no
resolution from the DCO (escalation 2), promised by a head of service (outcome A), late again when the
promised date passes (flagged), and returned at last: then every timer has stopped, however far time
runs on. After each step `told.Told` checks who was told, in the service and by email, and that no
email carries a health detail.

The people, organisations and teams are made as the demo makes them (ehc.demo), with the demo's
password and authenticators: nobody is a superuser. The clock moves with time_machine, for the
browser's steps and the sweep's alike, and the sweep runs with an explicit --now on the days its
timers fall due.
"""

import datetime
import re
from types import SimpleNamespace

import pytest
import time_machine
from django.utils import timezone

from ehc.models import MessageKind

from . import scenes
from .helpers import expect, sign_in, url_or_skip
from .told import Told, health_details

pytestmark = pytest.mark.django_db(transaction=True)

CHILD = {
    "first_name": "Siobhan",
    "last_name": "O'Neill",
    "date_of_birth": datetime.date(2017, 6, 9),
    "nhs_number": "943 476 5919",
    "address": "12 Lighthouse Steps\nHarbourside",
    "postcode": "HS4 9ZZ",
    "setting": "Quayside Academy",
    "family_views": "We want Siobhan to be understood at school and to make friends.",
    "aspirations": "To go to the local secondary school with her friends.",
    "outcomes_health": "Can tell adults when she is in pain.",
}
SLT, OT, PAEDS = "Speech and language therapy", "Occupational therapy", "Community paediatrics"
# The LA's people who hear every answer in the service (ehc.notifications).
LA_AUDIENCE = ["ad.education", "business.support", "case.officer"]


def at(day, hour=9):
    return scenes.at_nine(day).replace(hour=hour)


class Loop:
    """The journey's people, its clock and what it has done so far; a method per step."""

    def __init__(self, journey, traveller):
        from ehc.demo import DEMO_PASSWORD, seed_organisations, seed_users
        from ehc.models import LocalAuthoritySettings
        from ehc.workdays import WorkingCalendar
        from escalation.rules import TimerRules

        icb, la, provider, teams = seed_organisations()
        self.users = seed_users((icb, la, provider), teams)
        self.journey, self.page, self.traveller = journey, journey.page, traveller
        self.la, self.provider, self.teams, self.password = la, provider, teams, DEMO_PASSWORD
        self.calendar = WorkingCalendar.for_la(la.pk)
        self.rules = TimerRules.for_la(la)
        settings = LocalAuthoritySettings.for_la(la)
        self.mailbox = SimpleNamespace(
            spoc=provider.spoc_email,
            director=provider.director_email,
            ad=settings.ad_education_email,
            support=settings.business_support_email,
            dco=settings.dco_office_email,
            officer=self.users["case.officer"].email,
            head=teams[OT].head_of_service_email,
        )
        self.digest_to = {MessageKind.DIGEST: self.mailbox.spoc, MessageKind.DIGEST_LA: self.mailbox.support}

    # The clock, the people, what they see

    def on(self, day, hour=9):
        self.traveller.move_to(at(day, hour))

    def sweep(self, day):
        """The timers run as of 07:00 on `day`, the clock there too."""
        self.on(day, hour=7)
        scenes.sweep_at(day)

    def as_user(self, username):
        self.page.context.clear_cookies()
        sign_in(self.journey, self.users[username], password=self.password)
        return self.users[username]

    def header(self):
        return self.page.locator(".app-header__notifications")

    def stages(self):
        from advice.models import ItemStatus

        return {
            item.team.name: item.stage if item.status == ItemStatus.OUTSTANDING else item.status
            for item in self.advice_request.items.select_related("team")
        }

    def answer_to_the_la(self, kind, events=1):
        """An answer goes back to the LA: emailed to the AD, copied to business support and the case's
        officer; in the service for the AD, business support and the officer."""
        email = (kind, [self.mailbox.ad], [self.mailbox.support, self.mailbox.officer])
        return {"emails": [email] * events, "in_app": [(kind, LA_AUDIENCE)] * events}

    # The steps

    def case_recorded(self, received):
        from assessments.models import Requester
        from assessments.services import case_create

        self.on(received)
        data = {**CHILD, "requested_by": Requester.PARENT, "received_on": received}
        self.case = case_create(user=self.users["case.officer"], local_authority=self.la, data=data)
        self.told = Told(
            usernames=self.users,
            forbidden=health_details(self.case, list(self.teams)),
            digest_to=self.digest_to,
        )
        self.told.check("the case is recorded")

    def notification(self, day):
        """The case officer asks the provider's SPOC, naming the two services the family mentioned."""
        from advice.models import AdviceRequest

        page = self.page
        self.on(day)
        self.as_user("case.officer")
        expect(self.header()).not_to_contain_text("unread")
        page.get_by_role("link", name=self.case.reference).click()
        page.get_by_role("link", name="Request health advice").click()
        page.get_by_label("Health provider").select_option(label=self.provider.name)
        page.get_by_label(SLT).check()
        page.get_by_label(OT).check()
        page.get_by_role("button", name="Send the request").click()
        expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Request for health advice sent")
        self.journey.check("case officer: the request for health advice sent")
        self.advice_request = AdviceRequest.objects.get(case=self.case)
        assert self.advice_request.notified_on == day
        self.told.check("notification", emails=[(MessageKind.ADVICE_REQUESTED, [self.mailbox.spoc], [])])

    def acknowledgement(self, day):
        """SLT knows the child, OT does not, paediatrics (added by the SPOC) has the child on its waiting list."""
        page = self.page
        self.on(day)
        self.as_user("spoc")
        awaiting = page.get_by_role("table", name="Awaiting acknowledgement")
        awaiting.get_by_role("link", name=self.case.reference).click()
        page.get_by_role("link", name="Acknowledge the request").click()
        for team, answer in (
            (SLT, "Will respond: known, open to the team now"),
            (OT, "Will respond: not known to the team"),
            (PAEDS, "Will respond: on the team's waiting list"),
        ):
            page.get_by_role("group", name=team, exact=True).get_by_label(answer, exact=True).check()
        self.journey.check("SPOC: the acknowledgement, three teams")
        page.get_by_role("button", name="Acknowledge").click()
        expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Request acknowledged")
        self.items = {item.team.name: item for item in self.advice_request.items.select_related("team")}
        assert {name: item.known_status for name, item in self.items.items()} == {
            SLT: "known_open",
            OT: "not_known",
            PAEDS: "waiting_list",
        }
        assert self.items[PAEDS].added_by_spoc
        self.told.check(
            "acknowledgement",
            emails=[(MessageKind.ACKNOWLEDGED, [self.mailbox.officer], [self.mailbox.support])],
        )

    def returned_in_time(self, day):
        """SLT returns its advice before the due date: the case officer hears, by email."""
        self.on(day)
        self.return_advice("slt.practitioner", SLT)
        self.told.check(
            "SLT returns in time",
            emails=[(MessageKind.ADVICE_RETURNED, [self.mailbox.officer], [self.mailbox.support])],
        )

    def return_advice(self, username, team):
        """A practitioner writes the team's Appendix C advice in the structured form."""
        page = self.page
        self.as_user(username)
        expect(page.get_by_role("heading", level=1)).to_have_text("My team's advice")
        queue = page.get_by_role("table", name="Advice to write, by due date")
        queue.get_by_role("link", name=self.case.reference).click()
        page.get_by_role("link", name="Return the advice").click()
        page.get_by_label("Description of needs").fill("Needs described by the team after assessment.")
        page.get_by_label("Provision required to meet the needs").fill("Weekly sessions, reviewed termly.")
        page.get_by_label(re.compile("The difference the provision should make")).fill("Joins in class discussions.")
        page.get_by_role("button", name="Return the advice").click()
        expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Advice returned")
        self.journey.check(f"{username}: advice returned")


@pytest.fixture
def loop(journey):
    url_or_skip("escalation:responses_owed")
    with time_machine.travel(at(timezone.localdate()), tick=True) as traveller:
        yield Loop(journey, traveller)


def test_the_spoc_names_three_teams_and_one_returns_in_time(loop):
    """The first steps of the loop: notification, acknowledgement naming a team that knows the child, one
    that does not and one with the child on its waiting list, and one team's advice in time."""
    calendar = loop.calendar
    received = calendar.on_or_after(timezone.localdate() + datetime.timedelta(days=1))
    notified = calendar.on_or_after(received + datetime.timedelta(days=7))
    loop.case_recorded(received)
    loop.notification(notified)
    loop.acknowledgement(calendar.on_or_after(notified + datetime.timedelta(days=2)))
    loop.returned_in_time(calendar.on_or_after(notified + datetime.timedelta(days=20)))

    # The due date passes with two teams' advice outstanding: nothing goes on the day itself.
    loop.sweep(loop.advice_request.due_on)
    assert loop.stages() == {SLT: "returned", OT: "requested", PAEDS: "requested"}
    loop.told.check("the due date")

"""The Torbay loop for one child, step by step, as the people who do each step (test_full_loop.py).

Each step acts in the browser as the demo's people would, or moves the clock and runs the sweep, then
asks `told.Told` who was told. The clock is time_machine's, moved forward only: the browser's session
and security codes follow it, and the sweep runs with an explicit --now on the days its timers fall due.
"""

import datetime
import re
from types import SimpleNamespace

from django.utils import timezone

from advice.models import Stage
from ehc.models import MessageKind

from . import scenes
from .helpers import expect, sign_in, start_from_home
from .told import Told, health_details

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

    def __init__(self, journey, traveller, *, ad_approval):
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
        # The LA's choice that escalation letters wait for the AD Education's approval (off by default).
        self.ad_approval = ad_approval
        settings.letters_need_ad_approval = ad_approval
        settings.save(update_fields=["letters_need_ad_approval"])

    # The clock, the people, what they see

    def on(self, day, hour=9):
        self.traveller.move_to(at(day, hour))

    def sweep(self, day):
        """The timers run as of 07:00 on `day`, the clock there too."""
        self.on(day, hour=7)
        scenes.sweep_at(day)

    def as_user(self, username):
        """Sign in as one of the demo's people; the header counts what the journey has notified them of."""
        self.page.context.clear_cookies()
        sign_in(self.journey, self.users[username], password=self.password)
        unread = self.told.unread[username]
        if unread:
            expect(self.header()).to_contain_text(f"{unread} unread")
        else:
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
        from ehc.models import LocalAuthoritySettings

        self.on(received)
        # As the case form stores it: the NHS number without its spaces.
        data = {**CHILD, "nhs_number": CHILD["nhs_number"].replace(" ", ""), "requested_by": Requester.PARENT,
                "received_on": received}
        self.case = case_create(user=self.users["case.officer"], local_authority=self.la, data=data)
        self.told = Told(
            usernames=self.users,
            forbidden=health_details(self.case, list(self.teams)),
            digest_to=self.digest_to,
            is_secure=LocalAuthoritySettings.for_la(self.la).is_secure_address,
        )
        self.told.check("the case is recorded")

    def notification(self, day):
        """The case officer asks the provider's SPOC, naming the two services the family mentioned."""
        from advice.models import AdviceRequest

        page = self.page
        self.on(day)
        self.as_user("case.officer")
        start_from_home(page, "Your caseload")
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
        start_from_home(page, "Requests for health advice")
        awaiting = page.get_by_role("table", name="Awaiting acknowledgement")
        awaiting.get_by_role("link", name=self.case.reference).click()
        page.get_by_role("link", name="Acknowledge the request").click()
        for team, answer in (
            (SLT, "Will respond: known, open to the team now"),
            (OT, "Will respond: not known to the team"),
            (PAEDS, "Will respond: on the team's waiting list"),
        ):
            # The demo provider's nine teams answer in one grid: each radio is named team and answer.
            page.get_by_role("radio", name=f"{team}: {answer}", exact=True).check()
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
        # The LA hears of the acknowledgement; each named team's mailbox that it has been asked for its
        # advice (advice.services.advice_team_notify: the reference and a link).
        self.told.check(
            "acknowledgement",
            emails=[
                (MessageKind.ACKNOWLEDGED, [self.mailbox.officer], [self.mailbox.support]),
                *[(MessageKind.TEAM_ASKED, [self.teams[name].email], []) for name in (SLT, OT, PAEDS)],
            ],
        )

    def returned_in_time(self, day):
        """SLT returns its advice before the due date: the case officer hears, by email."""
        self.on(day)
        self.return_advice("slt.practitioner", SLT)
        self.told.check(
            "SLT returns in time",
            emails=[(MessageKind.ADVICE_RETURNED, [self.mailbox.officer], [self.mailbox.support])],
        )

    def chase(self):
        """The first working day after the due date: business support's chase to the SPOC."""
        self.sweep(self.advice_request.due_on)
        self.told.check("the due date")
        self.sweep(self.rules.chase_on(self.advice_request.due_on))
        assert self.stages() == {SLT: "returned", OT: Stage.CHASED, PAEDS: Stage.CHASED}
        self.told.check("chase", emails=[(MessageKind.CHASE, [self.mailbox.spoc], [self.mailbox.support])])

    def escalation_1(self):
        """Two weeks on: the AD's letter to the provider's director, with a copy each for the DCO office and
        business support, the letter attached only for business support (the LA's own domain, so a secure
        one). Where the LA asks for it, the letter first waits for the AD's approval."""
        from escalation.models import Escalation, EscalationStage

        written_on = self.rules.escalation_1_on(self.advice_request.due_on)
        self.sweep(written_on)
        assert self.stages() == {SLT: "returned", OT: Stage.ESCALATION_1, PAEDS: Stage.ESCALATION_1}
        self.escalation = Escalation.objects.get(request=self.advice_request, stage=EscalationStage.ESCALATION_1)
        if self.ad_approval:
            self.told.check("escalation 1 written, waiting for the AD's approval")
            self.approval(written_on)
        mailbox = self.mailbox
        self.told.check(
            "escalation 1",
            emails=[
                (MessageKind.ESCALATION_1, [mailbox.director], []),
                (MessageKind.ESCALATION_1, [mailbox.dco], []),
                (MessageKind.ESCALATION_1, [mailbox.support], []),
            ],
        )
        assert self.told.attached == [(MessageKind.ESCALATION_1, [mailbox.support])]

    def approval(self, written_on):
        """Nothing goes until the AD approves. A working day on, business support is told the letter still
        waits; the AD approves it with one click, and the letter is dated that day: the DCO's response
        window and escalation 2 count from it."""
        assert self.escalation.response_due_on is None
        flagged_on = self.calendar.after(written_on)
        self.sweep(flagged_on)
        self.told.check(
            "the letter waited a working day",
            emails=[(MessageKind.LETTER_APPROVAL_OVERDUE, [self.mailbox.support], [])],
            in_app=[(MessageKind.LETTER_APPROVAL_OVERDUE, ["business.support"])],
        )

        page = self.page
        self.on(flagged_on)
        self.as_user("ad.education")
        page.goto("/escalation/letters/approvals/")
        row = page.get_by_role("row", name=re.compile(re.escape(self.case.reference)))
        expect(row).to_contain_text("Over a working day")
        self.journey.check("AD: the letter waiting for approval, a working day on")
        row.get_by_role("button", name=re.compile("Approve and send")).click()
        expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
            f"Letter for {self.case.reference} approved and sent, dated {flagged_on.day} {flagged_on:%B %Y}"
        )
        expect(page.get_by_text("No letters are waiting for your approval")).to_be_visible()
        self.journey.check("AD: the letter approved and sent")
        self.escalation.refresh_from_db()
        assert self.escalation.issued_on == flagged_on
        assert self.escalation.response_due_on == self.rules.escalation_1_response_due(flagged_on)

    def dco_response(self, day):
        """The DCO records the office's response to escalation 1: the LA hears, and the AD sees it."""
        page = self.page
        self.on(day)
        self.as_user("dco")
        page.goto("/escalation/responses/")
        page.get_by_role("link", name=f"Record the response for {self.case.reference}").click()
        page.get_by_label(re.compile("response to the Assistant Director")).fill(
            "Spoke to both team leads: the OT assessment is booked, paediatrics are reviewing their list."
        )
        page.get_by_role("button", name="Save the response").click()
        expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
            f"Response to the escalation for {self.case.reference} recorded"
        )
        self.journey.check("DCO: the response to escalation 1 recorded")
        self.escalation.refresh_from_db()
        assert timezone.localdate(self.escalation.responded_at) == day
        self.told.check("the DCO's response", **self.answer_to_the_la(MessageKind.ESCALATION_1_RESPONSE))

        self.as_user("ad.education")
        expect(self.header()).to_contain_text("1 unread")
        self.header().click()
        notices = page.get_by_role("table", name=re.compile("Your notifications"))
        expect(notices.locator("tbody tr")).to_have_count(1)
        expect(notices).to_contain_text(f"The DCO/DMO office has responded to escalation 1: {self.case.reference}")
        self.journey.check("AD: the DCO's response in the notifications")

    def escalation_2(self):
        """Nothing recorded by the DCO before its date: the DCO office's notice goes to the AD, copied to
        business support, the DCO office, the case officer and the teams' head of service."""
        self.sweep(self.rules.escalation_2_on(self.escalation.issued_on))
        assert self.stages() == {SLT: "returned", OT: Stage.ESCALATION_2, PAEDS: Stage.ESCALATION_2}
        mailbox = self.mailbox
        self.told.check(
            "escalation 2",
            emails=[
                (
                    MessageKind.ESCALATION_2,
                    [mailbox.ad],
                    [mailbox.support, mailbox.dco, mailbox.officer, mailbox.head],
                )
            ],
            in_app=[(MessageKind.ESCALATION_2, LA_AUDIENCE)],
        )

        # The DCO's dashboard says, for each item, that the notice went rather than a resolution.
        self.on(self.calendar.on_or_after(timezone.localdate()))
        self.as_user("dco")
        start_from_home(self.page, "Overdue advice dashboard")
        outcomes = self.page.get_by_role("table", name=re.compile("Escalation 2 in the last four weeks"))
        for team in (OT, PAEDS):
            row = outcomes.get_by_role("row", name=re.compile(team))
            expect(row).to_contain_text(self.case.reference)
            expect(row).to_contain_text("Notice sent")
        self.journey.check("DCO: escalation 2 went as the office's notice")

    def outcome_a(self, day, promised):
        """The head of service answers for both teams: the date the advice will come and why it is late."""
        from advice.models import DelayReason

        page = self.page
        self.on(day)
        self.as_user("head.of.service")
        for team in (OT, PAEDS):
            page.goto("/escalation/heads-of-service/")
            page.locator(f"a[href$='/heads-of-service/items/{self.items[team].pk}/outcome/']").click()
            page.get_by_label("The advice will be provided: give the date and the reason for the delay").check()
            group = page.get_by_role("group", name="Date the advice will be provided")
            group.get_by_label("Day").fill(str(promised.day))
            group.get_by_label("Month").fill(str(promised.month))
            group.get_by_label("Year").fill(str(promised.year))
            page.get_by_label("Main reason for the delay").select_option(label=DelayReason.CAPACITY.label)
            page.get_by_label("Reason for the delay, in your words").fill("Vacancies; a locum starts soon.")
            page.get_by_role("button", name="Save the outcome").click()
            expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
                f"Recorded: {team} will provide the advice by {promised.day} {promised:%B %Y}"
            )
        self.journey.check("head of service: both outcomes recorded")
        self.told.check("outcome A", **self.answer_to_the_la(MessageKind.HEAD_OF_SERVICE_OUTCOME, events=2))

    def promise_passes(self, promised):
        """The promised date passes without the advice: the LA is told once for each team, and business
        support finds both items flagged on the case."""
        passed_on = self.calendar.after(promised)
        self.sweep(passed_on)
        self.told.check("the promise passed", **self.answer_to_the_la(MessageKind.PROMISE_PASSED, events=2))
        self.sweep(self.calendar.after(passed_on))
        self.told.check("the day after the promise passed")

        page = self.page
        self.on(self.calendar.after(passed_on), hour=10)
        self.as_user("business.support")
        # The DCO's response, escalation 2, two outcomes, two promises passed; and the letter's flag.
        expect(self.header()).to_contain_text(f"{6 + self.ad_approval} unread")
        page.goto(f"/cases/{self.case.pk}/")
        for team in (OT, PAEDS):
            row = page.locator(".govuk-summary-list__row", has=page.get_by_text(team, exact=True))
            expect(row).to_contain_text(f"Advice promised by {promised.day} {promised:%b %Y}")
            expect(row.locator(".govuk-tag--red")).to_have_text("Promised date passed")
        self.journey.check("business support: both promised dates passed, flagged on the case")

    def returned_at_last(self, day):
        """OT and paediatrics return: the LA hears of each answer that came after an escalation."""
        from advice.models import AdviceItem

        self.on(day)
        self.return_advice("ot.practitioner", OT)
        self.return_advice("paeds.practitioner", PAEDS)
        self.told.check("returned at last", **self.answer_to_the_la(MessageKind.ADVICE_RETURNED_LATE, events=2))
        assert self.stages() == {SLT: "returned", OT: "returned", PAEDS: "returned"}
        assert not AdviceItem.objects.filter(request=self.advice_request, next_action_on__isnull=False).exists()

    def time_runs_on(self, last_return):
        """Every timer has stopped: nothing more goes, no digest either, however far time runs on."""
        from escalation.models import Escalation

        escalations = Escalation.objects.filter(request=self.advice_request).count()
        for days in (1, 3, 7, 14, 30, 90, 400):
            self.sweep(last_return + datetime.timedelta(days=days))
            self.told.check(f"{days} days after the last return")
        assert Escalation.objects.filter(request=self.advice_request).count() == escalations

    def return_advice(self, username, team):
        """A practitioner writes the team's Appendix C advice in the structured form."""
        page = self.page
        self.as_user(username)
        start_from_home(page, "Your team's advice")
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

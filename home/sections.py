"""What each role has to do today, as counts with a link to the list that holds them.

One definition of each count: every count here is `.count()` (or the length) of the very queryset or
selector the linked list shows its rows from, with the same arguments the list's own link carries,
so the number on the home page is the number of rows on the page it links to (up to that page's
size; tests/home/test_counts_agree.py). Nothing here filters anything itself.

A section is shown only to a holder of its role who may open the pages it links to: the same checks
as those pages' own decorators (a SPOC must also act as their provider's SPOC).
"""

import datetime
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.urls import reverse

from administration.access import is_administrator
from administration.invitations import people_with_states
from advice.discussion.selectors import unread_discussions
from advice.gate import READY_TO_DRAFT
from advice.selectors import drafts_started_items, spoc_awaiting_requests, spoc_item_counts, team_outstanding_items
from advice.sign_off_queue import awaiting_sign_off
from assessments.models import CaseStatus
from assessments.selectors import caseload_cases
from assessments.timeline import AMBER_DAYS
from ehc.access import can_act_as_spoc, works_on_cases
from ehc.models import OrganisationKind, Role
from escalation.approvals import letters_awaiting_approval
from escalation.selectors import escalation_2_due_items, hos_queue_items, responses_owed_escalations
from reports.selectors.overdue import ItemFilters, outstanding_items
from reviews.selectors import WORK_LISTS, work_list_counts


@dataclass
class Task:
    count: int
    # What is counted, as "<count> <one or many>": ("request to acknowledge", "requests to acknowledge").
    one: str
    many: str
    url: str
    # The caption of the table on the linked page that lists exactly these rows (the tests read it).
    caption: str

    @property
    def text(self):
        return f"{self.count:,} {self.one if self.count == 1 else self.many}"


@dataclass
class Section:
    role: str
    heading: str
    # The page this role's work starts from (where home used to send them).
    start_url: str
    start_label: str
    tasks: list = field(default_factory=list)

    @property
    def tasks_to_do(self):
        return [task for task in self.tasks if task.count]


def _url(name, **query):
    url = reverse(name)
    return f"{url}?{urlencode(query)}" if query else url


def _of_kind(user, kind):
    return user.organisation_id is not None and user.organisation.kind == kind


def _past_due_advice(user, today):
    """Outstanding advice past its due date, as the dashboard's "Past the due date" list holds it."""
    count = outstanding_items(user=user, today=today, filters=ItemFilters(stage="past_due")).count()
    return Task(
        count,
        "item of health advice past its due date",
        "items of health advice past their due date",
        _url("reports:items", stage="past_due"),
        "Outstanding health advice",
    )


def _late_cases(user, today, *, mine):
    query = {"mine": "on", "rag": "red"} if mine else {"rag": "red"}
    count = caseload_cases(user=user, today=today, mine=mine, rag="red").count()
    whose = "your" if mine else "the council's"
    return Task(
        count,
        f"of {whose} open cases is past its next statutory date",
        f"of {whose} open cases are past their next statutory date",
        _url("assessments:caseload", **query),
        "Open cases by next statutory date",
    )


def _my_cases_at(user, today, stage, one, many):
    """The officer's open cases at a stage of the caseload's Stage filter."""
    return Task(
        caseload_cases(user=user, today=today, mine=True, stage=stage).count(),
        one,
        many,
        _url("assessments:caseload", mine="on", stage=stage),
        "Open cases by next statutory date",
    )


# What each review work list holds, as (one, many): on the officer's own cases, and on the council's.
MY_REVIEW_TASKS = {
    "due": ("of your reviews is due in the next 12 weeks", "of your reviews are due in the next 12 weeks"),
    "invitations": ("of your reviews has invitations to send", "of your reviews have invitations to send"),
    "reports": ("of your reviews has its report late", "of your reviews have their reports late"),
    "decisions": ("of your reviews has its decision overdue", "of your reviews have their decisions overdue"),
    "amended_plans": (
        "of your reviews has its amended plan overdue",
        "of your reviews have their amended plans overdue",
    ),
}
COUNCIL_REVIEW_TASKS = {
    "invitations": ("review has invitations to send", "reviews have invitations to send"),
    "reports": ("review report not circulated in time", "review reports not circulated in time"),
    "decisions": ("review decision overdue", "review decisions overdue"),
    "amended_plans": ("amended plan overdue after a review", "amended plans overdue after a review"),
}


def _reviews(user, today, *, mine, keys):
    """Review work lists, on the officer's own cases or the council's: every list counted in one query by
    the lists' own conditions (reviews.selectors.work_list_counts, the page's counts too)."""
    counts = work_list_counts(user=user, today=today, mine=mine)
    words = MY_REVIEW_TASKS if mine else COUNCIL_REVIEW_TASKS
    query = {"mine": "on"} if mine else {}
    return [
        Task(
            counts[work_list.key],
            *words[work_list.key],
            _url("reviews:work_list", list=work_list.key, **query),
            work_list.caption,
        )
        for work_list in WORK_LISTS
        if work_list.key in keys
    ]


def _case_officer(user, today):
    soon = caseload_cases(user=user, today=today, mine=True, rag="amber").count()
    return Section(
        Role.CASE_OFFICER,
        "As a SEND case officer",
        reverse("assessments:caseload"),
        "Your caseload",
        [
            _late_cases(user, today, mine=True),
            Task(
                soon,
                f"of your open cases has a statutory date in the next {AMBER_DAYS} days",
                f"of your open cases have a statutory date in the next {AMBER_DAYS} days",
                _url("assessments:caseload", mine="on", rag="amber"),
                "Open cases by next statutory date",
            ),
            _my_cases_at(
                user,
                today,
                CaseStatus.AWAITING_DECISION.value,
                "of your cases is awaiting a decision to assess",
                "of your cases are awaiting a decision to assess",
            ),
            # The drafting gate open (advice.gate.ready_to_draft_q): the case page's own definition.
            _my_cases_at(
                user,
                today,
                READY_TO_DRAFT,
                "of your cases is ready to draft: all its health advice is in",
                "of your cases are ready to draft: all their health advice is in",
            ),
            *_reviews(user, today, mine=True, keys=MY_REVIEW_TASKS),
        ],
    )


def _business_support(user, today):
    return Section(
        Role.BUSINESS_SUPPORT,
        "As SEND business support",
        reverse("assessments:caseload"),
        "The council's caseload",
        # Business support sends a review's invitations and circulates its report.
        [
            _late_cases(user, today, mine=False),
            _past_due_advice(user, today),
            *_reviews(user, today, mine=False, keys=("invitations", "reports")),
        ],
    )


def _send_manager(user, today):
    return Section(
        Role.SEND_MANAGER,
        "As the SEND manager",
        reverse("reports:dashboard"),
        "Overdue advice dashboard",
        # The council's decisions after reviews, and the amended plans that follow them.
        [
            _late_cases(user, today, mine=False),
            _past_due_advice(user, today),
            *_reviews(user, today, mine=False, keys=("decisions", "amended_plans")),
        ],
    )


def _ad_education(user, today):
    letters = letters_awaiting_approval(user=user).count()
    return Section(
        Role.AD_EDUCATION,
        "As Assistant Director of Education",
        reverse("reports:dashboard"),
        "Overdue advice dashboard",
        [
            Task(
                letters,
                "escalation letter to approve",
                "escalation letters to approve",
                _url("escalation:approvals"),
                "waiting, oldest first",
            ),
            _past_due_advice(user, today),
        ],
    )


def _spoc(user, today):
    provider = user.organisation
    awaiting = spoc_awaiting_requests(provider=provider).count()
    items = spoc_item_counts(provider=provider, today=today)
    queue = _url("advice:spoc_queue")
    # The SPOC answers escalation 2 for every team of the provider (escalation.access.answerable_teams).
    waiting = hos_queue_items(user=user).count()
    return Section(
        Role.SPOC,
        "As the health single point of contact",
        queue,
        "Requests for health advice",
        [
            Task(
                awaiting,
                "request for health advice to acknowledge",
                "requests for health advice to acknowledge",
                queue,
                "Awaiting acknowledgement",
            ),
            Task(items["overdue"], "item of advice overdue", "items of advice overdue", queue, "Overdue"),
            Task(
                items["due_soon"],
                "item of advice due in the next 2 weeks",
                "items of advice due in the next 2 weeks",
                queue,
                "Due in the next 2 weeks",
            ),
            Task(
                waiting,
                "item escalated to the heads of service (escalation 2)",
                "items escalated to the heads of service (escalation 2)",
                _url("escalation:hos_queue"),
                "Waiting for the advice, by response date",
            ),
        ],
    )


def _practitioner(user, today):
    count = team_outstanding_items(user=user).count()
    queue = _url("advice:team_queue")
    tasks = [
        Task(
            count,
            "item of advice for your team to write",
            "items of advice for your teams to write",
            queue,
            "Advice to write, by due date",
        )
    ]
    tasks.append(
        Task(
            drafts_started_items(user=user).count(),
            "draft you started, not yet returned",
            "drafts you started, not yet returned",
            _url("advice:team_queue", drafts="mine"),
            "Drafts you started, by due date",
        )
    )
    if user.teams_led.exists():
        # A team lead's (docs/decisions/0036-team-lead-sign-off.md): the returns waiting for them.
        tasks.append(
            Task(
                len(awaiting_sign_off(user=user)),
                "return awaiting your sign-off",
                "returns awaiting your sign-off",
                _url("advice:sign_off_queue"),
                "Advice awaiting your sign-off, oldest first",
            )
        )
    return Section(Role.PRACTITIONER, "As a health practitioner", queue, "Your team's advice", tasks)


def _head_of_service(user, today):
    count = hos_queue_items(user=user).count()
    queue = _url("escalation:hos_queue")
    return Section(
        Role.HEAD_OF_SERVICE,
        "As a head of service",
        queue,
        "Escalations",
        [
            Task(
                count,
                "item of advice escalated to you",
                "items of advice escalated to you",
                queue,
                "Waiting for the advice, by response date",
            )
        ],
    )


def _dco(user, today):
    owed = responses_owed_escalations(user=user).count()
    due = escalation_2_due_items(user=user).count()
    return Section(
        Role.DCO,
        "As the Designated Clinical Officer",
        reverse("reports:dashboard"),
        "Overdue advice dashboard",
        [
            Task(
                owed,
                "response to an escalation 1 letter owed",
                "responses to escalation 1 letters owed",
                _url("escalation:responses_owed"),
                "Responses owed, by due date",
            ),
            Task(
                due,
                "item of advice at escalation 1 that a resolution could stop going to escalation 2",
                "items of advice at escalation 1 that a resolution could stop going to escalation 2",
                _url("escalation:resolutions_due"),
                "Escalation 2 due, soonest first",
            ),
            _past_due_advice(user, today),
        ],
    )


def _administrator(user, today):
    waiting = len(people_with_states(organisation=user.organisation, not_signed_in=True))
    return Section(
        Role.ADMINISTRATOR,
        "As an administrator",
        reverse("administration:index"),
        "Administration",
        [
            Task(
                waiting,
                "person invited who has not signed in yet",
                "people invited who have not signed in yet",
                _url("administration:people", show="not-signed-in"),
                "People at",
            )
        ],
    )


LA, PROVIDER, ICB = OrganisationKind.LOCAL_AUTHORITY, OrganisationKind.HEALTH_PROVIDER, OrganisationKind.ICB

# In the product's order of roles: (role, who may open the section's pages, the section).
SECTIONS = (
    (Role.CASE_OFFICER, lambda user: _of_kind(user, LA), _case_officer),
    (Role.BUSINESS_SUPPORT, lambda user: _of_kind(user, LA), _business_support),
    (Role.AD_EDUCATION, lambda user: _of_kind(user, LA), _ad_education),
    (Role.SEND_MANAGER, lambda user: _of_kind(user, LA), _send_manager),
    (Role.SPOC, lambda user: _of_kind(user, PROVIDER) and can_act_as_spoc(user, user.organisation), _spoc),
    (Role.PRACTITIONER, lambda user: _of_kind(user, PROVIDER), _practitioner),
    (Role.HEAD_OF_SERVICE, lambda user: _of_kind(user, PROVIDER), _head_of_service),
    (Role.DCO, lambda user: _of_kind(user, ICB), _dco),
    (Role.ADMINISTRATOR, is_administrator, _administrator),
)


def sections_for(user, *, today: datetime.date) -> list[Section]:
    """The user's sections, one per role they hold and may work in."""
    if not user.is_active:
        return []
    sections = [build(user, today) for role, allowed, build in SECTIONS if user.has_role(role) and allowed(user)]
    unread = unread_discussions(user).count() if sections and works_on_cases(user) else 0
    if unread:  # every role on cases has discussions (decision 0046), shown when something is unread
        url, many = reverse("advice:discussions"), "case discussions with unread messages"
        task = Task(unread, many.replace("discussions", "discussion"), many, url, many.capitalize())
        sections.append(Section("discussions", "Case discussions", url, "Your unread discussions", [task]))
    return sections

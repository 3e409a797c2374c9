"""The case page reads a fixed number of queries however much the case holds (issue 8, B6), and
shows everything it showed before: advice, escalations and letters, stage history, exceptions, the
draft plan and its comments, the audit trail."""

import datetime
from types import SimpleNamespace

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from advice.models import AdviceItem, AdviceReturn, ItemStatus
from assessments.models import CaseStatus, DraftComment, DraftPlan, ExceptionReason, TimelineException
from ehc.models import AuditEvent
from escalation.models import Letter

from ..escalation.conftest import make_request, sweep
from ..factories import ProviderFactory, TeamFactory

pytestmark = pytest.mark.django_db

D = datetime.date
NOW = datetime.datetime(2027, 2, 8, 10, 0, tzinfo=datetime.UTC)


def _escalated_case(ours, *, providers=1):
    """A case whose advice went through a chase, escalation 1 (with its letter) and escalation 2,
    asked of `providers` providers, one team's advice back, one head of service's answer in."""
    first = make_request(ours, notified_on=D(2026, 11, 20), teams=[ours.slt, ours.ot, ours.paeds], first_name="Rowan")
    case = first.case
    case.status = CaseStatus.ASSESSING
    case.decision_on, case.decided_to_assess = D(2026, 10, 1), True
    case.save()
    for n in range(1, providers):
        other = ProviderFactory(name=f"Provider {n} of many", short_name=f"P{n}")
        other.served_las.add(ours.la)
        make_request(
            SimpleNamespace(la=ours.la, provider=other, case_officer=ours.case_officer),
            case=case,
            notified_on=D(2026, 11, 20),
            teams=[TeamFactory(provider=other, name=f"Team {n}.{t}") for t in range(3)],
        )
    sweep(D(2027, 1, 22))
    sweep(D(2027, 2, 5))
    Letter.objects.filter(escalation__request__case=case).update(
        pdf=b"%PDF-1.7 stored", sha256="0" * 64, rendered_at=timezone.now()
    )
    returned = AdviceItem.objects.get(case=case, team=ours.ot)
    AdviceItem.objects.filter(pk=returned.pk).update(
        status=ItemStatus.RETURNED, returned_on=D(2027, 2, 1), next_action_on=None
    )
    AdviceReturn.objects.create(
        item=returned, description_of_needs="Needs", document_type="pdf", returned_by=ours.ot_practitioner
    )
    AdviceItem.objects.filter(case=case, team=ours.paeds).update(
        promised_on=D(2027, 3, 1),
        delay_reason="capacity",
        delay_detail="Two vacancies",
        head_of_service_responded_at=timezone.now(),
        head_of_service_responded_by=ours.head_of_service,
    )
    TimelineException.objects.create(
        case=case,
        reason=ExceptionReason.MISSED_APPOINTMENT,
        detail="Missed the assessment",
        agreed_by="Head of SEND",
        starts_on=D(2026, 12, 1),
        recorded_by=ours.case_officer,
    )
    return case


def _with_draft_plan(case, ours, theirs):
    case.status, case.draft_plan_sent_on = CaseStatus.DRAFT_PLAN, D(2027, 2, 3)
    case.save()
    plan = DraftPlan.objects.create(
        case=case, sent_on=D(2027, 2, 3), section_c="Needs C", section_g="Provision G", recorded_by=ours.case_officer
    )
    DraftComment.objects.create(draft_plan=plan, author=ours.slt_practitioner, team=ours.slt, section="C", text="Ours")
    DraftComment.objects.create(draft_plan=plan, author=theirs.spoc, team=theirs.slt, section="G", text="Theirs")
    return plan


def _page(client, case):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/cases/{case.pk}/")
    assert response.status_code == 200
    return response, [q["sql"] for q in queries]


@pytest.fixture
def now():
    with time_machine.travel(NOW, tick=False):
        yield


# The request around the view: the user with their organisation, and the two-factor device (the
# session comes from the cache: tests/security/test_sessions.py).
MIDDLEWARE_QUERIES = 2
# The view: the case row with its lists, the audit INSERT ('Viewed the case record'), the advice items.
VIEW_QUERIES = 3


def _view_queries(queries):
    """The queries from the case's SELECT on: the view's own, whatever the middleware reads first."""
    start = next(i for i, sql in enumerate(queries) if sql.startswith('SELECT "assessments_case"."id"'))
    return queries[start:]


def test_case_officers_page_is_a_fixed_number_of_queries(ours, login, now):
    case = _escalated_case(ours)
    client = login(ours.case_officer)
    response, queries = _page(client, case)
    view = _view_queries(queries)
    assert len(view) == VIEW_QUERIES, "\n".join(view)
    assert view[1].startswith('INSERT INTO "ehc_auditevent"')
    assert len(queries) == MIDDLEWARE_QUERIES + VIEW_QUERIES, "\n".join(queries)
    # Everything the page shows came with those queries.
    html = response.content.decode()
    for shown in ("Letter of ", "Stage history", "Missed the assessment", "Two vacancies", "Viewed the case record"):
        assert shown in html


def test_the_whole_request_counts_the_same_with_django_assert_num_queries(ours, login, now, django_assert_num_queries):
    case = _escalated_case(ours)
    client = login(ours.case_officer)
    client.get(f"/cases/{case.pk}/")  # the session's first request may write it
    with django_assert_num_queries(MIDDLEWARE_QUERIES + VIEW_QUERIES):
        assert client.get(f"/cases/{case.pk}/").status_code == 200


def test_query_count_does_not_grow_with_what_the_case_holds(ours, theirs, login, now):
    small = _escalated_case(ours)
    _with_draft_plan(small, ours, theirs)
    large = _escalated_case(ours, providers=4)
    plan = _with_draft_plan(large, ours, theirs)
    for n in range(5):
        DraftComment.objects.create(draft_plan=plan, author=ours.spoc, team=ours.ot, section="G", text=f"More {n}")
    for n in range(5):
        TimelineException.objects.create(
            case=large,
            reason=ExceptionReason.PERSONAL_CIRCUMSTANCES,
            detail=f"Exception {n}",
            agreed_by="Head of SEND",
            starts_on=D(2026, 12, 1),
            recorded_by=ours.case_officer,
        )
    assert Letter.objects.filter(escalation__request__case=large).count() == 4
    for user in (ours.case_officer, ours.dco, ours.spoc, ours.slt_practitioner, ours.head_of_service):
        client = login(user)
        client.get(f"/cases/{small.pk}/")
        _, few = _page(client, small)
        response, many = _page(client, large)
        assert len(few) == len(many), f"{user.username}: {len(few)} then {len(many)}"
    html = response.content.decode()
    assert "Exception 4" in html


def test_the_page_shows_what_it_read_with_the_case(ours, theirs, login, now):
    case = _escalated_case(ours, providers=2)
    _with_draft_plan(case, ours, theirs)
    client = login(ours.case_officer)
    client.get(f"/cases/{case.pk}/")
    response, _ = _page(client, case)
    context = response.context
    # The trail: this view first, then the earlier view, each with its organisation.
    events = context["audit_events"]
    assert [e.summary for e in events[:2]] == ["Viewed the case record"] * 2
    assert events[0].pk == AuditEvent.objects.filter(case=case).latest("at", "id").pk
    assert all(e.organisation.name == ours.la.name for e in events[:2])
    assert events[0].at >= events[1].at
    # Lists rebuilt from the case's row carry real types and their related rows.
    exception = context["exceptions"][0]
    assert exception.starts_on == D(2026, 12, 1) and exception.recorded_by.pk == ours.case_officer.pk
    escalations = context["case_escalations"]["escalations"]
    stages = ["chase", "chase", "escalation_1", "escalation_1", "escalation_2", "escalation_2"]
    assert sorted(e.stage for e in escalations) == stages
    assert escalations == sorted(escalations, key=lambda e: (e.issued_on, e.pk))
    letters = [e.letter_row for e in escalations if e.letter_row is not None]
    assert len(letters) == 2 and all(e.can_download for e in escalations if e.letter_row is not None)
    assert {e.provider.name for e in escalations} == {ours.provider.name, "Provider 1 of many"}
    changes = context["case_escalations"]["stage_changes"]
    assert changes and all(isinstance(c.on, datetime.date) and c.item.team.name for c in changes)
    panel = context["advice_panel"]
    assert [r.provider.name for r in panel.requests] == sorted([ours.provider.name, "Provider 1 of many"])
    assert panel.draft_plan.section_c == "Needs C"
    assert {c.text for c in panel.comments} == {"Ours", "Theirs"}
    assert [o.pk for o in context["officers"]] == [ours.case_officer.pk]


def test_health_staff_see_their_own_providers_comments_only(ours, theirs, login, now):
    case = _escalated_case(ours)
    _with_draft_plan(case, ours, theirs)
    AdviceItem.objects.filter(case=case, team=ours.slt).update(
        status=ItemStatus.RETURNED, returned_on=D(2027, 2, 1), next_action_on=None
    )
    panel = login(ours.slt_practitioner).get(f"/cases/{case.pk}/").context["advice_panel"]
    assert panel.draft_visible and [c.text for c in panel.comments] == ["Ours"]


def test_a_case_with_nothing_on_it_yet(ours, login):
    from ..factories import CaseFactory

    case = CaseFactory(local_authority=ours.la)
    response, queries = _page(login(ours.case_officer), case)
    assert len(_view_queries(queries)) == VIEW_QUERIES
    panel = response.context["advice_panel"]
    assert panel.requests == [] and panel.can_request and panel.draft_plan is None
    assert response.context["case_escalations"]["escalations"] == []

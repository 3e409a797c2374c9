"""The escalation pages: heads of service's queue and outcome, the DCO's response, letter downloads,
the case page's escalation section. Every view: own organisation, other organisation, missing: 404."""

import datetime
import io

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from advice.models import AdviceItem, ItemStatus
from ehc.models import AuditAction, AuditEvent, MessageKind, MessageStatus, OutboundEmail, Role
from escalation.models import Escalation, EscalationStage, Letter
from tests.factories import UserFactory

from .conftest import make_request, sweep

D = datetime.date
TODAY = datetime.datetime(2027, 2, 8, 10, 0, tzinfo=datetime.UTC)
pytestmark = pytest.mark.django_db


@pytest.fixture
def escalated(ours, theirs):
    """A request of ours at escalation 2 (escalation 1 on 22 Jan, escalation 2 on 5 Feb), its letter
    already rendered."""
    request = make_request(ours, notified_on=D(2026, 11, 20), teams=[ours.slt], first_name="Rowan")
    sweep(D(2027, 1, 22))
    sweep(D(2027, 2, 5))
    Letter.objects.filter(escalation__request=request).update(
        pdf=b"%PDF-1.7 stored", sha256="0" * 64, rendered_at=timezone.now()
    )
    with time_machine.travel(TODAY, tick=False):
        yield request


def item_of(request):
    return AdviceItem.objects.get(request=request)


# Heads of service


def test_hos_queue_lists_own_teams_escalations_only(escalated, ours, theirs, login):
    response = login(ours.head_of_service).get(reverse("escalation:hos_queue"))
    assert response.status_code == 200
    assert escalated.case.reference in response.content.decode()
    assert "19 Feb 2027" in response.content.decode()  # 10 working days after 5 February
    assert escalated.case.reference in login(ours.spoc).get(reverse("escalation:hos_queue")).content.decode()
    other = login(theirs.head_of_service).get(reverse("escalation:hos_queue"))
    assert other.status_code == 200 and escalated.case.reference not in other.content.decode()


def test_hos_queue_is_404_for_other_roles(escalated, ours, login):
    for user in (ours.slt_practitioner, ours.case_officer, ours.dco):
        assert login(user).get(reverse("escalation:hos_queue")).status_code == 404


def test_hos_outcome_permission_boundary(escalated, ours, theirs, login):
    url = reverse("escalation:hos_outcome", args=[item_of(escalated).pk])
    assert login(ours.head_of_service).get(url).status_code == 200
    assert login(theirs.head_of_service).get(url).status_code == 404
    assert (
        login(ours.head_of_service).get(reverse("escalation:hos_outcome", args=[999999])).status_code == 404
    )
    other_team_head = UserFactory(
        username="hos-paeds", organisation=ours.provider, roles=[Role.HEAD_OF_SERVICE], teams=[ours.paeds]
    )
    assert login(other_team_head).get(url).status_code == 404
    assert login(ours.case_officer).get(url).status_code == 404


def test_hos_outcome_a_records_the_promised_date_and_reason(escalated, ours, login):
    item = item_of(escalated)
    response = login(ours.head_of_service).post(
        reverse("escalation:hos_outcome", args=[item.pk]),
        {
            "outcome": "promised",
            "promised_on_0": "26",
            "promised_on_1": "2",
            "promised_on_2": "2027",
            "delay_reason": "capacity",
            "delay_detail": "Two therapists off sick",
        },
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.status, item.promised_on, item.delay_reason) == (
        ItemStatus.OUTSTANDING,
        D(2027, 2, 26),
        "capacity",
    )
    assert item.head_of_service_responded_by == ours.head_of_service
    escalation = Escalation.objects.get(request=escalated, stage=EscalationStage.ESCALATION_2)
    assert escalation.responded_at is not None
    assert AuditEvent.objects.filter(case=escalated.case, summary__contains="promised the advice").exists()
    # A promise that passes without the advice keeps the item overdue and flagged.
    from escalation.selectors import Flag, item_flags

    assert item_flags(item, D(2027, 2, 27)) == [Flag.PROMISE_PASSED]


def test_hos_outcome_with_bad_input_changes_nothing_and_keeps_what_was_typed(escalated, ours, login):
    item = item_of(escalated)
    url = reverse("escalation:hos_outcome", args=[item.pk])
    response = login(ours.head_of_service).post(
        url,
        {
            "outcome": "promised",
            "promised_on_0": "1",
            "promised_on_1": "2",
            "promised_on_2": "2027",
            "delay_reason": "",
            "delay_detail": "Typed <b>text</b>",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "must be today or in the future" in page and "Select the main reason for the delay" in page
    assert "Typed &lt;b&gt;text&lt;/b&gt;" in page
    assert login(ours.head_of_service).post(url, {}).status_code == 200
    item.refresh_from_db()
    assert item.head_of_service_responded_at is None


def test_hos_outcome_b_closes_the_item_and_cancels_unsent_timer_emails(escalated, ours, login):
    item = item_of(escalated)
    assert OutboundEmail.objects.filter(advice_request=escalated, status=MessageStatus.PENDING).exists()
    response = login(ours.spoc).post(
        reverse("escalation:hos_outcome", args=[item.pk]),
        {
            "outcome": "not_provided",
            "not_provided_reason": "not_required",
            "not_provided_detail": "Not needed",
        },
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.status, item.next_action_on, item.not_provided_reason) == (
        ItemStatus.NOT_PROVIDED,
        None,
        "not_required",
    )
    pending = OutboundEmail.objects.filter(advice_request=escalated, status=MessageStatus.PENDING)
    # The timer emails are cancelled; the outcome's answer to the LA (issue 14) is what is left to send.
    assert list(pending.values_list("kind", flat=True)) == [MessageKind.HEAD_OF_SERVICE_OUTCOME]
    # The heads of service's window then passes with nothing owed: no overdue email.
    sweep(D(2027, 2, 22))
    assert not OutboundEmail.objects.filter(kind=MessageKind.HEAD_OF_SERVICE_OVERDUE).exists()


# The DCO's response to escalation 1


def test_dco_records_the_response_to_escalation_1(escalated, ours, theirs, login):
    escalation = Escalation.objects.get(request=escalated, stage=EscalationStage.ESCALATION_1)
    url = reverse("escalation:respond", args=[escalation.pk])
    assert login(theirs.dco).get(url).status_code == 404
    assert login(ours.case_officer).get(url).status_code == 404
    assert login(ours.case_officer).get(reverse("escalation:responses_owed")).status_code == 404
    assert login(ours.dco).get(reverse("escalation:respond", args=[999999])).status_code == 404
    owed = login(ours.dco).get(reverse("escalation:responses_owed")).content.decode()
    assert escalated.case.reference in owed and "Overdue" in owed
    assert (
        escalated.case.reference
        not in login(theirs.dco).get(reverse("escalation:responses_owed")).content.decode()
    )

    assert "Enter the DCO/DMO office" in login(ours.dco).post(url, {"response": " "}).content.decode()
    response = login(ours.dco).post(url, {"response": "Advice expected by 12 February"})
    assert response.status_code == 302
    escalation.refresh_from_db()
    assert escalation.response == "Advice expected by 12 February" and escalation.responded_by == ours.dco
    assert (
        escalated.case.reference
        not in login(ours.dco).get(reverse("escalation:responses_owed")).content.decode()
    )


# Letters


def test_letter_download_permission_boundary(escalated, ours, theirs, login):
    letter = Letter.objects.get(escalation__request=escalated)
    url = reverse("escalation:letter_download", args=[letter.pk])
    for user in (ours.case_officer, ours.ad, ours.dco, ours.spoc, ours.head_of_service):
        response = login(user).get(url)
        assert response.status_code == 200, user
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith('attachment; filename="escalation-1-')
        assert b"".join(response) == b"%PDF-1.7 stored"
        assert AuditEvent.objects.filter(actor=user, action=AuditAction.DOWNLOAD).count() == 1
    for user in (ours.slt_practitioner, theirs.case_officer, theirs.ad, theirs.dco, theirs.spoc):
        assert login(user).get(url).status_code == 404, user


def test_letter_download_of_a_missing_letter_is_404(escalated, ours, login):
    assert (
        login(ours.case_officer).get(reverse("escalation:letter_download", args=[999999])).status_code == 404
    )


# The case page's section


def test_case_section_shows_what_each_user_may_see(escalated, ours, theirs):
    def section(user):
        return render_to_string("escalation/_case_escalations.html", {"case": escalated.case, "user": user})

    letter = Letter.objects.get(escalation__request=escalated)
    download = reverse("escalation:letter_detail", args=[letter.pk])
    for_la = section(ours.case_officer)
    assert download in for_la
    assert "Escalation 2" in for_la and "Waiting for the head of service: due 19 Feb 2027" in for_la
    assert "Stage history" in for_la
    escalation = Escalation.objects.get(request=escalated, stage=EscalationStage.ESCALATION_1)
    assert reverse("escalation:respond", args=[escalation.pk]) in section(ours.dco)
    assert reverse("escalation:respond", args=[escalation.pk]) not in for_la
    assert reverse("escalation:hos_outcome", args=[item_of(escalated).pk]) in section(ours.head_of_service)
    assert download not in section(ours.slt_practitioner)
    assert "Chases and escalations" not in section(theirs.spoc)


# The management command


def test_sweep_command_dry_run_prints_and_changes_nothing(world):
    make_request(world, notified_on=D(2026, 11, 20))
    out = io.StringIO()
    call_command("sweep", "--now", "2027-01-04T08:00", "--dry-run", stdout=out)
    assert "Dry run: nothing was changed or sent. As of Monday 4 January 2027 08:00" in out.getvalue()
    assert "Chase sent to the SPOC: SLT Ours" in out.getvalue()
    assert not OutboundEmail.objects.exists() and not Escalation.objects.exists()
    call_command("sweep", "--now", "2027-01-04T08:00", stdout=io.StringIO())
    assert OutboundEmail.objects.get().kind == MessageKind.CHASE
    with pytest.raises(CommandError):
        call_command("sweep", "--now", "next tuesday")

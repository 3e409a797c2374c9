"""The advice workflows' rules, below the pages: timers, the gate, the comment period."""

import datetime

import pytest
from django.utils import timezone

from advice import services
from advice.models import AdviceItem, ItemStatus, KnownStatus, Stage
from advice.services import answers
from assessments.models import CaseStatus
from ehc.models import LocalAuthoritySettings, MessageKind, MessageStatus, OutboundEmail, Service

from .conftest import NOTIFIED, decline, record_draft, request_advice, return_advice


@pytest.fixture
def advice_request(ours, case, travel):
    travel(NOTIFIED)
    return request_advice(case, ours)


def _pending_chase(advice_request):
    return OutboundEmail.objects.create(
        kind=MessageKind.CHASE,
        dedupe_key=f"chase:{advice_request.pk}",
        to=["spoc@example.org"],
        subject="Chase",
        body_text="Chase",
        advice_request=advice_request,
        case=advice_request.case,
        next_attempt_at=timezone.now(),
    )


def test_the_due_date_follows_the_las_advice_period(ours, case, travel):
    travel(NOTIFIED)
    LocalAuthoritySettings.objects.filter(local_authority=ours.la).update(advice_period_days=30)
    advice_request = request_advice(case, ours, services=[Service.SLT])
    assert advice_request.due_on == NOTIFIED + datetime.timedelta(days=30)
    assert advice_request.items.get().next_action_on == advice_request.due_on


def test_returning_the_last_outstanding_advice_stops_every_timer(advice_request, ours, travel):
    chase = _pending_chase(advice_request)
    slt, ot = advice_request.items.get(team=ours.slt), advice_request.items.get(team=ours.ot)
    # Escalated items stop too, whatever their stage.
    AdviceItem.objects.filter(pk=ot.pk).update(stage=Stage.ESCALATION_2)
    travel(NOTIFIED + datetime.timedelta(days=70))
    return_advice(slt, ours.slt_practitioner)
    chase.refresh_from_db()
    assert chase.status == MessageStatus.PENDING  # OT is still outstanding
    return_advice(advice_request.items.get(team=ours.ot), ours.ot_practitioner)
    chase.refresh_from_db()
    assert chase.status == MessageStatus.CANCELLED
    assert list(advice_request.items.values_list("next_action_on", flat=True)) == [None, None]


def test_not_provided_closes_the_item_like_a_return(advice_request, ours):
    chase = _pending_chase(advice_request)
    for item in advice_request.items.all():
        services.advice_not_provided(
            item=item,
            user=ours.spoc,
            reason="dna",
            detail="Three appointments missed",
            decided_by="Head",
            decided_on=NOTIFIED,
        )
    item = advice_request.items.first()
    assert (item.status, item.next_action_on, item.closed_on) == (ItemStatus.NOT_PROVIDED, None, NOTIFIED)
    assert item.not_provided_decided_by == "Head"
    chase.refresh_from_db()
    assert chase.status == MessageStatus.CANCELLED


def test_an_exception_keeps_the_item_outstanding_and_its_timer_untouched(advice_request, ours):
    slt = advice_request.items.get(team=ours.slt)
    services.advice_exception_record(item=slt, user=ours.spoc, reason="away", detail="Abroad until March")
    slt.refresh_from_db()
    assert slt.status == ItemStatus.OUTSTANDING and slt.is_excepted
    assert (slt.next_action_on, slt.stage) == (slt.due_on, Stage.REQUESTED)
    assert (slt.exception_recorded_on, slt.exception_recorded_by) == (NOTIFIED, ours.spoc)
    # Excepted advice is still awaited: the gate stays shut.
    with pytest.raises(services.DraftGateClosed):
        services.draft_plan_record(
            case=advice_request.case, user=ours.case_officer, sent_on=NOTIFIED, section_c="c", section_g="g"
        )


def test_the_acknowledgement_adds_and_removes_teams(advice_request, ours):
    chase = _pending_chase(advice_request)
    services.advice_acknowledge(
        advice_request=advice_request,
        user=ours.spoc,
        answers=[
            services.TeamAnswer(
                team=ours.slt, known_status=services.NOT_INVOLVED, removed_reason="Not known"
            ),
            services.TeamAnswer(
                team=ours.ot, known_status=services.NOT_INVOLVED, removed_reason="Discharged"
            ),
            services.TeamAnswer(team=ours.paeds, known_status=KnownStatus.WAITING_LIST),
        ],
        note="Paediatrics holds the referral",
    )
    items = {item.team_id: item for item in advice_request.items.all()}
    assert items[ours.slt.pk].status == ItemStatus.REMOVED and items[ours.slt.pk].next_action_on is None
    assert items[ours.ot.pk].removed_reason == "Discharged"
    paeds = items[ours.paeds.pk]
    assert (paeds.status, paeds.known_status, paeds.added_by_spoc) == (
        ItemStatus.OUTSTANDING,
        KnownStatus.WAITING_LIST,
        True,
    )
    assert (paeds.due_on, paeds.next_action_on, paeds.stage) == (
        advice_request.due_on,
        advice_request.due_on,
        Stage.REQUESTED,
    )
    chase.refresh_from_db()
    assert chase.status == MessageStatus.PENDING  # paediatrics is outstanding


def test_an_answered_team_cannot_be_removed(advice_request, ours):
    return_advice(advice_request.items.get(team=ours.slt), ours.slt_practitioner)
    with pytest.raises(services.AdviceError, match="already answered"):
        services.advice_acknowledge(
            advice_request=advice_request,
            user=ours.spoc,
            answers=[
                services.TeamAnswer(team=ours.slt, known_status=services.NOT_INVOLVED, removed_reason="x")
            ],
        )
    assert not AdviceItem.objects.filter(status=ItemStatus.REMOVED).exists()


def test_another_providers_team_cannot_be_added(advice_request, ours, theirs):
    with pytest.raises(services.AdviceError):
        services.advice_acknowledge(
            advice_request=advice_request,
            user=ours.spoc,
            answers=[services.TeamAnswer(team=theirs.slt, known_status=KnownStatus.KNOWN_OPEN)],
        )
    assert not AdviceItem.objects.filter(team=theirs.slt).exists()


def test_one_request_per_provider_and_only_while_assessing(advice_request, ours, case):
    with pytest.raises(services.AdviceError, match="already been requested"):
        request_advice(case, ours)
    case.status = CaseStatus.WITHDRAWN
    case.save()
    with pytest.raises(services.AdviceError, match="while the case is open"):
        request_advice(case, ours)


def test_the_gate_opens_when_every_tracked_item_is_answered(advice_request, ours, case):
    with pytest.raises(services.DraftGateClosed) as closed:
        services.draft_plan_record(
            case=case, user=ours.case_officer, sent_on=NOTIFIED, section_c="c", section_g="g"
        )
    assert {item.team for item in closed.value.items} == {ours.slt, ours.ot}
    return_advice(advice_request.items.get(team=ours.slt), ours.slt_practitioner)
    decline(advice_request.items.get(team=ours.ot), ours.spoc, reason="other")
    draft = record_draft(case, ours)
    case.refresh_from_db()
    assert (case.status, case.draft_plan_sent_on, draft.sent_on) == (
        CaseStatus.DRAFT_PLAN,
        NOTIFIED,
        NOTIFIED,
    )
    # No team can be added once the draft is out: the gate would be passed behind its back.
    with pytest.raises(services.AdviceError):
        services.advice_acknowledge(
            advice_request=advice_request,
            user=ours.spoc,
            answers=[services.TeamAnswer(team=ours.paeds, known_status=KnownStatus.KNOWN_OPEN)],
        )


def test_comments_close_after_15_days_and_only_advice_givers_comment(advice_request, ours, case, travel):
    return_advice(advice_request.items.get(team=ours.slt), ours.slt_practitioner)
    decline(advice_request.items.get(team=ours.ot), ours.spoc, reason="other")
    draft = record_draft(case, ours)
    with pytest.raises(services.AdviceError, match="team that gave advice"):
        services.draft_comment_add(
            draft_plan=draft, user=ours.ot_practitioner, team=ours.ot, section="C", text="t"
        )
    travel(NOTIFIED + datetime.timedelta(days=15))
    services.draft_comment_add(
        draft_plan=draft, user=ours.spoc, team=ours.slt, section="C", text="on the last day"
    )
    travel(NOTIFIED + datetime.timedelta(days=16))
    with pytest.raises(services.AdviceError, match="comment period ended"):
        services.draft_comment_add(
            draft_plan=draft, user=ours.slt_practitioner, team=ours.slt, section="C", text="late"
        )
    assert draft.comments.count() == 1


def test_a_rolled_back_return_leaves_no_file_behind(advice_request, ours, tmp_path, monkeypatch):
    import os

    from django.core.files.uploadedfile import SimpleUploadedFile

    from advice.uploads import check_upload

    from .files import pdf_bytes

    def broken(**kwargs):
        raise RuntimeError("mail queue down")

    # advice_return calls the notifier of its own module (advice.services.answers).
    monkeypatch.setattr(answers, "advice_returned_notify", broken)
    document = SimpleUploadedFile("advice.pdf", pdf_bytes())
    with pytest.raises(RuntimeError):
        services.advice_return(
            item=advice_request.items.get(team=ours.slt),
            user=ours.slt_practitioner,
            returned_on=NOTIFIED,
            content={},
            document=document,
            checked=check_upload(document),
        )
    assert [name for _, _, names in os.walk(tmp_path) for name in names] == []

"""The draft plan: recorded only once no tracked advice is outstanding (the drafting gate), then
shared with the teams that gave advice for comment."""

from django.db import transaction
from django.utils import timezone

from assessments.models import CaseStatus, DraftComment, DraftPlan
from ehc.audit import audit_record
from ehc.models import AuditAction, MessageKind, Role
from ehc.outbox import email_queue

from ..gate import draft_gate_outstanding
from ..selectors import draft_advice_teams, draft_teams_for
from .common import AdviceError, DraftGateClosed, _lock_case, _path


@transaction.atomic
def draft_plan_record(*, case, user, sent_on, section_c, section_g) -> DraftPlan:
    """Record the draft plan sent to the family. Refused while any tracked health advice is outstanding
    (the drafting gate); the teams that gave advice are told and may comment for 15 days."""
    case = _lock_case(case.pk)
    if case.status != CaseStatus.ASSESSING:
        raise AdviceError("A draft plan can only be recorded while the case is being assessed")
    if sent_on > timezone.localdate():
        raise AdviceError("The date the draft plan was sent must be today or in the past", field="sent_on")
    if sent_on < case.received_on:
        raise AdviceError(
            "The date the draft plan was sent must be on or after the date the request was received",
            field="sent_on",
        )
    outstanding = draft_gate_outstanding(case=case)
    if outstanding:
        raise DraftGateClosed(outstanding)
    draft_plan = DraftPlan.objects.create(
        case=case, sent_on=sent_on, section_c=section_c, section_g=section_g, recorded_by=user
    )
    case.status = CaseStatus.DRAFT_PLAN
    case.draft_plan_sent_on = sent_on
    # Through the model, so next_statutory_date moves on to the final plan.
    case.save()
    audit_record(
        user=user,
        action=AuditAction.STAGE,
        case=case,
        obj=draft_plan,
        summary=f"Recorded the draft plan sent on {sent_on:%d/%m/%Y}; health sections shared with the teams "
        "that gave advice",
    )
    draft_shared_notify(draft_plan=draft_plan)
    return draft_plan


def draft_shared_notify(*, draft_plan):
    case = draft_plan.case
    queued = []
    for team in draft_advice_teams(case=case):
        to = (
            [team.email]
            if team.email
            else list(
                team.members.filter(is_active=True, roles__contains=[Role.PRACTITIONER]).values_list("email", flat=True)
            )
        )
        queued.append(
            email_queue(
                kind=MessageKind.DRAFT_SHARED,
                dedupe_key=f"draft_shared:{draft_plan.pk}:{team.pk}",
                to=to,
                cc=[team.provider.spoc_email],
                template="draft_shared",
                context={
                    "reference": case.reference,
                    "comments_close_on": draft_plan.comments_close_on,
                    "path": _path("assessments:case_detail", case.pk) + "#draft-plan",
                },
                case=case,
            )
        )
    return queued


@transaction.atomic
def draft_comment_add(*, draft_plan, user, team, section, text) -> DraftComment:
    today = timezone.localdate()
    if not draft_plan.comments_open(today):
        raise AdviceError(f"The comment period ended on {draft_plan.comments_close_on:%-d %B %Y}")
    if team not in draft_teams_for(user=user, case=draft_plan.case):
        raise AdviceError("Select a team that gave advice on this case", field="team")
    comment = DraftComment.objects.create(draft_plan=draft_plan, author=user, team=team, section=section, text=text)
    audit_record(
        user=user,
        action=AuditAction.CREATE,
        case=draft_plan.case,
        obj=comment,
        summary=f"Commented on section {section} of the draft plan for {team.name}",
    )
    return comment

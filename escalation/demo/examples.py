"""One email of every kind in the demo's mailbox (var/mail/ under `make run`), each about a real row
of the demo's year and made by the function the product itself uses for that event.

The replay writes the year's answers straight to the rows (it must date them in the past), so the
emails the LA would have had for them were never queued; the sweep's own kinds were. Here the latest
event of each kind the replay left without its email gets it now (its dedupe key is the one the
product uses, so it can never go twice), as the sweep's latest emails are sent now while the rest of
its year is recorded as sent then (escalation.demo.seed_demo). The invitation goes to a new case
officer the council's administrator has just invited (shown "Invited" on the Users page).

The letters-only account email is the acting director's (escalation.demo.changes); the flag that a
letter waited a working day for the AD Education's approval comes from the sweep in the replay.
"""

from advice.models import AdviceItem, AdviceRequest, ItemStatus, SendBackReason, Stage
from advice.quality.services import advice_send_back
from advice.services import (
    advice_acknowledged_notify,
    advice_request_notify_spoc,
    advice_returned_notify,
    advice_team_notify,
    draft_shared_notify,
)
from assessments.models import CaseStatus, DraftPlan
from ehc.invitations import invitation_send
from ehc.models import MessageKind, OutboundEmail, Role, User

from ..models import Escalation, Escalation2Resolution, EscalationStage
from ..resolutions import resolution_notify
from ..services import escalation_response_notify, head_of_service_outcome_notify
from .changes import give_the_acting_director_an_account

INVITED = ("new.officer", "Ada", "Quennell", "SEND case officer")


def _latest(queryset):
    return queryset.order_by("-pk").first()


def send_examples(*, la, users):
    """Queue the missing kinds' examples; returns the kinds queued."""
    have = set(OutboundEmail.objects.filter(case__local_authority=la).values_list("kind", flat=True).distinct())
    made = []

    def example(kind, row, make):
        if kind not in have and row is not None:
            make(row)
            made.append(kind)

    requests = AdviceRequest.objects.filter(case__local_authority=la)
    example(MessageKind.ADVICE_REQUESTED, _latest(requests), lambda r: advice_request_notify_spoc(advice_request=r))
    example(
        MessageKind.ACKNOWLEDGED,
        _latest(requests.filter(acknowledged_at__isnull=False)),
        lambda r: advice_acknowledged_notify(advice_request=r),
    )
    example(
        MessageKind.TEAM_ASKED,
        _latest(
            AdviceItem.objects.filter(
                case__local_authority=la, status=ItemStatus.OUTSTANDING, request__acknowledged_at__isnull=False
            )
            .exclude(team__email="")
            .select_related("team", "request__case")
        ),
        lambda item: advice_team_notify(item=item),
    )
    returned = AdviceItem.objects.filter(case__local_authority=la, status=ItemStatus.RETURNED)
    example(MessageKind.ADVICE_RETURNED, _latest(returned.filter(stage=Stage.REQUESTED)), _returned)
    example(MessageKind.ADVICE_RETURNED_LATE, _latest(returned.exclude(stage=Stage.REQUESTED)), _returned)
    # A case officer sends one team's advice back for its provision (advice.quality): a real send-back,
    # so the case page, the lists and the figures show one.
    example(
        MessageKind.ADVICE_SENT_BACK,
        returned.filter(case__status=CaseStatus.ASSESSING, stage=Stage.REQUESTED, advice_return__isnull=False)
        .exclude(team__email="")
        .order_by("pk")
        .first(),
        lambda item: _sent_back(item, la),
    )
    example(
        MessageKind.DRAFT_SHARED,
        _latest(DraftPlan.objects.filter(case__local_authority=la)),
        lambda plan: draft_shared_notify(draft_plan=plan),
    )
    escalations = Escalation.objects.filter(local_authority=la).select_related("request__case")
    example(
        MessageKind.ESCALATION_1_RESPONSE,
        _latest(escalations.filter(stage=EscalationStage.ESCALATION_1, responded_at__isnull=False)),
        lambda escalation: escalation_response_notify(escalation=escalation),
    )
    example(
        MessageKind.HEAD_OF_SERVICE_OUTCOME,
        _latest(AdviceItem.objects.filter(case__local_authority=la, head_of_service_responded_at__isnull=False)),
        lambda item: head_of_service_outcome_notify(item=item),
    )
    example(
        MessageKind.ESCALATION_2_RESOLVED,
        _latest(Escalation2Resolution.objects.filter(local_authority=la).select_related("item__case")),
        lambda resolution: resolution_notify(resolution=resolution),
    )
    example(MessageKind.INVITATION, la, lambda la: _invite_new_officer(la, users))
    example(MessageKind.LETTERS_ACCOUNT, la, lambda la: give_the_acting_director_an_account(la=la, users=users))
    return made


def _returned(item):
    advice_returned_notify(item=AdviceItem.objects.select_related("case", "request__provider").get(pk=item.pk))


def _sent_back(item, la):
    officers = User.objects.filter(organisation=la, roles__contains=[Role.CASE_OFFICER])
    officer = item.case.case_officer or officers.first()
    advice_send_back(
        item=item,
        user=officer,
        reasons=[SendBackReason.PROVISION],
        note="Please say how many sessions, how long each, how often and who delivers them.",
    )


def _invite_new_officer(la, users):
    username, first, last, title = INVITED
    address = f"{username}@harbourside.example"
    if User.objects.filter(username=address).exists():
        return
    # As administration.invitations.person_invite makes it: no password until the link is used.
    person = User(
        username=address,
        email=address,
        first_name=first,
        last_name=last,
        job_title=title,
        organisation=la,
        roles=[Role.CASE_OFFICER],
    )
    person.set_unusable_password()
    person.save()
    invitation_send(user=person, invited_by=users.get("admin"), context={"organisation_name": la.name})

"""The demo's case discussion (decision 0046): on the latest case still waiting for speech and language
therapy advice, the case officer asks the SLT practitioner (mentioned, so told by email: the demo's
mailbox holds one) how the provision will be specified, and the practitioner answers. Through the
product's own service, as a person posting would."""

from advice.discussion.services import discussion_message_post, discussion_read
from advice.models import AdviceItem, ItemStatus
from ehc.models import Service

QUESTION = (
    "@slt.practitioner could your advice say how many sessions you recommend, how long each is and who "
    "delivers them? The plan needs it quantified, and we would rather settle it here than at a meeting."
)
ANSWER = (
    "Yes: a block of 6 sessions of 45 minutes this half term from our therapist, then a programme the "
    "setting's staff run 3 times a week under our supervision. It will be in the advice."
)


def discussion_examples(*, users, la):
    officer, therapist = users["case.officer"], users["slt.practitioner"]
    item = (
        AdviceItem.objects.filter(
            case__local_authority=la,
            case__case_officer=officer,
            status=ItemStatus.OUTSTANDING,
            team__service=Service.SLT,
            team__members=therapist,
        )
        .select_related("case")
        .order_by("-pk")
        .first()
    )
    if item is None:
        return None
    question = discussion_message_post(case=item.case, user=officer, text=QUESTION)
    discussion_read(case_id=item.case_id, user=therapist, up_to_id=question.pk)
    return discussion_message_post(case=item.case, user=therapist, text=ANSWER)

"""The demo's team lead sign-off (docs/decisions/0036-team-lead-sign-off.md): once the year is
replayed (its returns were made before the team asked for sign-off), the occupational therapy team
requires it, one of its outstanding returns waits for `ot.lead` and another was sent back to
`ot.practitioner` with a note (the mailbox's example of that email)."""

from advice.models import AdviceItem, ItemStatus
from advice.services import return_send_back, return_send_for_sign_off
from ehc.demo import SIGN_OFF_LEAD, SIGN_OFF_TEAM, seed_sign_off

CONTENT = {
    "description_of_needs": "Difficulties with fine motor skills: handwriting, fastenings and cutlery.",
    "provision_required": "Fine motor programme in class, 3 times a week, set up by the occupational therapist.",
    "outcomes": "Writes a short paragraph legibly and dresses for PE without help.",
}


def sign_off_examples(*, teams, users, today):
    seed_sign_off(teams, users)
    team = teams[SIGN_OFF_TEAM]
    items = list(
        AdviceItem.objects.filter(
            team=team, status=ItemStatus.OUTSTANDING, request__notified_on__lte=today, return_draft__isnull=True
        )
        .select_related("request")
        .order_by("request__due_on", "pk")[:2]
    )
    practitioner, lead = users["ot.practitioner"], users[SIGN_OFF_LEAD]
    for number, item in enumerate(items):
        return_send_for_sign_off(item=item, user=practitioner, content=CONTENT, returned_on=today)
        if number == 0:
            return_send_back(
                item=item, user=lead, note="Please add how often the programme is reviewed, and by whom."
            )

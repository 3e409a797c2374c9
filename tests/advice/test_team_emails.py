"""When the SPOC names the teams at acknowledgement each team's mailbox is told (issue 23): once,
the reference and a link, nothing of the child or of which teams know them; the item is in the team's
queue."""

from django.core import mail
from django.urls import reverse

from advice.models import AdviceItem, KnownStatus
from advice.services import TeamAnswer, advice_acknowledge, advice_teams_notify
from ehc.models import MessageKind, OutboundEmail
from ehc.outbox import email_send_due

from .conftest import NOTIFIED, request_advice


def test_each_named_team_is_told_once_with_the_reference_and_a_link(ours, case, login, travel):
    travel(NOTIFIED)
    advice_request = request_advice(case, ours)
    ours.paeds.email = ""
    ours.paeds.save()
    advice_acknowledge(
        advice_request=advice_request,
        user=ours.spoc,
        answers=[
            TeamAnswer(team=ours.slt, known_status=KnownStatus.KNOWN_OPEN),
            TeamAnswer(team=ours.ot, known_status="not_involved", removed_reason="Not open to OT"),
            TeamAnswer(team=ours.paeds, known_status=KnownStatus.NOT_KNOWN),
        ],
    )
    rows = OutboundEmail.objects.filter(kind=MessageKind.TEAM_ASKED)
    slt_item = AdviceItem.objects.get(request=advice_request, team=ours.slt)
    # SLT only: OT was removed, paediatrics has no mailbox.
    assert [(row.to, row.dedupe_key) for row in rows] == [([ours.slt.email], f"team_asked:{slt_item.pk}")]
    # A second call (a retried task, a double submission) adds nothing: the row's key is unique.
    advice_teams_notify(advice_request=advice_request)
    assert rows.count() == 1

    email_send_due()
    sent = [message for message in mail.outbox if message.to == [ours.slt.email]]
    assert len(sent) == 1
    text = sent[0].subject + sent[0].body + sent[0].alternatives[0][0]
    assert case.reference in sent[0].subject
    assert reverse("advice:item_detail", args=[slt_item.pk]) in sent[0].body
    child = case.child
    for detail in (child.first_name, child.last_name, ours.slt.name, ours.paeds.name, ours.ot.name):
        assert detail not in text
    if child.nhs_number:
        assert child.nhs_number not in text.replace(" ", "")
    assert f"{child.date_of_birth:%d/%m/%Y}" not in text and f"{child.date_of_birth:%-d %B %Y}" not in text

    # The item added by the SPOC is in paediatrics' queue as well as SLT's in theirs.
    slt = login(ours.slt_practitioner)
    assert case.reference in slt.get(reverse("advice:team_queue")).content.decode()

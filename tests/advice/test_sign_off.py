"""A team lead's sign-off before a return is made (decision 0036): the return waits in the team's
draft, outstanding to everyone else, until a lead signs it off (made by the return's own service)
or sends it back with a note."""

import datetime

import pytest
from django.core import mail

from advice.drafts import DraftDocument, DraftStatus, ReturnDraft
from advice.models import AdviceReturn, ItemStatus
from advice.services import (
    AdviceError,
    SignOffRequired,
    advice_return,
    advice_return_amend,
    return_draft_save,
    return_send_back,
    return_sign_off,
)
from ehc.models import AuditEvent, MessageKind, OutboundEmail
from ehc.outbox import email_send_due
from reports.selectors.overdue import dashboard

from .conftest import NOTIFIED
from .sign_off import CONTENT, RETURNED_ON, make_lead, require_sign_off, send, slt_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead(ours):
    require_sign_off(ours.slt)
    return make_lead(ours, ours.slt, "lead-ours")


@pytest.fixture
def item(ours, case, lead, travel):
    travel(NOTIFIED)
    item = slt_item(case, ours)
    travel(RETURNED_ON)
    return item


def _totals(ours, today):
    return [dashboard(user=user, today=today).total for user in (ours.dco, ours.case_officer)]


def _returned_emails(item):
    return OutboundEmail.objects.filter(kind=MessageKind.ADVICE_RETURNED, advice_request=item.request)


def test_sent_for_sign_off_it_stays_outstanding_everywhere_then_the_lead_signs_it_off(ours, item, lead):
    before = _totals(ours, RETURNED_ON)
    draft = send(item, ours.slt_practitioner, documents=["first.pdf", "second.pdf"])

    item.refresh_from_db()
    assert item.status == ItemStatus.OUTSTANDING and item.returned_on is None
    assert not AdviceReturn.objects.filter(item=item).exists()
    assert (draft.status, draft.sent_by, draft.returned_on) == (
        DraftStatus.AWAITING_SIGN_OFF,
        ours.slt_practitioner,
        RETURNED_ON,
    )
    assert [doc.document_name for doc in draft.documents.all()] == ["first.pdf", "second.pdf"]
    # The counts of the DCO and the council do not move, and the council is told nothing.
    assert _totals(ours, RETURNED_ON) == before
    assert not _returned_emails(item).exists()

    made = return_sign_off(item=item, user=lead)

    item.refresh_from_db()
    assert item.status == ItemStatus.RETURNED and item.returned_on == RETURNED_ON
    assert item.returned_by == ours.slt_practitioner
    assert (made.returned_by, made.signed_off_by) == (ours.slt_practitioner, lead)
    assert made.signed_off_at is not None
    assert [doc.document_name for doc in made.documents()] == ["first.pdf", "second.pdf"]
    assert made.documents()[0].document.read().startswith(b"%PDF")
    assert made.description_of_needs == CONTENT["description_of_needs"]
    # The draft is used up, its documents with it; the council is told as for any return.
    assert not ReturnDraft.objects.filter(item=item).exists() and not DraftDocument.objects.exists()
    assert _returned_emails(item).count() == 1
    assert [total - 1 for total in before] == _totals(ours, RETURNED_ON)
    summary = AuditEvent.objects.filter(object_id=str(item.pk)).latest("pk").summary
    assert "signed off by the team lead" in summary


def test_while_it_waits_nobody_returns_or_changes_it_directly(ours, item, lead):
    with pytest.raises(SignOffRequired):
        advice_return(item=item, user=ours.slt_practitioner, returned_on=RETURNED_ON, content=CONTENT)
    send(item, ours.slt_practitioner)
    with pytest.raises(AdviceError, match="waiting for a team lead"):
        return_draft_save(item=item, user=ours.slt_practitioner, content=CONTENT)
    # Turning the setting off leaves it waiting: the lead still decides.
    ours.slt.returns_need_sign_off = False
    ours.slt.save()
    with pytest.raises(AdviceError, match="waiting for a team lead"):
        advice_return(item=item, user=ours.spoc, returned_on=RETURNED_ON, content=CONTENT)
    return_sign_off(item=item, user=lead)
    item.refresh_from_db()
    assert item.status == ItemStatus.RETURNED


def test_sending_twice_keeps_the_first_and_signing_off_twice_makes_one_return(ours, item, lead):
    send(item, ours.slt_practitioner, revision=0)
    with pytest.raises(AdviceError, match="already sent this advice for sign-off"):
        send(item, ours.slt_practitioner, revision=0)
    assert DraftDocument.objects.filter(draft__item=item).count() == 1
    return_sign_off(item=item, user=lead)
    with pytest.raises(AdviceError, match="already"):
        return_sign_off(item=item, user=lead)
    assert AdviceReturn.objects.filter(item=item).count() == 1
    assert _returned_emails(item).count() == 1


def test_only_a_lead_of_the_team_signs_off_or_sends_back(ours, theirs, item, lead):
    send(item, ours.slt_practitioner)
    ot_lead = make_lead(ours, ours.ot, "ot-lead-ours")
    their_lead = make_lead(theirs, theirs.slt, "lead-theirs")
    for user in (ours.slt_practitioner, ours.spoc, ot_lead, their_lead, ours.case_officer, ours.dco):
        with pytest.raises(AdviceError, match="Only a team lead"):
            return_sign_off(item=item, user=user)
        with pytest.raises(AdviceError, match="Only a team lead"):
            return_send_back(item=item, user=user, note="No")
    # A lead who has left the team is no longer its lead.
    lead.teams.remove(ours.slt)
    with pytest.raises(AdviceError, match="Only a team lead"):
        return_sign_off(item=item, user=lead)


def test_a_lead_signs_off_their_own_advice_only_when_the_team_has_no_other_lead(ours, item, lead):
    send(item, lead)
    other = make_lead(ours, ours.slt, "lead2-ours", first="Dara", last="Ní Bhriain")
    with pytest.raises(AdviceError, match="another team lead must sign it off"):
        return_sign_off(item=item, user=lead)
    other.is_active = False
    other.save()
    made = return_sign_off(item=item, user=lead)
    assert (made.returned_by, made.signed_off_by) == (lead, lead)


def test_sent_back_with_a_note_the_practitioner_is_told_and_can_change_it(ours, case, item, lead):
    with pytest.raises(AdviceError, match="Nothing is waiting"):
        return_send_back(item=item, user=lead, note="Too early")
    draft = send(item, ours.slt_practitioner)
    with pytest.raises(AdviceError, match="Enter a note"):
        return_send_back(item=item, user=lead, note="  ")
    draft = return_send_back(item=item, user=lead, note="Add the school's view of O'Neill class.")
    assert (draft.status, draft.sent_back_by) == (DraftStatus.EDITING, lead)
    assert draft.sent_back_note == "Add the school's view of O'Neill class."
    # Its documents are dropped: chosen again when it is sent next.
    assert not DraftDocument.objects.filter(draft=draft).exists()
    rows = OutboundEmail.objects.filter(kind=MessageKind.SIGN_OFF_SENT_BACK)
    assert [(row.to, row.dedupe_key, row.case_id) for row in rows] == [
        ([ours.slt_practitioner.email], f"sign_off_sent_back:{draft.pk}:{draft.revision}", None)
    ]

    # The practitioner edits the draft and sends it again; a second send-back is a second email.
    return_draft_save(item=item, user=ours.slt_practitioner, content=CONTENT, revision=draft.revision)
    send(item, ours.slt_practitioner)
    return_send_back(item=item, user=lead, note="Still missing the school's view")
    keys = set(OutboundEmail.objects.filter(kind=MessageKind.SIGN_OFF_SENT_BACK).values_list("dedupe_key", flat=True))
    assert len(keys) == 2

    email_send_due()
    sent = [message for message in mail.outbox if message.subject.startswith("Health advice sent back")]
    assert len(sent) == 2
    for message in sent:
        text = message.subject + message.body + "".join(body for body, _type in message.alternatives)
        assert case.reference in text and f"/advice/items/{item.pk}/" in text
        # Reference and link only: no child, no team, not the lead's note.
        for detail in (case.child.first_name, case.child.last_name, ours.slt.name, "school's view", "O'Neill"):
            assert detail not in text


def test_turned_off_after_a_send_back_the_practitioner_returns_directly(ours, item, lead):
    send(item, ours.slt_practitioner)
    return_send_back(item=item, user=lead, note="Check the dates")
    ours.slt.returns_need_sign_off = False
    ours.slt.save()
    made = advice_return(item=item, user=ours.slt_practitioner, returned_on=RETURNED_ON, content=CONTENT)
    assert made.signed_off_by is None
    with pytest.raises(AdviceError, match="no longer needs sign-off"):
        send(item, ours.slt_practitioner, reason="A new version")


def test_an_amendment_waits_for_sign_off_too(ours, item, lead):
    send(item, ours.slt_practitioner)
    return_sign_off(item=item, user=lead)
    item.refresh_from_db()
    with pytest.raises(SignOffRequired):
        advice_return_amend(item=item, user=ours.slt_practitioner, reason="Wrong school", content=CONTENT)
    send(item, ours.slt_practitioner, reason="Wrong school", outcomes="Understood by friends, corrected.")
    item.refresh_from_db()
    assert item.advice_return.version == 1  # nothing changes for the council while it waits
    amended = return_sign_off(item=item, user=lead)
    assert (amended.version, amended.amendment_reason, amended.signed_off_by) == (2, "Wrong school", lead)
    assert amended.outcomes == "Understood by friends, corrected."
    item.refresh_from_db()
    assert item.returned_on == RETURNED_ON  # the first return's date, as for any amendment


def test_a_document_not_yet_passed_by_the_scanner_holds_the_sign_off(ours, item, lead):
    draft = send(item, ours.slt_practitioner)
    DraftDocument.objects.filter(draft=draft).update(
        scan_status="pending", scan_due_at=datetime.datetime.now(datetime.UTC)
    )
    with pytest.raises(AdviceError, match="still being checked for viruses"):
        return_sign_off(item=item, user=lead)
    DraftDocument.objects.filter(draft=draft).update(scan_status="infected", document="")
    with pytest.raises(AdviceError, match="send the advice back"):
        return_sign_off(item=item, user=lead)
    assert not AdviceReturn.objects.filter(item=item).exists()

"""Returned advice amended (issue 23): a new version with its reason, the earlier kept and shown as
superseded, and every count still measuring the day the advice was first returned."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse

from advice.models import AdviceItem, AdviceReturn, ItemStatus
from advice.services import AdviceError, advice_return, advice_return_amend
from advice.uploads import check_upload
from ehc.models import MessageKind, OutboundEmail
from ehc.outbox import email_send_due
from reports.selectors.outcomes import LATE, WITHIN, period_items

from .conftest import NOTIFIED, request_advice
from .files import pdf_bytes, upload


@pytest.fixture
def returned(ours, case, travel):
    """SLT's advice, returned on time with a document, two weeks after the asking."""
    travel(NOTIFIED)
    advice_request = request_advice(case, ours)
    item = AdviceItem.objects.get(request=advice_request, team=ours.slt)
    travel(NOTIFIED + datetime.timedelta(days=14))
    document = upload("first.pdf", pdf_bytes("first"))
    advice_return(
        item=item,
        user=ours.slt_practitioner,
        returned_on=NOTIFIED + datetime.timedelta(days=14),
        content={
            "description_of_needs": "Needs described.",
            "provision_required": "Provision set out.",
            "outcomes": "Outcomes expected.",
        },
        document=document,
        checked=check_upload(document),
    )
    item.refresh_from_db()
    return item


def _amend(client, item, **data):
    return client.post(reverse("advice:item_amend", args=[item.pk]), data)


def test_an_amendment_is_a_new_version_and_the_earlier_stays_superseded(ours, case, returned, login, travel):
    first = returned.advice_return
    # After the due date: the advice was still returned on time, and stays counted so.
    travel(NOTIFIED + datetime.timedelta(days=60))
    slt = login(ours.slt_practitioner)
    form = slt.get(reverse("advice:item_amend", args=[returned.pk])).content.decode()
    assert "Needs described." in form  # the current version's text, to change
    response = _amend(
        slt,
        returned,
        reason="The first version named the wrong school.",
        description_of_needs="Needs described, corrected.",
        provision_required="Provision set out.",
        outcomes="Outcomes expected.",
        document=[upload("second.pdf", pdf_bytes("second"))],
    )
    assert response.status_code == 302, response.content.decode()

    returned.refresh_from_db()
    current = returned.advice_return
    assert (current.version, current.amendment_reason) == (2, "The first version named the wrong school.")
    assert current.description_of_needs == "Needs described, corrected."
    first.refresh_from_db()
    assert first.is_superseded and first.superseded_item == returned and first.superseded_at is not None
    assert first.description_of_needs == "Needs described." and first.document_name == "first.pdf"
    # The counts measure the first return.
    assert returned.returned_on == NOTIFIED + datetime.timedelta(days=14)
    items = period_items(user=ours.dco, start=NOTIFIED, end=NOTIFIED + datetime.timedelta(days=90))
    assert items.filter(WITHIN, pk=returned.pk).exists() and not items.filter(LATE, pk=returned.pk).exists()

    # The council reads the new version and, under it, the superseded one with its document.
    officer = login(ours.case_officer)
    page = officer.get(reverse("advice:item_detail", args=[returned.pk])).content.decode()
    assert "version 2" in page and "Version 1: superseded" in page
    assert "The first version named the wrong school." in page
    old = officer.get(reverse("advice:return_document", args=[first.pk, 1]))
    assert b"".join(old.streaming_content) == pdf_bytes("first")
    new = officer.get(reverse("advice:document_download", args=[returned.pk]))
    assert b"".join(new.streaming_content) == pdf_bytes("second")

    # The case officer is told: the reference and a link, nothing about the child.
    email = OutboundEmail.objects.get(kind=MessageKind.ADVICE_RETURNED, dedupe_key=f"advice_amended:{returned.pk}:2")
    email_send_due()
    sent = [message for message in mail.outbox if "amended" in message.subject]
    assert sent and case.reference in sent[0].subject
    assert "Robin" not in sent[0].body + sent[0].subject and email.to == [ours.case_officer.email]


def test_an_amendment_needs_a_reason_and_complete_advice(ours, returned, login):
    slt = login(ours.slt_practitioner)
    response = _amend(slt, returned, reason="", description_of_needs="Only needs.")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Enter why you are amending the advice" in page
    assert "Only needs." in page
    assert AdviceReturn.objects.filter(superseded_item=returned).count() == 0
    with pytest.raises(AdviceError, match="Upload the advice or complete"):
        advice_return_amend(item=returned, user=ours.slt_practitioner, reason="Why", content={"outcomes": "o"})


def test_only_returned_advice_is_amended_and_only_by_who_may_return_it(ours, case, returned, login):
    outstanding = AdviceItem.objects.get(case=case, team=ours.ot)
    with pytest.raises(AdviceError, match="Only returned advice"):
        advice_return_amend(
            item=outstanding,
            user=ours.ot_practitioner,
            reason="x",
            content={"description_of_needs": "a", "provision_required": "b", "outcomes": "c"},
        )
    for user in (ours.case_officer, ours.ot_practitioner, ours.dco, ours.head_of_service):
        assert login(user).get(reverse("advice:item_amend", args=[returned.pk])).status_code == 404
    assert returned.status == ItemStatus.RETURNED


def test_two_amendments_keep_every_version(ours, returned):
    content = {"description_of_needs": "a", "provision_required": "b", "outcomes": "c"}
    advice_return_amend(item=returned, user=ours.spoc, reason="First correction", content=content)
    advice_return_amend(item=returned, user=ours.slt_practitioner, reason="Second correction", content=content)
    versions = sorted(
        AdviceReturn.objects.filter(superseded_item=returned).values_list("version", flat=True)
    )
    assert versions == [1, 2]
    assert AdviceReturn.objects.get(item=returned).version == 3

"""The whole Appendix C journey through the web pages, as the people who do it."""

import datetime

from django.core import mail
from django.urls import reverse

from advice.models import AdviceItem, AdviceRequest, ItemStatus, KnownStatus, Stage
from assessments.models import CaseStatus, DraftComment
from ehc.models import MessageKind, MessageStatus, OutboundEmail, Service
from ehc.outbox import email_send_due

from .conftest import NOTIFIED, date_fields
from .files import pdf_bytes, upload


def test_request_acknowledge_return_gate_and_draft(ours, case, login, travel):
    travel(NOTIFIED)
    officer = login(ours.case_officer)
    case_url = reverse("assessments:case_detail", args=[case.pk])

    # The case officer asks our provider, naming the services the family mentioned.
    page = officer.get(case_url)
    assert reverse("advice:request_create", args=[case.pk]) in page.content.decode()
    response = officer.post(
        reverse("advice:request_create", args=[case.pk]),
        {"provider": ours.provider.pk, "services_named": [Service.SLT, Service.OT], "message": ""},
    )
    assert response.status_code == 302
    advice_request = AdviceRequest.objects.get(case=case)
    assert advice_request.notified_on == NOTIFIED
    assert advice_request.due_on == NOTIFIED + datetime.timedelta(days=42)
    items = {item.team_id: item for item in advice_request.items.all()}
    assert set(items) == {ours.slt.pk, ours.ot.pk}
    for item in items.values():
        assert (item.due_on, item.next_action_on, item.stage) == (advice_request.due_on,) * 2 + (
            Stage.REQUESTED,
        )
        assert item.named_by_family

    # The SPOC mailbox hears: the reference and a link, never the child's name. (Tests run inside
    # one transaction, so the after-commit send is run here as the outbox sweep would.)
    email_send_due()
    assert len(mail.outbox) == 1
    notice = mail.outbox[0]
    assert notice.to == [ours.provider.spoc_email]
    assert case.reference in notice.subject
    assert reverse("advice:request_detail", args=[advice_request.pk]) in notice.body
    assert "Robin" not in notice.body + notice.subject + notice.alternatives[0][0]

    # The SPOC finds it in the queue and acknowledges: OT does not know the child, and paediatrics
    # (not named by the family) is added.
    spoc = login(ours.spoc)
    assert case.reference in spoc.get(reverse("advice:spoc_queue")).content.decode()
    ack_url = reverse("advice:acknowledge", args=[advice_request.pk])
    assert spoc.get(ack_url).status_code == 200
    response = spoc.post(
        ack_url,
        {
            f"team_{ours.slt.pk}": KnownStatus.KNOWN_OPEN,
            f"team_{ours.ot.pk}": KnownStatus.NOT_KNOWN,
            f"team_{ours.paeds.pk}": KnownStatus.KNOWN_CLOSED,
            "note": "",
        },
    )
    assert response.status_code == 302
    advice_request.refresh_from_db()
    assert advice_request.is_acknowledged
    paeds = AdviceItem.objects.get(request=advice_request, team=ours.paeds)
    assert paeds.added_by_spoc and paeds.due_on == advice_request.due_on
    assert AdviceItem.objects.get(pk=items[ours.ot.pk].pk).known_status == KnownStatus.NOT_KNOWN
    email_send_due()
    # The council hears, and each team named has its own notice (tests/advice/test_team_emails.py).
    acknowledgement = next(message for message in mail.outbox if "acknowledged" in message.subject)
    assert sorted(message.to[0] for message in mail.outbox if "asked of your team" in message.subject) == sorted(
        team.email for team in (ours.slt, ours.ot, ours.paeds)
    )
    assert acknowledgement.to == [ours.case_officer.email]
    assert acknowledgement.cc == ["send.support@la-ours.example"]

    # A speech and language therapist uploads the advice as a PDF.
    travel(NOTIFIED + datetime.timedelta(days=20))
    slt = login(ours.slt_practitioner)
    assert case.reference in slt.get(reverse("advice:team_queue")).content.decode()
    slt_item = items[ours.slt.pk]
    response = slt.post(
        reverse("advice:item_return", args=[slt_item.pk]),
        {
            "document": upload("SLT report.pdf", pdf_bytes()),
            **date_fields("returned_on", NOTIFIED + datetime.timedelta(days=20)),
        },
    )
    assert response.status_code == 302, response.content.decode()
    slt_item.refresh_from_db()
    assert (slt_item.status, slt_item.next_action_on) == (ItemStatus.RETURNED, None)
    assert slt_item.advice_return.document_type == "pdf"
    assert slt_item.advice_return.document_name == "SLT report.pdf"
    assert "SLT report" not in slt_item.advice_return.document.name

    # An occupational therapist writes the structured Appendix C, and can read SLT's advice too.
    ot = login(ours.ot_practitioner)
    ot_item = items[ours.ot.pk]
    response = ot.post(
        reverse("advice:item_return", args=[ot_item.pk]),
        {
            **date_fields("returned_on", NOTIFIED + datetime.timedelta(days=20)),
            "description_of_needs": "Fine motor difficulties affect handwriting.",
            "provision_required": "OT programme delivered by a teaching assistant, three times a week.",
            "outcomes": "Robin writes a short paragraph independently by the end of year 4.",
            "how_often_seen": "Monthly",
            "seen_over_period": "Since March 2026",
        },
    )
    assert response.status_code == 302, response.content.decode()
    assert ot.get(reverse("advice:item_detail", args=[slt_item.pk])).status_code == 200
    download = ot.get(reverse("advice:document_download", args=[slt_item.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == pdf_bytes()

    # The gate holds while paediatrics is outstanding, and says so and since when. (Sessions expire
    # after 30 idle minutes: everyone signs in again after the clock moves on.)
    officer = login(ours.case_officer)
    page = officer.get(case_url).content.decode()
    assert "The draft plan cannot be recorded yet" in page
    assert "Paediatrics Ours" in page and "outstanding since 14 September 2026" in page
    draft_url = reverse("advice:draft_plan_record", args=[case.pk])
    draft_data = {
        **date_fields("sent_on", NOTIFIED + datetime.timedelta(days=21)),
        "section_c": "Speech, language and fine motor needs.",
        "section_g": "Weekly SLT; OT programme three times a week.",
    }
    travel(NOTIFIED + datetime.timedelta(days=21))
    officer, spoc, slt = login(ours.case_officer), login(ours.spoc), login(ours.slt_practitioner)
    response = officer.post(draft_url, draft_data)
    assert response.status_code == 200
    assert "Paediatrics Ours" in response.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.ASSESSING

    # The SPOC records that paediatrics will not provide advice.
    response = spoc.post(
        reverse("advice:item_not_provided", args=[paeds.pk]),
        {
            "reason": "not_required",
            "detail": "Discharged; no current paediatric needs.",
            "decided_by": "Head of community paediatrics",
            **date_fields("decided_on", NOTIFIED + datetime.timedelta(days=21)),
        },
    )
    assert response.status_code == 302
    paeds.refresh_from_db()
    assert paeds.status == ItemStatus.NOT_PROVIDED

    # The gate opens; the draft is recorded and shared with the two teams that gave advice.
    assert "Record the draft plan" in officer.get(case_url).content.decode()
    email_send_due()
    sent_before = len(mail.outbox)
    response = officer.post(draft_url, draft_data)
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.DRAFT_PLAN
    assert case.draft_plan_sent_on == NOTIFIED + datetime.timedelta(days=21)
    assert case.next_statutory_date == case.final_plan_due
    email_send_due()
    shared = mail.outbox[sent_before:]
    assert sorted(message.to[0] for message in shared) == sorted([ours.slt.email, ours.ot.email])

    # SLT reads the health sections and comments within the 15 days; the officer sees it.
    page = slt.get(case_url).content.decode()
    assert "Section C: health needs" in page and "Speech, language and fine motor needs." in page
    response = slt.post(
        reverse("advice:draft_comment", args=[case.pk]),
        {"team": ours.slt.pk, "section": "G", "text": "Please state the SLT sessions are 45 minutes."},
    )
    assert response.status_code == 302
    assert DraftComment.objects.get().team == ours.slt
    assert "Please state the SLT sessions are 45 minutes." in officer.get(case_url).content.decode()

    # Every event emailed once, and the outbox records each as sent.
    email_send_due()
    kinds = list(OutboundEmail.objects.values_list("kind", "status"))
    assert sorted(kind for kind, _ in kinds) == sorted(
        [
            MessageKind.ADVICE_REQUESTED,
            MessageKind.ACKNOWLEDGED,
            MessageKind.TEAM_ASKED,
            MessageKind.TEAM_ASKED,
            MessageKind.TEAM_ASKED,
            MessageKind.ADVICE_RETURNED,
            MessageKind.ADVICE_RETURNED,
            MessageKind.ADVICE_RETURNED,
            MessageKind.DRAFT_SHARED,
            MessageKind.DRAFT_SHARED,
        ]
    )
    assert {status for _, status in kinds} == {MessageStatus.SENT}
    assert len(mail.outbox) == 10

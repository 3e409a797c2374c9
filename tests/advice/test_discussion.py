"""The case discussion (issue 20): messages kept whole and as written, attachments checked and scanned
as advice documents are, mentions told once by an email with nothing but the reference and a link,
read receipts and unread counts, the GOV.UK error summary on bad input, and a page whose cost does not
grow with the discussion."""

import datetime
import os

import pytest
from django.core import mail
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from advice.discussion.models import (
    MESSAGE_TEXT_LIMIT,
    AppendOnly,
    CaseMessage,
    DiscussionReceipt,
    MessageAttachment,
    MessageMention,
)
from advice.discussion.selectors import PAGE_SIZE, unread_messages
from advice.discussion.services import DiscussionError, mentioned_handles, mentions_notify
from advice.models import ScanStatus
from advice.uploads import check_upload
from ehc.models import AuditEvent, MessageKind, Notification, OutboundEmail
from ehc.outbox import email_send

from .discussion import discussion_url, post
from .files import docx_with_macros, pdf_bytes, pdf_document, upload
from .test_scanning import EICAR, clamd  # noqa: F401  (the stand-in scanner, as a fixture)

pytestmark = pytest.mark.django_db


def _checked(name, content):
    file = upload(name, content)
    return file, check_upload(file)


def test_a_message_is_kept_whole_with_who_said_it_when_and_for_which_organisation(demo, demo_case, login):
    officer = demo.users["case.officer"]
    long_text = "Line one.\n\n" + "x" * (MESSAGE_TEXT_LIMIT - 20) + "\nThe end."
    response = login(officer).post(discussion_url(demo_case), {"text": long_text})
    assert response.status_code == 302
    message = CaseMessage.objects.get(case=demo_case)
    assert message.text == long_text  # never cut
    assert (message.author, message.organisation) == (officer, demo.la)
    page = login(demo.users["spoc"]).get(discussion_url(demo_case)).content.decode()
    assert long_text.split("\n")[2] in page and "The end." in page
    assert "Priya Lindqvist" in page and demo.la.name in page
    event = AuditEvent.objects.get(case=demo_case, object_id=str(message.pk), summary__startswith="Posted")
    assert event.actor == officer and event.summary == f"Posted message {message.pk} in the case discussion"


def test_messages_are_append_only_in_the_model_and_in_the_database(demo, demo_case):
    message = post(demo_case, demo.users["case.officer"], "The meeting is not needed.")
    message.text = "rewritten"
    with pytest.raises(AppendOnly):
        message.save()
    with pytest.raises(AppendOnly):
        message.delete()
    for attempt in (
        lambda: CaseMessage.objects.filter(pk=message.pk).update(text="rewritten"),
        lambda: CaseMessage.objects.filter(pk=message.pk).delete(),
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            attempt()
    assert CaseMessage.objects.get(pk=message.pk).text == "The meeting is not needed."


def test_oneill_is_shown_escaped_and_scripts_are_text(demo, demo_case, login):
    lead = demo.users["ot.lead"]  # Aoife O'Neill
    post(demo_case, lead, "<script>alert('x')</script> Seen by O'Neill & the team.")
    page = login(demo.users["case.officer"]).get(discussion_url(demo_case)).content.decode()
    assert "<script>alert" not in page
    assert escape("<script>alert('x')</script> Seen by O'Neill & the team.") in page
    assert escape("Aoife O'Neill") in page


def test_mentions_tell_each_person_once_by_an_email_with_no_names(
    demo, demo_case, login, django_capture_on_commit_callbacks
):
    officer, slt, lead = demo.users["case.officer"], demo.users["slt.practitioner"], demo.users["ot.lead"]
    with django_capture_on_commit_callbacks(execute=True):
        response = login(officer).post(
            discussion_url(demo_case),
            {"text": "@slt.practitioner and @OT.lead: can you agree the provision? cc @case.officer."},
        )
    assert response.status_code == 302
    message = CaseMessage.objects.get(case=demo_case)
    # The author naming themselves is no mention.
    assert set(MessageMention.objects.filter(message=message).values_list("user_id", flat=True)) == {slt.pk, lead.pk}
    emails = OutboundEmail.objects.filter(kind=MessageKind.DISCUSSION_MENTION)
    assert sorted(email.to[0] for email in emails) == sorted([slt.email, lead.email])
    assert len(mail.outbox) == 2

    # The task again, and again with its claim lost: nobody is told twice.
    assert mentions_notify(message_id=message.pk) == 0
    MessageMention.objects.filter(message=message).update(notified_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        mentions_notify(message_id=message.pk)
    for email in emails:
        email_send(email_id=email.pk)
    assert emails.count() == 2 and len(mail.outbox) == 2
    assert Notification.objects.filter(kind=MessageKind.DISCUSSION_MENTION).count() == 2
    slt.refresh_from_db()
    assert slt.unread_notifications >= 1

    for sent in mail.outbox:
        whole = sent.subject + sent.body + "".join(str(part[0]) for part in getattr(sent, "alternatives", []))
        assert demo_case.reference in whole
        assert discussion_url(demo_case) in whole
        for secret in ("Robin", "Quillfeather", "943", "Priya", "Lindqvist", "O'Neill", "O&#x27;Neill",
                       "Speech", "Occupational", "provision"):  # fmt: skip
            assert secret not in whole, secret


def test_someone_not_on_the_case_cannot_be_mentioned(demo, demo_case, theirs, login):
    client = login(demo.users["case.officer"])
    text = f"Asking @{theirs.case_officer.username} and @paeds.practitioner about this"
    response = client.post(discussion_url(demo_case), {"text": text})
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert f"@{theirs.case_officer.username}, @paeds.practitioner are not on this case" in page
    assert escape(text) in page  # nothing typed is lost
    assert (
        not CaseMessage.objects.exists()
        and not OutboundEmail.objects.filter(kind=MessageKind.DISCUSSION_MENTION).exists()
    )


def test_mentions_are_read_from_the_text_as_people_write_them():
    assert mentioned_handles("Hi @slt.practitioner. Write to team@nhs.example or @Case.Officer, thanks @ot.lead-") == [
        "slt.practitioner",
        "case.officer",
        "ot.lead",
    ]
    assert mentioned_handles("email me at a.b@x.example") == []


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"text": ""}, "Enter your message"),
        ({"text": "   \n  "}, "Enter your message"),
        ({"text": "y" * (MESSAGE_TEXT_LIMIT + 1)}, f"Your message must be {MESSAGE_TEXT_LIMIT:,} characters or fewer"),
    ],
)
def test_bad_input_shows_the_error_summary_and_changes_nothing(demo, demo_case, login, data, error):
    response = login(demo.users["spoc"]).post(discussion_url(demo_case), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page and error in page
    assert "(error)" in page.split("</title>")[0]
    if data["text"].strip():
        assert data["text"] in page  # what was typed is kept
    assert not CaseMessage.objects.exists()


HOSTILE = {
    "a PDF that runs a script": (
        "report.pdf",
        pdf_document([b"<< /Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>"]),
        "contains scripts, actions or attached files",
    ),
    "a web page renamed .pdf": ("report.pdf", b"<html><script>alert(1)</script></html>", "must be a PDF or a Word"),
    "a Word document with macros": ("report.docx", docx_with_macros(), "contains macros"),
}


@pytest.mark.parametrize("kind", HOSTILE)
def test_a_hostile_attachment_is_refused_and_nothing_is_kept(demo, demo_case, login, settings, kind):
    name, content, error = HOSTILE[kind]
    storage = settings.STORAGES["default"]["OPTIONS"]["location"]
    before = sorted(os.listdir(storage)) if os.path.exists(storage) else []
    response = login(demo.users["slt.practitioner"]).post(
        discussion_url(demo_case), {"text": "Our report", "attachments": [upload(name, content)]}
    )
    page = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in page and error in page
    assert "Files are not kept when a message cannot be posted" in page
    assert not CaseMessage.objects.exists() and not MessageAttachment.objects.exists()
    after = sorted(os.listdir(storage)) if os.path.exists(storage) else []
    assert after == before


def test_attachments_wait_for_the_scanner_and_an_infected_one_is_never_served(
    demo,
    demo_case,
    login,
    clamd,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    slt = login(demo.users["slt.practitioner"])
    with django_capture_on_commit_callbacks() as callbacks:
        response = slt.post(
            discussion_url(demo_case),
            {
                "text": "Two files",
                "attachments": [upload("clean.pdf", pdf_bytes()), upload("bad.pdf", pdf_bytes(comment=EICAR))],
            },
        )
    assert response.status_code == 302
    clean, infected = MessageAttachment.objects.order_by("number")
    assert clean.scan_status == infected.scan_status == ScanStatus.PENDING
    officer = login(demo.users["case.officer"])
    for attachment in (clean, infected):
        url = reverse("advice:discussion_attachment", args=[demo_case.pk, attachment.pk])
        waiting = officer.get(url, follow=True)
        assert waiting.redirect_chain and "Being checked for viruses" in waiting.content.decode()
    for callback in callbacks:
        callback()
    clean.refresh_from_db()
    infected.refresh_from_db()
    assert clean.scan_status == ScanStatus.CLEAN
    assert infected.scan_status == ScanStatus.INFECTED and not infected.document
    served = officer.get(reverse("advice:discussion_attachment", args=[demo_case.pk, clean.pk]))
    assert served.status_code == 200 and b"".join(served.streaming_content) == pdf_bytes()
    assert served["Content-Disposition"].startswith("attachment;")
    refused = officer.get(reverse("advice:discussion_attachment", args=[demo_case.pk, infected.pk]), follow=True)
    assert "A virus was found" in refused.content.decode()
    assert AuditEvent.objects.filter(
        case=demo_case, summary__startswith=f"Virus found in attachment 2 of discussion message {infected.message_id}"
    ).exists()


def test_read_receipts_and_unread_counts(demo, demo_case, login):
    officer, slt, dco = demo.users["case.officer"], demo.users["slt.practitioner"], demo.users["dco"]
    first = post(demo_case, slt, "Seen the child twice this term.")
    # The case's officer has it to read; the DCO, who never opened it, has no discussions of their own.
    assert unread_messages(officer).count() == 1
    assert unread_messages(dco).count() == 0
    case_page = login(officer).get(reverse("assessments:case_detail", args=[demo_case.pk])).content.decode()
    assert "1 unread" in case_page and discussion_url(demo_case) in case_page

    page = login(officer).get(discussion_url(demo_case)).content.decode()
    assert "New</strong>" in page
    assert unread_messages(officer).count() == 0
    receipt = DiscussionReceipt.objects.get(case=demo_case, user=officer)
    assert receipt.last_read_id == first.pk

    shown = login(slt).get(discussion_url(demo_case)).content.decode()
    assert "Read by Priya Lindqvist" in shown
    second = post(demo_case, officer, "Thanks: no meeting needed.")
    assert unread_messages(slt).count() == 1
    # Reading an older page later never marks the newer message unread again.
    login(officer).get(discussion_url(demo_case), {"before": first.pk + 1})
    receipt.refresh_from_db()
    assert receipt.last_read_id == second.pk
    case_page = login(officer).get(reverse("assessments:case_detail", args=[demo_case.pk])).content.decode()
    assert "2 messages" in case_page and "unread" not in case_page.split('id="case-discussion"')[1].split("</div>")[0]


def test_the_page_costs_the_same_however_long_the_discussion(demo, demo_case, login):
    users = [demo.users[name] for name in ("case.officer", "spoc", "slt.practitioner", "ot.lead", "dco")]
    client = login(demo.users["case.officer"])

    def messages(count):
        start = CaseMessage.objects.count()
        CaseMessage.objects.bulk_create(
            [
                CaseMessage(
                    case=demo_case,
                    author=users[n % 5],
                    organisation=users[n % 5].organisation,
                    text=f"Message {start + n} @case.officer",
                )  # fmt: skip
                for n in range(count)
            ]
        )
        for message in CaseMessage.objects.filter(case=demo_case).order_by("-id")[:count:7]:
            post_file = upload("a.pdf", pdf_bytes())
            MessageAttachment(message=message, number=1).upload_record(check_upload(post_file), post_file)
        for user in users:
            DiscussionReceipt.objects.update_or_create(
                case=demo_case, user=user, defaults={"last_read_id": CaseMessage.objects.order_by("id")[start].pk}
            )

    def cost():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(discussion_url(demo_case))
        assert response.status_code == 200
        return len(queries), response.content.decode()

    messages(3)
    few, _ = cost()
    messages(PAGE_SIZE * 3)
    many, page = cost()
    assert many == few
    assert page.count('class="govuk-summary-card"') == PAGE_SIZE
    assert "Earlier messages" in page
    earlier = client.get(discussion_url(demo_case), {"before": CaseMessage.objects.order_by("-id")[PAGE_SIZE - 1].pk})
    assert earlier.content.decode().count('class="govuk-summary-card"') == PAGE_SIZE
    assert "Newest messages" in earlier.content.decode()


def test_the_professionals_panel_names_each_agency_team_and_contact(demo, demo_case, login):
    slt_team = demo.teams["Speech and language therapy"]
    ot_team = demo.teams["Occupational therapy"]
    page = login(demo.users["case.officer"]).get(reverse("assessments:case_detail", args=[demo_case.pk]))
    panel = page.content.decode().split('id="professionals"')[1].split("</table>")[0]
    for text in (
        "Priya Lindqvist",
        demo.users["case.officer"].email,
        "ehcp@harbourside.example",
        "dco.office@coastandmoor-icb.example",
        demo.provider.spoc_email,
        "Awaiting acknowledgement",
        slt_team.name,
        slt_team.email,
        ot_team.name,
        "Outstanding, due",
    ):
        assert text in panel, text
    assert "Community paediatrics" not in panel


def test_the_case_page_query_count_does_not_grow_with_the_discussion(demo, demo_case, login):
    client = login(demo.users["case.officer"])
    url = reverse("assessments:case_detail", args=[demo_case.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    for n in range(5):
        post(demo_case, demo.users["spoc"], f"Update {n}")
    with CaptureQueriesContext(connection) as after:
        client.get(url)
    assert len(after) == len(before)


def test_a_discussion_error_says_which_field(demo, demo_case):
    with pytest.raises(DiscussionError) as raised:
        post(demo_case, demo.users["case.officer"], "@nobody.here hello")
    assert raised.value.field == "text"
    assert not CaseMessage.objects.exists()
    assert datetime.date.today()  # the clock is real here: nothing in the discussion depends on dates


def test_the_home_page_counts_the_discussions_with_unread_messages_its_list_shows(demo, demo_case, login):
    from tests.factories import CaseFactory

    officer, spoc, dco = demo.users["case.officer"], demo.users["spoc"], demo.users["dco"]
    second = CaseFactory(local_authority=demo.la, case_officer=officer, first_name="Sam", last_name="O'Neill")
    post(demo_case, spoc, "First case: an update")
    post(second, dco, "Second case: a question")
    post(second, dco, "Second case: another")
    client = login(officer)
    home = client.get(reverse("home")).content.decode()
    assert ">2 case discussions with unread messages</a>" in home
    listed = client.get(reverse("advice:discussions")).content.decode()
    body = listed.split('<tbody class="govuk-table__body">')[1].split("</tbody>")[0]
    assert body.count("<tr") == 2
    assert body.index(second.reference) < body.index(demo_case.reference)  # the newest message first
    assert escape("Sam O'Neill") in body and ">2</td>" in body
    client.get(discussion_url(second))
    home = client.get(reverse("home")).content.decode()
    assert ">1 case discussion with unread messages</a>" in home
    client.get(discussion_url(demo_case))
    assert "Case discussions" not in client.get(reverse("home")).content.decode()
    # Someone who never opened, posted in or was named in a discussion has none of their own.
    assert "Case discussions" not in login(demo.users["business.support"]).get(reverse("home")).content.decode()
    for name in ("alliance.director", "admin"):
        assert login(demo.users[name]).get(reverse("advice:discussions")).status_code == 404

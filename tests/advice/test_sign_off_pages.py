"""The sign-off pages (decision 0036): the practitioner's "Send for sign-off", the lead's queue and
review, the waiting documents; and who gets the 404 of an item they may not see."""

import pytest
from django.urls import reverse

from advice.drafts import DraftStatus, ReturnDraft
from advice.models import ItemStatus
from ehc.models import Role
from tests.api.clients import api_client_for, calling_with

from .conftest import NOTIFIED, date_fields
from .files import pdf_bytes, upload
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


@pytest.fixture
def waiting(ours, item):
    send(item, ours.slt_practitioner, documents=["advice.pdf"])
    return item


def _urls(item):
    return [
        reverse("advice:sign_off_review", args=[item.pk]),
        reverse("advice:draft_document", args=[item.pk, 1]),
    ]


def test_the_practitioner_sends_for_sign_off_from_the_return_form(ours, item, login):
    client = login(ours.slt_practitioner)
    form = client.get(reverse("advice:item_return", args=[item.pk])).content.decode()
    assert "Send for sign-off" in form and 'value="return"' not in form
    response = client.post(
        reverse("advice:item_return", args=[item.pk]),
        {
            "action": "sign_off",
            "draft_revision": "0",
            "document": [upload("advice.pdf", pdf_bytes("advice"))],
            **date_fields("returned_on", RETURNED_ON),
            **CONTENT,
        },
    )
    assert response.status_code == 302
    draft = ReturnDraft.objects.get(item=item)
    assert draft.status == DraftStatus.AWAITING_SIGN_OFF and draft.documents.count() == 1
    page = client.get(reverse("advice:item_detail", args=[item.pk])).content.decode()
    assert "Awaiting sign-off" in page and "Review and sign off" not in page
    # It cannot be changed while it waits: the form sends the practitioner back to the item.
    again = client.get(reverse("advice:item_return", args=[item.pk]))
    assert again.status_code == 302 and again.url == reverse("advice:item_detail", args=[item.pk])
    # Returning it directly is refused too, with what was typed kept.
    refused = client.post(
        reverse("advice:item_return", args=[item.pk]),
        {"action": "return", "draft_revision": "1", **date_fields("returned_on", RETURNED_ON), **CONTENT},
    )
    assert refused.status_code == 302
    item.refresh_from_db()
    assert item.status == ItemStatus.OUTSTANDING


def test_the_lead_sees_the_queue_opens_it_read_only_and_signs_off(ours, waiting, lead, login):
    client = login(lead)
    assert "Awaiting your sign-off (1)" in client.get(reverse("advice:team_queue")).content.decode()
    queue = client.get(reverse("advice:sign_off_queue")).content.decode()
    assert waiting.case.reference in queue and reverse("advice:sign_off_review", args=[waiting.pk]) in queue
    review = client.get(reverse("advice:sign_off_review", args=[waiting.pk])).content.decode()
    assert CONTENT["outcomes"] in review and "<textarea" in review  # the note only: the advice is read-only
    assert 'name="description_of_needs"' not in review
    document = client.get(reverse("advice:draft_document", args=[waiting.pk, 1]))
    assert document.status_code == 200 and document["Content-Disposition"].startswith("attachment")
    response = client.post(reverse("advice:sign_off_review", args=[waiting.pk]), {"action": "sign_off"})
    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.status == ItemStatus.RETURNED and waiting.advice_return.signed_off_by == lead
    # The council's case officer reads the return, and who signed it off.
    page = login(ours.case_officer).get(reverse("advice:item_detail", args=[waiting.pk])).content.decode()
    assert "Signed off" in page and "O&#x27;Neill" in page
    # A second click finds it done.
    again = client.post(reverse("advice:sign_off_review", args=[waiting.pk]), {"action": "sign_off"})
    assert again.status_code == 302


def test_send_back_needs_a_note_and_shows_it_to_the_practitioner(ours, waiting, lead, login):
    client = login(lead)
    url = reverse("advice:sign_off_review", args=[waiting.pk])
    refused = client.post(url, {"action": "send_back", "note": ""})
    assert refused.status_code == 200 and "Enter a note saying what needs to change" in refused.content.decode()
    assert ReturnDraft.objects.get(item=waiting).status == DraftStatus.AWAITING_SIGN_OFF
    assert client.post(url, {"action": "send_back", "note": "Add the outcomes for home"}).status_code == 302
    form = login(ours.slt_practitioner).get(reverse("advice:item_return", args=[waiting.pk])).content.decode()
    assert "Add the outcomes for home" in form and CONTENT["outcomes"] in form


@pytest.mark.parametrize(
    "who", ["ot_practitioner", "spoc", "head_of_service", "case_officer", "business_support", "dco"]
)
def test_nobody_but_a_lead_of_the_team_reviews_it(ours, waiting, login, who):
    client = login(getattr(ours, who))
    review = reverse("advice:sign_off_review", args=[waiting.pk])
    assert client.get(review).status_code == 404
    assert client.post(review, {"action": "sign_off"}).status_code == 404
    waiting.refresh_from_db()
    assert waiting.status == ItemStatus.OUTSTANDING


@pytest.mark.parametrize("who", ["ot_practitioner", "case_officer", "business_support", "dco"])
def test_the_waiting_documents_stay_inside_the_team(ours, waiting, login, who):
    client = login(getattr(ours, who))
    assert client.get(reverse("advice:draft_document", args=[waiting.pk, 1])).status_code == 404
    page = client.get(reverse("advice:item_detail", args=[waiting.pk]))
    assert page.status_code in (200, 404)
    assert "Awaiting sign-off" not in page.content.decode() and CONTENT["outcomes"] not in page.content.decode()


def test_the_team_and_its_spoc_see_the_document_a_lead_of_another_team_does_not(ours, theirs, waiting, login):
    url = reverse("advice:draft_document", args=[waiting.pk, 1])
    for user in (ours.slt_practitioner, ours.spoc):
        assert login(user).get(url).status_code == 200
    for outsider in (make_lead(ours, ours.ot, "ot-lead-ours"), make_lead(theirs, theirs.slt, "lead-theirs")):
        client = login(outsider)
        assert client.get(url).status_code == 404
        assert client.get(reverse("advice:sign_off_review", args=[waiting.pk])).status_code == 404
        assert client.get(reverse("advice:sign_off_queue")).content.decode().count(waiting.case.reference) == 0


def test_the_queue_is_for_leads_only(ours, lead, login, client):
    assert login(ours.slt_practitioner).get(reverse("advice:sign_off_queue")).status_code == 404
    assert login(ours.case_officer).get(reverse("advice:sign_off_queue")).status_code in (403, 404)
    assert login(lead).get(reverse("advice:sign_off_queue")).status_code == 200


def test_anonymous_is_sent_to_sign_in(waiting, client):
    for url in [reverse("advice:sign_off_queue"), *_urls(waiting)]:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_the_api_refuses_a_return_that_needs_sign_off(ours, item):
    key = api_client_for(ours.provider, Role.SPOC)[1]
    body = {"returned_on": RETURNED_ON.isoformat(), **CONTENT}
    response = calling_with(key).post(reverse("api:advice-item-return", args=[item.pk]), body, format="json")
    assert response.status_code == 409
    assert "sign-off" in response.json()["errors"]["non_field_errors"][0]
    item.refresh_from_db()
    assert item.status == ItemStatus.OUTSTANDING
    # While it waits the API shows it outstanding, with no advice.
    send(item, ours.slt_practitioner)
    shown = calling_with(key).get(reverse("api:advice-item-detail", args=[item.pk])).json()
    assert shown["status"] == ItemStatus.OUTSTANDING and shown["advice_return"] is None


def test_a_refused_sign_off_is_said_on_the_page_and_changes_nothing(ours, item, lead, login):
    send(item, lead)  # the lead's own: another lead must sign it off
    make_lead(ours, ours.slt, "lead2-ours", first="Dara", last="Ní Bhriain")
    response = login(lead).post(reverse("advice:sign_off_review", args=[item.pk]), {"action": "sign_off"})
    assert response.status_code == 200
    assert "another team lead must sign it off" in response.content.decode()
    item.refresh_from_db()
    assert item.status == ItemStatus.OUTSTANDING


def test_the_leads_home_page_counts_what_waits_for_their_sign_off_and_no_one_elses_does(ours, waiting, lead, login):
    home = login(lead).get(reverse("home")).content.decode()
    assert f'<a class="govuk-link" href="{reverse("advice:sign_off_queue")}" data-count="1"' in home
    assert ">1 return awaiting your sign-off</a>" in home
    queue = login(lead).get(reverse("advice:sign_off_queue")).content.decode()
    assert waiting.case.reference in queue
    # The practitioner who sent it, and a lead-less team's practitioner: no sign-off work on home.
    for user in (ours.slt_practitioner, ours.ot_practitioner):
        assert "awaiting your sign-off" not in login(user).get(reverse("home")).content.decode()
